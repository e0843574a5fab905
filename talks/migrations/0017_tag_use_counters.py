"""Tag use counters (``talks.models.TagUse``) kept by triggers, for events, talks,
open spaces and takeaways here; actions 0018 adds action points with this
migration's ``kind()``, so that each kind's triggers say the same thing.

What is counted: a tag link counts unless the row it tags is "drafted" (it has a
note, and that note is a draft). Events, talks and open spaces have no notes, so
every link counts. Every statement that can change that sum adds a row of deltas
(per tag) to ``talks_taguse``; a tag's uses are the sums of its rows.

- a link table's INSERT, UPDATE (tag or object moved) and DELETE: its rows, -1 for
  the old ones and +1 for the new ones, counted unless their object is drafted now;
- a tagged table's (takeaways, action points) INSERT, UPDATE and DELETE: the links
  of the rows that were drafted (+1: they count now) or are drafted (-1);
- the notes' INSERT, UPDATE and DELETE: the same for the rows of the notes that were
  drafts (+1) or are drafts (-1);
- a TRUNCATE of a link table (also reached by a TRUNCATE ... CASCADE of notes,
  tagged rows, tags or events): that kind is counted again from scratch.

Old and new rows are judged against the other tables as they are after the
statement, which that statement did not change: so unchanged rows of an UPDATE add
up to nothing, and the sums equal a fresh count after every statement, whatever
its order (foreign keys are checked at commit, so a row may go before its links).

Statement-level triggers with transition tables: a bulk insert of a million links
adds one row per tag, not one per link. Appending rows instead of updating one row
per tag means that writers never wait on each other's counters (and cannot
deadlock on them); every FOLD_EVERY-th statement folds them into one per tag
(``talks_taguse_compact()``), so that reading the sums stays a read of about one
row per tag.

Concurrent writers: a trigger counts what its statement can see, so a transaction
publishing a note (or moving a takeaway into one) must not miss the links another
transaction is adding to that note's rows at the same moment, nor the reverse.
Whoever adds or removes takeaways' or action points' links locks those rows and
their notes FOR SHARE, and whoever changes a row's note locks the notes, until
commit: the second of two such transactions waits for the first, then counts
what it committed. Writers on different notes (nearly all) never wait.
"""

from django.db import migrations, models

FOLD_EVERY = 500

TABLE = """
CREATE TABLE talks_taguse (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tag_id integer NOT NULL,
    events integer NOT NULL DEFAULT 0,
    talks integer NOT NULL DEFAULT 0,
    open_spaces integer NOT NULL DEFAULT 0,
    takeaways integer NOT NULL DEFAULT 0,
    action_points integer NOT NULL DEFAULT 0
);
CREATE INDEX talks_taguse_tag_idx ON talks_taguse (tag_id)
    INCLUDE (events, talks, open_spaces, takeaways, action_points);

-- One row per tag instead of its deltas; a tag used nowhere has none. Rows added
-- meanwhile by other transactions are not in this statement's snapshot, and rows
-- another fold holds are skipped (a fold never waits): they stay.
CREATE FUNCTION talks_taguse_compact() RETURNS void LANGUAGE sql AS $$
    WITH gone AS (
        DELETE FROM talks_taguse WHERE ctid IN (
            SELECT ctid FROM talks_taguse FOR UPDATE SKIP LOCKED
        ) RETURNING *
    )
    INSERT INTO talks_taguse (tag_id, events, talks, open_spaces, takeaways, action_points)
    SELECT tag_id, sum(events), sum(talks), sum(open_spaces), sum(takeaways),
           sum(action_points)
    FROM gone GROUP BY tag_id
    HAVING (sum(events), sum(talks), sum(open_spaces), sum(takeaways), sum(action_points))
        IS DISTINCT FROM (0::bigint, 0::bigint, 0::bigint, 0::bigint, 0::bigint)
    ORDER BY tag_id
$$;

-- Every FOLD_EVERY-th statement that adds rows folds them, as the overview's tallies
-- do (the fold's own insert counts as one more, so it does not fold again).
CREATE SEQUENCE talks_taguse_writes;
CREATE FUNCTION talks_taguse_written() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF nextval('talks_taguse_writes') % """ + str(FOLD_EVERY) + """ = 0 THEN
        PERFORM talks_taguse_compact();
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER talks_taguse_written AFTER INSERT ON talks_taguse
    FOR EACH STATEMENT EXECUTE FUNCTION talks_taguse_written();
"""

DROP_TABLE = """
DROP TRIGGER talks_taguse_written ON talks_taguse;
DROP FUNCTION talks_taguse_written();
DROP SEQUENCE talks_taguse_writes;
DROP FUNCTION talks_taguse_compact();
DROP TABLE talks_taguse;
"""


