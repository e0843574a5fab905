from django.contrib.auth.decorators import login_not_required
from django.core.paginator import Paginator
from django.db import DatabaseError, connection
from django.db.models import Count, F, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from taggit.models import Tag

from actions.models import ActionPoint
from notesite import search as site_search
from notesite import tag_pages
from notesite.roles import sees_everyones_follow_ups
from notesite.search_forms import SearchForm
from talks.caching import lazy_page, query_key
from talks.followed import newest_followed
from talks.models import Event, Follow, Takeaway

DASHBOARD_FOLLOW_UPS = 10
DASHBOARD_TAKEAWAYS = 10
DASHBOARD_EVENTS = 5
DASHBOARD_TAGS = 20
DASHBOARD_FOLLOWED = 10
# The tags and events named in "From what you follow"; the rest are counted.
DASHBOARD_FOLLOWS = 30
SEARCH_RESULTS_PER_PAGE = 20
TAGS_PER_PAGE = 100


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    mine = ActionPoint.objects.visible_to(request.user).open().assigned_to(request.user)
    follow_ups = (
        mine.with_listing_relations()
        # Earliest due first, so the overdue ones lead; undated ones last.
        .order_by(F("due_on").asc(nulls_last=True), "-created_at")
    )
    takeaways = (
        Takeaway.objects.visible_to(request.user)
        .with_listing_relations()
        .order_by("-created_at", "-pk")
    )
    # All lazy: the template's cached fragments query only when they are built.
    context = {
        "follow_ups": follow_ups[:DASHBOARD_FOLLOW_UPS],
        "follow_up_counts": SimpleLazyObject(
            lambda: mine.aggregate(
                open=Count("pk"), overdue=Count("pk", filter=Q(due_on__lt=timezone.localdate()))
            )
        ),
        "takeaways": takeaways[:DASHBOARD_TAKEAWAYS],
        "events": Event.objects.newest_first()[:DASHBOARD_EVENTS],
        "popular_tags": SimpleLazyObject(lambda: tag_pages.popular_tags(DASHBOARD_TAGS)),
        "popular_tags_recent": tag_pages.RECENT_LINKS,
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


@require_safe
def search(request: HttpRequest) -> HttpResponse:
    form = SearchForm(request.GET)
    context = {"form": form, "q": "", "problem": None, "page": None}
    if form.is_valid() and form.cleaned_data["q"]:
        data = form.cleaned_data
        context["q"] = data["q"]
        context["problem"] = site_search.query_problem(data["q"])
        if context["problem"] is None:
            # Searched when the template's cached fragment is built.
            results = SimpleLazyObject(
                lambda: site_search.search(
                    request.user, data["q"], kinds=data["kind"], tag=data["tag"]
                )
            )
            context["results"] = results
            context["page"] = SimpleLazyObject(
                lambda: Paginator(results.hits, SEARCH_RESULTS_PER_PAGE).get_page(
                    request.GET.get("page")
                )
            )
            context["rank_candidates"] = site_search.RANK_CANDIDATES
    # Results include the reader's own drafts.
    context["query"] = (query_key(request), request.user.pk)
    return render(request, "notesite/search.html", context)


@require_safe
def tag_list(request: HttpRequest) -> HttpResponse:
    # Counting every tag's uses is the page's cost: done when its fragment is built.
    tags = tag_pages.by_use(tag_pages.tag_usage())
    context = {
        "page": lazy_page(tags, TAGS_PER_PAGE, request.GET.get("page")),
        "query": query_key(request),
    }
    return render(request, "notesite/tag_list.html", context)


@require_safe
def tag_detail(request: HttpRequest, slug: str) -> HttpResponse:
    tag = Tag.objects.filter(slug=slug).first()
    if tag is None:
        return render(request, "notesite/tag_not_found.html", {"slug": slug}, status=404)
    # Counted and listed only when the template's cached fragments are built.
    usage = SimpleLazyObject(lambda: tag_pages.tag_usage().get(pk=tag.pk))
    context = {
        "tag": tag,
        "usage": usage,
        "sections": SimpleLazyObject(lambda: tag_pages.sections(usage, request.user)),
        "sees_everyones_follow_ups": sees_everyones_follow_ups(request.user),
        "feed_url": tag_pages.feed_url(tag, request.user),
        "following": Follow.objects.of(request.user).filter(tag_id=tag.pk).exists(),
    }
    return render(request, "notesite/tag_detail.html", context)
