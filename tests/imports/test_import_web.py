"""The import page: upload or paste, preview and correct, confirm; who may use it; bad
input; and the whole flow in a real browser."""

import re
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from playwright.sync_api import expect

from actions.models import ActionPoint, ActionPointChange
from imports import forms as import_forms
from talks.models import Event, Note, OpenSpace, Speaker, Takeaway, Talk
from tests.browser import log_in
from tests.helpers import days_from_today

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).parents[1] / "fixtures" / "import"
UTRECHT = FIXTURES / "platform-summit-utrecht.md"
BERGEN = FIXTURES / "cloud-native-day-bergen.txt"
NOTHING = dict.fromkeys(
    ["Event", "Talk", "Speaker", "OpenSpace", "Note", "Takeaway", "ActionPoint", "history"], 0
)


def everything() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (Event, Talk, Speaker, OpenSpace, Note, Takeaway, ActionPoint)
    } | {"history": ActionPointChange.objects.count()}


def upload(client, path: Path = UTRECHT, **data):
    with path.open("rb") as file:
        return client.post("/import/", {"file": file, "format": "detect", **data})


def confirm_data(response, **changes) -> dict:
    """The preview form's fields as the browser would send them back, with ``changes``
    (field names without the prefix for the event, "session-N-field" for sessions)."""
    preview = response.context["preview"]
    data = {f"event-{k}": v for k, v in preview.event_form.initial.items() if v is not None}
    management = preview.sessions.management_form
    data |= {management.add_prefix(k): v for k, v in management.initial.items()}
    for form in preview.sessions.forms:
        data |= {form.add_prefix(k): v for k, v in form.initial.items()}
    for key, value in changes.items():
        data[key if key.startswith("session-") else f"event-{key}"] = value
    return data


