# Action points change what pages show, too: their tables bump the content version
# (talks_contentversion, created with its trigger function in talks 0006) when a
# transaction that wrote them commits. Preferences, the outbox and the reminder log
# are bookkeeping that no cached page shows.

from django.db import migrations

TABLES = ["actions_actionpoint", "actions_taggedactionpoint", "actions_actionpointchange"]

FORWARD = "".join(
    f"""
CREATE CONSTRAINT TRIGGER {table}_content_changed AFTER INSERT OR UPDATE OR DELETE ON {table}
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION talks_content_changed();
CREATE TRIGGER {table}_content_truncated AFTER TRUNCATE ON {table}
    FOR EACH STATEMENT EXECUTE FUNCTION talks_content_changed();
"""
    for table in TABLES
)
BACKWARD = "".join(
    f"DROP TRIGGER {table}_content_changed ON {table}; "
    f"DROP TRIGGER {table}_content_truncated ON {table};"
    for table in TABLES
)


class Migration(migrations.Migration):
    dependencies = [
        ("actions", "0007_newest_first_indexes"),
        ("talks", "0006_content_version"),
    ]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