def _drafted(parent: str | None, object_id: str) -> str:
    """SQL true when the row ``object_id`` of ``parent`` has a draft note."""
    if parent is None:
        return "false"
    return (
        f"EXISTS (SELECT 1 FROM {parent} p JOIN talks_note d ON d.id = p.note_id"
        f" WHERE p.id = {object_id} AND d.status = 'draft')"
    )


def _lock_notes(note_ids: str) -> str:
    """Lock the notes ``note_ids`` (a query) against a change of status until commit."""
    return f"""
    PERFORM 1 FROM talks_note d WHERE d.id IN ({note_ids}) ORDER BY d.id FOR SHARE;"""


def _count(links: str, column: str, parent: str | None, *, lock: bool = True) -> str:
    """An INSERT of ``links``' deltas (a query with tag_id, content_object_id, n).

    With a ``parent``, its rows and their notes are locked first, until commit: a
    transaction moving one into or out of a draft note, or publishing the note,
    counts only the links it can see, so it must not run beside one that adds or
    removes their links (each would miss the other's change). The counting then
    reads them as whoever wrote last committed them."""
    locks = ""
    if parent is not None and lock:
        objects = f"SELECT content_object_id FROM ({links}) l"
        locks = f"""
    PERFORM 1 FROM {parent} p WHERE p.id IN ({objects}) ORDER BY p.id FOR SHARE;{
            _lock_notes(f"SELECT p.note_id FROM {parent} p WHERE p.id IN ({objects})")
        }"""
    return f"""{locks}
    INSERT INTO talks_taguse (tag_id, {column})
    SELECT l.tag_id, sum(l.n) FROM ({links}) l
    WHERE NOT {_drafted(parent, "l.content_object_id")}
    GROUP BY l.tag_id HAVING sum(l.n) <> 0 ORDER BY l.tag_id;"""


def kind(link_table: str, column: str, parent: str | None) -> str:
    """Counters of ``column`` for the links in ``link_table`` (to rows of ``parent``,
    which has a ``note_id``, or None for rows without notes): the functions and
    triggers, and the counts of the rows already there."""
    name = f"talks_taguse_{link_table}"
    old = "SELECT tag_id, content_object_id, -1 AS n FROM old_rows"
    new = "SELECT tag_id, content_object_id, 1 AS n FROM new_rows"
    sql = f"""
CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN{_count(new, column, parent)}
    ELSIF TG_OP = 'DELETE' THEN{_count(old, column, parent)}
    ELSE{_count(f"{old} UNION ALL {new}", column, parent)}
    END IF;
    RETURN NULL;
END
$$;

-- A TRUNCATE names no rows: this kind is counted again (its links are gone).
CREATE FUNCTION {name}_truncated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO talks_taguse (tag_id, {column})
    SELECT tag_id, -sum({column}) FROM talks_taguse
    GROUP BY tag_id HAVING sum({column}) <> 0 ORDER BY tag_id;{
        _count(
            f"SELECT tag_id, content_object_id, 1 AS n FROM {link_table}",
            column,
            parent,
            lock=False,
        )
    }
    RETURN NULL;
END
$$;

CREATE TRIGGER {name}_ins AFTER INSERT ON {link_table}
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION {name}();
CREATE TRIGGER {name}_upd AFTER UPDATE ON {link_table}
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION {name}();
CREATE TRIGGER {name}_del AFTER DELETE ON {link_table}
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION {name}();
CREATE TRIGGER {name}_trunc AFTER TRUNCATE ON {link_table}
    FOR EACH STATEMENT EXECUTE FUNCTION {name}_truncated();
{_count(f"SELECT tag_id, content_object_id, 1 AS n FROM {link_table}", column, parent, lock=False)}
"""
    if parent is not None:
        sql += _drafts(link_table, column, parent)
    return sql


def _links_of(link_table: str, column: str, changed: str, join: str) -> str:
    """An INSERT of the deltas of the links of the rows ``changed`` (a query with
    id and n) points at through ``join``."""
    return f"""
    INSERT INTO talks_taguse (tag_id, {column})
    SELECT l.tag_id, sum(c.n) FROM ({changed}) c {join}
    GROUP BY l.tag_id HAVING sum(c.n) <> 0 ORDER BY l.tag_id;"""