def text_of(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


# --- Who may import ---------------------------------------------------------------


@pytest.mark.parametrize("role", ["attendee", "staff"])
def test_attendees_and_staff_see_the_upload_form(client, request, role):
    client.force_login(request.getfixturevalue(role))
    response = client.get("/import/")
    assert response.status_code == 200
    assert "<title>Import notes · Notesite</title>" in response.content.decode()


@pytest.mark.parametrize("role", ["manager", "outsider"])
def test_managers_and_outsiders_get_403(client, request, role):
    client.force_login(request.getfixturevalue(role))
    assert client.get("/import/").status_code == 403
    assert upload(client).status_code == 403
    assert client.post("/import/confirm/", {}).status_code == 403
    assert everything() == NOTHING


def test_the_forms_need_a_csrf_token(attendee):
    client = Client(enforce_csrf_checks=True)
    client.force_login(attendee)
    assert upload(client).status_code == 403


# --- Preview ------------------------------------------------------------------------


def test_an_upload_shows_what_was_detected_and_writes_nothing(attendee_client):
    response = upload(attendee_client)

    assert response.status_code == 200
    page = text_of(response)
    assert "<title>Check the import · Notesite</title>" in page
    assert (
        "From platform-summit-utrecht.md: 5 talks, 3 open spaces, 3 takeaways and 4 action "
        "points found." in page
    )
    preview = response.context["preview"]
    assert preview.event_form.initial["name"] == "Platform Summit Utrecht"
    assert [f.initial["title"] for f in preview.sessions.forms] == [
        "The Platform Is the Product",
        "Golden Paths",
        "Measuring Developer Experience",
        "Docs as Tests",
        "Writing Runbooks",
        "Platform team size",
        "Paying down platform debt",
        "Self-service databases",
    ]
    assert [(f.initial["kind"], f.initial["speakers"]) for f in preview.sessions.forms][:5] == [
        ("keynote", "Femke Jansen"),
        ("talk", "Willem Bakker"),
        ("talk", "Noor Hassan"),
        ("ignite", "Bram Visser"),
        ("workshop", "Eva Smit, Daan de Boer"),
    ]
    assert "Write down our golden path for a new service" in page
    assert "Measure adoption, not features shipped." in page
    assert everything() == NOTHING


def test_pasted_text_is_previewed(attendee_client):
    response = attendee_client.post("/import/", {"text": BERGEN.read_text(), "format": "detect"})
    assert response.status_code == 200
    assert response.context["preview"].name == "pasted text"
    assert response.context["parsed"].name == "Cloud Native Day Bergen"
    assert len(response.context["rows"]) == 6


def test_the_preview_says_what_is_already_here(attendee_client):
    attendee_client.post("/import/confirm/", confirm_data(upload(attendee_client)))
    response = upload(attendee_client)

    assert "which is already here" in text_of(response)
    assert [row["exists"] for row in response.context["rows"]] == [True] * 8


# --- Confirm ------------------------------------------------------------------------


def test_confirming_imports_and_goes_to_the_event(attendee_client, attendee):
    response = attendee_client.post(
        "/import/confirm/", confirm_data(upload(attendee_client)), follow=True
    )

    event = Event.objects.get()
    assert response.redirect_chain == [(event.get_absolute_url(), 302)]
    assert [str(m) for m in response.context["messages"]] == [
        "Imported your notes on Platform Summit Utrecht (2026): created 1 event, 5 talks, "
        "6 speakers, 3 open spaces, 9 notes, 3 takeaways, 4 action points; 0 already there."
    ]
    assert set(Note.objects.values_list("author__username", flat=True)) == {"bob"}
    assert ActionPoint.objects.filter(raised_by=attendee).count() == 4


def test_corrections_are_applied(attendee_client):
    data = confirm_data(
        upload(attendee_client),
        name="Platform Summit NL",
        city="Amsterdam",
        **{
            "session-0-title": "The Platform Is a Product",
            "session-0-kind": "talk",
            "session-1-kind": "drop",
            "session-2-kind": "event",
            "session-3-speakers": "Bram Visser and Anna de Wit",
        },
    )
    response = attendee_client.post("/import/confirm/", data)

    event = Event.objects.get()
    assert response["Location"] == event.get_absolute_url()
    assert (event.name, event.city) == ("Platform Summit NL", "Amsterdam")
    talks = Talk.objects.filter(event=event).prefetch_related("speakers").order_by("pk")
    assert [(t.kind, t.title, sorted(s.name for s in t.speakers.all())) for t in talks] == [
        ("talk", "The Platform Is a Product", ["Femke Jansen"]),
        ("ignite", "Docs as Tests", ["Anna de Wit", "Bram Visser"]),
        ("workshop", "Writing Runbooks", ["Daan de Boer", "Eva Smit"]),
    ]
    assert ActionPoint.objects.filter(title__startswith="Write down our golden path").count() == 0
    assert sorted(ActionPoint.objects.values_list("title", "talk__title")) == [
        (
            "Ask three teams what they would miss if our platform disappeared tomorrow",
            "The Platform Is a Product",
        ),
        ("Book a game day for the deploy pipeline", None),
        ("Share these notes with the platform team", None),
    ]
    event_note = Note.objects.get(talk=None, open_space=None)
    assert "## Measuring Developer Experience\n\nSurveys every quarter" in event_note.body


def test_importing_the_same_file_again_adds_nothing(attendee_client):
    attendee_client.post("/import/confirm/", confirm_data(upload(attendee_client)))
    before = everything()

    response = attendee_client.post(
        "/import/confirm/", confirm_data(upload(attendee_client)), follow=True
    )

    assert everything() == before
    assert [str(m) for m in response.context["messages"]] == [
        "Imported your notes on Platform Summit Utrecht (2026): created nothing; 25 already there."
    ]


def test_a_document_without_a_date_is_previewed_with_the_date_marked_unsure(attendee_client):
    # Changed on purpose (issue 11): a document without a date is no longer refused or
    # left without one: today's date stands in, marked unsure, and can be changed.
    response = attendee_client.post(
        "/import/", {"text": "# Notes from Some Summit\n\n## A Talk: _Ann Example_\n\nText."}
    )
    assert response.status_code == 200
    initial = response.context["preview"].event_form.initial["starts_on"]
    assert initial == timezone.localdate()
    assert "no date in the notes: today stands in" in response.content.decode()

    held_on = days_from_today(-30)
    accepted = attendee_client.post(
        "/import/confirm/",
        confirm_data(response, starts_on=held_on.isoformat(), ends_on=held_on.isoformat()),
    )
    assert accepted.status_code == 302
    assert (Event.objects.get().starts_on, Event.objects.get().ends_on) == (held_on, held_on)


def test_two_sessions_renamed_alike_are_refused(attendee_client):
    data = confirm_data(upload(attendee_client), **{"session-1-title": "Docs as Tests"})
    data["session-3-kind"] = "talk"
    response = attendee_client.post("/import/confirm/", data)

    assert response.status_code == 400
    assert response.context["preview"].sessions.non_form_errors() == [
        "Two sessions are called \u201cDocs as Tests\u201d: rename one, or leave one out."
    ]
    assert everything() == NOTHING


def test_open_space_convenors_must_fit(attendee_client):
    names = " and ".join(f"Person Number{i}" for i in range(20))
    data = confirm_data(upload(attendee_client), **{"session-5-speakers": names})
    response = attendee_client.post("/import/confirm/", data)

    assert response.status_code == 400
    assert response.context["preview"].sessions.errors[5] == {
        "speakers": ["An open space's convenors fit in 200 characters."]
    }
    assert everything() == NOTHING


def test_an_altered_preview_is_refused(attendee_client):
    data = confirm_data(upload(attendee_client))
    data["event-document"] = data["event-document"].replace(":", ":x", 1)
    response = attendee_client.post("/import/confirm/", data)

    assert response.status_code == 400
    assert "This preview cannot be read: upload the notes again." in text_of(response)
    assert everything() == NOTHING


def test_a_preview_made_for_someone_else_is_refused(client, attendee, staff):
    client.force_login(attendee)
    data = confirm_data(upload(client))
    client.force_login(staff)
    response = client.post("/import/confirm/", data)

    assert response.status_code == 400
    assert "This preview was made for someone else" in text_of(response)
    assert everything() == NOTHING


def test_a_preview_with_sessions_missing_is_refused(attendee_client):
    data = confirm_data(upload(attendee_client))
    data["session-TOTAL_FORMS"] = "7"
    response = attendee_client.post("/import/confirm/", data)

    assert response.status_code == 400
    assert "The preview does not match the notes: start again." in text_of(response)
    assert everything() == NOTHING


def test_an_expired_preview_is_refused_and_the_upload_form_shown_again(
    attendee_client, monkeypatch
):
    data = confirm_data(upload(attendee_client))
    # Any age is past a negative limit: the preview has expired without waiting.
    monkeypatch.setattr(import_forms, "PREVIEW_MAX_AGE", -1)
    response = attendee_client.post("/import/confirm/", data)

    assert response.status_code == 400
    assert list(response.context["problems"]) == [
        "This preview has expired: upload the notes again."
    ]
    assert "This preview has expired: upload the notes again." in text_of(response)
    assert "<title>Import notes · Notesite</title>" in response.content.decode()
    assert everything() == NOTHING


def test_an_event_ending_before_it_starts_is_refused_next_to_the_field(attendee_client):
    data = confirm_data(upload(attendee_client), starts_on="2026-03-02", ends_on="2026-03-01")
    response = attendee_client.post("/import/confirm/", data)

    assert response.status_code == 400
    assert response.context["preview"].event_form.errors == {
        "ends_on": ["The event cannot end before it starts."]
    }
    html = response.content.decode()
    assert 'id="id_event-ends_on_error"' in html
    assert "The event cannot end before it starts." in text_of(response)
    assert everything() == NOTHING


@pytest.mark.parametrize("field", ["file", "text"])
def test_notes_too_long_to_preview_are_refused_next_to_the_field(
    attendee_client, monkeypatch, field
):
    # The signed document must fit in the preview's form; a low limit stands in for
    # notes of nearly 2 MB.
    monkeypatch.setattr(import_forms, "MAX_SIGNED", 100)
    if field == "file":
        response = upload(attendee_client)
    else:
        response = attendee_client.post("/import/", {"text": UTRECHT.read_text()})

    assert response.status_code == 400
    assert response.context["form"].errors == {
        field: ["These notes are too long to preview here: split them."]
    }
    assert f'id="id_{field}_error"' in response.content.decode()
    assert "Check the import" not in response.content.decode()
    assert everything() == NOTHING


# --- Bad input ----------------------------------------------------------------------


BAD = [
    ("empty.md", b"", "empty.md: the file is empty: there is nothing to import."),
    (
        "photo.txt",
        b"\x89PNG\r\n\x00\x00",
        "photo.txt: the file looks like a binary file, not notes.",
    ),
    (
        "big.md",
        b"x" * (3 * 1024 * 1024),
        "big.md: the file is larger than 2 MB (3.0 MB); import it in parts.",
    ),
    (
        "notes.txt",
        "May 5, 2026\nCaf\u00e9 notes\n".encode("cp1252"),
        "notes.txt, line 2: the file is not UTF-8 text (nor UTF-16 with a byte-order mark); "
        "save it as UTF-8 and try again.",
    ),
    (
        "no-letters-tag.md",
        b"---\nevent: Conf\ndate: 2026-01-05\ntags: ???\n---\n\n## Talk: _Ann Example_\n",
        "no-letters-tag.md, line 4: \u201c???\u201d cannot be a tag: it needs at least one "
        "letter or digit.",
    ),
]


@pytest.mark.parametrize(("name", "data", "message"), BAD, ids=[b[0] for b in BAD])
def test_bad_uploads_are_refused_next_to_the_field(attendee_client, name, data, message):
    response = attendee_client.post("/import/", {"file": SimpleUploadedFile(name, data)})

    assert response.status_code == 400
    assert response.context["form"].errors == {"file": [message]}
    assert 'id="id_file_error"' in response.content.decode()
    assert everything() == NOTHING


def test_pasted_text_that_cannot_be_read_is_refused_next_to_the_field(attendee_client):
    response = attendee_client.post("/import/", {"text": "Notes\x00"})
    assert response.context["form"].errors == {"text": ["Null characters are not allowed."]}


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "Upload a file or paste the notes."),
        ({"text": "   \n"}, "Upload a file or paste the notes."),
        (
            {"text": "x", "file": SimpleUploadedFile("a.md", b"# A\n")},
            "Upload a file or paste the notes, not both.",
        ),
    ],
)
def test_one_of_file_or_text_is_needed(attendee_client, data, message):
    response = attendee_client.post("/import/", data)
    assert response.status_code == 400
    assert response.context["form"].non_field_errors() == [message]


