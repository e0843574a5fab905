"""Tag pair counters (``talks.models.TagPair``) kept by triggers: how many takeaways
carry both tags of each pair, so that "takeaways with all of these two tags" is
counted by reading a row or two instead of merging two tags' links.

What is counted is what the tag use counters (talks 0017) count, by pairs: a
takeaway's pairs count unless it is drafted (it has a note, and that note is a
draft). Every statement that can change that sum adds a row of deltas per pair
(``low_tag_id`` < ``high_tag_id``); a pair's takeaways are the sums of its rows.

- a link statement (INSERT, UPDATE, DELETE): for each takeaway whose links it
  changed, the pairs of its links after the statement (+1) and before it (-1: the
  links now, less those the statement added, plus those it removed);
- a takeaway statement (INSERT, UPDATE, DELETE): the pairs of the rows that were
  drafted (+1: they count now) or are drafted (-1);
- a note statement: the same for the takeaways of the notes that were drafts (+1)
  or are drafts (-1);
- a TRUNCATE of the links (also reached by a TRUNCATE ... CASCADE of notes,
  takeaways, tags or events): everything counted again from scratch.

As in 0017, old and new rows are judged against the other tables as they are after
the statement, rows are only ever appended (writers never wait on each other's
counters), and every FOLD_EVERY-th statement folds them into one row per pair: only
the pairs written since the last fold (marked by ``folded``), not all of them.

Concurrent writers: a pair is two links of one takeaway, so two transactions adding
tags to the same takeaway must not each count the pairs they can see (neither would
see the other's tag, and their pair would be missed). A link statement locks its
takeaways FOR NO KEY UPDATE until commit, so the second waits for the first, then
counts with the first's links committed; and it locks their notes FOR SHARE before
reading whether they are drafts, as 0017 does. These triggers are named so that
they fire before 0017's on the same statement (PostgreSQL fires them by name), so a
transaction takes the stronger lock on a takeaway first and two writers cannot each
hold the weaker one while waiting for the stronger.
"""

from django.db import migrations, models

FOLD_EVERY = 500
LINKS = "talks_taggedtakeaway"

TABLE = """
CREATE TABLE talks_tagpair (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    low_tag_id integer NOT NULL,
    high_tag_id integer NOT NULL,
    takeaways integer NOT NULL,
    -- A fold's sum, as against a statement's deltas.
    folded boolean NOT NULL DEFAULT false,
    CONSTRAINT talks_tagpair_ordered CHECK (low_tag_id < high_tag_id)
);
CREATE INDEX talks_tagpair_tags_idx ON talks_tagpair (low_tag_id, high_tag_id)
    INCLUDE (takeaways);
CREATE INDEX talks_tagpair_unfolded_idx ON talks_tagpair (low_tag_id, high_tag_id)
    WHERE NOT folded;

-- One row per pair instead of its deltas, for the pairs written since the last fold
-- only (about 76,000 pairs at scale 100: rewriting them all would hold a writer's
-- transaction for a long while). Rows another fold holds are skipped: they stay.
CREATE FUNCTION talks_tagpair_compact() RETURNS void LANGUAGE sql AS $$
    WITH written AS (
        SELECT DISTINCT low_tag_id, high_tag_id FROM talks_tagpair WHERE NOT folded
    ), gone AS (
        DELETE FROM talks_tagpair WHERE ctid IN (
            SELECT p.ctid FROM talks_tagpair p JOIN written w
            ON w.low_tag_id = p.low_tag_id AND w.high_tag_id = p.high_tag_id
            FOR UPDATE OF p SKIP LOCKED
        ) RETURNING *
    )
    INSERT INTO talks_tagpair (low_tag_id, high_tag_id, takeaways, folded)
    SELECT low_tag_id, high_tag_id, sum(takeaways), true FROM gone
    GROUP BY low_tag_id, high_tag_id HAVING sum(takeaways) <> 0
    ORDER BY low_tag_id, high_tag_id
$$;

CREATE SEQUENCE talks_tagpair_writes;
CREATE FUNCTION talks_tagpair_written() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF nextval('talks_tagpair_writes') % """ + str(FOLD_EVERY) + """ = 0 THEN
        PERFORM talks_tagpair_compact();
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER talks_tagpair_written AFTER INSERT ON talks_tagpair
    FOR EACH STATEMENT EXECUTE FUNCTION talks_tagpair_written();
"""

DROP_TABLE = """
DROP TRIGGER talks_tagpair_written ON talks_tagpair;
DROP FUNCTION talks_tagpair_written();
DROP SEQUENCE talks_tagpair_writes;
DROP FUNCTION talks_tagpair_compact();
DROP TABLE talks_tagpair;
"""

DRAFTED = """EXISTS (SELECT 1 FROM talks_takeaway p JOIN talks_note d ON d.id = p.note_id
        WHERE p.id = {id} AND d.status = 'draft')"""

