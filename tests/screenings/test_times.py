"""Venue-local times: offsets, zone names, and the clock changes that make a wall time invalid."""

from __future__ import annotations

from datetime import datetime

import pytest

from archive.screenings import times

PARIS = times.zone("Europe/Paris")
YEREVAN = times.zone("Asia/Yerevan")


def test_local_time_without_offset_is_read_in_the_venue_zone():
    assert times.parse_start("2027-03-01T19:00", YEREVAN) == datetime(2027, 3, 1, 15, 0)
    assert times.parse_start("2027-07-01T19:00", PARIS) == datetime(2027, 7, 1, 17, 0)


def test_an_explicit_offset_wins_over_the_zone():
    assert times.parse_start("2027-03-01T19:00:00+02:00", YEREVAN) == datetime(2027, 3, 1, 17, 0)
    assert times.parse_start("2027-03-01T19:00Z", YEREVAN) == datetime(2027, 3, 1, 19, 0)


def test_a_skipped_local_time_is_refused_with_a_suggestion():
    with pytest.raises(ValueError, match=r"does not exist in Europe/Paris.*such as 03:30"):
        times.parse_start("2027-03-28T02:30", PARIS)


def test_an_ambiguous_local_time_asks_for_an_offset():
    with pytest.raises(ValueError, match=r"happens twice.*\+02:00 \(the first\).*\+01:00 \(the second\)"):
        times.parse_start("2027-10-31T02:30", PARIS)
    # With the offset it is clear which one is meant.
    assert times.parse_start("2027-10-31T02:30+01:00", PARIS) == datetime(2027, 10, 31, 1, 30)


@pytest.mark.parametrize("name", ["Mars/Olympus", "", "../../etc/passwd", "asia/yerevan", None])
def test_unknown_zones_are_refused(name):
    with pytest.raises(ValueError, match="not an IANA time zone"):
        times.zone(name)


@pytest.mark.parametrize("value", ["", "2027-03-01", "yesterday", "2027-13-01T19:00", None, 5])
def test_unreadable_starts_are_refused(value):
    with pytest.raises(ValueError):
        times.parse_start(value, YEREVAN)


def test_local_label_shows_offset_and_zone():
    assert times.local_label(datetime(2027, 3, 1, 15, 0), YEREVAN) == "2027-03-01 19:00 (UTC+04:00, Asia/Yerevan)"
    assert times.local_iso(datetime(2027, 3, 1, 15, 0), YEREVAN) == "2027-03-01T19:00:00+04:00"
