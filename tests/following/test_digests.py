"""The weekly digest email of what people follow (``manage.py send_digests``)."""

import datetime
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone
from taggit.models import Tag

from following.digests import DIGEST_ITEMS, send_digests
from talks.models import DigestLog, Follow, Note, Takeaway
from tests.factories import EventFactory, NoteFactory, TakeawayFactory, TalkFactory, UserFactory

pytestmark = pytest.mark.django_db

WEEK = datetime.timedelta(days=7)


def run_command() -> str:
    out = StringIO()
    call_command("send_digests", stdout=out)
    return out.getvalue().strip()


@pytest.fixture
def followed(attendee, manager):
    """bob follows the tag "kubernetes" and the event "Oslo"; carol follows "Bergen"."""
    oslo, bergen = EventFactory(name="Oslo"), EventFactory(name="Bergen")
    tag = Tag.objects.create(name="kubernetes")
    Follow.objects.start(attendee, tag=tag)
    Follow.objects.start(attendee, event=oslo)
    Follow.objects.start(manager, event=bergen)
    return {"oslo": oslo, "bergen": bergen, "tag": tag}


def test_each_follower_gets_what_is_new_in_what_they_follow(followed, mailoutbox, outsider):
    oslo, bergen, tag = followed["oslo"], followed["bergen"], followed["tag"]
    elsewhere = EventFactory(name="Elsewhere")
    pods = TalkFactory(event=elsewhere, title="Pods")
    pods.tags.add(tag)
    TakeawayFactory(text="Tagged elsewhere", talk=None, event=elsewhere).tags.add(tag)
    TakeawayFactory(text="At Oslo", talk=None, event=oslo)
    TakeawayFactory(text="At Bergen", talk=None, event=bergen)
    TakeawayFactory(text="Untagged elsewhere", talk=None, event=elsewhere)
    NoteFactory(title="On the pods talk", talk=pods, event=elsewhere)
    NoteFactory(title="Draft at Oslo", talk=None, event=oslo, status=Note.Status.DRAFT)
    old = TakeawayFactory(text="Last month at Oslo", talk=None, event=oslo)
    Takeaway.objects.filter(pk=old.pk).update(created_at=timezone.now() - 2 * WEEK)

    summary = run_command()

    assert summary == (
        "Queued 2 digest(s) with 3 takeaway(s) and 1 note(s). Skipped 0 with nothing new, "
        "0 already sent this week, 0 without an email address. Emails: 2 sent, 0 failed "
        "and kept to retry, 0 not tried."
    )
    by_recipient = {tuple(mail.to): mail for mail in mailoutbox}
    assert sorted(by_recipient) == [("bob@example.com",), ("carol@example.com",)]
    bob = by_recipient[("bob@example.com",)]
    assert bob.subject == "Notesite weekly: 2 new takeaways and 1 new note in what you follow"
    body = bob.body
    assert "- At Oslo" in body and "- Tagged elsewhere" in body
    assert "- On the pods talk" in body
    for absent in ("At Bergen", "Untagged", "Draft at Oslo", "Last month"):
        assert absent not in body
    note = Note.objects.get(title="On the pods talk")
    assert (
        f"https://notes.example.com/events/{elsewhere.slug}/talks/{pods.slug}/#note-{note.pk}"
        in (body)
    )
    assert "- tag “kubernetes”: https://notes.example.com/tags/kubernetes/" in body
    assert f"- event “Oslo”: https://notes.example.com/events/{oslo.slug}/" in body
    carol = by_recipient[("carol@example.com",)]
    assert carol.subject == "Notesite weekly: 1 new takeaway in what you follow"
    assert "- At Bergen" in carol.body


