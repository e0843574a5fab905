"""The search page's input: the query, the kinds to search and a tag."""

from django import forms
from taggit.models import Tag

from search.queries import KIND_CHOICES
from talks.forms import LookupField


class SearchForm(forms.Form):
    q = forms.CharField(
        label="Search for",
        required=False,
        max_length=200,
        help_text='Words, a "quoted phrase", -word to leave out, or to allow either.',
    )
    kind = forms.MultipleChoiceField(
        label="Only",
        choices=KIND_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Leave all unticked to search everything.",
    )
    # Cleans to the Tag; the slug is case-insensitive.
    tag = LookupField(
        queryset=Tag.objects.all(),
        lookup="slug",
        noun="tag",
        lowercase=True,
        error_messages={"unknown": "There is no tag “%(value)s”; see the list of tags."},
        label="Tag",
        required=False,
        max_length=100,
        help_text="A tag's short name, as in its address (/tags/…/): only tagged kinds.",
    )
