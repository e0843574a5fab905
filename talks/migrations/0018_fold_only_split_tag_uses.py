# Folding the tag use counters (talks 0017) rewrote every row of talks_taguse, one per
# tag in use, every 500th counting statement: about 3,000 rows at scale 100, 25-70 ms
# inside whichever writer's transaction drew the 500th, holding all those rows until
# its commit. Only the tags with more than one row (the ones written since the last
# fold) need folding; a lone row is already the tag's sum. A lone row of zeros (left
# by reversing a kind's migration) is folded away as before.

from django.db import migrations

COLUMNS = "events, talks, open_spaces, takeaways, action_points"
ZEROS = "(0::bigint, 0::bigint, 0::bigint, 0::bigint, 0::bigint)"


def compact(split_only: bool) -> str:
    which = (
        "WHERE tag_id IN (SELECT tag_id FROM talks_taguse GROUP BY tag_id HAVING count(*) > 1)"
        f" OR ({COLUMNS}) = (0, 0, 0, 0, 0)"
        if split_only
        else ""
    )
    return f"""
CREATE OR REPLACE FUNCTION talks_taguse_compact() RETURNS void LANGUAGE sql AS $$
    WITH gone AS (
        DELETE FROM talks_taguse WHERE ctid IN (
            SELECT ctid FROM talks_taguse {which}
            FOR UPDATE SKIP LOCKED
        ) RETURNING *
    )
    INSERT INTO talks_taguse (tag_id, {COLUMNS})
    SELECT tag_id, sum(events), sum(talks), sum(open_spaces), sum(takeaways),
           sum(action_points)
    FROM gone GROUP BY tag_id
    HAVING (sum(events), sum(talks), sum(open_spaces), sum(takeaways), sum(action_points))
        IS DISTINCT FROM {ZEROS}
    ORDER BY tag_id
$$;
"""


class Migration(migrations.Migration):
    dependencies = [("talks", "0017_tag_use_counters")]

    operations = [migrations.RunSQL(compact(split_only=True), compact(split_only=False))]
