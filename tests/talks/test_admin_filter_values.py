"""The admin's bounded list filters take ids from the address: a value that looks
like a number to ``str.isdigit`` but is none (superscripts, other scripts' digits)
lists nothing instead of failing."""

import pytest
from django.urls import reverse

from actions.admin import seen_versions

pytestmark = pytest.mark.django_db

NOT_NUMBERS = ["²", "①"]


@pytest.mark.parametrize("value", NOT_NUMBERS)
@pytest.mark.parametrize(
    "changelist", ["admin:talks_talk_changelist", "admin:actions_actionpoint_changelist"]
)
def test_an_event_filter_value_that_is_no_number_lists_nothing(staff_client, changelist, value):
    response = staff_client.get(reverse(changelist), {"event": value})
    assert response.status_code == 200
    assert response.context["cl"].result_count == 0


@pytest.mark.parametrize("value", NOT_NUMBERS)
def test_an_assignee_filter_value_that_is_no_number_lists_nothing(staff_client, value):
    response = staff_client.get(
        reverse("admin:actions_actionpoint_changelist"), {"assignee": value}
    )
    assert response.status_code == 200
    assert response.context["cl"].result_count == 0


def test_list_edit_rows_with_no_number_are_not_checked(rf):
    rows = {
        "form-0-id": "²", "form-0-seen_version": "1",
        "form-1-id": "7", "form-1-seen_version": "①",
        "form-2-id": "8", "form-2-seen_version": "3",
    }  # fmt: skip
    assert seen_versions(rf.post("/", rows)) == {8: 3}
