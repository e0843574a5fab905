"""The site's one display style for dates, over en-gb's (which Django would prefer
to the settings): the values live in the settings, read once here."""

from django.conf import settings

DATE_FORMAT = settings.DATE_FORMAT
DATETIME_FORMAT = settings.DATETIME_FORMAT
SHORT_DATE_FORMAT = settings.SHORT_DATE_FORMAT
SHORT_DATETIME_FORMAT = settings.SHORT_DATETIME_FORMAT
