"""Follow-ups: the list of action points, one action point's page, and its update
form (status, comment, and for staff assignee and due date)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.functional import SimpleLazyObject
from django.views.decorators.http import require_POST, require_safe

from actions import tallies
from actions.filters import FollowUpFilter
from actions.forms import ActionPointUpdateForm, past_date_warning
from actions.models import ActionPoint, ActionPointChange, ActionPointQuerySet
from actions.services import StaleEdit, update_action_point
from common.caching import query_key
from common.paging import page_by_ids
from talks.models import Event

PER_PAGE = 25
# How many usernames the assignee inputs suggest.
SUGGESTED_ASSIGNEES = 50
SUGGESTED_EVENTS = 20


def filtered_action_points(request: HttpRequest) -> tuple[FollowUpFilter, ActionPointQuerySet]:
    """The follow-ups list's filters and the rows they select, in the list's order;
    the CSV export reuses it so that it holds exactly the rows the page shows."""
    filters = FollowUpFilter(
        request.GET,
        queryset=ActionPoint.objects.visible_to(request.user).with_listing_relations(),
        request=request,
    )
    # Invalid filters (an unknown tag, event or user) list nothing and say why.
    rows = filters.qs.overdue_first() if filters.is_valid() else ActionPoint.objects.none()
    return filters, rows


@require_safe
def action_point_list(request: HttpRequest) -> HttpResponse:
    filters, rows = filtered_action_points(request)
    # The suggestions and the rows are a cached fragment: loaded when it is built.
    suggestions = (
        SimpleLazyObject(lambda: busiest_names(SUGGESTED_ASSIGNEES))
        if filters.sees_everyone
        else []
    )
    context = {
        "filter": filters,
        "query": (query_key(request), request.user.pk, filters.sees_everyone),
        # Sorted overdue first, so the page's ids are picked before its rows are joined.
        "page": page_by_ids(rows, PER_PAGE, request.GET.get("page")),
        "assignee_suggestions": suggestions,
        "event_suggestions": Event.objects.newest_first()[:SUGGESTED_EVENTS],
    }
    return render(request, "actions/action_point_list.html", context)


def busiest_names(limit: int) -> list[str]:
    """Usernames of the people with the most published action points still to do:
    the assignee suggestions (from the overview's tallies, not a count of the rows)."""
    return [username for _pk, username in tallies.busiest_people(limit)]


def _get_action_point(pk: int, user) -> ActionPoint:
    """The action point with everything its page shows, if ``user`` may see it
    (one raised in someone else's draft note is a 404, as the note is)."""
    queryset = (
        ActionPoint.objects.visible_to(user).with_listing_relations().select_related("raised_by")
    )
    return get_object_or_404(queryset, pk=pk)


def _render_detail(
    request: HttpRequest, action_point: ActionPoint, form: ActionPointUpdateForm | None, status=200
) -> HttpResponse:
    suggestions = []
    if form is not None and "assignee" in form.fields:
        suggestions = busiest_names(SUGGESTED_ASSIGNEES)
    context = {
        "ap": action_point,
        "history": action_point.history.select_related("changed_by"),
        "form": form,
        "assignee_suggestions": suggestions,
    }
    return render(request, "actions/action_point_detail.html", context, status=status)


@require_safe
def action_point_detail(request: HttpRequest, pk: int) -> HttpResponse:
    action_point = _get_action_point(pk, request.user)
    form = None
    if action_point.can_comment(request.user):
        form = ActionPointUpdateForm(action_point=action_point, user=request.user)
    return _render_detail(request, action_point, form)


@require_POST
def action_point_update(request: HttpRequest, pk: int) -> HttpResponse:
    # Only what the permission check and the form read: a valid post redirects, so
    # the page's relations and tags are loaded only to show the form's errors (a
    # join of six tables and a query for the tags were a fifth of a change's time).
    visible = ActionPoint.objects.visible_to(request.user).select_related("assignee")
    action_point = get_object_or_404(visible, pk=pk)
    if not action_point.can_comment(request.user):
        raise PermissionDenied("Only its assignee, the person who raised it and staff can.")
    form = ActionPointUpdateForm(request.POST, action_point=action_point, user=request.user)
    if not form.is_valid():
        return _render_detail(request, _get_action_point(pk, request.user), form)
    due_before = action_point.due_on
    try:
        entry = update_action_point(
            action_point,
            by=request.user,
            via=ActionPointChange.Via.WEB,
            seen_version=form.cleaned_data["version"],
            comment=form.cleaned_data["comment"],
            **form.changes(),
        )
    except StaleEdit as stale:
        return _render_stale(request, pk, form, stale)
    if entry is None:
        messages.info(request, "Nothing to save: nothing changed and there was no comment.")
    else:
        messages.success(request, "Saved. The history below shows your update.")
        due_on = form.changes().get("due_on", due_before)
        if due_on != due_before and (warning := past_date_warning(due_on)):
            messages.warning(request, warning)
    return redirect(action_point)


def _render_stale(
    request: HttpRequest, pk: int, form: ActionPointUpdateForm, stale: StaleEdit
) -> HttpResponse:
    """The page as it is now, with the user's input kept in a form that names the
    other person's change (or, if they may no longer edit it, a message)."""
    action_point = _get_action_point(pk, request.user)
    if action_point.can_comment(request.user):
        form = form.rebased(action_point, stale.message)
    else:
        messages.error(request, stale.message)
        form = None
    return _render_detail(request, action_point, form, status=409)
