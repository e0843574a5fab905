"""Checks on values that several models' fields share."""

import datetime

from django.core.exceptions import ValidationError

# Events and follow-ups happen within people's working lives: a date outside these
# years is a typo (9999-12-31, 0001-01-01), and one at the edge of what Python's
# dates hold breaks whatever adds a day to it (a calendar event's end).
FIRST_YEAR = 1990
LAST_YEAR = 2100


def validate_sensible_date(value: datetime.date) -> None:
    """Refuse a date outside FIRST_YEAR to LAST_YEAR, saying the range."""
    if not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise ValidationError(
            "Enter a date between %(first)d and %(last)d (%(value)s is outside).",
            code="out_of_range",
            params={"first": FIRST_YEAR, "last": LAST_YEAR, "value": value.isoformat()},
        )
