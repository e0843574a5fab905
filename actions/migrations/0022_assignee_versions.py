# A content version per assignee, "assignee:<user id>" (talks_contentversion, talks
# 0015 explains the counters), so that a person's own follow-ups stay cached while
# other people's action points are written: a list of one person's action points
# changes only when one assigned to them, before or after, changes.
#
# Bumped at commit, with "action_points" and the events, by:
# - an action point inserted, updated or deleted: its assignee, and on an update both
#   the old and the new one (a reassignment changes two lists);
# - its tags and history rows: the assignee of their action point, looked up at
#   commit (when it is gone by then, this transaction deleted it and its own trigger
#   counted its assignee);
# - a note becoming, or stopping being, a draft, or a draft changing author (what
#   talks_note_changed counts as "drafts"): the assignees of the action points
#   written with it, whom its readers see or stop seeing. Inserted and deleted notes
#   need nothing: their action points are inserted or deleted with their own rows.
# A TRUNCATE names no rows: it bumps "epoch", which every fragment depends on.
#
# The counters go through talks_bump_versions, which bumps "all" first: no deadlock,
# each counter bumped once per transaction.

from django.db import migrations

FORWARD = """
-- The assignees' scopes, without the unassigned (NULL) and without repeats.
CREATE FUNCTION actions_assignee_scopes(assignees bigint[]) RETURNS text[]
LANGUAGE sql IMMUTABLE AS $$
    SELECT coalesce(array_agg(DISTINCT 'assignee:' || a), '{}')
    FROM unnest(assignees) a WHERE a IS NOT NULL
$$;

-- Action points: their kind, their events and their assignees.
CREATE FUNCTION actions_action_point_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM talks_bump_versions(
            ARRAY['action_points'] || actions_assignee_scopes(ARRAY[NEW.assignee_id]::bigint[]),
            ARRAY[NEW.event_id]);
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM talks_bump_versions(
            ARRAY['action_points'] || actions_assignee_scopes(ARRAY[OLD.assignee_id]::bigint[]),
            ARRAY[OLD.event_id]);
    ELSE
        PERFORM talks_bump_versions(
            ARRAY['action_points']
                || actions_assignee_scopes(ARRAY[OLD.assignee_id, NEW.assignee_id]::bigint[]),
            ARRAY[OLD.event_id, NEW.event_id]);
    END IF;
    RETURN NULL;
END
$$;

-- Rows that name their action point in a column. TG_ARGV[0]: the column. Static
-- queries, planned once per session.
CREATE FUNCTION actions_action_point_row_changed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    ids bigint[] := '{}';
    kinds text[];
    events bigint[];
BEGIN
    IF TG_OP <> 'INSERT' THEN
        ids := ids || (to_jsonb(OLD) ->> TG_ARGV[0])::bigint;
    END IF;
    IF TG_OP <> 'DELETE' THEN
        ids := ids || (to_jsonb(NEW) ->> TG_ARGV[0])::bigint;
    END IF;
    SELECT actions_assignee_scopes(array_agg(a.assignee_id)), array_agg(a.event_id)
        INTO kinds, events
        FROM actions_actionpoint a WHERE a.id = ANY(ids);
    PERFORM talks_bump_versions(ARRAY['action_points'] || kinds, coalesce(events, '{}'));
    RETURN NULL;
END
$$;

-- A note's draft state changed (the trigger's WHEN says when): the assignees of the
-- action points written with it.
CREATE FUNCTION actions_note_drafted() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    kinds text[];
BEGIN
    SELECT actions_assignee_scopes(array_agg(a.assignee_id)) INTO kinds
        FROM actions_actionpoint a WHERE a.note_id = NEW.id;
    IF kinds <> '{}' THEN
        PERFORM talks_bump_versions(kinds, '{}');
    END IF;
    RETURN NULL;
END
$$;

DROP TRIGGER actions_actionpoint_content_changed ON actions_actionpoint;
CREATE CONSTRAINT TRIGGER actions_actionpoint_content_changed
    AFTER INSERT OR UPDATE OR DELETE ON actions_actionpoint
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
    EXECUTE FUNCTION actions_action_point_changed();

DROP TRIGGER actions_taggedactionpoint_content_changed ON actions_taggedactionpoint;
CREATE CONSTRAINT TRIGGER actions_taggedactionpoint_content_changed
    AFTER INSERT OR UPDATE OR DELETE ON actions_taggedactionpoint
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
    EXECUTE FUNCTION actions_action_point_row_changed('content_object_id');

DROP TRIGGER actions_actionpointchange_content_changed ON actions_actionpointchange;
CREATE CONSTRAINT TRIGGER actions_actionpointchange_content_changed
    AFTER INSERT OR UPDATE OR DELETE ON actions_actionpointchange
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
    EXECUTE FUNCTION actions_action_point_row_changed('action_point_id');

-- The same condition as talks_note_changed's "drafts", checked when the row is
-- written, so that other note updates queue nothing.
CREATE CONSTRAINT TRIGGER actions_note_drafted
    AFTER UPDATE ON talks_note
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
    WHEN ('draft' IN (OLD.status, NEW.status)
          AND ROW(OLD.status, OLD.author_id) IS DISTINCT FROM ROW(NEW.status, NEW.author_id))
    EXECUTE FUNCTION actions_note_drafted();
"""

# Back to the triggers of actions 0015: "action_points" and the events only.
BACKWARD = """
DROP TRIGGER actions_note_drafted ON talks_note;

DROP TRIGGER actions_actionpoint_content_changed ON actions_actionpoint;
CREATE CONSTRAINT TRIGGER actions_actionpoint_content_changed
    AFTER INSERT OR UPDATE OR DELETE ON actions_actionpoint
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
    EXECUTE FUNCTION talks_row_changed('action_points');

DROP TRIGGER actions_taggedactionpoint_content_changed ON actions_taggedactionpoint;
CREATE CONSTRAINT TRIGGER actions_taggedactionpoint_content_changed
    AFTER INSERT OR UPDATE OR DELETE ON actions_taggedactionpoint
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
    EXECUTE FUNCTION talks_child_row_changed(
        'action_points', 'content_object_id', 'actions_actionpoint');

DROP TRIGGER actions_actionpointchange_content_changed ON actions_actionpointchange;
CREATE CONSTRAINT TRIGGER actions_actionpointchange_content_changed
    AFTER INSERT OR UPDATE OR DELETE ON actions_actionpointchange
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
    EXECUTE FUNCTION talks_child_row_changed(
        'action_points', 'action_point_id', 'actions_actionpoint');

DROP FUNCTION actions_note_drafted();
DROP FUNCTION actions_action_point_row_changed();
DROP FUNCTION actions_action_point_changed();
DROP FUNCTION actions_assignee_scopes(bigint[]);
DELETE FROM talks_contentversion WHERE scope LIKE 'assignee:%';
"""


class Migration(migrations.Migration):
    dependencies = [
        ("actions", "0021_raised_and_done_kept"),
        ("talks", "0019_tag_lower_name_index"),
    ]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
