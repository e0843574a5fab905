"""Content versions: counters PostgreSQL bumps at each commit that changes what pages show."""

from django.db import models


class ContentVersion(models.Model):
    """How many committed transactions have changed one scope of what pages show:
    "all", a kind ("notes", "takeaways", "people"...), one event ("event:<id>", any
    row that belongs to it) or "epoch" (a TRUNCATE). Bumped by database triggers on
    every table pages read (migrations talks 0015 and actions 0015), so writes from
    any path count: forms, the admin, imports, bulk updates, raw SQL. Cached page
    fragments are keyed by the counters of what they show (``common.caching``).

    Unmanaged: the table and its triggers are created in SQL, and test flushes leave
    the counters alone, so they only ever go up while a process may hold fragments."""

    scope = models.TextField(primary_key=True)
    version = models.BigIntegerField()

    class Meta:
        managed = False
        db_table = "talks_contentversion"

    def __str__(self) -> str:
        return f"Content version {self.scope}: {self.version}"
