"""Why a job failed is shown in the reader's language; ffmpeg's own words and file names stay as they are."""

from __future__ import annotations

import html

import pytest
from flask_babel import force_locale

from archive.extensions import db
from archive.jobs import reasons
from archive.jobs.models import Job
from archive.jobs.operations import drain, enqueue
from archive.media.errors import MediaError
from archive.media.ffmpeg import run
from archive.media.operations import LADDER_JOB
from tests.factories import attach_video, make_film

# An MP4 header, then nothing a demuxer can read: ffmpeg says "Invalid data found when processing input".
BROKEN = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + b"\x13" * 4000


def failed(kind: str):
    film = make_film("Broken reel", "public")
    media = attach_video(film, content=BROKEN)
    db.session.commit()
    job = enqueue(kind, {"media_id": media.id}, item_id=film.id)
    drain()
    db.session.expire_all()
    return film, media, db.session.get(Job, job.id)


def rows(staff, film, media, lang: str) -> tuple[str, dict]:
    data = staff.get(f"/manage/items/{film.id}/status.json?lang={lang}").get_json()
    return html.unescape(data["rows"][str(media.id)]), data["media"][0]


def test_a_failed_derive_job_shows_its_reason_in_russian_and_armenian(app, client_as):
    film, media, job = failed("derive")
    assert job.status == "failed"
    # The row keeps the English text for operators, and the key and values to write it in any language.
    assert job.error_code == "film_unreadable" and job.error_params["name"] == "border.mp4"
    assert job.error.startswith("border.mp4 looks like a MP4 film, but it cannot be read. Technical detail: ")
    detail = job.error_params["detail"]
    assert "Invalid data found" in detail
    staff = client_as("archivist")

    row, entry = rows(staff, film, media, "ru")
    assert "Файл border.mp4 похож на фильм в формате MP4, но его не удаётся прочитать. Технические подробности: " in row
    assert detail in row and "looks like" not in row and "Technical detail" not in row
    assert entry["job"]["error_code"] == "film_unreadable"
    assert entry["job"]["error"].startswith("Файл border.mp4 похож на фильм") and detail in entry["job"]["error"]

    row, entry = rows(staff, film, media, "hy")
    assert "border.mp4 ֆայլը նման է MP4 ձևաչափի ֆիլմի, սակայն հնարավոր չէ այն կարդալ։ Տեխնիկական մանրամասներ՝ " in row
    assert detail in row and "looks like" not in row
    assert entry["job"]["error_code"] == "film_unreadable"

    row, entry = rows(staff, film, media, "en")
    assert job.error in row and entry["job"]["error"] == job.error


def test_a_failed_ladder_job_shows_its_reason_in_russian_and_armenian(app, client_as, token_for):
    app.config.update(HLS_LADDER=True)
    film, media, job = failed(LADDER_JOB)
    assert job.status == "failed" and job.error_code == "unreadable_video"
    assert job.error.startswith("The file is not a video ffmpeg can read. Technical detail: border.mp4: ")
    detail = job.error_params["detail"]
    staff = client_as("archivist")

    row, entry = rows(staff, film, media, "ru")
    assert ("Не удалось подготовить версии для медленного соединения (адаптивная трансляция): "
            "Файл не является видео, которое может прочитать ffmpeg. Технические подробности: " + detail) in row
    assert entry["streaming"]["error_code"] == "unreadable_video"
    assert "not a video" not in entry["streaming"]["error"]

    row, entry = rows(staff, film, media, "hy")
    assert "Ֆայլը տեսանյութ չէ, որը ffmpeg-ը կարող է կարդալ։ Տեխնիկական մանրամասներ՝ " + detail in row
    assert entry["streaming"]["error_code"] == "unreadable_video"

    # The API answers in the language the program asks for, with the same stable code.
    api = staff.get(f"/api/v1/items/{film.id}", headers={**token_for("archivist"), "Accept-Language": "az"})
    streaming = api.get_json()["media"][0]["streaming"]
    assert streaming["error_code"] == "unreadable_video"
    assert streaming["error"].startswith("Fayl ffmpeg-in oxuya biləcəyi video deyil. Texniki təfərrüat: ")


def test_a_row_without_a_code_shows_its_stored_text(app, client_as):
    film = make_film("Old reel", "public")
    media = attach_video(film)
    db.session.add(Job(kind="derive", item_id=film.id, payload={"media_id": media.id}, status="failed",
                       error="the file is not a video ffmpeg can read: border.mp4: Invalid data found"))
    db.session.commit()
    staff = client_as("archivist")
    for lang in ("ru", "hy", "en"):
        row, entry = rows(staff, film, media, lang)
        assert "the file is not a video ffmpeg can read: border.mp4: Invalid data found" in row
        assert entry["job"]["error"] == "the file is not a video ffmpeg can read: border.mp4: Invalid data found"
        assert entry["job"]["error_code"] is None


def test_a_code_this_version_does_not_know_or_values_that_do_not_fit_show_the_stored_text(app):
    with app.test_request_context("/?lang=ru"), force_locale("ru"):
        assert Job(error="as stored", error_code="made_by_a_newer_version", error_params={}).reason == "as stored"
        assert Job(error="as stored", error_code="empty_file", error_params={}).reason == "as stored"
        assert Job(error="as stored", error_code="empty_file", error_params={"name": "a.mp4"}).reason == \
            "Файл a.mp4 пуст (0 байт). Загрузите файл ещё раз."


def test_a_timeout_names_the_step_that_ran_out_of_time_in_the_readers_language(app, tmp_path):
    with pytest.raises(MediaError) as caught:
        run(["sleep", "30"], 1, failure="proxy_failed")
    reason = caught.value.reason
    assert reason.code == "timeout" and reason.params["step"] == "proxy_failed"
    assert str(caught.value).startswith("The web version of the film cannot be made. ffmpeg took longer than 1 s")
    with app.test_request_context("/"), force_locale("ru"):
        shown = reasons.recorded(reason.code, reason.params, str(caught.value))
    assert shown.startswith("Не удаётся сделать веб-версию фильма. ffmpeg работал дольше 1 с и был остановлен.")


def test_a_failure_key_with_no_message_is_refused_where_it_is_written():
    with pytest.raises(KeyError):
        reasons.failure(MediaError, "no_such_reason")
    with pytest.raises(ValueError):
        run(["true"], 5, failure="the web proxy cannot be made")


@pytest.mark.parametrize("language", ["ru", "hy", "az"])
def test_every_reason_is_translated_with_its_values(app, language):
    sample = {"name": "border.mp4", "kind": "'x'", "error": "OSError", "tool": "ffmpeg", "path": "/usr/bin/ffmpeg",
              "seconds": 60, "container": "png_pipe", "format": "MP4", "codec": "hevc", "size": 10, "declared": 20,
              "limit": "200", "step": "proxy_failed", "detail": "Invalid data found when processing input"}
    with app.test_request_context("/"), force_locale(language):
        for code in reasons.MESSAGES:
            english = reasons.Reason(code, sample).english()
            shown = reasons.recorded(code, sample, "stored")
            assert shown not in ("stored", english), code
            assert shown.endswith("Invalid data found when processing input"), code
