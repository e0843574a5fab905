"""Tag use counters: how many events, talks, open spaces, takeaways and action points
carry each tag, kept by PostgreSQL as rows are written."""

from django.db import connection, models
from taggit.models import Tag


class TagUse(models.Model):
    """Changes to one tag's use counts: the tag's uses of each kind are the sums of
    its rows. Takeaways and action points written with a draft note are not counted
    (tag pages and lists are the same for every reader).

    Rows are added by database triggers on the tag link tables, the takeaways, the
    action points and the notes (migrations talks 0017 and actions 0018), so that
    every way of writing keeps them exact: forms, the admin, imports, bulk updates,
    raw SQL, cascades, TRUNCATE; a rolled-back transaction's rows go with it. Rows
    are only ever added, so writers never wait on each other; every 500th write folds
    them into one per tag (``compact()`` does it now).

    Unmanaged: the table and its triggers are created in SQL."""

    tag = models.ForeignKey(
        Tag, on_delete=models.DO_NOTHING, db_constraint=False, related_name="use_counts"
    )
    events = models.IntegerField()
    talks = models.IntegerField()
    open_spaces = models.IntegerField()
    takeaways = models.IntegerField()
    action_points = models.IntegerField()

    class Meta:
        managed = False
        db_table = "talks_taguse"

    def __str__(self) -> str:
        return f"Use counts of tag {self.tag_id}"

    @staticmethod
    def compact() -> None:
        """Fold the rows into one per tag (the sums unchanged), so that summing
        stays a read of one row per tag however many writes there were."""
        with connection.cursor() as cursor:
            cursor.execute("SELECT talks_taguse_compact()")


class TagPair(models.Model):
    """Changes to how many takeaways carry both of two tags (``low_tag`` has the
    lower id): a pair's takeaways are the sums of its rows. Counted as ``TagUse``
    counts takeaways: those written with a draft note are not.

    Rows are added by database triggers on the takeaways' tag links, the takeaways
    and the notes (migration talks 0018), whatever wrote them; only ever added,
    every 500th write folds them into one per pair (``compact()`` does it now).

    Unmanaged: the table and its triggers are created in SQL."""

    low_tag = models.ForeignKey(
        Tag, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    high_tag = models.ForeignKey(
        Tag, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    takeaways = models.IntegerField()

    class Meta:
        managed = False
        db_table = "talks_tagpair"

    def __str__(self) -> str:
        return f"Takeaways tagged both {self.low_tag_id} and {self.high_tag_id}"

    @staticmethod
    def compact() -> None:
        """Fold the rows into one per pair (the sums unchanged)."""
        with connection.cursor() as cursor:
            cursor.execute("SELECT talks_tagpair_compact()")


def takeaways_carrying(tag_ids: list[int], *, reader) -> int | None:
    """How many takeaways ``reader`` may read carry every one of the tags, from the
    kept counts: one tag's uses (``TagUse``) or a pair's (``TagPair``), which leave
    out every takeaway of a draft note, plus those of ``reader``'s own draft notes
    (other people's are not theirs to read). None for more than two tags.

    One query, whatever the tags' use: two index reads and the reader's drafts."""
    tag_ids = sorted(set(tag_ids))
    if not 1 <= len(tag_ids) <= 2:
        return None
    if len(tag_ids) == 1:
        kept = "SELECT sum(takeaways) FROM talks_taguse WHERE tag_id = %s"
    else:
        kept = "SELECT sum(takeaways) FROM talks_tagpair WHERE low_tag_id = %s AND high_tag_id = %s"
    carrying = " AND ".join(
        "EXISTS (SELECT 1 FROM talks_taggedtakeaway l"
        " WHERE l.content_object_id = t.id AND l.tag_id = %s)"
        for _ in tag_ids
    )
    sql = f"""
        SELECT COALESCE(({kept}), 0) + (
            SELECT count(*) FROM talks_note d JOIN talks_takeaway t ON t.note_id = d.id
            WHERE d.author_id = %s AND d.status = 'draft' AND {carrying}
        )
    """  # noqa: S608 - no value in the text, all parameters
    with connection.cursor() as cursor:
        cursor.execute(sql, [*tag_ids, reader.pk, *tag_ids])
        return cursor.fetchone()[0]
