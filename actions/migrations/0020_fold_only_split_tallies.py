# Folding the overview's tallies (actions 0018) rewrote every row of both tables, one
# per person and one per event (about 10,000 at scale 100), every 500th write: 45-110
# ms inside whichever writer's transaction drew the 500th, holding all those rows
# until its commit. Only the keys with more than one row (written since the last
# fold) need folding; a lone row is already the key's sum. (No one is assignee_id 0:
# it stands for the unassigned, whose id is NULL, so that the keys can be compared.)

from django.db import migrations

SUMS = "sum(open), sum(in_progress), sum(done), sum(dropped), sum(undated)"
COLUMNS = "open, in_progress, done, dropped, undated"


def fold_table(table: str, key: str, split_only: bool) -> str:
    compared = f"coalesce({key}, 0)" if key == "assignee_id" else key
    which = (
        f"WHERE {compared} IN (SELECT {compared} FROM {table} GROUP BY 1 HAVING count(*) > 1)"
        f" OR ({COLUMNS}) = (0, 0, 0, 0, 0)"
        if split_only
        else ""
    )
    return f"""
    WITH gone AS (
        DELETE FROM {table} WHERE ctid IN (
            SELECT ctid FROM {table} {which} FOR UPDATE SKIP LOCKED
        ) RETURNING *
    )
    INSERT INTO {table} ({key}, {COLUMNS})
    SELECT {key}, {SUMS}
    FROM gone GROUP BY {key}
    HAVING ({SUMS}) <> (0, 0, 0, 0, 0);"""


def fold(split_only: bool) -> str:
    return (
        "CREATE OR REPLACE FUNCTION actions_tally_fold() RETURNS void LANGUAGE sql AS $$"
        + fold_table("actions_assignee_tally", "assignee_id", split_only)
        + fold_table("actions_event_tally", "event_id", split_only)
        + "\n$$;\n"
    )


class Migration(migrations.Migration):
    dependencies = [("actions", "0019_tag_use_counters")]

    operations = [migrations.RunSQL(fold(split_only=True), fold(split_only=False))]
