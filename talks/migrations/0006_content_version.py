# The content version: a one-row counter that PostgreSQL bumps when a transaction that
# changed what pages show commits. Cached page fragments are keyed by it
# (talks/caching.py), so a change anywhere retires them all, whatever wrote it.
#
# The triggers are deferred constraint triggers: they fire at commit, so a
# transaction takes the counter's row lock as its very last step, holds it for
# microseconds, and cannot deadlock on it with locks it took earlier. The first row
# to fire bumps the counter; the rest see the transaction-local flag and return.
# Column checks live in function bodies, never in trigger definitions, so that later
# migrations (Django's own included) can still alter those columns.

from django.db import migrations, models

# Every table a page reads, in this app and the ones it builds on. Bookkeeping tables
# (digest logs) are left out.
TABLES = [
    "talks_event",
    "talks_speaker",
    "talks_talk",
    "talks_talk_speakers",
    "talks_openspace",
    "talks_note",
    "talks_takeaway",
    "talks_taggedevent",
    "talks_taggedtalk",
    "talks_taggedopenspace",
    "talks_taggedtakeaway",
    "talks_follow",
    "taggit_tag",
    "auth_user_groups",
]

FUNCTIONS = """
CREATE TABLE talks_contentversion (
    id smallint PRIMARY KEY DEFAULT 1 CONSTRAINT contentversion_one_row CHECK (id = 1),
    version bigint NOT NULL
);
INSERT INTO talks_contentversion (id, version) VALUES (1, 1);

CREATE FUNCTION talks_bump_content_version() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('notesite.content_changed', true) = 'on' THEN
        RETURN;
    END IF;
    PERFORM set_config('notesite.content_changed', 'on', true);
    INSERT INTO talks_contentversion (id, version) VALUES (1, 1)
        ON CONFLICT (id) DO UPDATE SET version = talks_contentversion.version + 1;
END
$$;

CREATE FUNCTION talks_content_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM talks_bump_content_version();
    RETURN NULL;
END
$$;

-- People: only what pages show of them counts, not a login's last_login.
CREATE FUNCTION talks_user_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE'
        AND ROW(OLD.username, OLD.first_name, OLD.last_name, OLD.email, OLD.is_active,
                OLD.is_staff, OLD.is_superuser)
        IS NOT DISTINCT FROM
            ROW(NEW.username, NEW.first_name, NEW.last_name, NEW.email, NEW.is_active,
                NEW.is_staff, NEW.is_superuser)
    THEN
        RETURN NULL;
    END IF;
    PERFORM talks_bump_content_version();
    RETURN NULL;
END
$$;
"""


def triggers(table: str, function: str = "talks_content_changed") -> str:
    """SQL creating ``table``'s two triggers: its rows, at commit, and TRUNCATE."""
    return f"""
CREATE CONSTRAINT TRIGGER {table}_content_changed
    AFTER INSERT OR UPDATE OR DELETE ON {table}
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION {function}();
CREATE TRIGGER {table}_content_truncated AFTER TRUNCATE ON {table}
    FOR EACH STATEMENT EXECUTE FUNCTION talks_content_changed();
"""


def drop_triggers(table: str) -> str:
    return f"""
DROP TRIGGER {table}_content_changed ON {table};
DROP TRIGGER {table}_content_truncated ON {table};
"""


FORWARD = (
    FUNCTIONS
    + "".join(triggers(table) for table in TABLES)
    + triggers("auth_user", "talks_user_changed")
)
BACKWARD = (
    "".join(drop_triggers(table) for table in [*TABLES, "auth_user"])
    + """
DROP FUNCTION talks_user_changed();
DROP FUNCTION talks_content_changed();
DROP FUNCTION talks_bump_content_version();
DROP TABLE talks_contentversion;
"""
)


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("talks", "0005_newest_first_indexes"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunSQL(FORWARD, BACKWARD)],
            state_operations=[
                migrations.CreateModel(
                    name="ContentVersion",
                    fields=[
                        ("id", models.SmallIntegerField(primary_key=True, serialize=False)),
                        ("version", models.BigIntegerField()),
                    ],
                    options={"db_table": "talks_contentversion", "managed": False},
                ),
            ],
        ),
    ]
