# Open action points per assignee, kept by triggers (AssigneeOpenCount): the admin's
# busiest-assignee choices read 20 stored counts instead of counting every open row.
#
# Statement-level triggers see all the rows a statement changed (transition tables),
# so a bulk update adds one delta per person, in person order (two bulk updates never
# wait for each other's people crosswise). Counts that reach zero are deleted. The
# fill runs with writes to action points blocked, in the migration's transaction.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


OPEN = "status IN ('open', 'in_progress') AND assignee_id IS NOT NULL"

# A statement's changes as (assignee_id, +1/-1) rows; a trigger sees only the
# transition tables its event has, so each event has its own branch.
CHANGES = {
    "INSERT": f"SELECT assignee_id, 1 AS delta FROM new_rows WHERE {OPEN}",
    "DELETE": f"SELECT assignee_id, -1 AS delta FROM old_rows WHERE {OPEN}",
}
CHANGES["UPDATE"] = f"{CHANGES['INSERT']} UNION ALL {CHANGES['DELETE']}"


def apply_changes(changes: str) -> str:
    """Add up ``changes`` per person, add them to the stored counts, delete zeros."""
    return f"""
        WITH deltas AS (
            SELECT assignee_id, sum(delta) AS delta FROM ({changes}) changes
            GROUP BY assignee_id HAVING sum(delta) <> 0 ORDER BY assignee_id
        ), counted AS (
            INSERT INTO actions_assigneeopencount AS c (assignee_id, open_count)
            SELECT assignee_id, delta FROM deltas
            ON CONFLICT (assignee_id) DO UPDATE SET open_count = c.open_count + EXCLUDED.open_count
            RETURNING c.assignee_id, c.open_count
        )
        SELECT array_agg(assignee_id) FILTER (WHERE open_count = 0) INTO emptied FROM counted;"""


FORWARD = f"""
LOCK TABLE actions_actionpoint IN SHARE ROW EXCLUSIVE MODE;

CREATE FUNCTION actions_open_counts_changed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    emptied bigint[];
BEGIN
    IF TG_OP = 'INSERT' THEN {apply_changes(CHANGES["INSERT"])}
    ELSIF TG_OP = 'DELETE' THEN {apply_changes(CHANGES["DELETE"])}
    ELSE {apply_changes(CHANGES["UPDATE"])}
    END IF;
    IF emptied IS NOT NULL THEN
        DELETE FROM actions_assigneeopencount
        WHERE assignee_id = ANY(emptied) AND open_count = 0;
    END IF;
    RETURN NULL;
END
$$;

CREATE FUNCTION actions_open_counts_truncated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM actions_assigneeopencount;
    RETURN NULL;
END
$$;

CREATE TRIGGER actions_actionpoint_open_counts_inserted AFTER INSERT ON actions_actionpoint
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION actions_open_counts_changed();
CREATE TRIGGER actions_actionpoint_open_counts_updated AFTER UPDATE ON actions_actionpoint
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION actions_open_counts_changed();
CREATE TRIGGER actions_actionpoint_open_counts_deleted AFTER DELETE ON actions_actionpoint
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION actions_open_counts_changed();
CREATE TRIGGER actions_actionpoint_open_counts_truncated AFTER TRUNCATE ON actions_actionpoint
    FOR EACH STATEMENT EXECUTE FUNCTION actions_open_counts_truncated();

INSERT INTO actions_assigneeopencount (assignee_id, open_count)
SELECT assignee_id, count(*) FROM actions_actionpoint WHERE {OPEN} GROUP BY assignee_id;
"""  # noqa: S608 - our own table names

BACKWARD = """
DROP TRIGGER actions_actionpoint_open_counts_inserted ON actions_actionpoint;
DROP TRIGGER actions_actionpoint_open_counts_updated ON actions_actionpoint;
DROP TRIGGER actions_actionpoint_open_counts_deleted ON actions_actionpoint;
DROP TRIGGER actions_actionpoint_open_counts_truncated ON actions_actionpoint;
DROP FUNCTION actions_open_counts_changed();
DROP FUNCTION actions_open_counts_truncated();
"""


class Migration(migrations.Migration):
    dependencies = [
        ("actions", "0017_page_counts_from_indexes"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="AssigneeOpenCount",
            fields=[
                (
                    "assignee",
                    models.OneToOneField(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        primary_key=True,
                        related_name="+",
                        serialize=False,
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                ("open_count", models.IntegerField()),
            ],
            options={
                "indexes": [
                    models.Index(fields=["-open_count"], name="assigneeopencount_count_idx")
                ],
            },
        ),
        migrations.RunSQL(FORWARD, BACKWARD),
    ]
