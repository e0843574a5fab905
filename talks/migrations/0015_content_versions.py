# Content versions per kind and per event, instead of one for everything, so that a
# note written at one event leaves the other events' pages (and the tag list, the
# speakers...) cached. PostgreSQL still counts at commit, whatever wrote the rows.
#
# talks_contentversion holds one counter per scope:
# - "all": every committed change (what fragments nobody described depend on);
# - one per kind: "events", "sessions" (talks, open spaces, their speakers and tags),
#   "speakers", "notes", "drafts" (which notes are drafts, and whose: what readers
#   may see of the takeaways and action points written with them), "takeaways",
#   "action_points", "tags" (the tags' names), "follows", "people" (users' names,
#   roles and permissions);
# - "event:<id>": any change to a row that belongs to that event (the event, its
#   sessions, notes, takeaways, action points, follows, their tags and speakers);
# - "epoch": a TRUNCATE, which names no rows, so no event: every page depends on it.
#
# The triggers are deferred constraint triggers, as before: they fire at commit. Each
# commit bumps "all" first, which takes that row's lock: commits that bump counters
# take turns at it (as they did at the single counter), so two of them can never wait
# on each other's per-kind or per-event rows (no deadlock), and each holds the locks
# for the microseconds its last step takes. A transaction-local flag per scope makes
# the rows after the first return at once. A counter that does not exist yet reads as
# 0 and is created at 1 (upsert).
#
# Rows that point at their event through a parent (a talk's speakers, tags, an
# action point's history) look the parent's event up at commit. When the parent is
# gone by then, the same transaction deleted it (foreign keys are checked at commit),
# and the parent's own trigger counted its event.

import importlib

from django.db import migrations, models

one_counter = importlib.import_module("talks.migrations.0006_content_version")

