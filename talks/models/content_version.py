"""The content version: one counter PostgreSQL bumps at each commit that changes what pages show."""

from django.db import models


class ContentVersion(models.Model):
    """How many committed transactions have changed what pages show: one row, bumped
    by database triggers on every table pages read (migrations talks 0006 and actions
    0008), so writes from any path count: forms, the admin, imports, bulk updates,
    raw SQL. Cached page fragments are keyed by it (``common.caching``).

    Unmanaged: the table and its triggers are created in SQL, and test flushes leave
    the counter alone, so it only ever goes up while a process may hold fragments."""

    id = models.SmallIntegerField(primary_key=True)
    version = models.BigIntegerField()

    class Meta:
        managed = False
        db_table = "talks_contentversion"

    def __str__(self) -> str:
        return f"Content version {self.version}"
