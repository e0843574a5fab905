"""Speakers, who give talks across events."""

from collections.abc import Iterable

from django.contrib.postgres.indexes import GinIndex
from django.db import models
from django.db.models.functions import Lower

from common.db import SearchVectorDeferred, search_vector
from common.reversing import fast_reverse
from common.slugs import unique_slug


class SpeakerQuerySet(models.QuerySet):
    def by_lower_name(self, names: Iterable[str]) -> dict[str, "Speaker"]:
        """The speakers called any of ``names`` (ignoring case), by lower-cased name.
        When two share a name the older one wins, so a talk form and an import both
        link the speaker that was there first."""
        lowered = {name.lower() for name in names}
        if not lowered:
            return {}
        found: dict[str, Speaker] = {}
        matches = self.annotate(lower_name=Lower("name")).filter(lower_name__in=lowered)
        for speaker in matches.order_by("pk"):
            found.setdefault(speaker.lower_name, speaker)
        return found


class Speaker(models.Model):
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=220, unique=True, blank=True)
    # Names are not English words: no stemming.
    search_vector = search_vector(("name", "A"), config="simple")

    objects = SearchVectorDeferred.from_queryset(SpeakerQuerySet)()

    class Meta:
        ordering = ["name"]
        indexes = [GinIndex(fields=["search_vector"], name="speaker_search_idx")]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        if not self.slug:
            self.slug = unique_slug(self, self.name)
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return fast_reverse("talks:speaker-detail", self.slug)
