"""The validation kit: each checker returns the clean value or says what to fix, never raises anything else."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from archive import validation
from archive.errors import ValidationError
from archive.validation import REQUIRED, country_code, list_of, one_of, optional, required, time_zone


@pytest.mark.parametrize(
    ("value", "expected"),
    [("  Yerevan  ", "Yerevan"), (None, ""), ("", ""), ("Ganja\u0259", "Ganja\u0259")],
)
def test_text_strips_and_accepts(value, expected):
    errors = {}
    assert validation.text(value, "city", errors, limit=50) == expected
    assert errors == {}


@pytest.mark.parametrize(
    ("value", "options", "fragment"),
    [
        ("x\ud800y", {}, "lone surrogate"),
        ("x\x00y", {}, "NUL"),
        ("first\nsecond", {}, "one line"),
        ("bell\x07", {"multiline": True}, "U+0007"),
        ("x" * 51, {}, "under 50"),
        (42, {}, "Give text"),
        ("   ", {"required": True}, "required"),
    ],
)
def test_text_refusals_say_what_to_fix(value, options, fragment):
    errors = {}
    assert validation.text(value, "name", errors, limit=50, **options) == ""
    assert fragment in errors["name"]


def test_multiline_text_keeps_newlines_and_tabs():
    errors = {}
    assert validation.text("one\n\ttwo\r\nthree", "notes", errors, limit=100, multiline=True) == "one\n\ttwo\r\nthree"
    assert errors == {}


def test_texts_by_language():
    errors = {}
    assert validation.texts({"hy": " Խաղաղություն ", "en": "", "ru": None}, "title", errors, limit=50) == {
        "hy": "Խաղաղություն"
    }
    assert errors == {}
    for value, fragment in [(["x"], "by language"), ({"not a tag!": "x"}, "language tag"),
                            ({"en": "x\ud800"}, "surrogate"), ({"en": 5}, "string"), ({}, "at least one title")]:
        errors = {}
        validation.texts(value, "title", errors, limit=50, required=True)
        assert fragment in errors["title"], (value, errors)


@pytest.mark.parametrize("value", ["12", 12, "+12", " 12 ", 12.0])
def test_whole_accepts_ascii_digits(value):
    errors = {}
    assert validation.whole(value, "n", errors, low=0, high=100) == 12
    assert errors == {}


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ("²", "not a whole number"),
        ("١٢", "not a whole number"),  # Arabic-Indic digits pass str.isdigit() and int()
        ("12.5", "not a whole number"),
        (12.5, "not a whole number"),
        (float("inf"), "not a whole number"),
        (float("nan"), "not a whole number"),
        (True, "not a whole number"),
        ([1], "not a whole number"),
        (101, "out of range"),
        (-1, "out of range"),
    ],
)
def test_whole_refusals(value, fragment):
    errors = {}
    assert validation.whole(value, "n", errors, low=0, high=100) is None
    assert fragment in errors["n"]


def test_whole_required_and_optional():
    errors = {}
    assert validation.whole("", "n", errors, low=0, high=1) is None and errors == {}
    validation.whole(None, "n", errors, low=0, high=1, required=True)
    assert errors == {"n": validation.REQUIRED}


def test_dates():
    errors = {}
    assert validation.iso_date("2027-03-01", "on", errors) == date(2027, 3, 1)
    assert validation.iso_date("", "on", errors) is None and errors == {}
    for bad in ["01/03/2027", "2027-02-30", "２０２７-03-01", 20270301]:
        errors = {}
        assert validation.iso_date(bad, "on", errors) is None
        assert "YYYY-MM-DD" in errors["on"]
    errors = {}
    validation.iso_date(None, "on", errors, required=True)
    assert "YYYY-MM-DD" in errors["on"]


def test_choice_and_list_of():
    errors = {}
    assert validation.choice("film", "kind", ("film", "photo"), errors) == "film"
    assert validation.choice(["film"], "kind", ("film", "photo"), errors) is None
    assert errors["kind"] == "Choose one of: film, photo."
    errors = {}
    assert validation.list_of("am; ge,AM", "countries", validation.country_code, errors) == ["AM", "GE"]
    assert validation.list_of(None, "countries", validation.country_code, errors) == []
    assert errors == {}
    assert validation.list_of({"AM": 1}, "countries", validation.country_code, errors) == []
    assert errors["countries"] == "Give a list."


@pytest.mark.parametrize("tag", ["hy", "az-Latn", "ru", "EN"])
def test_language_tags(tag):
    assert validation.language_tag(tag) == {"EN": "en"}.get(tag, tag)


@pytest.mark.parametrize("tag", ["", "not a tag!", "x" * 40, "հայ", None, 7])
def test_language_tag_refusals(tag):
    with pytest.raises(ValueError, match="not a language tag"):
        validation.language_tag(tag)


@pytest.mark.parametrize("code", ["XX", "ARM", "", "ÀM", None])
def test_country_code_refusals(code):
    with pytest.raises(ValueError, match="ISO 3166"):
        validation.country_code(code)


@pytest.mark.parametrize("value", [0, -3, 2**31, 2**70, "²", "1e3", 1.5, None])
def test_record_ids_are_bounded(value):
    with pytest.raises(ValueError, match="not an id"):
        validation.record_id(value)
    assert validation.record_id("7") == 7 and validation.record_id(2**31 - 1) == 2**31 - 1


def test_unknown_fields_are_named_with_the_known_ones():
    with pytest.raises(ValidationError) as refused:
        validation.refuse_unknown({"name": "x", "colour": "red"}, {"name", "city"})
    assert refused.value.errors == {"colour": "Unknown field; known fields are city, name."}
    with pytest.raises(ValidationError) as refused:
        validation.require_object(["not", "an", "object"])
    assert refused.value.errors == {"body": "Send a JSON object."}

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


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2027-03-01", datetime(2027, 3, 1)),
        ("2027-03-01T19:00", datetime(2027, 3, 1, 19, 0)),
        ("2027-03-01T19:00:00+04:00", datetime(2027, 3, 1, 15, 0)),
        (" 1900-01-01T00:00:00+01:00 ", datetime(1899, 12, 31, 23, 0)),  # an edge year's offset stays a date
    ],
)
def test_moment_reads_dates_and_times_as_naive_utc(value, expected):
    assert validation.moment(value) == expected


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ("0001-01-01T00:00:00+01:00", "out of range"),
        ("9999-12-31T23:59:59-01:00", "out of range"),
        ("1899-12-31", "out of range"),
        ("3000-01-01", "out of range"),
        ("٢٠٢٧-03-01", "not a date or time"),
        ("2027-02-30", "not a date or time"),
        ("tomorrow", "not a date or time"),
        (None, "not a date or time"),
    ],
)
def test_moment_refuses_what_is_no_date_or_too_far_out(value, fragment):
    with pytest.raises(ValueError, match=fragment):
        validation.moment(value)


def test_month_reads_ascii_months_within_the_calendar_years():
    assert validation.month("2027-03") == date(2027, 3, 1)
    assert validation.month(" 2999-12 ") == date(2999, 12, 1)
    for value, fragment in [("9999-12", "out of range"), ("0001-01", "out of range"), ("٢٠٢٧-01", "not a month"),
                            ("2027-13", "not a month"), ("2027-3", "not a month"), ("2027-03-01", "not a month"),
                            (None, "not a month")]:
        with pytest.raises(ValueError, match=fragment):
            validation.month(value)


@pytest.mark.parametrize("value", ["²", "٣", "３", "1e3", "", " ", "1_000", "0x10", float("inf"), float("nan"), True, None])
def test_parse_whole_takes_ascii_digits_only(value):
    with pytest.raises(ValueError, match="not a whole number"):
        validation.parse_whole(value)


def test_parse_whole_refuses_a_number_of_a_million_digits_quickly():
    with pytest.raises(ValueError, match="far too large"):
        validation.parse_whole("9" * 1_000_000)


@pytest.mark.parametrize("value", [2**31, 2**70, "2147483648", "٣", "0", -1, "²"])
def test_record_id_refuses_what_no_row_has(value):
    with pytest.raises(ValueError, match="is not an id"):
        validation.record_id(value)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Two\r\nShores", "Two Shores"),
        ("Hall\nBcc: x@example.org", "Hall Bcc: x@example.org"),
        ("tab\there\x0bvt\x00nul", "tab here vt nul"),
        ("para\u2029graph\u2028line", "para graph line"),
        ("broken\ud800char", "broken\ufffdchar"),
        ("Սահման  sərhəd", "Սահման sərhəd"),
    ],
)
def test_one_line_keeps_stored_text_on_one_line(value, expected):
    assert validation.one_line(value) == expected
