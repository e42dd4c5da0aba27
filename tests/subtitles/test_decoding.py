"""Files the encoding detector guesses wrong, and text the parser used to lose without a word."""

from __future__ import annotations

import pytest

from archive.errors import ValidationError
from archive.subtitles.parsing import ENCODING_CHOICES, parse

CZECH = "Příliš žluťoučký kůň úpěl ďábelské ódy.\nŤuk, ťuk, Ďábel šel domů."
# Windows-1252 has Ž (0x8E) and Ý (0xDD); Windows-1254 has no 0x8E, and 0xDD is its İ.
ZY_1252 = "Žofie a Ýmir šli domu, señor Žižek.\nÝdalir a Ž."
RUSSIAN = "Привет, как дела? Мы жили в этом доме.\nЁлка стояла во дворе, соседи ждали весны."


def srt_text(text: str) -> str:
    return "".join(f"{n}\n00:00:0{n},000 --> 00:00:0{n},900\n{line}\n\n" for n, line in enumerate(text.split("\n"), 1))


def codes(parsed) -> set[str]:
    return {warning["code"] for warning in parsed.warnings}


def test_windows_1250_czech_with_bytes_windows_1252_lacks_reads_as_czech():
    parsed = parse(srt_text(CZECH).encode("cp1250"))
    assert parsed.encoding == "cp1250"
    assert [cue.plain for cue in parsed.cues] == CZECH.split("\n")


def test_windows_1252_with_z_caron_and_y_acute_is_not_forced_into_windows_1254():
    parsed = parse(srt_text(ZY_1252).encode("cp1252"))
    assert parsed.encoding == "cp1252"
    assert [cue.plain for cue in parsed.cues] == ZY_1252.split("\n")


def test_windows_1251_with_an_undefined_byte_is_read_with_a_warning_that_says_where():
    data = srt_text(RUSSIAN).encode("cp1251").replace("дела".encode("cp1251"), b"\x98\xe5\xeb\xe0")
    parsed = parse(data)
    assert parsed.encoding == "cp1251" and not parsed.decoded_cleanly
    assert parsed.cues[0].plain == "Привет, как \ufffdела? Мы жили в этом доме."
    [warning] = [w for w in parsed.warnings if w["code"] == "undecodable"]
    assert "Windows-1251" in warning["message"] and "line 3" in warning["message"]
    assert "encoding" in warning["message"]  # it says what to do: choose the encoding


def test_a_file_mixing_utf8_and_windows_1251_reads_each_line_in_its_own_encoding():
    data = srt_text(RUSSIAN.split("\n")[0]).encode("cp1251") + b"\n" + (
        "2\n00:00:05,000 --> 00:00:06,000\nЕщё раз, шум и Ивана\n").encode()
    parsed = parse(data)
    assert [cue.plain for cue in parsed.cues] == [RUSSIAN.split("\n")[0], "Ещё раз, шум и Ивана"]
    assert parsed.encoding == "utf-8+cp1251"
    assert "mixed" in codes(parsed)


def test_the_archivist_can_choose_the_encoding():
    data = srt_text(CZECH.replace("ť", "t").replace("Ť", "T")).encode("cp1250")
    parsed = parse(data, encoding="cp1250")
    assert parsed.encoding == "cp1250" and parsed.cues[1].plain == "Tuk, tuk, Ďábel šel domů."
    assert "cp1250" in ENCODING_CHOICES and "big5" in ENCODING_CHOICES
    with pytest.raises(ValidationError) as caught:
        parse(data, encoding="klingon-8")
    assert "klingon-8" in caught.value.errors["encoding"] and "cp1250" in caught.value.errors["encoding"]


def test_a_chosen_encoding_that_does_not_fit_replaces_and_warns():
    parsed = parse(srt_text("Ok\nŠ").encode("cp1250") + b"\x98", encoding="cp1250")
    assert "undecodable" in codes(parsed) and not parsed.decoded_cleanly


def test_a_whitespace_only_line_inside_a_cue_keeps_the_lines_after_it():
    source = "1\n00:00:01,000 --> 00:00:02,000\nFirst line\n   \nSecond line\n\n2\n00:00:03,000 --> 00:00:04,000\nNext\n"
    assert [c.plain for c in parse(source.encode()).cues] == ["First line\nSecond line", "Next"]


def test_lines_of_spaces_between_cues_with_numbers_out_of_sequence_still_separate_them():
    source = "5\n00:00:01,000 --> 00:00:02,000\nA\n \n9\n00:00:03,000 --> 00:00:04,000\nB\n \n"
    assert [c.plain for c in parse(source.encode()).cues] == ["A", "B"]


def test_a_digits_only_last_line_right_before_a_timing_line_is_kept_as_text():
    source = ("1\n00:00:01,000 --> 00:00:02,000\nThe year was\n1994\n00:00:03,000 --> 00:00:04,000\nThen\n\n"
              "3\n00:00:05,000 --> 00:00:06,000\nSeven\n4\n00:00:07,000 --> 00:00:08,000\nEight\n")
    assert [c.plain for c in parse(source.encode()).cues] == ["The year was\n1994", "Then", "Seven", "Eight"]


def test_nul_bytes_become_replacement_characters_as_webvtt_says():
    source = b"WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nHel\x00lo\n\n00:00:03.000 --> 00:00:04.000\nWorld\n"
    parsed = parse(source)
    assert [c.plain for c in parsed.cues] == ["Hel\ufffdlo", "World"]
    [warning] = [w for w in parsed.warnings if w["code"] == "nul"]
    assert "line 4" in warning["message"]
    utf16 = parse(b"\xff\xfe" + "1\n00:00:01,000 --> 00:00:02,000\nA\x00B\n".encode("utf-16-le"))
    assert utf16.cues[0].plain == "A\ufffdB"


def test_a_real_binary_file_is_still_refused_as_binary():
    with pytest.raises(ValidationError, match="binary"):
        parse(b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom\x00\x00\x00\x08free" + bytes(range(256)))
