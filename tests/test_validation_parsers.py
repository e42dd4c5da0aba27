"""The validation kit's parsers for single values: required ones, fixed choices, time zones."""

from __future__ import annotations

import pytest

from archive.validation import REQUIRED, country_code, list_of, one_of, optional, required, time_zone


@pytest.mark.parametrize("value", [None, ""])
def test_required_refuses_an_empty_value(value):
    errors: dict = {}
    assert required(country_code, value, "country", errors) is None
    assert errors == {"country": REQUIRED}


def test_required_passes_a_value_to_its_parser():
    errors: dict = {}
    assert required(country_code, " am ", "country", errors) == "AM" and errors == {}
    assert required(country_code, "XX", "country", errors) is None
    assert "not an ISO 3166 country code" in errors["country"]


def test_one_of_accepts_only_its_choices():
    parse = one_of(("cinema", "community"))
    assert parse(" cinema ") == "cinema"
    for value in ("drive-in", "Cinema", 3, None, ["cinema"]):
        with pytest.raises(ValueError, match="is not one of: cinema, community."):
            parse(value)
    errors: dict = {}
    assert list_of("community; cinema, community", "uses", parse, errors) == ["community", "cinema"] and errors == {}
    assert list_of(["cinema", "piracy"], "uses", parse, errors) == []
    assert errors["uses"] == "'piracy' is not one of: cinema, community."
    assert optional(parse, "", "format", errors) is None


@pytest.mark.parametrize("name", ["Asia/Yerevan", "Asia/Baku", "Europe/Paris", "UTC", " Asia/Tbilisi "])
def test_time_zone_accepts_iana_names(name):
    assert time_zone(name) == name.strip()


@pytest.mark.parametrize("name", ["Mars/Olympus", "", "asia/yerevan", "../../etc/passwd", "Asia/Yerevan\x00", None, 4, "x" * 500])
def test_time_zone_refuses_anything_else(name):
    with pytest.raises(ValueError, match="is not an IANA time zone; use a name such as Asia/Yerevan") as caught:
        time_zone(name)
    assert len(str(caught.value)) < 200  # a long value is cut short in the message
