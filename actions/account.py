"""The account page: whether to get daily reminders, where email goes, and the
secret links (feed key, calendar address) that let readers in without a login."""

from django import forms
from django.contrib import messages
from django.contrib.auth import forms as auth_forms
from django.contrib.auth import views as auth_views
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from actions.models import Preferences
from talks.feeds import reset_feed_key


class PreferencesForm(forms.ModelForm):
    class Meta:
        model = Preferences
        fields = ["reminders_enabled"]
        labels = {"reminders_enabled": "Email me a daily reminder"}
        help_texts = {
            "reminders_enabled": (
                "At most one email a day, only when one of your follow-ups is overdue "
                "or due in the next few days (for managers, also the team's overdue ones)."
            )
        }

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("label_suffix", "")  # the label follows its checkbox
        super().__init__(*args, **kwargs)


@require_http_methods(["GET", "HEAD", "POST"])
def preferences(request: HttpRequest) -> HttpResponse:
    # Reading the page creates nothing: a missing row means the defaults.
    stored = Preferences.objects.filter(user=request.user).first()
    if request.method == "POST":
        form = PreferencesForm(request.POST, instance=stored or Preferences(user=request.user))
        if form.is_valid():
            form.save()
            state = "on" if form.cleaned_data["reminders_enabled"] else "off"
            messages.success(request, f"Saved: reminder emails are {state}.")
            return redirect("actions:preferences")
    else:
        form = PreferencesForm(instance=stored or Preferences(user=request.user))
    return render(request, "actions/account.html", {"form": form})


@transaction.atomic
def reset_secret_links(*, user) -> None:
    """Revoke every link that reads as ``user`` without a login.

    Side effects: every feed key made for ``user`` so far stops working, and their
    calendar address gets a new token (creating their preferences row if needed).
    """
    reset_feed_key(user)
    Preferences.for_user(user).reset_calendar_token()


@require_POST
def feed_key_reset(request: HttpRequest) -> HttpResponse:
    reset_feed_key(request.user)
    messages.success(
        request,
        "Your feed links were reset: the old ones no longer work. Copy the feed link "
        "again from an event or tag page.",
    )
    return redirect("actions:preferences")


class PasswordChangeView(auth_views.PasswordChangeView):
    """Django's password change, which also revokes the secret links: someone who
    changes a password because it leaked expects the old access to end."""

    def form_valid(self, form):
        with transaction.atomic():
            response = super().form_valid(form)
            reset_secret_links(user=form.user)
        return response


class LogoutView(auth_views.LogoutView):
    """Django's logout, which also asks the browser to forget what this site stored in
    it: the writing page keeps unsaved text in local storage, and the next person at a
    shared computer should not find it."""

    def post(self, request, *args, **kwargs):
        response = super().post(request, *args, **kwargs)
        response["Clear-Site-Data"] = '"storage"'
        return response


class AdminPasswordChangeForm(auth_forms.AdminPasswordChangeForm):
    """The admin's "set password" form, which revokes the secret links too: staff set
    a password for someone whose account leaked, and the old access should end with it."""

    def save(self, commit: bool = True):
        with transaction.atomic():
            user = super().save(commit=commit)
            if commit:
                reset_secret_links(user=user)
        return user
