"""Files the detector cannot read cleanly: the API says so and takes ?encoding=, the page offers a choice."""

from __future__ import annotations

import io
import re

import pytest

from archive.subtitles import operations
from tests.factories import make_film

RUSSIAN = "Привет, как дела? Мы жили в этом доме.\nЁлка стояла во дворе, соседи ждали весны."
CZECH = "Příliš žluťoučký kůň úpěl ďábelské ódy.\nDěti čekaly u řeky, když přišla zpráva o míru."


def srt(text: str) -> str:
    return "".join(f"{n}\n00:00:0{n},000 --> 00:00:0{n},900\n{line}\n\n" for n, line in enumerate(text.split("\n"), 1))


# Windows-1251 with 0x98, a byte that code page leaves undefined: no candidate reads every byte.
BROKEN_1251 = srt(RUSSIAN).encode("cp1251").replace("дела".encode("cp1251"), b"\x98\xe5\xeb\xe0")
# Czech in Windows-1250 without the bytes Windows-1252 lacks: it decodes, into the wrong letters.
CZECH_1250 = srt(CZECH.replace("ť", "t")).encode("cp1250")


@pytest.fixture
def item(app):
    return make_film("Border", "public")


def upload(client, headers, item_id, data, **query):
    return client.post(f"/api/v1/items/{item_id}/subtitles", query_string={"lang": "ru", "filename": "ru.srt", **query},
                       data=data, headers=headers)


def test_api_refuses_a_file_no_encoding_reads_then_takes_the_one_named(app, client, token_for, item):
    headers = token_for("archivist")
    refused = upload(client, headers, item.id, BROKEN_1251)
    assert refused.status_code == 422
    message = refused.get_json()["error"]["fields"]["encoding"]
    assert "Windows-1251" in message and "line 3" in message and "?encoding=" in message and "cp1250" in message
    assert operations.tracks_of(item) == []

    saved = upload(client, headers, item.id, BROKEN_1251, encoding="cp1251")
    assert saved.status_code == 201, saved.get_data(as_text=True)
    body = saved.get_json()
    assert body["encoding"] == "cp1251" and "undecodable" in {w["code"] for w in body["warnings"]}
    assert "Ёлка" in client.get(body["track"]["vtt_url"].replace("http://localhost", "")).get_data(as_text=True)


def test_api_refuses_an_unknown_encoding_with_the_list(app, client, token_for, item):
    response = upload(client, token_for("archivist"), item.id, BROKEN_1251, encoding="ebcdic-klingon")
    assert response.status_code == 422
    assert "cp1251" in response.get_json()["error"]["fields"]["encoding"]


def test_api_reads_windows_1250_when_told(app, client, token_for, item):
    guessed = upload(client, token_for("archivist"), item.id, CZECH_1250, lang="cs").get_json()
    assert "language" in {w["code"] for w in guessed["warnings"]}  # read as Windows-1252: wrong letters, flagged
    told = upload(client, token_for("archivist"), item.id, CZECH_1250, lang="cs", encoding="cp1250").get_json()
    assert told["encoding"] == "cp1250" and told["warnings"] == []


def test_preview_page_shows_the_problem_and_reads_again_in_the_chosen_encoding(app, client_as, item):
    browser = client_as("archivist")
    manage = browser.get(f"/manage/items/{item.id}/subtitles").get_data(as_text=True)
    assert '<select name="encoding"' in manage and 'value="cp1250"' in manage

    preview = browser.post(f"/manage/items/{item.id}/subtitles/preview",
                           data={"lang": "cs", "label": "Česky", "file": (io.BytesIO(CZECH_1250), "cs.srt")},
                           content_type="multipart/form-data")
    page = preview.get_data(as_text=True)
    assert preview.status_code == 200 and "does not look like cs" in page and '<select name="encoding"' in page
    token = re.search(r'name="token" value="([^"]+)"', page).group(1)

    again = browser.post(f"/manage/items/{item.id}/subtitles/confirm",
                         data={"token": token, "action": "reread", "encoding": "cp1250"})
    page = again.get_data(as_text=True)
    assert again.status_code == 200 and "Windows-1250" in page and "No problems found" in page
    assert "Děti čekaly u řeky" in page
    token = re.search(r'name="token" value="([^"]+)"', page).group(1)
    saved = browser.post(f"/manage/items/{item.id}/subtitles/confirm", data={"token": token, "action": "save"})
    assert saved.status_code == 302
    [track] = operations.tracks_of(item)
    assert (track.lang, track.label, track.encoding, track.warnings) == ("cs", "Česky", "cp1250", [])
    assert operations.cues_of(track)[1].plain == "Děti čekaly u řeky, když přišla zpráva o míru."


def test_preview_page_shows_replaced_bytes_instead_of_failing(app, client_as, item):
    browser = client_as("archivist")
    preview = browser.post(f"/manage/items/{item.id}/subtitles/preview",
                           data={"lang": "ru", "file": (io.BytesIO(BROKEN_1251), "ru.srt")},
                           content_type="multipart/form-data")
    page = preview.get_data(as_text=True)
    assert preview.status_code == 200 and "not valid Windows-1251" in page and "line 3" in page


def test_the_upload_form_takes_the_encoding_up_front(app, client_as, item):
    browser = client_as("archivist")
    preview = browser.post(f"/manage/items/{item.id}/subtitles/preview",
                           data={"lang": "cs", "encoding": "cp1250", "file": (io.BytesIO(CZECH_1250), "cs.srt")},
                           content_type="multipart/form-data")
    page = preview.get_data(as_text=True)
    assert preview.status_code == 200 and 'id="report-encoding">Windows-1250<' in page
    bad = browser.post(f"/manage/items/{item.id}/subtitles/preview",
                       data={"lang": "cs", "encoding": "nope", "file": (io.BytesIO(CZECH_1250), "cs.srt")},
                       content_type="multipart/form-data")
    assert bad.status_code == 422 and "is not an encoding this archive reads" in bad.get_data(as_text=True)
