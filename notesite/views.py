from django.contrib.auth.decorators import login_not_required
from django.contrib.postgres.expressions import ArraySubquery
from django.db import DatabaseError, connection
from django.db.models import Count, F, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from actions.models import ActionPoint
from common.db import IsAnyOf
from search import tag_pages
from talks.followed import newest_followed
from talks.models import Event, Follow, Takeaway
from talks.templatetags.takeaway_rows import CARD_COLUMNS

DASHBOARD_FOLLOW_UPS = 10
DASHBOARD_TAKEAWAYS = 10
DASHBOARD_EVENTS = 5
DASHBOARD_TAGS = 20
DASHBOARD_FOLLOWED = 10
# The tags and events named in "From what you follow"; the rest are counted.
DASHBOARD_FOLLOWS = 30


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    mine = ActionPoint.objects.visible_to(request.user).open().assigned_to(request.user)
    follow_ups = (
        mine.with_listing_relations()
        # Earliest due first, so the overdue ones lead; undated ones last.
        .order_by(F("due_on").asc(nulls_last=True), "-created_at")
    )
    # The newest ids picked apart (an array built once): the same rows joined to their
    # event, session and author in one query took the planner about 4 ms to order.
    newest = Takeaway.objects.visible_to(request.user).newest_first().values("pk")
    takeaways = (
        Takeaway.objects.filter(IsAnyOf(F("pk"), ArraySubquery(newest[:DASHBOARD_TAKEAWAYS])))
        .with_listing_relations()
        .only(*CARD_COLUMNS)
        .newest_first()
    )
    # All lazy: the template's cached fragments query only when they are built.
    context = {
        "follow_ups": follow_ups[:DASHBOARD_FOLLOW_UPS],
        "follow_up_counts": SimpleLazyObject(
            lambda: mine.aggregate(
                open=Count("pk"), overdue=Count("pk", filter=Q(due_on__lt=timezone.localdate()))
            )
        ),
        "takeaways": takeaways,
        "events": Event.objects.newest_first()[:DASHBOARD_EVENTS],
        "popular_tags": SimpleLazyObject(lambda: tag_pages.popular_tags(DASHBOARD_TAGS)),
        "followed": SimpleLazyObject(lambda: _followed_context(request.user)),
    }
    return render(request, "home.html", context)


def _followed_context(user) -> dict:
    """What the user follows and the newest takeaways and notes there; no query for
    the items when they follow nothing."""
    follows = list(
        Follow.objects.of(user)
        .select_related("tag", "event")
        .newest_first()[: DASHBOARD_FOLLOWS + 1]
    )
    return {
        "follows": follows[:DASHBOARD_FOLLOWS],
        "more_follows": len(follows) > DASHBOARD_FOLLOWS,
        "followed_items": newest_followed(user, limit=DASHBOARD_FOLLOWED) if follows else [],
    }


@login_not_required
@never_cache
@require_safe
def healthz(request: HttpRequest) -> HttpResponse:
    """200 when the database answers, 503 when it does not (for load balancers)."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        return HttpResponse("database unavailable\n", status=503, content_type="text/plain")
    return HttpResponse("ok\n", content_type="text/plain")
