"""Atom feeds of new takeaways and published notes, per event and per tag.

Feed readers cannot log in, so a feed answers either a logged-in session or a
``?key=`` that signs the reader's user id (pages show each user their own link).
A key cannot be forged without SECRET_KEY, and stops working when its user is
deactivated, resets it (on their account page) or changes their password. Feeds
only ever carry published notes, never drafts.
"""

from urllib.parse import urlencode

from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.views import redirect_to_login
from django.contrib.syndication.views import Feed
from django.core import signing
from django.http import HttpRequest, HttpResponse, HttpResponseForbidden
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import escape
from django.utils.text import Truncator
from django.views.decorators.http import require_safe
from taggit.models import Tag

from talks.followed import newest_of, shown_at
from talks.models import Event, FeedKeyGeneration, Note, Takeaway

FEED_SALT = "notesite.feeds"
FEED_ITEMS = 50


def feed_key(user) -> str:
    """The key that lets a feed reader read feeds as ``user``: the same until the user
    resets it or changes their password (``reset_feed_key``)."""
    generation = FeedKeyGeneration.current(user.pk)
    return signing.Signer(salt=FEED_SALT).sign(f"{user.pk}.{generation}")


def reset_feed_key(user) -> None:
    """Make every feed key of ``user`` made so far stop working."""
    FeedKeyGeneration.bump(user.pk)


def user_for_feed_key(key: str):
    """The active user ``key`` was made for, or None for a forged, reset or stale key."""
    try:
        payload = signing.Signer(salt=FEED_SALT).unsign(key)
        # Keys made before keys could be reset sign the bare id: generation 0.
        pk, _, generation = payload.partition(".")
        pk, generation = int(pk), int(generation or 0)
    except (signing.BadSignature, ValueError):
        return None
    if generation != FeedKeyGeneration.current(pk):
        return None
    return get_user_model().objects.filter(pk=pk, is_active=True).first()


def signed_feed_url(url_name: str, slug: str, user) -> str:
    """The feed's address with ``user``'s key, for a page to show that user."""
    return f"{reverse(url_name, args=[slug])}?{urlencode({'key': feed_key(user)})}"


def refuse_without_key(request: HttpRequest) -> HttpResponse | None:
    """None when the request may read feeds (a session, or a valid key). Without
    either, a visitor with no key goes to the login page like on every other page,
    and a wrong or forged key gets 403."""
    if request.user.is_authenticated:
        return None
    key = request.GET.get("key", "")
    if not key:
        return redirect_to_login(request.get_full_path())
    if user_for_feed_key(key) is None:
        return HttpResponseForbidden(
            "This feed key is not valid. Copy the feed link again from the page while "
            "you are logged in; it carries your key.\n",
            content_type="text/plain",
        )
    return None


class NotesAndTakeawaysFeed(Feed):
    """Takeaways and published notes, newest first, ``FEED_ITEMS`` at most."""

    feed_type = Atom1Feed

    def get_object(self, request: HttpRequest, slug: str):
        self.request = request
        return self.get_subject(slug)

    def get_subject(self, slug: str):
        raise NotImplementedError

    def takeaways(self, subject):
        raise NotImplementedError

    def notes(self, subject):
        raise NotImplementedError

    def items(self, subject) -> list[Note | Takeaway]:
        takeaways = (
            self.takeaways(subject)
            .public()
            .select_related("event", "talk", "open_space", "author")
            .with_tags()
            .newest_first()
        )
        notes = (
            self.notes(subject)
            .published()
            .select_related("event", "talk", "open_space", "author")
            .order_by("-published_at", "-pk")
        )
        return [entry.item for entry in newest_of(takeaways, notes, limit=FEED_ITEMS)]

    def feed_url(self) -> str:
        return self.request.get_full_path()

    def item_title(self, item: Note | Takeaway) -> str:
        # Plain text: an Atom title is text, and the XML writer escapes it once (Feed's
        # default escapes it for HTML first, so readers showed "&lt;img").
        if isinstance(item, Takeaway):
            return f"Takeaway: {Truncator(item.text).chars(100)}"
        return item.title or f"Notes on {item.source}"

    def item_description(self, item: Note | Takeaway) -> str:
        # Atom readers read the summary as HTML: takeaway text is escaped, and note
        # bodies are the HTML sanitised when the note was saved.
        if isinstance(item, Takeaway):
            return f"<p>{escape(item.text)}</p><p>From {escape(str(item.source))}</p>"
        return item.body_html

    # Item links are the rows' get_absolute_url (Feed's default): their source's page,
    # built from the row's own event.

    def item_pubdate(self, item: Note | Takeaway):
        return shown_at(item)

    def item_updateddate(self, item: Note | Takeaway):
        return item.created_at if isinstance(item, Takeaway) else item.updated_at

    def item_author_name(self, item: Note | Takeaway) -> str:
        return item.author.get_full_name() or item.author.get_username()

    def item_categories(self, item: Note | Takeaway) -> list[str]:
        return [tag.name for tag in getattr(item, "tag_list", [])]


class EventFeed(NotesAndTakeawaysFeed):
    def get_subject(self, slug: str) -> Event:
        return get_object_or_404(Event, slug=slug)

    def title(self, event: Event) -> str:
        return f"{event.name}: takeaways and notes"

    def link(self, event: Event) -> str:
        return event.get_absolute_url()

    def subtitle(self, event: Event) -> str:
        return f"New takeaways and published notes from {event}."

    def takeaways(self, event: Event):
        return Takeaway.objects.filter(event=event)

    def notes(self, event: Event):
        return Note.objects.filter(event=event)


class TagFeed(NotesAndTakeawaysFeed):
    def get_subject(self, slug: str) -> Tag:
        return get_object_or_404(Tag, slug=slug)

    def title(self, tag: Tag) -> str:
        return f"Takeaways and notes tagged “{tag.name}”"

    def link(self, tag: Tag) -> str:
        return reverse("talks:tag-detail", args=[tag.slug])

    def subtitle(self, tag: Tag) -> str:
        return (
            f"New takeaways tagged “{tag.name}”, and published notes on talks and "
            f"open spaces tagged “{tag.name}”."
        )

    def takeaways(self, tag: Tag):
        return Takeaway.objects.with_any_tag([tag.pk])

    def notes(self, tag: Tag):
        return Note.objects.on_sessions_tagged(tag)


@login_not_required
@require_safe
def event_feed(request: HttpRequest, slug: str) -> HttpResponse:
    return refuse_without_key(request) or EventFeed()(request, slug=slug)


@login_not_required
@require_safe
def tag_feed(request: HttpRequest, slug: str) -> HttpResponse:
    return refuse_without_key(request) or TagFeed()(request, slug=slug)
