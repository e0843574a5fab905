"""The account page: whether to get daily reminders, and where email goes."""

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from actions.models import Preferences


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
