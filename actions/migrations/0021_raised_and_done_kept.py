# What the progress overview shows of the last twelve months (raised and done per
# month, the median time from raised to done), kept per published action point in
# `actions_raised_done` so that the page reads two narrow index ranges instead of
# joining every action point of the year to its event and note (actions.tallies
# reads them).
#
# A row per published action point (as public() says: no note, a note that is not a
# draft, or a note that is gone), holding the month it was raised, the month it was
# done, whether it was entered already done, and the time from raised to done, all
# as actions.overview defines them. Months and "raised at" depend on the time zone,
# so the rows are for one zone, the one `actions_raised_done_zone` names (the site's
# when this migration ran); the page counts rows instead when the site's zone is
# another, until `actions_raised_done_rebuild(zone)` refills them.
#
# The triggers follow every write that changes what a row holds: action points
# inserted, updated (only those whose times, event or note changed: an edit of the
# title costs a comparison), deleted or truncated; notes changing between draft and
# not, inserted as drafts, or deleted; events whose first or last day changed.
# Statement-level, with transition tables, so a bulk change costs one pass. Deletes
# only remove rows, so a cascade needs nothing of the event that went. The rows of
# action points written are computed from the statement's new rows, after locking
# their notes FOR SHARE (as the tag use counters do: action point, then note), so
# that a note being published or unpublished is waited for and read as committed;
# publishing, which locks the note first, then reads action points nobody is
# changing. An event changed rewrites the rows of its action points from the table,
# after locking them (in id order, as the bulk changes do), so that it never
# computes from a version another transaction is changing. A rolled-back
# transaction takes its rows with it.

from django.conf import settings
from django.db import migrations

# Completed this soon after being entered (either way): entered already done
# (actions.overview.ENTERED_DONE_WITHIN; a test compares the kept rows with a fresh
# count).
ENTERED_DONE_WITHIN = "1 minute"

# The rows of the published action points among `{source}` (the table, or a
# statement's transition table) with their events, in the zone the rows are kept for.
ROWS = """
    SELECT ap.id,
           date_trunc('month', (CASE WHEN (ap.created_at AT TIME ZONE k.zone)::date > e.ends_on
                                     THEN e.starts_on
                                     ELSE (ap.created_at AT TIME ZONE k.zone)::date END)::timestamp
           )::date,
           date_trunc('month', ap.completed_at AT TIME ZONE k.zone)::date,
           coalesce(ap.completed_at < ap.created_at + interval '{within}'
                    AND ap.completed_at > ap.created_at - interval '{within}', false),
           ap.completed_at - CASE WHEN (ap.created_at AT TIME ZONE k.zone)::date > e.ends_on
                                  THEN timezone(k.zone, e.starts_on::timestamp)
                                  ELSE ap.created_at END
    FROM {source} ap JOIN talks_event e ON e.id = ap.event_id CROSS JOIN actions_raised_done_zone k
    WHERE NOT EXISTS (SELECT 1 FROM talks_note n WHERE n.id = ap.note_id AND n.status = 'draft')
"""  # noqa: S608 - our own SQL
# An updated action point whose row stays as it was (`o` its old version, `r` its new).
SAME = (
    "r.id = o.id AND r.created_at = o.created_at AND r.event_id = o.event_id"
    " AND r.completed_at IS NOT DISTINCT FROM o.completed_at"
    " AND r.note_id IS NOT DISTINCT FROM o.note_id"
)
INSERT = (
    "INSERT INTO actions_raised_done"
    " (action_point_id, raised_month, done_month, entered_done, to_done)"
)


def rows(source: str) -> str:
    return INSERT + ROWS.format(source=source, within=ENTERED_DONE_WITHIN)


