"""Make a note's or takeaway's event agree with its talk's or open space's.

Django has no composite foreign keys, so they are added here in SQL. A talk moved to
another event carries its notes and takeaways along (ON UPDATE CASCADE).
"""

from django.db import migrations


def agreement_sql(table: str, prefix: str) -> list[migrations.RunSQL]:
    return [
        migrations.RunSQL(
            f"""
            ALTER TABLE {table} ADD CONSTRAINT {prefix}_talk_same_event
                FOREIGN KEY (talk_id, event_id) REFERENCES talks_talk (id, event_id)
                ON UPDATE CASCADE ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED;
            ALTER TABLE {table} ADD CONSTRAINT {prefix}_open_space_same_event
                FOREIGN KEY (open_space_id, event_id) REFERENCES talks_openspace (id, event_id)
                ON UPDATE CASCADE ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED;
            """,
            f"""
            ALTER TABLE {table} DROP CONSTRAINT {prefix}_talk_same_event;
            ALTER TABLE {table} DROP CONSTRAINT {prefix}_open_space_same_event;
            """,
        )
    ]


class Migration(migrations.Migration):
    dependencies = [("talks", "0001_initial")]

    operations = [
        *agreement_sql("talks_note", "note"),
        *agreement_sql("talks_takeaway", "takeaway"),
    ]
