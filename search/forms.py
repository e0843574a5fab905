"""The search page's input: the query, the kinds to search and a tag."""

from django import forms
from taggit.models import Tag

from search.queries import KIND_CHOICES
from talks.forms import LookupField

# The page's <form>: the filters sit below the results, outside it, and join it
# through their ``form`` attribute.
FORM_ID = "search-form"


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
        widget=forms.CheckboxSelectMultiple(attrs={"form": FORM_ID}),
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
        widget=forms.TextInput(attrs={"form": FORM_ID}),
        help_text="A tag's short name, as in its address (/tags/…/): only tagged kinds.",
    )

    FILTERS = ("kind", "tag")

    @property
    def filtered(self) -> bool:
        """Whether a filter was asked for (valid or not): the filters are then shown."""
        return any(value.strip() for name in self.FILTERS for value in self.data.getlist(name))
