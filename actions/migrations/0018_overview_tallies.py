# Counts of published action points by status, per assignee and per event, and of
# those still to do with no due date ("undated": what is still to do and not overdue
# is then those and the ones due from today on, few whatever the history), kept by
# triggers (actions.tallies reads them): the progress overview shows these counts,
# and counting them on every build read every finished row of the busiest people.
#
# An action point counts while it is published: it has no note, or its note is not a
# draft, or its note is gone (public() holds the same). So the triggers follow every
# write that can change that or the counted columns: inserts, updates and deletes of
# action points (statement-level, with transition tables, so a bulk update or a
# cascade costs one pass), notes changing between draft and not, inserted or deleted
# (foreign keys are checked at commit, so an action point can outlive its note for a
# moment), and TRUNCATE. A rolled-back transaction takes its changes to the counts
# with it.
#
# Writes only append rows of changes (+1/-1 per status), never update a shared row:
# updating one row per person and event would make concurrent writers wait for each
# other until commit, and deadlock when two bulk changes touch the same people in
# another order (the bulk changes lock action points in id order so that they
# cannot). The counts are the sums per key. Every FOLD_EVERY-th write folds the rows
# into one per key (rows another fold holds are skipped, so a fold never waits).

from django.db import migrations

FOLD_EVERY = 500

