"""Uploads are refused, and media pages written, in the interface language; error codes stay the same."""

from __future__ import annotations

from babel import Locale
from babel.numbers import format_decimal
from babel.units import format_unit
from flask_babel import refresh

from archive.i18n.formats import file_size
from archive.media.labels import stage_label, status_label
from tests.factories import make_film, make_photo

NOT_MEDIA = b"These are meeting notes, not a film.\n" * 200


def upload(client, headers, item_id, data: bytes, filename="border.mp4"):
    return client.post(f"/api/v1/items/{item_id}/media?filename={filename}", headers=headers, data=data,
                       content_type="application/octet-stream")


def test_upload_refusal_in_azerbaijani_keeps_its_code(app, client, token_for):
    film = make_film("The Border", "public")
    english = upload(client, token_for("archivist"), film.id, NOT_MEDIA)
    azerbaijani = upload(client, {**token_for("archivist"), "Accept-Language": "az"}, film.id, NOT_MEDIA)
    assert english.status_code == azerbaijani.status_code == 422
    assert english.get_json()["error"]["code"] == azerbaijani.get_json()["error"]["code"] == "invalid_media"
    message = azerbaijani.get_json()["error"]["message"]
    assert message.startswith("Bu, arxivin oxuya biləcəyi film və ya fotoşəkil deyil")
    assert "Fotoşəkillər: JPEG, PNG, TIFF, WebP." in message and "not a film" not in message
    assert azerbaijani.headers["Content-Language"] == "az"


def test_duplicate_and_oversized_uploads_in_russian_keep_their_codes(app, client, token_for, samples):
    photo = make_photo("Portrait", "public")
    headers = {**token_for("archivist"), "Accept-Language": "ru"}
    data = samples["photo"].read_bytes()
    assert upload(client, headers, photo.id, data, "portrait.jpg").status_code == 201
    again = upload(client, headers, photo.id, data, "copy.jpg")
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "duplicate"
    assert again.get_json()["error"]["message"].startswith("Этот файл уже есть в архиве")
    app.config["MAX_UPLOAD_BYTES"] = 1000
    big = client.post(f"/api/v1/items/{photo.id}/media?filename=big.jpg", headers=headers, data=data,
                      content_type="application/octet-stream")
    assert big.status_code == 413
    size, limit = format_decimal(len(data), locale="ru"), format_decimal(1000, locale="ru")
    assert big.get_json()["error"]["message"] == f"Размер загрузки в байтах — {size}, а этот архив принимает не более {limit}."


def test_sizes_states_and_stages_follow_the_interface_language(app):
    with app.test_request_context(headers={"Accept-Language": "ru"}):
        refresh()
        assert file_size(12_300_000) == format_unit(12.3, "digital-megabyte", length="short", locale=Locale("ru"))
        assert file_size(512) == format_unit(512, "digital-byte", length="short", locale=Locale("ru"))
        assert status_label("queued") == "ожидает обработки"
        assert stage_label("making the web version") == "создание веб-версии"
        assert stage_label("checked 3 of 10") == "проверено 3 из 10"
        assert stage_label("something new") == "something new"
    with app.test_request_context():
        refresh()
        assert file_size(12_300_000) == "12.3 MB" and status_label("running") == "being processed"


def test_upload_page_in_armenian(app, client_as, token_for, client, samples):
    photo = make_photo("Portrait", "public")
    data = samples["photo"].read_bytes()
    assert upload(client, token_for("archivist"), photo.id, data, "portrait.jpg").status_code == 201
    page = client_as("archivist").get(f"/manage/items/{photo.id}/media?lang=hy").get_data(as_text=True)
    with app.test_request_context(headers={"Accept-Language": "hy"}):
        refresh()
        size = file_size(len(data))
    assert "Վերբեռնել" in page and "Ներբեռնել բնօրինակը" in page  # Upload, Download original
    assert f"<td>{size}</td>" in page and "MiB" not in page
    assert "սպասում է մշակման" in page  # queued, by its label
    assert 'data-status="queued"' in page  # the upload script still reads the state, whatever the language
