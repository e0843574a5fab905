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


def takeaways_carrying(tag_ids: list[int], *, reader) -> int | None:
    """How many takeaways ``reader`` may read carry the one tag in ``tag_ids``, from
    its kept use count (``TagUse``), which leaves out every takeaway of a draft note,
    plus those of ``reader``'s own draft notes (other people's are not theirs to
    read). None for more tags than one: those are counted from the links.

    One query, whatever the tag's use: an index read and the reader's drafts."""
    tag_ids = sorted(set(tag_ids))
    if len(tag_ids) != 1:
        return None
    sql = """
        SELECT COALESCE((SELECT sum(takeaways) FROM talks_taguse WHERE tag_id = %s), 0) + (
            SELECT count(*) FROM talks_note d JOIN talks_takeaway t ON t.note_id = d.id
            WHERE d.author_id = %s AND d.status = 'draft' AND EXISTS (
                SELECT 1 FROM talks_taggedtakeaway l
                WHERE l.content_object_id = t.id AND l.tag_id = %s
            )
        )
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, [tag_ids[0], reader.pk, tag_ids[0]])
        return cursor.fetchone()[0]