FORWARD = (  # noqa: S608 - our own SQL
    """
CREATE TABLE actions_assignee_tally (
    assignee_id integer,
    open integer NOT NULL DEFAULT 0,
    in_progress integer NOT NULL DEFAULT 0,
    done integer NOT NULL DEFAULT 0,
    dropped integer NOT NULL DEFAULT 0,
    undated integer NOT NULL DEFAULT 0
);
CREATE TABLE actions_event_tally (
    event_id bigint NOT NULL,
    open integer NOT NULL DEFAULT 0,
    in_progress integer NOT NULL DEFAULT 0,
    done integer NOT NULL DEFAULT 0,
    dropped integer NOT NULL DEFAULT 0,
    undated integer NOT NULL DEFAULT 0
);
CREATE SEQUENCE actions_tally_writes;

-- The rows of each table summed into one per key (none where all sums are zero).
CREATE FUNCTION actions_tally_fold() RETURNS void LANGUAGE sql AS $$
    WITH gone AS (
        DELETE FROM actions_assignee_tally WHERE ctid IN (
            SELECT ctid FROM actions_assignee_tally FOR UPDATE SKIP LOCKED
        ) RETURNING *
    )
    INSERT INTO actions_assignee_tally (assignee_id, open, in_progress, done, dropped, undated)
    SELECT assignee_id, sum(open), sum(in_progress), sum(done), sum(dropped), sum(undated)
    FROM gone GROUP BY assignee_id
    HAVING (sum(open), sum(in_progress), sum(done), sum(dropped), sum(undated))
        <> (0, 0, 0, 0, 0);
    WITH gone AS (
        DELETE FROM actions_event_tally WHERE ctid IN (
            SELECT ctid FROM actions_event_tally FOR UPDATE SKIP LOCKED
        ) RETURNING *
    )
    INSERT INTO actions_event_tally (event_id, open, in_progress, done, dropped, undated)
    SELECT event_id, sum(open), sum(in_progress), sum(done), sum(dropped), sum(undated)
    FROM gone GROUP BY event_id
    HAVING (sum(open), sum(in_progress), sum(done), sum(dropped), sum(undated))
        <> (0, 0, 0, 0, 0);
$$;

-- Appends each (assignee, event, status, +1 or -1) as rows of changes per key.
-- Groups that add up to nothing (an edit of the title) add no row.
CREATE FUNCTION actions_tally_apply(
    assignee_ids integer[], event_ids bigint[], statuses text[], no_due_dates boolean[],
    signs integer[]
) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    IF coalesce(cardinality(signs), 0) = 0 THEN
        RETURN;
    END IF;
    WITH d AS (
        SELECT * FROM unnest(assignee_ids, event_ids, statuses, no_due_dates, signs)
            AS d(assignee_id, event_id, status, no_due_date, sign)
    ), by_assignee AS (
        INSERT INTO actions_assignee_tally (
            assignee_id, open, in_progress, done, dropped, undated
        )
        SELECT * FROM (
            SELECT assignee_id,
                   coalesce(sum(sign) FILTER (WHERE status = 'open'), 0) AS open,
                   coalesce(sum(sign) FILTER (WHERE status = 'in_progress'), 0) AS in_progress,
                   coalesce(sum(sign) FILTER (WHERE status = 'done'), 0) AS done,
                   coalesce(sum(sign) FILTER (WHERE status = 'dropped'), 0) AS dropped,
                   coalesce(sum(sign) FILTER (WHERE no_due_date), 0) AS undated
            FROM d GROUP BY assignee_id
        ) g
        WHERE (g.open, g.in_progress, g.done, g.dropped, g.undated) <> (0, 0, 0, 0, 0)
    )
    INSERT INTO actions_event_tally (event_id, open, in_progress, done, dropped, undated)
    SELECT * FROM (
        SELECT event_id,
               coalesce(sum(sign) FILTER (WHERE status = 'open'), 0) AS open,
               coalesce(sum(sign) FILTER (WHERE status = 'in_progress'), 0) AS in_progress,
               coalesce(sum(sign) FILTER (WHERE status = 'done'), 0) AS done,
               coalesce(sum(sign) FILTER (WHERE status = 'dropped'), 0) AS dropped,
               coalesce(sum(sign) FILTER (WHERE no_due_date), 0) AS undated
        FROM d GROUP BY event_id
    ) g
    WHERE (g.open, g.in_progress, g.done, g.dropped, g.undated) <> (0, 0, 0, 0, 0);
    IF nextval('actions_tally_writes') % """
    + str(FOLD_EVERY)
    + """ = 0 THEN
        PERFORM actions_tally_fold();
    END IF;
END
$$;

-- Action points written: the published ones among the new rows count, those among
-- the old rows no longer do.
CREATE FUNCTION actions_tally_action_points() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    a integer[]; e bigint[]; s text[]; u boolean[]; g integer[];
BEGIN
    IF TG_OP = 'INSERT' THEN
        SELECT array_agg(r.assignee_id), array_agg(r.event_id), array_agg(r.status),
               array_agg(r.status IN ('open', 'in_progress') AND r.due_on IS NULL),
               array_agg(1)
        INTO a, e, s, u, g
        FROM new_rows r
        WHERE NOT EXISTS (
            SELECT 1 FROM talks_note n WHERE n.id = r.note_id AND n.status = 'draft'
        );
    ELSIF TG_OP = 'DELETE' THEN
        SELECT array_agg(r.assignee_id), array_agg(r.event_id), array_agg(r.status),
               array_agg(r.status IN ('open', 'in_progress') AND r.due_on IS NULL),
               array_agg(-1)
        INTO a, e, s, u, g
        FROM old_rows r
        WHERE NOT EXISTS (
            SELECT 1 FROM talks_note n WHERE n.id = r.note_id AND n.status = 'draft'
        );
    ELSE
        SELECT array_agg(c.assignee_id), array_agg(c.event_id), array_agg(c.status),
               array_agg(c.status IN ('open', 'in_progress') AND c.due_on IS NULL),
               array_agg(c.sign)
        INTO a, e, s, u, g
        FROM (
            SELECT r.assignee_id, r.event_id, r.status, r.due_on, r.note_id, 1 AS sign FROM new_rows r
            UNION ALL
            SELECT r.assignee_id, r.event_id, r.status, r.due_on, r.note_id, -1 FROM old_rows r
        ) c
        WHERE NOT EXISTS (
            SELECT 1 FROM talks_note n WHERE n.id = c.note_id AND n.status = 'draft'
        );
    END IF;
    PERFORM actions_tally_apply(a, e, s, u, g);
    RETURN NULL;
END
$$;

-- Notes written: their action points count from when a note stops being a draft (or
-- a draft is deleted before them), and stop counting when it becomes one.
CREATE FUNCTION actions_tally_notes() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    a integer[]; e bigint[]; s text[]; u boolean[]; g integer[];
BEGIN
    IF TG_OP = 'INSERT' THEN
        SELECT array_agg(ap.assignee_id), array_agg(ap.event_id), array_agg(ap.status),
               array_agg(ap.status IN ('open', 'in_progress') AND ap.due_on IS NULL),
               array_agg(-1)
        INTO a, e, s, u, g
        FROM new_rows n JOIN actions_actionpoint ap ON ap.note_id = n.id
        WHERE n.status = 'draft';
    ELSIF TG_OP = 'DELETE' THEN
        SELECT array_agg(ap.assignee_id), array_agg(ap.event_id), array_agg(ap.status),
               array_agg(ap.status IN ('open', 'in_progress') AND ap.due_on IS NULL),
               array_agg(1)
        INTO a, e, s, u, g
        FROM old_rows n JOIN actions_actionpoint ap ON ap.note_id = n.id
        WHERE n.status = 'draft';
    ELSE
        SELECT array_agg(ap.assignee_id), array_agg(ap.event_id), array_agg(ap.status),
               array_agg(ap.status IN ('open', 'in_progress') AND ap.due_on IS NULL),
               array_agg(CASE WHEN n.status = 'draft' THEN -1 ELSE 1 END)
        INTO a, e, s, u, g
        FROM old_rows o
        JOIN new_rows n ON n.id = o.id
        JOIN actions_actionpoint ap ON ap.note_id = n.id
        WHERE (o.status = 'draft') <> (n.status = 'draft');
    END IF;
    PERFORM actions_tally_apply(a, e, s, u, g);
    RETURN NULL;
END
$$;

CREATE FUNCTION actions_tally_truncated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM actions_assignee_tally;
    DELETE FROM actions_event_tally;
    RETURN NULL;
END
$$;

-- Wait for writers in progress, and make later ones wait, while the counts are filled.
LOCK TABLE actions_actionpoint, talks_note IN SHARE ROW EXCLUSIVE MODE;

CREATE TRIGGER actions_tally_inserted AFTER INSERT ON actions_actionpoint
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION actions_tally_action_points();
CREATE TRIGGER actions_tally_updated AFTER UPDATE ON actions_actionpoint
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION actions_tally_action_points();
CREATE TRIGGER actions_tally_deleted AFTER DELETE ON actions_actionpoint
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION actions_tally_action_points();
CREATE TRIGGER actions_tally_truncated AFTER TRUNCATE ON actions_actionpoint
    FOR EACH STATEMENT EXECUTE FUNCTION actions_tally_truncated();
CREATE TRIGGER actions_tally_note_inserted AFTER INSERT ON talks_note
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION actions_tally_notes();
CREATE TRIGGER actions_tally_note_updated AFTER UPDATE ON talks_note
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION actions_tally_notes();
CREATE TRIGGER actions_tally_note_deleted AFTER DELETE ON talks_note
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION actions_tally_notes();
"""
)

