"""Pages travel gzipped to clients that accept it, and unpack to the same page."""

import gzip
import re

import pytest

from tests.factories import TalkFactory

pytestmark = pytest.mark.django_db

# The CSRF token is masked afresh in every response, so two copies of a page differ
# there and nowhere else.
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')


def same_page(html: str) -> str:
    return CSRF.sub('name="csrfmiddlewaretoken" value=""', html)


@pytest.mark.parametrize("path", ["/", "/events/", "/search/?q=deployment"])
def test_a_page_comes_gzipped_when_the_client_accepts_it(attendee_client, path):
    TalkFactory(title="Deployment on Fridays")
    plain = attendee_client.get(path)
    packed = attendee_client.get(path, headers={"accept-encoding": "gzip, deflate, br"})
    assert (plain.status_code, packed.status_code) == (200, 200)
    assert (plain.get("Content-Encoding"), packed["Content-Encoding"]) == (None, "gzip")
    assert packed["Vary"] == "Cookie, Accept-Encoding"
    assert len(packed.content) < len(plain.content) / 2
    assert same_page(gzip.decompress(packed.content).decode()) == same_page(plain.content.decode())
