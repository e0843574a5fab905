"""The floor every logged-in page stands on: the session, its user, the user's
permissions and their roles are read in one query, and nothing about them is kept
between requests. So logging out, a password change, a deactivated account and a
removed permission or role take effect on the very next request, whichever process
serves it (here: another client with the same session cookie, which shares nothing
with the first but the database)."""

import pytest
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.models import Group, Permission, User
from django.db import connection
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext

from common import roles
from common.models import Session
from common.sessions import SessionStore, get_user
from tests.factories import UserFactory
from tests.helpers import count_queries, logged_in

pytestmark = pytest.mark.django_db

EMPTY_PAGE = "/accounts/password_change/done/"
IMPORT_PAGE = "/import/"
OVERVIEW = "/follow-ups/overview/"


def same_session(client: Client) -> Client:
    """Another client with ``client``'s session cookie: a request to another worker."""
    other = Client()
    other.cookies["sessionid"] = client.cookies["sessionid"].value
    return other


def is_logged_out(client: Client) -> bool:
    response = client.get(EMPTY_PAGE)
    return response.status_code == 302 and response.url.startswith("/accounts/login/")


def shows_username(client: Client, username: str) -> bool:
    response = client.get(EMPTY_PAGE)
    return response.status_code == 200 and f"<span>{username}</span>" in response.text


# The query count


def test_empty_page_runs_one_query(attendee_client):
    attendee_client.get(EMPTY_PAGE)
    assert count_queries(attendee_client, EMPTY_PAGE) == 1


def test_a_login_through_the_form_reads_its_user_with_the_session(attendee):
    client = Client()
    response = client.post("/accounts/login/", {"username": "bob", "password": "pw"})
    assert response.status_code == 302
    client.get(EMPTY_PAGE)
    assert count_queries(client, EMPTY_PAGE) == 1
    assert shows_username(client, "bob")


def test_permissions_and_roles_cost_no_query_of_their_own(attendee_client):
    user = get_user(request_with_session_of(attendee_client))
    with CaptureQueriesContext(connection) as captured:
        can_add_notes = user.has_perm("talks.add_note")
        has_a_role = roles.has_a_role(user)
    assert (captured.captured_queries, can_add_notes, has_a_role) == ([], True, True)


# Who is logged in


def request_with_session_of(client: Client):
    request = RequestFactory().get(EMPTY_PAGE)
    request.session = SessionStore(client.cookies["sessionid"].value)
    return request


def test_permissions_read_with_the_session_are_the_ones_django_reads(attendee, attendee_client):
    attendee.user_permissions.add(Permission.objects.get(codename="view_event"))
    user = get_user(request_with_session_of(attendee_client))
    fresh = User.objects.get(pk=attendee.pk)
    assert user.get_user_permissions() == fresh.get_user_permissions() == {"talks.view_event"}
    assert user.get_group_permissions() == fresh.get_group_permissions()
    assert user.get_all_permissions() == fresh.get_all_permissions()
    assert len(fresh.get_group_permissions()) > 1
    assert roles.role_names(user) == frozenset({"attendee"})


def test_the_session_data_not_the_user_column_say_who_is_logged_in(attendee, attendee_client):
    mallory = UserFactory(username="mallory")
    # Even with the same password hash, which the session's own hash is made from.
    User.objects.filter(pk=mallory.pk).update(password=attendee.password)
    Session.objects.update(user=mallory)
    assert shows_username(attendee_client, "bob")


def test_a_session_without_its_user_column_still_logs_in(attendee_client):
    """Sessions copied from Django's table by the migration have no user column when
    their data do not decode; those that do are read the usual way (more queries)."""
    Session.objects.update(user=None)
    assert shows_username(attendee_client, "bob")


def test_the_user_column_is_the_session_data_user(attendee, attendee_client):
    session = Session.objects.get()
    assert (session.user_id, session.get_decoded()[SESSION_KEY]) == (attendee.pk, str(attendee.pk))


# Each change takes effect on the next request, in every process


def test_logging_out_ends_the_session_for_every_process(attendee_client):
    other = same_session(attendee_client)
    assert shows_username(other, "bob")
    attendee_client.post("/accounts/logout/")
    assert is_logged_out(other)
    assert Session.objects.count() == 0


def test_changing_the_password_logs_out_every_other_session(attendee):
    changer, elsewhere = logged_in(attendee), logged_in(attendee)
    assert shows_username(elsewhere, "bob")
    response = changer.post(
        "/accounts/password_change/",
        {
            "old_password": "pw",
            "new_password1": "a new long pass",
            "new_password2": "a new long pass",
        },
    )
    assert response.status_code == 302
    assert shows_username(changer, "bob")
    assert is_logged_out(elsewhere)


def test_a_password_set_elsewhere_logs_out_every_session(attendee, attendee_client):
    other = same_session(attendee_client)
    assert shows_username(other, "bob")
    attendee.set_password("set by staff in the shell")
    attendee.save()
    assert is_logged_out(attendee_client)
    assert is_logged_out(other)


def test_a_deactivated_account_is_logged_out_on_its_next_request(attendee, attendee_client):
    other = same_session(attendee_client)
    assert shows_username(other, "bob")
    User.objects.filter(pk=attendee.pk).update(is_active=False)
    assert is_logged_out(attendee_client)
    assert is_logged_out(other)


def test_deleting_a_user_deletes_their_sessions(attendee, attendee_client):
    attendee.delete()
    assert Session.objects.count() == 0
    assert is_logged_out(attendee_client)


def test_a_role_removed_takes_effect_on_the_next_request(manager):
    client = logged_in(manager)
    other = same_session(client)
    assert other.get(OVERVIEW).status_code == 200
    manager.groups.remove(Group.objects.get(name="manager"))
    assert client.get(OVERVIEW).status_code == 403
    assert other.get(OVERVIEW).status_code == 403


def test_a_group_permission_removed_takes_effect_on_the_next_request(attendee, attendee_client):
    other = same_session(attendee_client)
    assert other.get(IMPORT_PAGE).status_code == 200
    assert "Import notes" in other.get(EMPTY_PAGE).text
    attendee.groups.clear()
    assert attendee_client.get(IMPORT_PAGE).status_code == 403
    assert other.get(IMPORT_PAGE).status_code == 403
    assert "Import notes" not in other.get(EMPTY_PAGE).text


def test_a_permission_taken_from_a_group_takes_effect_on_the_next_request(attendee_client):
    other = same_session(attendee_client)
    assert other.get(IMPORT_PAGE).status_code == 200
    Group.objects.get(name="attendee").permissions.remove(
        Permission.objects.get(codename="add_note")
    )
    assert other.get(IMPORT_PAGE).status_code == 403


def test_a_user_permission_removed_takes_effect_on_the_next_request(outsider):
    add_note = Permission.objects.get(codename="add_note")
    outsider.user_permissions.add(add_note)
    client = logged_in(outsider)
    other = same_session(client)
    assert other.get(IMPORT_PAGE).status_code == 200
    outsider.user_permissions.remove(add_note)
    assert other.get(IMPORT_PAGE).status_code == 403


def test_a_permission_added_while_the_site_runs_is_known_on_the_next_request(outsider):
    client = logged_in(outsider)
    client.get(EMPTY_PAGE)  # the process knows every permission there was
    new = Permission.objects.create(
        codename="triage_note",
        name="Can triage notes",
        content_type=Permission.objects.get(codename="add_note").content_type,
    )
    outsider.user_permissions.add(new)
    user = get_user(request_with_session_of(client))
    assert user.get_all_permissions() == {"talks.triage_note"}