FORWARD = (  # noqa: S608 - our own SQL
    """
CREATE TABLE actions_raised_done_zone (zone text NOT NULL);
CREATE UNIQUE INDEX actions_raised_done_zone_one ON actions_raised_done_zone ((true));

CREATE TABLE actions_raised_done (
    action_point_id bigint PRIMARY KEY,
    raised_month date NOT NULL,
    -- NULL unless done.
    done_month date,
    entered_done boolean NOT NULL,
    to_done interval
);
CREATE INDEX actions_raised_done_raised_idx ON actions_raised_done (raised_month);
CREATE INDEX actions_raised_done_done_idx ON actions_raised_done (done_month, to_done)
    INCLUDE (entered_done) WHERE done_month IS NOT NULL;

-- The rows of the action points `ids` rewritten as they are now (none for those
-- gone or not published). `wait`: first wait for whoever is changing them.
CREATE FUNCTION actions_raised_done_refresh(ids bigint[], wait boolean) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    IF coalesce(cardinality(ids), 0) = 0 THEN
        RETURN;
    END IF;
    IF wait THEN
        PERFORM 1 FROM actions_actionpoint WHERE id = ANY(ids) ORDER BY id FOR NO KEY UPDATE;
    END IF;
    DELETE FROM actions_raised_done WHERE action_point_id = ANY(ids);
    """
    + rows("actions_actionpoint")
    + """
        AND ap.id = ANY(ids);
END
$$;

-- All rows again, for the time zone `new_zone`.
CREATE FUNCTION actions_raised_done_rebuild(new_zone text) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    -- Wait for writers in progress, and make later ones wait, while the rows are filled.
    LOCK TABLE actions_actionpoint, talks_note, talks_event IN SHARE ROW EXCLUSIVE MODE;
    DELETE FROM actions_raised_done_zone;
    INSERT INTO actions_raised_done_zone (zone) VALUES (new_zone);
    DELETE FROM actions_raised_done;
    """
    + rows("actions_actionpoint")
    + """;
END
$$;

-- Action points written: their rows computed from the statement's new rows (this
-- statement holds them: nobody else can be changing them).
CREATE FUNCTION actions_raised_done_action_points() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'DELETE' THEN
        -- Locking the notes after the action points, never the other way round: a
        -- note published meanwhile would wait for these rows while they wait for it.
        PERFORM 1 FROM talks_note n WHERE n.id IN (SELECT r.note_id FROM new_rows r)
            ORDER BY n.id FOR SHARE;
    END IF;
    IF TG_OP = 'INSERT' THEN
        """
    + rows("new_rows")
    + """;
    ELSIF TG_OP = 'DELETE' THEN
        DELETE FROM actions_raised_done d USING old_rows o WHERE d.action_point_id = o.id;
    ELSE
        -- Rows whose id changed (raw SQL) leave; those whose times, event or note
        -- changed are rewritten; an edit of the title or the assignee costs nothing.
        DELETE FROM actions_raised_done WHERE action_point_id IN (
            SELECT o.id FROM old_rows o WHERE NOT EXISTS (
                SELECT 1 FROM new_rows r WHERE """
    + SAME
    + """
            )
        );
        """
    + rows(
        "(SELECT r.* FROM new_rows r WHERE NOT EXISTS (SELECT 1 FROM old_rows o WHERE "
        + SAME
        + "))"
    )
    + """;
    END IF;
    RETURN NULL;
END
$$;

CREATE FUNCTION actions_raised_done_notes() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    ids bigint[];
BEGIN
    IF TG_OP = 'INSERT' THEN
        -- A draft inserted after its action points (foreign keys are checked at commit).
        SELECT array_agg(ap.id) INTO ids
        FROM new_rows n JOIN actions_actionpoint ap ON ap.note_id = n.id
        WHERE n.status = 'draft';
    ELSIF TG_OP = 'DELETE' THEN
        SELECT array_agg(ap.id) INTO ids
        FROM old_rows n JOIN actions_actionpoint ap ON ap.note_id = n.id
        WHERE n.status = 'draft';
    ELSE
        SELECT array_agg(ap.id) INTO ids
        FROM old_rows o
        JOIN new_rows n ON n.id = o.id
        JOIN actions_actionpoint ap ON ap.note_id = n.id
        WHERE (o.status = 'draft') <> (n.status = 'draft');
    END IF;
    -- Whoever writes these action points locks this note first (above), so they are
    -- read as committed without locking them.
    PERFORM actions_raised_done_refresh(ids, false);
    RETURN NULL;
END
$$;

CREATE FUNCTION actions_raised_done_events() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    ids bigint[];
BEGIN
    SELECT array_agg(ap.id) INTO ids
    FROM old_rows o
    JOIN new_rows n ON n.id = o.id
    JOIN actions_actionpoint ap ON ap.event_id = n.id
    WHERE (o.starts_on, o.ends_on) IS DISTINCT FROM (n.starts_on, n.ends_on);
    PERFORM actions_raised_done_refresh(ids, true);
    RETURN NULL;
END
$$;

CREATE FUNCTION actions_raised_done_truncated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM actions_raised_done;
    RETURN NULL;
END
$$;

CREATE TRIGGER actions_raised_done_inserted AFTER INSERT ON actions_actionpoint
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION actions_raised_done_action_points();
CREATE TRIGGER actions_raised_done_updated AFTER UPDATE ON actions_actionpoint
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION actions_raised_done_action_points();
CREATE TRIGGER actions_raised_done_deleted AFTER DELETE ON actions_actionpoint
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION actions_raised_done_action_points();
CREATE TRIGGER actions_raised_done_truncated AFTER TRUNCATE ON actions_actionpoint
    FOR EACH STATEMENT EXECUTE FUNCTION actions_raised_done_truncated();
CREATE TRIGGER actions_raised_done_note_inserted AFTER INSERT ON talks_note
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION actions_raised_done_notes();
CREATE TRIGGER actions_raised_done_note_updated AFTER UPDATE ON talks_note
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION actions_raised_done_notes();
CREATE TRIGGER actions_raised_done_note_deleted AFTER DELETE ON talks_note
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION actions_raised_done_notes();
CREATE TRIGGER actions_raised_done_event_updated AFTER UPDATE ON talks_event
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION actions_raised_done_events();
"""
)

