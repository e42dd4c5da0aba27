"""What storage tells a person, in the interface language."""

from __future__ import annotations

from archive.storage import FilesystemStorage
from archive.storage.base import HashingReader, ObjectTooLarge, doing


def test_a_broken_file_link_is_refused_in_the_readers_language(client):
    response = client.get("/files/not-a-signed-link", headers={"Accept-Language": "ru"})
    assert response.status_code == 403
    assert response.get_data(as_text=True) == "Эта ссылка недействительна.\n"
    assert client.get("/files/not-a-signed-link?lang=hy").get_data(as_text=True) == "Այս հղումն անվավեր է։\n"


def test_an_upload_over_the_limit_is_refused_in_the_language(app):
    import io

    with app.app_context(), app.test_request_context("/", headers={"Accept-Language": "az"}):
        reader = HashingReader(io.BytesIO(b"x" * 20), max_bytes=10)
        try:
            reader.read()
        except ObjectTooLarge as exc:
            assert str(exc) == "Yüklənən fayl 10 bayt (0.0 MiB) həddini aşır; heç nə saxlanılmadı."
        else:
            raise AssertionError("the upload over the limit was accepted")


def test_a_disk_failure_says_what_was_being_done_in_a_whole_sentence(app, tmp_path):
    storage = FilesystemStorage(str(tmp_path))
    with app.app_context(), app.test_request_context("/", headers={"Accept-Language": "ru"}):
        error = storage._error(PermissionError(13, "Permission denied"), doing("read", "media/ab/cd"))
    assert str(error).startswith(f"Не удалось прочитать «media/ab/cd» в папке хранилища {tmp_path}: Permission denied.")
    english = storage._error(PermissionError(13, "Permission denied"), doing("read", "media/ab/cd"))
    assert str(english).startswith(f"Cannot read 'media/ab/cd' in the storage folder {tmp_path}: Permission denied.")