# The pairs of a takeaway's tags, from its tag ids sorted without duplicates. Pairs
# are made from each takeaway's own array, never by joining links to links: that
# join, planned without statistics (a table filled in the same statement), could be
# done by comparing every link with every other, which a bulk insert cannot afford.
PAIRS_FUNCTION = """
CREATE FUNCTION talks_tagpair_pairs(tags integer[])
RETURNS TABLE (low integer, high integer) LANGUAGE sql IMMUTABLE AS $$
    SELECT tags[i], tags[j]
    FROM generate_series(1, cardinality(tags)) i, generate_series(i + 1, cardinality(tags)) j
$$;
"""


def _insert(deltas: str) -> str:
    """An INSERT of the pairs' deltas (``deltas``: low, high, n), one row per pair."""
    return f"""
    INSERT INTO talks_tagpair (low_tag_id, high_tag_id, takeaways)
    SELECT low, high, sum(n) FROM ({deltas}) d
    GROUP BY low, high HAVING sum(n) <> 0 ORDER BY low, high;"""


def _pairs_of(tag_sets: str) -> str:
    """The pairs of ``tag_sets`` (a query with n and tags, a sorted array), each with n."""
    return f"""SELECT p.low, p.high, s.n
        FROM ({tag_sets}) s CROSS JOIN LATERAL talks_tagpair_pairs(s.tags) p"""


def _tags_of(takeaway_id: str) -> str:
    """The tag ids of the takeaway ``takeaway_id``, sorted, as an array."""
    return (
        f"ARRAY(SELECT l.tag_id FROM {LINKS} l"
        f" WHERE l.content_object_id = {takeaway_id} ORDER BY l.tag_id)"
    )


def _links_changed(old: bool, new: bool) -> str:
    """The link trigger's body for a statement with old rows, new rows or both."""
    sources = [
        f"SELECT content_object_id FROM {rows}"
        for rows, present in (("old_rows", old), ("new_rows", new))
        if present
    ]
    changed = " UNION ".join(sources)
    before = "SELECT content_object_id, tag_id FROM after"
    if new:
        before = f"({before} EXCEPT SELECT content_object_id, tag_id FROM new_rows)"
    if old:
        before += (
            " UNION SELECT content_object_id, tag_id FROM old_rows"
            " WHERE content_object_id IN (SELECT id FROM objects)"
        )
    sets = (
        "SELECT 1 AS n, array_agg(tag_id ORDER BY tag_id) AS tags"
        " FROM after GROUP BY content_object_id"
        " UNION ALL SELECT -1, array_agg(tag_id ORDER BY tag_id)"
        " FROM before GROUP BY content_object_id"
    )
    return f"""
    PERFORM 1 FROM talks_takeaway p WHERE p.id IN ({changed}) ORDER BY p.id
        FOR NO KEY UPDATE;
    PERFORM 1 FROM talks_note d WHERE d.id IN (
        SELECT p.note_id FROM talks_takeaway p WHERE p.id IN ({changed})
    ) ORDER BY d.id FOR SHARE;
    WITH objects AS MATERIALIZED (
        SELECT DISTINCT c.content_object_id AS id FROM ({changed}) c
        WHERE NOT {DRAFTED.format(id="c.content_object_id")}
    ), after AS MATERIALIZED (
        SELECT l.content_object_id, l.tag_id FROM {LINKS} l
        WHERE l.content_object_id IN (SELECT id FROM objects)
    ), before AS MATERIALIZED ({before})
    {_insert(_pairs_of(sets)).strip()}"""


def _rows_of(changed: str, *, by_note: bool) -> str:
    """An INSERT of the deltas of the pairs of the takeaways ``changed`` (a query
    with id and n) names: their ids, or with ``by_note`` their notes' ids."""
    if by_note:
        source, takeaway = f"({changed}) c JOIN talks_takeaway t ON t.note_id = c.id", "t.id"
    else:
        # The takeaway itself may be gone (deleted before its links): its links say.
        source, takeaway = f"({changed}) c", "c.id"
    return _insert(_pairs_of(f"SELECT c.n, {_tags_of(takeaway)} AS tags FROM {source}"))


def _lock_notes(note_ids: str) -> str:
    return f"""
    PERFORM 1 FROM talks_note d WHERE d.id IN ({note_ids}) ORDER BY d.id FOR SHARE;"""


FRESH = _pairs_of(
    f"""SELECT 1 AS n, array_agg(l.tag_id ORDER BY l.tag_id) AS tags FROM {LINKS} l
        WHERE NOT {DRAFTED.format(id="l.content_object_id")} GROUP BY l.content_object_id"""
)

DRAFT_OF = "JOIN talks_note d ON d.id = r.note_id AND d.status = 'draft'"
OLD_ROWS = f"SELECT r.id, 1 AS n FROM old_rows r {DRAFT_OF}"
NEW_ROWS = f"SELECT r.id, -1 AS n FROM new_rows r {DRAFT_OF}"
OLD_NOTES = "SELECT r.id, 1 AS n FROM old_rows r WHERE r.status = 'draft'"
NEW_NOTES = "SELECT r.id, -1 AS n FROM new_rows r WHERE r.status = 'draft'"

