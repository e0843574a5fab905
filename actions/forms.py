"""Forms for the follow-ups pages: the update form on an action point's page, and
the lookup arguments the list's filters share with it."""

import datetime

from django import forms
from django.contrib.auth import get_user_model
from django.utils import formats, timezone

from actions.models import ActionPoint, ActionPointChange
from common.validators import validate_sensible_date
from talks.forms import LookupField

User = get_user_model()

# The <datalist>s of suggestions that text inputs point at.
ASSIGNEE_DATALIST_ID = "assignee-suggestions"
EVENT_DATALIST_ID = "event-suggestions"


def username_lookup(*, active_only: bool = True) -> dict:
    """LookupField arguments for a username, suggesting from the page's datalist."""
    users = User.objects.filter(is_active=True) if active_only else User.objects.all()
    return {
        "queryset": users,
        "lookup": User.USERNAME_FIELD,
        "noun": "user",
        "widget": forms.TextInput(
            attrs={"list": ASSIGNEE_DATALIST_ID, "autocomplete": "off", "spellcheck": "false"}
        ),
    }


class ActionPointUpdateForm(forms.Form):
    """One form for everything a person may do on an action point's page.

    Which fields it has depends on who asks: the assignee changes the status and
    comments, staff can also reassign and move the due date, and the person who
    raised it may comment. Fields someone may not change are not in their form,
    so values posted for them are ignored.
    """

    # The version the page showed; a save from an older page is refused.
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    status = forms.ChoiceField(choices=ActionPoint.Status.choices)
    assignee = LookupField(
        **username_lookup(), required=False, help_text="A username. Leave empty to unassign it."
    )
    due_on = forms.DateField(
        label="Due date",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        input_formats=["%Y-%m-%d"],
        error_messages={"invalid": "Enter a real date, as YYYY-MM-DD (e.g. 2026-06-30)."},
        validators=[validate_sensible_date],
    )
    comment = forms.CharField(
        required=False,
        max_length=ActionPointChange.COMMENT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Optional: what happened, or why. It goes into the history.",
    )

    def __init__(self, *args, action_point: ActionPoint, user, **kwargs) -> None:
        kwargs.setdefault(
            "initial",
            {
                "version": action_point.version,
                "status": action_point.status,
                "assignee": action_point.assignee.get_username() if action_point.assignee else "",
                "due_on": action_point.due_on,
            },
        )
        super().__init__(*args, **kwargs)
        self.action_point, self.user = action_point, user
        if not action_point.can_reassign(user):
            del self.fields["assignee"], self.fields["due_on"]
        if not action_point.can_change_status(user):
            del self.fields["status"]

    def clean(self) -> dict:
        # The version is a hidden field, so its error would not show next to it.
        if "version" in self.errors:
            self.add_error(None, "This form was damaged on the way: reload the page and try again.")
        return super().clean()

    @property
    def comment_only(self) -> bool:
        return "status" not in self.fields

    def changes(self) -> dict:
        """The values to set on the action point (only the fields this form has)."""
        names = ("status", "assignee", "due_on")
        return {name: self.cleaned_data[name] for name in names if name in self.fields}

    def rebased(self, action_point: ActionPoint, error: str) -> "ActionPointUpdateForm":
        """This form's input against ``action_point`` as stored now, with ``error``
        on top: saving it again applies the input over the change now on the page."""
        data = self.data.copy()
        data[self.add_prefix("version")] = str(action_point.version)
        form = type(self)(data, action_point=action_point, user=self.user)
        form.full_clean()
        form.add_error(None, error)
        return form


class IsoDateInput(forms.DateInput):
    """The browser's date picker, posting and showing ISO dates (YYYY-MM-DD) whatever
    the language: the admin's own widget is a DD/MM/YYYY text box under en-gb."""

    input_type = "date"

    def __init__(self, attrs: dict | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")


# Only what <input type="date"> posts: a DD/MM/YYYY guess could swap day and month.
ISO_DATE_FIELD = {
    "widget": IsoDateInput,
    "input_formats": ["%Y-%m-%d"],
    "error_messages": {"invalid": "Enter a real date, as YYYY-MM-DD (e.g. 2026-06-30)."},
}


def past_date_warning(value: datetime.date | None) -> str:
    """What to tell someone who set a due date before today ("" if it is not): the
    site and the admin save it and show this, since a late record is sometimes meant."""
    if value is None or value >= timezone.localdate():
        return ""
    return f"The due date {formats.date_format(value)} is in the past, so it shows as overdue."
