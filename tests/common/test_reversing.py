"""fast_reverse gives exactly what reverse() gives."""

import pytest
from django.urls import NoReverseMatch, reverse, set_script_prefix

from common.reversing import fast_reverse


@pytest.mark.parametrize(
    ("name", "args"),
    [
        ("talks:event-detail", ["devopsdays-oslo-2024"]),
        ("talks:talk-detail", ["devopsdays-oslo-2024", "what_we_learned-2"]),
        ("talks:tag-detail", ["observability"]),
        # Not a plain slug: reverse() itself quotes it.
        ("talks:tag-detail", ["café"]),
        ("talks:tag-detail", ["c++ & go"]),
        ("actions:detail", [42]),
    ],
)
def test_fast_reverse_is_reverse(name, args):
    assert fast_reverse(name, *args) == reverse(name, args=args)


def test_fast_reverse_follows_the_script_prefix():
    fast_reverse("talks:event-detail", "oslo")
    set_script_prefix("/notesite/")
    try:
        assert fast_reverse("talks:event-detail", "oslo") == "/notesite/events/oslo/"
    finally:
        set_script_prefix("/")
    assert fast_reverse("talks:event-detail", "oslo") == "/events/oslo/"


def test_fast_reverse_refuses_what_reverse_refuses():
    with pytest.raises(NoReverseMatch):
        fast_reverse("talks:event-detail", "not a slug")
    with pytest.raises(NoReverseMatch):
        fast_reverse("talks:tag-detail", "a/b")