# The counts as they are now (also what a test compares the kept ones with).
FILL = """
INSERT INTO actions_assignee_tally (assignee_id, open, in_progress, done, dropped, undated)
SELECT assignee_id,
       count(*) FILTER (WHERE status = 'open'),
       count(*) FILTER (WHERE status = 'in_progress'),
       count(*) FILTER (WHERE status = 'done'),
       count(*) FILTER (WHERE status = 'dropped'),
       count(*) FILTER (WHERE status IN ('open', 'in_progress') AND due_on IS NULL)
FROM actions_actionpoint ap
WHERE NOT EXISTS (SELECT 1 FROM talks_note n WHERE n.id = ap.note_id AND n.status = 'draft')
GROUP BY assignee_id;
INSERT INTO actions_event_tally (event_id, open, in_progress, done, dropped, undated)
SELECT event_id,
       count(*) FILTER (WHERE status = 'open'),
       count(*) FILTER (WHERE status = 'in_progress'),
       count(*) FILTER (WHERE status = 'done'),
       count(*) FILTER (WHERE status = 'dropped'),
       count(*) FILTER (WHERE status IN ('open', 'in_progress') AND due_on IS NULL)
FROM actions_actionpoint ap
WHERE NOT EXISTS (SELECT 1 FROM talks_note n WHERE n.id = ap.note_id AND n.status = 'draft')
GROUP BY event_id;
"""

BACKWARD = """
DROP TRIGGER actions_tally_inserted ON actions_actionpoint;
DROP TRIGGER actions_tally_updated ON actions_actionpoint;
DROP TRIGGER actions_tally_deleted ON actions_actionpoint;
DROP TRIGGER actions_tally_truncated ON actions_actionpoint;
DROP TRIGGER actions_tally_note_inserted ON talks_note;
DROP TRIGGER actions_tally_note_updated ON talks_note;
DROP TRIGGER actions_tally_note_deleted ON talks_note;
DROP FUNCTION actions_tally_truncated();
DROP FUNCTION actions_tally_notes();
DROP FUNCTION actions_tally_action_points();
DROP FUNCTION actions_tally_apply(integer[], bigint[], text[], boolean[], integer[]);
DROP FUNCTION actions_tally_fold();
DROP SEQUENCE actions_tally_writes;
DROP TABLE actions_event_tally;
DROP TABLE actions_assignee_tally;
"""


class Migration(migrations.Migration):
    dependencies = [
        ("actions", "0017_page_counts_from_indexes"),
        ("talks", "0016_session_day_time_room"),
    ]

    operations = [migrations.RunSQL(FORWARD + FILL, BACKWARD)]
