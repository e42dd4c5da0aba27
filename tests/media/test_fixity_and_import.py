"""`flask fixity check` and `flask media import`, as an operator runs them."""

from __future__ import annotations

import io
import shutil

from sqlalchemy import func, select

from archive.catalogue.models import Collection, Item
from archive.extensions import db
from archive.jobs.models import Job
from archive.media.models import MediaFile
from archive.storage import get_storage


def import_folder(app, *args):
    return app.test_cli_runner().invoke(args=["media", "import", *map(str, args)])


def test_import_walks_folders_skips_duplicates_and_can_run_again(app, samples, tmp_path):
    folder = tmp_path / "incoming"
    (folder / "films").mkdir(parents=True)
    shutil.copy(samples["film"], folder / "films" / "border.mp4")
    shutil.copy(samples["photo"], folder / "portrait.jpg")
    shutil.copy(samples["photo"], folder / "portrait-copy.jpg")  # same bytes: one is skipped
    (folder / ".DS_Store").write_bytes(b"junk")
    metadata = tmp_path / "metadata.csv"
    metadata.write_text(
        "file,title_en,title_hy,year,visibility,credits\n"
        "border.mp4,The Border,Սահման,2019,public,Ani Petrosyan|director\n",
        encoding="utf-8",
    )

    first = import_folder(app, folder, "--collection", "Village voices", "--metadata", metadata)
    assert first.exit_code == 0, first.output
    assert "2 imported, 1 skipped" in first.output
    film = db.session.scalar(select(Item).where(Item.kind == "film"))
    assert film.title == {"en": "The Border", "hy": "Սահման"} and film.year == 2019 and film.visibility == "public"
    assert film.credits[0].person.name == "Ani Petrosyan"
    photo = db.session.scalar(select(Item).where(Item.kind == "photo"))
    assert photo.visibility == "restricted"  # nothing is published without a decision
    assert [c.title["en"] for c in film.collections] == ["Village voices"]
    assert db.session.scalar(select(func.count(Job.id)).where(Job.kind == "derive")) == 2

    again = import_folder(app, folder, "--collection", "Village voices", "--metadata", metadata)
    assert again.exit_code == 0
    assert "0 imported, 3 skipped" in again.output
    assert db.session.scalar(select(func.count(Item.id))) == 2
    assert db.session.scalar(select(func.count(Collection.id))) == 1


def test_import_reports_bad_files_and_exits_non_zero(app, samples, tmp_path):
    folder = tmp_path / "incoming"
    folder.mkdir()
    shutil.copy(samples["text"], folder / "notes.mp4")
    shutil.copy(samples["photo"], folder / "ok.jpg")
    result = import_folder(app, folder)
    assert result.exit_code == 1
    assert "failed: " in result.output and "notes.mp4" in result.output and "not a film or photograph" in result.output
    assert "1 imported, 0 skipped" in result.output and "1 failed" in result.output
    assert db.session.scalar(select(func.count(Item.id))) == 1
    assert len(list(get_storage().list("originals"))) == 1


def test_import_refuses_a_metadata_file_with_unknown_columns(app, samples, tmp_path):
    metadata = tmp_path / "metadata.csv"
    metadata.write_text("file,titel\nx.jpg,oops\n")
    result = import_folder(app, samples["photo"], "--metadata", metadata)
    assert result.exit_code == 1 and "Unknown column 'titel'" in result.output
    assert db.session.scalar(select(func.count(Item.id))) == 0


def test_import_with_invalid_metadata_values_stores_nothing_for_that_file(app, samples, tmp_path):
    metadata = tmp_path / "metadata.csv"
    metadata.write_text(f"file,year\n{samples['photo'].name},99999\n")
    result = import_folder(app, samples["photo"], "--metadata", metadata)
    assert result.exit_code == 1 and "between 1850 and 2100" in result.output
    assert list(get_storage().list("originals")) == []


def _stored(app, samples):
    import_folder(app, samples["photo"], samples["film"])
    return db.session.scalars(select(MediaFile).order_by(MediaFile.id)).all()


def test_fixity_passes_on_intact_originals(app, samples):
    _stored(app, samples)
    result = app.test_cli_runner().invoke(args=["fixity", "check", "--all"])
    assert result.exit_code == 0, result.output
    assert "Checked 2 original(s): 2 intact, 0 with problems." in result.output


def test_fixity_reports_a_changed_and_a_missing_original(app, samples):
    photo, film = _stored(app, samples)
    storage = get_storage()
    storage.delete(film.storage_key)
    # Replace the photo's bytes behind the archive's back (as bit rot or tampering would).
    storage.delete(photo.storage_key)
    replacement = storage.save(io.BytesIO(b"\xff\xd8\xff tampered"), prefix="originals")
    db.session.execute(
        MediaFile.__table__.update().where(MediaFile.id == photo.id).values(storage_key=replacement.key)
    )
    db.session.commit()

    result = app.test_cli_runner().invoke(args=["fixity", "check"])
    assert result.exit_code == 1
    assert f"MISMATCH media {photo.id}" in result.output
    assert f"MISSING  media {film.id}" in result.output
    assert "2 with problems" in result.output
    db.session.expire_all()
    assert db.session.get(MediaFile, photo.id).fixity_ok is False


def test_fixity_page_shows_the_last_result(app, samples, client_as):
    photo, film = _stored(app, samples)
    get_storage().delete(film.storage_key)
    app.test_cli_runner().invoke(args=["fixity", "check", "--all"])
    page = client_as("admin").get("/admin/fixity").get_data(as_text=True)
    assert "2 original(s) checked, 1 intact, 1 with problems" in page
    assert film.filename in page


def test_fixity_page_before_any_check(client_as):
    assert "No fixity check has run yet." in client_as("admin").get("/admin/fixity").get_data(as_text=True)
