"""Subtitle files as they really arrive: encodings, line ends, sloppy times, markup, problems."""

from __future__ import annotations

import pytest

from archive.errors import ValidationError
from archive.subtitles.parsing import decode, parse, plain_text

RUSSIAN = ("Мы жили в этом доме двадцать лет. Когда началась война, нам пришлось уйти.\n"
           "Я помню, как мама плакала у ворот. Ёлка стояла во дворе, соседи ждали весны.")
TURKISH = "Bu evde yirmi yıl yaşadık. Savaş başladığında gitmek zorunda kaldık.\nŞahin, sınırın yakında açılacağını söyledi."
# Azerbaijani as Windows-1254 files carry it (the code page has no "ə").
AZERBAIJANI_1254 = "Qızlar ağacın altında oturub şeir oxuyurdular. Çiçek var.\nİnsanlar körpünün yanında gözlüyordu, Şahin de."
FRENCH = "Nous avons vécu vingt ans dans cette maison. Quand la guerre a commencé, nous avons dû partir."
ARMENIAN = "Մենք ապրում էինք սահմանին։ Երկխոսությունը սկսվեց գյուղում։"
AZERBAIJANI = "Biz bu evdə iyirmi il yaşadıq. Şahin xəbər gətirdi."


def srt_text(text: str) -> str:
    lines = text.split("\n")
    return "".join(f"{n}\n00:00:0{n},000 --> 00:00:0{n},900\n{line}\n\n" for n, line in enumerate(lines, start=1))


@pytest.mark.parametrize("text, encoding, reported", [
    (RUSSIAN, "cp1251", "cp1251"),
    (RUSSIAN, "koi8_r", "koi8_r"),
    ("Привет, как дела? Ёлка.", "cp1251", "cp1251"),
    ("Привет, как дела? Ёлка.", "koi8_r", "koi8_r"),
    (TURKISH, "cp1254", "cp1254"),
    (AZERBAIJANI_1254, "cp1254", "cp1254"),
    (FRENCH, "cp1252", "cp1252"),
    (ARMENIAN, "utf-8", "utf-8"),
    (AZERBAIJANI, "utf-8-sig", "utf-8-sig"),
    (ARMENIAN, "utf-16-le-bom", "utf-16-le"),
    (RUSSIAN, "utf-16-be-bom", "utf-16-be"),
])
def test_encodings_load_with_real_text(text, encoding, reported):
    source = srt_text(text)
    if encoding == "utf-16-le-bom":
        data = b"\xff\xfe" + source.encode("utf-16-le")
    elif encoding == "utf-16-be-bom":
        data = b"\xfe\xff" + source.encode("utf-16-be")
    else:
        data = source.encode(encoding)
    parsed = parse(data)
    assert parsed.encoding == reported
    assert [cue.plain for cue in parsed.cues] == text.split("\n")


@pytest.mark.parametrize("newline", ["\r\n", "\r", "\n"])
def test_line_ends_dot_times_and_no_final_blank_line(newline):
    source = newline.join(["1", "00:00:01.500 --> 00:00:03.250", "Barev", "", "2", "00:01:02,000 --> 00:01:04,5",
                           "Salam"])
    parsed = parse(source.encode())
    assert [(c.start, c.end, c.plain) for c in parsed.cues] == [(1.5, 3.25, "Barev"), (62.0, 64.5, "Salam")]
    assert parsed.source_format == "srt" and parsed.warnings == []


def test_markup_is_stripped_from_search_text_but_kept_for_players():
    source = "1\n00:00:01,000 --> 00:00:02,000\n{\\an8}<i>Hello</i> <font color=\"#ff0000\">there</font> &amp; more\n"
    cue = parse(source.encode()).cues[0]
    assert cue.plain == "Hello there & more"
    assert "<i>Hello</i>" in cue.text
    assert plain_text("<b>bold</b> <script>x</script>") == "bold <script>x</script>"


def test_webvtt_with_header_notes_styles_and_settings():
    source = ("WEBVTT - a title\n\nNOTE written by hand\n\nSTYLE\n::cue { color: red }\n\nintro\n"
              "00:01.000 --> 00:02.000 align:start position:10%\n<v Ani>Բարեւ</v>\n\n"
              "01:00:00.000 --> 01:00:01.000\nLast\n")
    parsed = parse(source.encode())
    assert parsed.source_format == "vtt"
    assert [(c.start, c.plain) for c in parsed.cues] == [(1.0, "Բարեւ"), (3600.0, "Last")]


def test_missing_blank_line_between_srt_cues():
    source = "1\n00:00:01,000 --> 00:00:02,000\nOne\n2\n00:00:03,000 --> 00:00:04,000\nTwo\n"
    assert [c.plain for c in parse(source.encode()).cues] == ["One", "Two"]


def test_warnings_report_problems_and_where():
    source = (
        "1\n00:00:10,000 --> 00:00:12,000\nSecond said first\n\n"
        "2\n00:00:01,000 --> 00:00:05,000\nFirst\n\n"
        "3\n00:00:04,000 --> 00:00:06,000\nOverlaps\n\n"
        "4\n00:00:07,000 --> 00:00:08,000\n<i></i>\n\n"
        "5\n00:00:99,000 --> 00:01:00,000\nBad time\n\n"
        "6\n00:02:00,000 --> 00:02:05,000\nAfter the end\n\n"
        "7\n00:00:20,000 --> 00:00:19,000\nBackwards\n"
    )
    parsed = parse(source.encode(), duration=100.0)
    codes = {w["code"]: w for w in parsed.warnings}
    assert set(codes) == {"out_of_order", "overlap", "empty", "unreadable", "past_end", "end_before_start"}
    assert codes["overlap"]["count"] == 1 and "0:04" in codes["overlap"]["message"]
    assert "1:40" in codes["past_end"]["message"]
    assert [c.plain for c in parsed.cues] == ["First", "Overlaps", "Second said first", "After the end"]


@pytest.mark.parametrize("data, fragment", [
    (b"", "empty"),
    (b"   \n\n", "empty"),
    (b"\x00\x01\x02binary\x00data", "binary"),
    (b"just some text\nwithout times\n", "No cues"),
    (b"\xef\xbb\xbf" + b"\xff\xfe broken", "is not valid UTF-8"),
])
def test_unreadable_files_are_refused_with_a_reason(data, fragment):
    with pytest.raises(ValidationError) as caught:
        parse(data)
    assert fragment in caught.value.errors["file"]


def test_decode_prefers_bom_then_strict_utf8():
    plain = decode("Ёлка".encode())
    assert (plain.text, plain.encoding, plain.clean) == ("Ёлка", "utf-8", True)
    marked = decode(b"\xef\xbb\xbf" + "Ёлка".encode())
    assert (marked.text, marked.encoding) == ("Ёлка", "utf-8-sig")
