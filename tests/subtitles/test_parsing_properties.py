"""Whatever bytes arrive, the parser answers with cues or its own ValidationError, never anything else."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from archive.errors import ValidationError
from archive.subtitles.parsing import ENCODING_CHOICES, parse
from tests.factories import make_film

LEGACY = ("cp1250", "cp1251", "cp1252", "cp1254", "koi8_r", "big5", "cp866", "iso8859_7")
PROPERTIES = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def timing_line() -> st.SearchStrategy[str]:
    """Timing lines as they come: good, sloppy, impossible, and with settings after them."""
    part = st.from_regex(r"\A(\d{1,3}:)?\d{1,2}:\d{1,2}([,.:]\d{1,4})?\Z")
    return st.builds(lambda a, arrow, b, tail: f"{a}{arrow}{b}{tail}", part,
                     st.sampled_from([" --> ", "-->", " -> ", " --> --> "]), part,
                     st.sampled_from(["", " align:start", "  position:10%", "\t"]))


def legacy_text() -> st.SearchStrategy[bytes]:
    """Text in a legacy encoding, as much of it as the encoding can hold."""
    return st.builds(lambda text, encoding: text.encode(encoding, "ignore"),
                     st.text(min_size=1, max_size=80), st.sampled_from(LEGACY))


def cue_block() -> st.SearchStrategy[bytes]:
    body = st.one_of(legacy_text(), st.binary(max_size=40), st.text(max_size=40).map(lambda t: t.encode("utf-8", "surrogatepass")))
    number = st.one_of(st.just(b""), st.integers(0, 10**6).map(lambda n: f"{n}\n".encode()), st.just("²\n".encode()))
    return st.builds(lambda n, t, b, end: n + t.encode() + b"\n" + b + end,
                     number, timing_line(), body, st.sampled_from([b"\n\n", b"\n", b"\r\n\r\n", b"\r", b""]))


def subtitle_file() -> st.SearchStrategy[bytes]:
    header = st.sampled_from([b"", b"WEBVTT\n\n", b"\xef\xbb\xbf", b"\xef\xbb\xbfWEBVTT\n\n", b"\xff\xfe", b"\xfe\xff"])
    return st.builds(lambda h, blocks: h + b"".join(blocks), header, st.lists(cue_block(), max_size=8))


def only_validation_errors(data: bytes, **options) -> None:
    try:
        parsed = parse(data, **options)
    except ValidationError as exc:
        assert exc.errors and all(isinstance(message, str) and message for message in exc.errors.values())
        return
    assert parsed.cues
    for cue in parsed.cues:
        assert "\x00" not in cue.text and cue.plain and cue.end >= cue.start
        cue.text.encode("utf-8")  # no lone surrogates: every cue can be stored and served


@PROPERTIES
@given(st.binary(max_size=600))
def test_random_bytes(data):
    only_validation_errors(data)


@PROPERTIES
@given(subtitle_file())
def test_random_cues_with_legacy_text_and_timing_lines(data):
    only_validation_errors(data)


@PROPERTIES
@given(subtitle_file(), st.sampled_from(sorted(ENCODING_CHOICES)))
def test_random_cues_read_in_a_chosen_encoding(data, encoding):
    only_validation_errors(data, encoding=encoding)


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(data=subtitle_file(), lang=st.sampled_from(["hy", "az", "ru", "en", "cs", "zh"]),
       encoding=st.sampled_from([None, "cp1251", "cp1250", "big5"]))
def test_the_upload_api_answers_201_or_422_never_500(app, client, token_for, data, lang, encoding):
    item_id = make_film("Border", "public").id
    query = {"lang": lang, "filename": "x.srt", **({"encoding": encoding} if encoding else {})}
    response = client.post(f"/api/v1/items/{item_id}/subtitles", query_string=query, data=data,
                           headers=token_for("archivist"))
    assert response.status_code in (201, 422), response.get_data(as_text=True)
    body = response.get_json()
    if response.status_code == 422:
        assert body["error"]["fields"] and all(body["error"]["fields"].values())
    else:
        vtt = client.get(body["track"]["vtt_url"].replace("http://localhost", ""))
        assert vtt.status_code == 200 and vtt.get_data(as_text=True).startswith("WEBVTT")
