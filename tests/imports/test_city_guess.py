"""The event's city guessed from the first lines of notes: a place, not a person's surname."""

from imports.importer import parse_markdown


def test_a_speaker_whose_surname_is_a_city_does_not_name_the_events_city():
    parsed = parse_markdown(
        "# Platform Gathering 2026\n\nThe opening keynote by Ana Lima was about paging.\n"
    )
    assert (parsed.city, [d.what for d in parsed.unsure if d.what == "city"]) == ("", [])


def test_a_city_after_a_preposition_is_still_the_events_city_marked_unsure():
    parsed = parse_markdown(
        "# Platform Gathering 2026\n\nIn Lisbon this year, the keynote by Ana Lima was about "
        "paging.\n"
    )
    assert (parsed.city, [d.text for d in parsed.unsure if d.what == "city"]) == (
        "Lisbon",
        ["Lisbon"],
    )


def test_a_city_in_the_events_own_name_is_read_whatever_precedes_it():
    parsed = parse_markdown("# Agile Lima 2026\n\nNotes from two days of talks.\n")
    assert (parsed.name, parsed.city) == ("Agile Lima", "Lima")
