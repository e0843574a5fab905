# Action points count in the content versions per kind and per event (talks 0015,
# which explains the counters): "action_points" and their event, instead of the one
# counter for everything. Their tags and history name the event through the action
# point. Preferences, the outbox and the reminder log are bookkeeping no page shows.

import importlib

from django.db import migrations

one_counter = importlib.import_module("actions.migrations.0008_content_version")

TRIGGERS = {
    "actions_actionpoint": ("talks_row_changed", ["action_points"]),
    "actions_taggedactionpoint": (
        "talks_child_row_changed",
        ["action_points", "content_object_id", "actions_actionpoint"],
    ),
    "actions_actionpointchange": (
        "talks_child_row_changed",
        ["action_points", "action_point_id", "actions_actionpoint"],
    ),
}


def replace_triggers(table: str, function: str, args: list[str]) -> str:
    quoted = ", ".join(f"'{arg}'" for arg in args)
    return f"""
DROP TRIGGER {table}_content_changed ON {table};
DROP TRIGGER {table}_content_truncated ON {table};
CREATE CONSTRAINT TRIGGER {table}_content_changed
    AFTER INSERT OR UPDATE OR DELETE ON {table}
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION {function}({quoted});
CREATE TRIGGER {table}_content_truncated AFTER TRUNCATE ON {table}
    FOR EACH STATEMENT EXECUTE FUNCTION talks_truncated('{args[0]}');
"""


FORWARD = (  # noqa: S608 - our own table names
    "".join(replace_triggers(table, *trigger) for table, trigger in TRIGGERS.items())
    + """
-- Nothing calls the stand-in talks 0015 left for these tables any more.
DROP FUNCTION talks_content_changed();

-- Action points' tags and history find their event through the action point.
CREATE OR REPLACE FUNCTION talks_event_of(parent text, row_id bigint) RETURNS bigint
LANGUAGE plpgsql STABLE AS $$
BEGIN
    CASE parent
        WHEN '' THEN RETURN row_id;
        WHEN 'talks_talk' THEN RETURN (SELECT t.event_id FROM talks_talk t WHERE t.id = $2);
        WHEN 'talks_openspace' THEN
            RETURN (SELECT o.event_id FROM talks_openspace o WHERE o.id = $2);
        WHEN 'talks_takeaway' THEN
            RETURN (SELECT t.event_id FROM talks_takeaway t WHERE t.id = $2);
        WHEN 'actions_actionpoint' THEN
            RETURN (SELECT a.event_id FROM actions_actionpoint a WHERE a.id = $2);
    END CASE;
END
$$;

-- Publishing a note changes what readers see of the action points raised in it too.
CREATE OR REPLACE FUNCTION talks_drafted_events(note_id bigint) RETURNS bigint[]
LANGUAGE sql STABLE AS $$
    SELECT coalesce(array_agg(DISTINCT event_id), '{}') FROM (
        SELECT t.event_id FROM talks_takeaway t WHERE t.note_id = $1
        UNION ALL
        SELECT a.event_id FROM actions_actionpoint a WHERE a.note_id = $1
    ) rows
$$;
"""
)

# Back to the stand-in talks 0015 leaves (every page's "epoch"), on the triggers as
# actions 0008 made them.
BACKWARD = (  # noqa: S608 - our own table names
    """
CREATE FUNCTION talks_content_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM talks_bump_versions(ARRAY['epoch'], '{}');
    RETURN NULL;
END
$$;
CREATE OR REPLACE FUNCTION talks_drafted_events(note_id bigint) RETURNS bigint[]
LANGUAGE sql STABLE AS $$
    SELECT coalesce(array_agg(DISTINCT t.event_id), '{}')
    FROM talks_takeaway t WHERE t.note_id = $1
$$;
"""
    + "".join(
        f"DROP TRIGGER {table}_content_changed ON {table}; "
        f"DROP TRIGGER {table}_content_truncated ON {table};"
        for table in TRIGGERS
    )
    + one_counter.FORWARD
)


class Migration(migrations.Migration):
    dependencies = [
        ("actions", "0014_markdown_length_limits"),
        ("talks", "0015_content_versions"),
    ]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