def _drafts(link_table: str, column: str, parent: str) -> str:
    """Triggers on ``parent`` and on notes: their links stop or start counting when
    the row joins or leaves a draft note, or the note becomes or stops being one."""
    name = f"talks_taguse_{parent}"
    draft_of = "JOIN talks_note d ON d.id = r.note_id AND d.status = 'draft'"
    old = f"SELECT r.id, 1 AS n FROM old_rows r {draft_of}"
    new = f"SELECT r.id, -1 AS n FROM new_rows r {draft_of}"
    by_row = f"JOIN {link_table} l ON l.content_object_id = c.id"
    old_note = "SELECT r.id, 1 AS n FROM old_rows r WHERE r.status = 'draft'"
    new_note = "SELECT r.id, -1 AS n FROM new_rows r WHERE r.status = 'draft'"
    by_note = f"JOIN {parent} p ON p.note_id = c.id JOIN {link_table} l ON l.content_object_id = p.id"
    return f"""
CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- Their notes' status stays as read until commit (see _count).
    IF TG_OP = 'INSERT' THEN{_lock_notes("SELECT note_id FROM new_rows")}{
        _links_of(link_table, column, new, by_row)
    }
    ELSIF TG_OP = 'DELETE' THEN{_lock_notes("SELECT note_id FROM old_rows")}{
        _links_of(link_table, column, old, by_row)
    }
    ELSE{_lock_notes("SELECT note_id FROM old_rows UNION SELECT note_id FROM new_rows")}{
        _links_of(link_table, column, f"{old} UNION ALL {new}", by_row)
    }
    END IF;
    RETURN NULL;
END
$$;

CREATE FUNCTION {name}_notes() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN{_links_of(link_table, column, new_note, by_note)}
    ELSIF TG_OP = 'DELETE' THEN{_links_of(link_table, column, old_note, by_note)}
    ELSE{_links_of(link_table, column, f"{old_note} UNION ALL {new_note}", by_note)}
    END IF;
    RETURN NULL;
END
$$;
""" + "".join(
        f"""
CREATE TRIGGER {trigger}_{suffix} AFTER {event} ON {table}
    REFERENCING {transition} FOR EACH STATEMENT EXECUTE FUNCTION {function}();"""
        for table, trigger, function in (
            (parent, name, name),
            ("talks_note", f"{name}_notes", f"{name}_notes"),
        )
        for suffix, event, transition in (
            ("ins", "INSERT", "NEW TABLE AS new_rows"),
            ("upd", "UPDATE", "OLD TABLE AS old_rows NEW TABLE AS new_rows"),
            ("del", "DELETE", "OLD TABLE AS old_rows"),
        )
    )


def drop_kind(link_table: str, column: str, parent: str | None) -> str:
    """Undo ``kind``: triggers, functions, and the column's counts."""
    name = f"talks_taguse_{link_table}"
    sql = f"""
DROP TRIGGER {name}_ins ON {link_table};
DROP TRIGGER {name}_upd ON {link_table};
DROP TRIGGER {name}_del ON {link_table};
DROP TRIGGER {name}_trunc ON {link_table};
DROP FUNCTION {name}();
DROP FUNCTION {name}_truncated();
UPDATE talks_taguse SET {column} = 0;
"""
    if parent is not None:
        parent_name = f"talks_taguse_{parent}"
        for table, trigger in ((parent, parent_name), ("talks_note", f"{parent_name}_notes")):
            sql += "".join(
                f"DROP TRIGGER {trigger}_{suffix} ON {table};\n" for suffix in ("ins", "upd", "del")
            )
        sql += f"DROP FUNCTION {parent_name}();\nDROP FUNCTION {parent_name}_notes();\n"
    return sql


# link table, counter column, the table of the rows tagged when they have notes
KINDS = [
    ("talks_taggedevent", "events", None),
    ("talks_taggedtalk", "talks", None),
    ("talks_taggedopenspace", "open_spaces", None),
    ("talks_taggedtakeaway", "takeaways", "talks_takeaway"),
]

FORWARD = (
    TABLE
    + "".join(kind(*args) for args in KINDS)
    + "SELECT talks_taguse_compact();"
)
BACKWARD = "".join(drop_kind(*args) for args in reversed(KINDS)) + DROP_TABLE


class Migration(migrations.Migration):
    dependencies = [
        ("taggit", "0006_rename_taggeditem_content_type_object_id_taggit_tagg_content_8fc721_idx"),
        ("talks", "0016_session_day_time_room"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunSQL(FORWARD, BACKWARD)],
            state_operations=[
                migrations.CreateModel(
                    name="TagUse",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("events", models.IntegerField()),
                        ("talks", models.IntegerField()),
                        ("open_spaces", models.IntegerField()),
                        ("takeaways", models.IntegerField()),
                        ("action_points", models.IntegerField()),
                        (
                            "tag",
                            models.ForeignKey(
                                db_constraint=False,
                                on_delete=models.deletion.DO_NOTHING,
                                related_name="use_counts",
                                to="taggit.tag",
                            ),
                        ),
                    ],
                    options={"db_table": "talks_taguse", "managed": False},
                ),
            ],
        ),
    ]
