"""The search page's input: the query, the kinds to search and a tag."""

from django import forms
from taggit.models import Tag

from notesite.search import KIND_CHOICES


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
    tag = forms.CharField(
        label="Tag",
        required=False,
        max_length=100,
        help_text="A tag's short name, as in its address (/tags/…/): only tagged kinds.",
    )

    def clean_tag(self) -> Tag | None:
        slug = self.cleaned_data["tag"].strip().lower()
        if not slug:
            return None
        tag = Tag.objects.filter(slug=slug).first()
        if tag is None:
            raise forms.ValidationError(
                "There is no tag “%(slug)s”; see the list of tags.",
                code="unknown_tag",
                params={"slug": slug},
            )
        return tag
