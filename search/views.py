"""Search and tag pages: everything written, found by words or by tag."""

from django.contrib.auth.models import AbstractBaseUser
from django.core.paginator import Page, Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.functional import SimpleLazyObject
from django.views.decorators.http import require_safe
from taggit.models import Tag

from common.caching import lazy_page, query_key
from common.roles import sees_everyones_follow_ups
from search import queries as site_search
from search import tag_pages
from search.forms import SearchForm
from talks.models import Follow

SEARCH_RESULTS_PER_PAGE = 20
TAGS_PER_PAGE = 100


@require_safe
def search(request: HttpRequest) -> HttpResponse:
    form = SearchForm(request.GET)
    context = {"form": form, "q": "", "problem": None, "page": None}
    if form.is_valid() and form.cleaned_data["q"]:
        data = form.cleaned_data
        context["q"] = data["q"]
        # Asked of the database, then searched, only when the template's cached
        # fragment is built: an answer from the cache runs neither query.
        problem = SimpleLazyObject(lambda: site_search.query_problem(data["q"]))
        results = SimpleLazyObject(
            lambda: site_search.search(request.user, data["q"], kinds=data["kind"], tag=data["tag"])
        )
        context["problem"] = problem
        context["results"] = results
        # No page for a query that cannot be searched.
        context["page"] = SimpleLazyObject(
            lambda: (
                None
                if problem
                else _highlighted_page(request.user, results, data["q"], request.GET.get("page"))
            )
        )
        context["rank_candidates"] = site_search.RANK_CANDIDATES
    # Results include the reader's own drafts.
    context["query"] = (query_key(request), request.user.pk)
    return render(request, "search/search.html", context)


def _highlighted_page(
    user: AbstractBaseUser, results: site_search.Results, text: str, number
) -> Page:
    """The page ``number`` of ``results``, only its own hits loaded and highlighted."""
    page = Paginator(results.hits, SEARCH_RESULTS_PER_PAGE).get_page(number)
    page.object_list = site_search.highlighted(user, page.object_list, text, kinds=results.kinds)
    return page


@require_safe
def tag_list(request: HttpRequest) -> HttpResponse:
    # Counting every tag's uses is the page's cost: done when its fragment is built.
    tags = tag_pages.by_use(tag_pages.tag_usage())
    context = {
        "page": lazy_page(tags, TAGS_PER_PAGE, request.GET.get("page")),
        "query": query_key(request),
    }
    return render(request, "search/tag_list.html", context)


@require_safe
def tag_detail(request: HttpRequest, slug: str) -> HttpResponse:
    tag = Tag.objects.filter(slug=slug).first()
    if tag is None:
        return render(request, "search/tag_not_found.html", {"slug": slug}, status=404)
    # Counted and listed only when the template's cached fragments are built: each
    # section when its own fragment is.
    usage = SimpleLazyObject(lambda: tag_pages.usage_of(tag))
    context = {
        "tag": tag,
        "usage": usage,
        "sections": tag_pages.sections(usage, request.user),
        "sees_everyones_follow_ups": sees_everyones_follow_ups(request.user),
        "feed_url": tag_pages.feed_url(tag, request.user),
        "following": Follow.objects.of(request.user).filter(tag_id=tag.pk).exists(),
    }
    return render(request, "search/tag_detail.html", context)
