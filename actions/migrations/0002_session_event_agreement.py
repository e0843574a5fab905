"""An action point's event agrees with its talk's or open space's (see talks 0002)."""

from django.db import migrations



class Migration(migrations.Migration):
    dependencies = [("actions", "0001_initial")]

    operations = [
        migrations.RunSQL(
            """
            ALTER TABLE actions_actionpoint ADD CONSTRAINT actionpoint_talk_same_event
                FOREIGN KEY (talk_id, event_id) REFERENCES talks_talk (id, event_id)
                ON UPDATE CASCADE ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED;
            ALTER TABLE actions_actionpoint ADD CONSTRAINT actionpoint_open_space_same_event
                FOREIGN KEY (open_space_id, event_id) REFERENCES talks_openspace (id, event_id)
                ON UPDATE CASCADE ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED;
            """,
            """
            ALTER TABLE actions_actionpoint DROP CONSTRAINT actionpoint_talk_same_event;
            ALTER TABLE actions_actionpoint DROP CONSTRAINT actionpoint_open_space_same_event;
            """,
        )
    ]