FUNCTIONS = f"""
CREATE FUNCTION talks_tagpair_links() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN{_links_changed(old=False, new=True)}
    ELSIF TG_OP = 'DELETE' THEN{_links_changed(old=True, new=False)}
    ELSE{_links_changed(old=True, new=True)}
    END IF;
    RETURN NULL;
END
$$;

-- A TRUNCATE names no rows: every pair is counted again (the links are gone).
CREATE FUNCTION talks_tagpair_links_truncated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN{_insert("SELECT low_tag_id AS low, high_tag_id AS high, -takeaways AS n FROM talks_tagpair")}{
    _insert(FRESH)
}
    RETURN NULL;
END
$$;

-- A takeaway's pairs stop or start counting when it joins or leaves a draft note
-- (the deleted ones, whose links go in their own statement, count until then).
CREATE FUNCTION talks_tagpair_takeaways() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN{_lock_notes("SELECT note_id FROM new_rows")}{
        _rows_of(NEW_ROWS, by_note=False)
    }
    ELSIF TG_OP = 'DELETE' THEN{_lock_notes("SELECT note_id FROM old_rows")}{
        _rows_of(OLD_ROWS, by_note=False)
    }
    ELSE{_lock_notes("SELECT note_id FROM old_rows UNION SELECT note_id FROM new_rows")}{
        _rows_of(f"{OLD_ROWS} UNION ALL {NEW_ROWS}", by_note=False)
    }
    END IF;
    RETURN NULL;
END
$$;

-- ... and when their note becomes or stops being a draft.
CREATE FUNCTION talks_tagpair_notes() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN{_rows_of(NEW_NOTES, by_note=True)}
    ELSIF TG_OP = 'DELETE' THEN{_rows_of(OLD_NOTES, by_note=True)}
    ELSE{_rows_of(f"{OLD_NOTES} UNION ALL {NEW_NOTES}", by_note=True)}
    END IF;
    RETURN NULL;
END
$$;
"""

TRANSITIONS = (
    ("ins", "INSERT", "NEW TABLE AS new_rows"),
    ("upd", "UPDATE", "OLD TABLE AS old_rows NEW TABLE AS new_rows"),
    ("del", "DELETE", "OLD TABLE AS old_rows"),
)
# table, trigger name, function
TRIGGERED = (
    (LINKS, "talks_tagpair_links", "talks_tagpair_links"),
    ("talks_takeaway", "talks_tagpair_takeaways", "talks_tagpair_takeaways"),
    ("talks_note", "talks_tagpair_notes", "talks_tagpair_notes"),
)

TRIGGERS = (
    "".join(
        f"""
CREATE TRIGGER {trigger}_{suffix} AFTER {event} ON {table}
    REFERENCING {transition} FOR EACH STATEMENT EXECUTE FUNCTION {function}();"""
        for table, trigger, function in TRIGGERED
        for suffix, event, transition in TRANSITIONS
    )
    + f"""
CREATE TRIGGER talks_tagpair_links_trunc AFTER TRUNCATE ON {LINKS}
    FOR EACH STATEMENT EXECUTE FUNCTION talks_tagpair_links_truncated();
"""
)

FORWARD = (
    TABLE
    + PAIRS_FUNCTION
    + FUNCTIONS
    + TRIGGERS
    + _insert(FRESH)
    + "\nSELECT talks_tagpair_compact();"
)

BACKWARD = (
    f"DROP TRIGGER talks_tagpair_links_trunc ON {LINKS};\n"
    + "".join(
        f"DROP TRIGGER {trigger}_{suffix} ON {table};\n"
        for table, trigger, _ in TRIGGERED
        for suffix, _, _ in TRANSITIONS
    )
    + "".join(
        f"DROP FUNCTION {function}();\n"
        for function in (
            "talks_tagpair_links",
            "talks_tagpair_links_truncated",
            "talks_tagpair_takeaways",
            "talks_tagpair_notes",
        )
    )
    + "DROP FUNCTION talks_tagpair_pairs(integer[]);\n"
    + DROP_TABLE
)


class Migration(migrations.Migration):
    dependencies = [
        ("talks", "0017_tag_use_counters"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunSQL(FORWARD, BACKWARD)],
            state_operations=[
                migrations.CreateModel(
                    name="TagPair",
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
                        ("takeaways", models.IntegerField()),
                        (
                            "low_tag",
                            models.ForeignKey(
                                db_constraint=False,
                                on_delete=models.deletion.DO_NOTHING,
                                related_name="+",
                                to="taggit.tag",
                            ),
                        ),
                        (
                            "high_tag",
                            models.ForeignKey(
                                db_constraint=False,
                                on_delete=models.deletion.DO_NOTHING,
                                related_name="+",
                                to="taggit.tag",
                            ),
                        ),
                    ],
                    options={"db_table": "talks_tagpair", "managed": False},
                ),
            ],
        ),
    ]