FUNCTIONS = """
DROP TABLE talks_contentversion;
CREATE TABLE talks_contentversion (
    scope text PRIMARY KEY,
    version bigint NOT NULL
);
INSERT INTO talks_contentversion (scope, version) VALUES ('all', 1);

CREATE FUNCTION talks_bump_versions(kinds text[], events bigint[]) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    bumped text;
    flag text;
BEGIN
    -- "all" first, always: see the migration's comment (no deadlock).
    FOREACH bumped IN ARRAY ARRAY['all'] || kinds
        || ARRAY(SELECT 'event:' || e FROM unnest(events) e WHERE e IS NOT NULL)
    LOOP
        flag := 'notesite.bumped_' || replace(bumped, ':', '_');
        IF current_setting(flag, true) IS DISTINCT FROM 'on' THEN
            PERFORM set_config(flag, 'on', true);
            INSERT INTO talks_contentversion (scope, version) VALUES (bumped, 1)
                ON CONFLICT (scope) DO UPDATE SET version = talks_contentversion.version + 1;
        END IF;
    END LOOP;
END
$$;

-- Rows with their own event_id column. TG_ARGV[0]: the kind.
CREATE FUNCTION talks_row_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM talks_bump_versions(ARRAY[TG_ARGV[0]], ARRAY[NEW.event_id]);
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM talks_bump_versions(ARRAY[TG_ARGV[0]], ARRAY[OLD.event_id]);
    ELSE
        PERFORM talks_bump_versions(ARRAY[TG_ARGV[0]], ARRAY[OLD.event_id, NEW.event_id]);
    END IF;
    RETURN NULL;
END
$$;

-- Events: their own counter.
CREATE FUNCTION talks_event_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM talks_bump_versions(ARRAY['events'], ARRAY[NEW.id]);
    ELSE
        PERFORM talks_bump_versions(ARRAY['events'], ARRAY[OLD.id]);
    END IF;
    RETURN NULL;
END
$$;

-- The event of a row of ``parent`` ('' when ``id`` is the event's): static queries,
-- planned once per session (actions 0015 adds action points).
CREATE FUNCTION talks_event_of(parent text, row_id bigint) RETURNS bigint
LANGUAGE plpgsql STABLE AS $$
BEGIN
    CASE parent
        WHEN '' THEN RETURN row_id;
        WHEN 'talks_talk' THEN RETURN (SELECT t.event_id FROM talks_talk t WHERE t.id = $2);
        WHEN 'talks_openspace' THEN
            RETURN (SELECT o.event_id FROM talks_openspace o WHERE o.id = $2);
        WHEN 'talks_takeaway' THEN
            RETURN (SELECT t.event_id FROM talks_takeaway t WHERE t.id = $2);
    END CASE;
END
$$;

-- Rows that name their event through a column of theirs. TG_ARGV: the kind, the
-- column, and the table the column points into ('' when it holds the event's id).
CREATE FUNCTION talks_child_row_changed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    events bigint[] := '{}';
BEGIN
    IF TG_OP <> 'INSERT' THEN
        events := events || talks_event_of(TG_ARGV[2], (to_jsonb(OLD) ->> TG_ARGV[1])::bigint);
    END IF;
    IF TG_OP <> 'DELETE' THEN
        events := events || talks_event_of(TG_ARGV[2], (to_jsonb(NEW) ->> TG_ARGV[1])::bigint);
    END IF;
    PERFORM talks_bump_versions(ARRAY[TG_ARGV[0]], events);
    RETURN NULL;
END
$$;

-- The events of the rows written with a note (replaced by actions to add action
-- points): what readers see of them changes when the note becomes, or stops being,
-- a draft, without those rows being written.
CREATE FUNCTION talks_drafted_events(note_id bigint) RETURNS bigint[]
LANGUAGE sql STABLE AS $$
    SELECT coalesce(array_agg(DISTINCT t.event_id), '{}')
    FROM talks_takeaway t WHERE t.note_id = $1
$$;

-- Notes: "notes" and their event, and "drafts" when which notes are drafts (or
-- whose) changes.
CREATE FUNCTION talks_note_changed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    kinds text[] := ARRAY['notes'];
    events bigint[] := '{}';
BEGIN
    IF TG_OP <> 'INSERT' THEN
        events := events || OLD.event_id;
    END IF;
    IF TG_OP <> 'DELETE' THEN
        events := events || NEW.event_id;
    END IF;
    IF (TG_OP = 'INSERT' AND NEW.status = 'draft')
        OR (TG_OP = 'DELETE' AND OLD.status = 'draft')
        OR (TG_OP = 'UPDATE' AND 'draft' IN (OLD.status, NEW.status)
            AND ROW(OLD.status, OLD.author_id) IS DISTINCT FROM ROW(NEW.status, NEW.author_id))
    THEN
        kinds := kinds || 'drafts'::text;
        IF TG_OP = 'UPDATE' THEN
            -- Rows written with it and deleted or unlinked count through their own triggers.
            events := events || talks_drafted_events(NEW.id);
        END IF;
    END IF;
    PERFORM talks_bump_versions(kinds, events);
    RETURN NULL;
END
$$;

-- Rows of no event. TG_ARGV[0]: the kind.
CREATE FUNCTION talks_kind_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM talks_bump_versions(ARRAY[TG_ARGV[0]], '{}');
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
    PERFORM talks_bump_versions(ARRAY['people'], '{}');
    RETURN NULL;
END
$$;

-- TRUNCATE names no rows: the kind, and every event's pages ("epoch").
CREATE FUNCTION talks_truncated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM talks_bump_versions(ARRAY[TG_ARGV[0], 'epoch'], '{}');
    RETURN NULL;
END
$$;
"""

