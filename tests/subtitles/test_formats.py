"""WebVTT and SRT output: normalised, safe markup, exact times."""

from __future__ import annotations

from archive.subtitles.formats import to_srt, to_vtt
from archive.subtitles.parsing import ParsedCue, parse


def cue(start, end, text):
    return ParsedCue(start, end, text, text)


def test_vtt_output_is_normalised_and_safe():
    cues = [cue(1.5, 3.0, "<i>Salam</i> {\\an8}<font color=red>dost</font>"),
            cue(3661.001, 3662.0, "a < b & <script>x</script>\n\nline --> two")]
    assert to_vtt(cues) == (
        "WEBVTT\n\n1\n00:00:01.500 --> 00:00:03.000\n<i>Salam</i> dost\n\n"
        "2\n01:01:01.001 --> 01:01:02.000\na &lt; b &amp; &lt;script&gt;x&lt;/script&gt;\nline --&gt; two\n"
    )


def test_srt_output_round_trips_through_the_parser():
    cues = [cue(0.0, 1.25, "Ёлка <b>стояла</b>"), cue(2.0, 3.0, "Երկխոսություն")]
    text = to_srt(cues)
    assert text.startswith("1\n00:00:00,000 --> 00:00:01,250\nЁлка <b>стояла</b>\n\n2\n")
    again = parse(text.encode("utf-8")).cues
    assert [(c.start, c.end, c.plain) for c in again] == [(0.0, 1.25, "Ёлка стояла"), (2.0, 3.0, "Երկխոսություն")]
    vtt_again = parse(to_vtt(cues).encode()).cues
    assert [(c.start, c.plain) for c in vtt_again] == [(0.0, "Ёлка стояла"), (2.0, "Երկխոսություն")]
