"""Text read in the wrong encoding stops looking like the track's language: the archivist is told."""

from __future__ import annotations

import pytest

from archive.subtitles import operations
from archive.subtitles.languages import mismatch_warning
from tests.factories import make_film

# Czech without ť, Ť or Ź: every byte is also Windows-1252, so it decodes "cleanly" into other letters.
CZECH = ("Příliš žluťoučký kůň úpěl ďábelské ódy. Čeřovský řekl, že se vrátí.\n"
         "Děti čekaly u řeky, když přišla zpráva o míru.").replace("ť", "t")
CHINESE = "我們在邊境上生活了二十年。\n對話從村子裡開始，大家都在等待和平。"
ARMENIAN = "Մենք ապրում էինք սահմանին։ Երկխոսությունը սկսվեց գյուղում։\nԲոլորը սպասում էին խաղաղության։"
RUSSIAN = "Мы жили в этом доме двадцать лет. Когда началась война, нам пришлось уйти.\nЁлка стояла во дворе."
AZERBAIJANI = "Biz bu evdə iyirmi il yaşadıq. Şahin xəbər gətirdi, qızlar ağacın altında gözlədi.\nSülh gələcək."
ENGLISH = "We lived in this house for twenty years, said José Müller.\nThen the war came to the village."


def srt(text: str) -> bytes:
    return "".join(f"{n}\n00:00:0{n},000 --> 00:00:0{n},900\n{line}\n\n"
                   for n, line in enumerate(text.split("\n"), 1)).encode("utf-8")


def warning_codes(track_report: dict) -> set[str]:
    return {warning["code"] for warning in track_report["warnings"]}


@pytest.mark.parametrize("text, encoding, lang", [
    (CZECH, "cp1250", "cs"),
    (CHINESE, "big5", "zh"),
    (RUSSIAN, "utf-8", "hy"),  # the right letters, the wrong language tag
])
def test_text_that_does_not_look_like_its_language_is_flagged(app, text, encoding, lang):
    item = make_film("Border", "public")
    data = srt(text).decode().encode(encoding)
    track, report = operations.create_track(item, lang, data, "x.srt")
    [warning] = [w for w in report["warnings"] if w["code"] == "language"]
    assert f"does not look like {lang}" in warning["message"] and "encoding" in warning["message"]
    assert track.warnings == report["warnings"]  # kept with the track, shown on the manage page


@pytest.mark.parametrize("text, encoding, lang", [
    (ARMENIAN, "utf-8", "hy"),
    (RUSSIAN, "cp1251", "ru"),
    (RUSSIAN, "koi8_r", "ru"),
    (AZERBAIJANI, "utf-8", "az"),
    (ENGLISH, "utf-8", "en"),
    (CZECH, "cp1250", "cs"),  # read right once the archivist says Windows-1250
    (CHINESE, "utf-8", "zh-Hant"),
    (RUSSIAN, "utf-8", "x-unknown"),
])
def test_text_that_fits_its_language_is_not_flagged(app, text, encoding, lang):
    item = make_film("Border", "public")
    chosen = "cp1250" if encoding == "cp1250" else None
    _, report = operations.create_track(item, lang, srt(text).decode().encode(encoding), "x.srt", encoding=chosen)
    assert "language" not in warning_codes(report), report["warnings"]


def test_a_few_foreign_names_in_a_long_track_are_fine_and_script_tags_are_not_checked():
    assert mismatch_warning("ru", [RUSSIAN, "Интервью вёл José Müller."]) is None
    assert mismatch_warning("sr-Latn", ["Ovo je tekst na latinici."]) is None
    assert mismatch_warning("hy", ["Hello, this track is all in English, not in Armenian at all."])["code"] == "language"