# --- In a browser ---------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_bob_previews_corrects_and_imports_his_notes(browser_page, attendee):
    page = browser_page
    log_in(page, "bob")
    page.goto("/import/")
    page.get_by_label("Notes file").set_input_files(str(UTRECHT))
    page.get_by_role("button", name="Preview").click()

    expect(page).to_have_title("Check the import · Notesite")
    expect(page.get_by_label("Event:", exact=True)).to_have_value("Platform Summit Utrecht")
    assert Event.objects.count() == 0
    page.get_by_label("Event:", exact=True).fill("Platform Summit NL")
    sessions = page.locator("fieldset.import-session")
    expect(sessions).to_have_count(8)
    sessions.nth(1).get_by_label("Import as:").select_option("drop")
    sessions.nth(2).get_by_label("Import as:").select_option("open_space")
    page.get_by_role("button", name="Import").click()

    page.wait_for_url("**/events/platform-summit-nl-2026/")
    assert "Imported your notes on Platform Summit NL (2026): created 1 event, 3 talks" in (
        page.get_by_role("status").inner_text()
    )
    assert sorted(Talk.objects.values_list("title", flat=True)) == [
        "Docs as Tests",
        "The Platform Is the Product",
        "Writing Runbooks",
    ]
    assert OpenSpace.objects.filter(topic="Measuring Developer Experience").exists()
