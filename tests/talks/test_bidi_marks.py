"""Tag names refuse every character Unicode marks Bidi_Control, the direction marks
(LRM, RLM, ALM) as well as the embeddings, overrides and isolates: a mark is as
invisible, and reorders the punctuation and digits next to it."""

import pytest
from django.core.exceptions import ValidationError

from talks.tagging import validate_tag_name

MARKS = ["\u061c", "\u200e", "\u200f"]


@pytest.mark.parametrize("mark", MARKS)
def test_a_direction_mark_in_a_tag_name_is_refused(mark):
    with pytest.raises(ValidationError) as refused:
        validate_tag_name(f"v1{mark}-2")
    assert refused.value.messages == [
        "“v1-2” cannot be a tag: it holds an invisible character that reverses the text "
        f"around it (a bidirectional control, U+{ord(mark):04X}). Type it again without it."
    ]