def test_at_most_one_digest_per_week(followed, mailoutbox):
    oslo = followed["oslo"]
    TakeawayFactory(text="First", talk=None, event=oslo)
    first = send_digests()
    TakeawayFactory(text="Second", talk=None, event=oslo)
    again = send_digests()

    assert [m.to for m in mailoutbox] == [["bob@example.com"]]
    assert (len(first.queued), len(again.queued), again.already_sent) == (1, 0, 1)
    assert DigestLog.objects.filter(user__username="bob").count() == 1


def test_next_weeks_digest_starts_where_the_last_ended(followed, mailoutbox):
    oslo = followed["oslo"]
    TakeawayFactory(text="First", talk=None, event=oslo)
    now = timezone.now()
    send_digests(now=now)
    TakeawayFactory(text="Second", talk=None, event=oslo)

    send_digests(now=now + WEEK)

    assert len(mailoutbox) == 2
    assert "- Second" in mailoutbox[1].body
    assert "- First" not in mailoutbox[1].body
    logs = DigestLog.objects.filter(user__username="bob").order_by("week_start")
    assert [(log.takeaway_count, log.note_count) for log in logs] == [(1, 0), (1, 0)]


def test_a_draft_is_never_sent_until_it_is_published(followed, mailoutbox):
    oslo = followed["oslo"]
    draft = NoteFactory(title="Work in progress", talk=None, event=oslo, status=Note.Status.DRAFT)
    now = timezone.now()
    assert send_digests(now=now).nothing_new == 2
    assert mailoutbox == []

    draft.status = Note.Status.PUBLISHED
    draft.save()
    send_digests(now=now + WEEK)

    assert [m.to for m in mailoutbox] == [["bob@example.com"]]
    assert "- Work in progress" in mailoutbox[0].body


def test_nothing_new_means_no_email_and_no_log(followed, mailoutbox):
    run = send_digests()
    assert (run.queued, run.nothing_new) == ([], 2)
    assert mailoutbox == []
    assert DigestLog.objects.count() == 0


def test_a_user_without_email_is_skipped(followed, mailoutbox):
    nomail = UserFactory(username="nomail", email="")
    Follow.objects.start(nomail, event=followed["oslo"])
    TakeawayFactory(text="At Oslo", talk=None, event=followed["oslo"])

    run = send_digests()

    assert run.queued == ["bob"]
    assert run.no_email == 1
    assert [m.to for m in mailoutbox] == [["bob@example.com"]]


def test_users_who_follow_nothing_get_nothing(mailoutbox, attendee):
    TakeawayFactory(text="Anything")
    assert run_command().startswith("Queued 0 digest(s)")
    assert mailoutbox == []


def test_more_than_fits_in_one_email_says_so(followed, mailoutbox):
    oslo = followed["oslo"]
    for number in range(DIGEST_ITEMS + 1):
        TakeawayFactory(text=f"Takeaway number {number:03d}", talk=None, event=oslo)

    send_digests()

    [digest] = mailoutbox
    assert digest.subject == (f"Notesite weekly: {DIGEST_ITEMS} new takeaways in what you follow")
    assert f"TAKEAWAYS ({DIGEST_ITEMS}, and more)" in digest.body
    assert "There was more than fits in one email: your dashboard shows the newest." in (
        digest.body
    )
    assert digest.body.count("- Takeaway number ") == DIGEST_ITEMS
    # The newest are in it; the oldest is the one left out.
    assert f"- Takeaway number {DIGEST_ITEMS:03d}" in digest.body
    assert "- Takeaway number 000" not in digest.body
    assert DigestLog.objects.get().takeaway_count == DIGEST_ITEMS


def test_a_digest_that_fits_does_not_mention_more(followed, mailoutbox):
    for number in range(DIGEST_ITEMS):
        TakeawayFactory(text=f"Takeaway number {number:03d}", talk=None, event=followed["oslo"])

    send_digests()

    [digest] = mailoutbox
    assert f"TAKEAWAYS ({DIGEST_ITEMS})" in digest.body
    assert "and more" not in digest.body
    assert "There was more than fits" not in digest.body