BACKWARD = """
DROP TRIGGER actions_raised_done_inserted ON actions_actionpoint;
DROP TRIGGER actions_raised_done_updated ON actions_actionpoint;
DROP TRIGGER actions_raised_done_deleted ON actions_actionpoint;
DROP TRIGGER actions_raised_done_truncated ON actions_actionpoint;
DROP TRIGGER actions_raised_done_note_inserted ON talks_note;
DROP TRIGGER actions_raised_done_note_updated ON talks_note;
DROP TRIGGER actions_raised_done_note_deleted ON talks_note;
DROP TRIGGER actions_raised_done_event_updated ON talks_event;
DROP FUNCTION actions_raised_done_truncated();
DROP FUNCTION actions_raised_done_events();
DROP FUNCTION actions_raised_done_notes();
DROP FUNCTION actions_raised_done_action_points();
DROP FUNCTION actions_raised_done_rebuild(text);
DROP FUNCTION actions_raised_done_refresh(bigint[], boolean);
DROP TABLE actions_raised_done;
DROP TABLE actions_raised_done_zone;
"""


def fill(apps, schema_editor) -> None:
    """The rows of the action points there are, for the site's time zone now."""
    schema_editor.execute("SELECT actions_raised_done_rebuild(%s)", [settings.TIME_ZONE])
    schema_editor.execute("ANALYZE actions_raised_done")


class Migration(migrations.Migration):
    dependencies = [
        ("actions", "0020_fold_only_split_tallies"),
        ("talks", "0017_tag_use_counters"),
    ]

    operations = [
        migrations.RunSQL(FORWARD, BACKWARD),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