# table: (trigger function, its arguments): the kind first.
TRIGGERS = {
    "talks_event": ("talks_event_changed", []),
    "talks_taggedevent": ("talks_child_row_changed", ["events", "content_object_id", ""]),
    "talks_talk": ("talks_row_changed", ["sessions"]),
    "talks_openspace": ("talks_row_changed", ["sessions"]),
    "talks_talk_speakers": ("talks_child_row_changed", ["sessions", "talk_id", "talks_talk"]),
    "talks_taggedtalk": (
        "talks_child_row_changed",
        ["sessions", "content_object_id", "talks_talk"],
    ),
    "talks_taggedopenspace": (
        "talks_child_row_changed",
        ["sessions", "content_object_id", "talks_openspace"],
    ),
    "talks_speaker": ("talks_kind_changed", ["speakers"]),
    "talks_note": ("talks_note_changed", []),
    "talks_takeaway": ("talks_row_changed", ["takeaways"]),
    "talks_taggedtakeaway": (
        "talks_child_row_changed",
        ["takeaways", "content_object_id", "talks_takeaway"],
    ),
    "talks_follow": ("talks_row_changed", ["follows"]),
    "taggit_tag": ("talks_kind_changed", ["tags"]),
    "auth_user": ("talks_user_changed", []),
    # Roles are groups; permissions decide what links pages show.
    "auth_user_groups": ("talks_kind_changed", ["people"]),
    "auth_group": ("talks_kind_changed", ["people"]),
    "auth_group_permissions": ("talks_kind_changed", ["people"]),
    "auth_user_user_permissions": ("talks_kind_changed", ["people"]),
}

# The tables the one-counter triggers (0006) were on.
OLD_TABLES = [
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
    "auth_user",
]


def triggers(table: str, function: str, args: list[str]) -> str:
    """SQL creating ``table``'s two triggers: its rows, at commit, and TRUNCATE."""
    kinds = {"talks_event": "events", "talks_note": "notes"}
    kind = args[0] if args else kinds.get(table, "people")
    quoted = ", ".join(f"'{arg}'" for arg in args)
    return f"""
CREATE CONSTRAINT TRIGGER {table}_content_changed
    AFTER INSERT OR UPDATE OR DELETE ON {table}
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION {function}({quoted});
CREATE TRIGGER {table}_content_truncated AFTER TRUNCATE ON {table}
    FOR EACH STATEMENT EXECUTE FUNCTION talks_truncated('{kind}');
"""


def drop_triggers(table: str) -> str:
    return f"""
DROP TRIGGER {table}_content_changed ON {table};
DROP TRIGGER {table}_content_truncated ON {table};
"""


# Action points' triggers (actions 0008) call talks_content_changed() until their own
# migration replaces them: until then it bumps "epoch", which every page depends on.
SHIM = """
CREATE OR REPLACE FUNCTION talks_content_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM talks_bump_versions(ARRAY['epoch'], '{}');
    RETURN NULL;
END
$$;
DROP FUNCTION talks_bump_content_version();
"""

FORWARD = (
    "".join(drop_triggers(table) for table in OLD_TABLES)
    + "DROP FUNCTION talks_user_changed();"
    + FUNCTIONS
    + SHIM
    + "".join(triggers(table, function, args) for table, (function, args) in TRIGGERS.items())
)

# Back to one counter (0006): action points' triggers, put back by reversing actions
# 0015, call talks_content_changed(), which is replaced in place.
BACKWARD = (
    "".join(drop_triggers(table) for table in TRIGGERS)
    + """
DROP FUNCTION talks_truncated();
DROP FUNCTION talks_user_changed();
DROP FUNCTION talks_kind_changed();
DROP FUNCTION talks_note_changed();
DROP FUNCTION talks_drafted_events(bigint);
DROP FUNCTION talks_child_row_changed();
DROP FUNCTION talks_event_of(text, bigint);
DROP FUNCTION talks_event_changed();
DROP FUNCTION talks_row_changed();
DROP TABLE talks_contentversion;
"""
    + one_counter.FUNCTIONS.replace(
        "CREATE FUNCTION talks_content_changed", "CREATE OR REPLACE FUNCTION talks_content_changed"
    )
    + "DROP FUNCTION talks_bump_versions(text[], bigint[]);"
    + "".join(one_counter.triggers(table) for table in one_counter.TABLES)
    + one_counter.triggers("auth_user", "talks_user_changed")
)


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("talks", "0014_markdown_length_limits"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunSQL(FORWARD, BACKWARD)],
            state_operations=[
                migrations.DeleteModel(name="ContentVersion"),
                migrations.CreateModel(
                    name="ContentVersion",
                    fields=[
                        ("scope", models.TextField(primary_key=True, serialize=False)),
                        ("version", models.BigIntegerField()),
                    ],
                    options={"db_table": "talks_contentversion", "managed": False},
                ),
            ],
        ),
    ]
