"""``flask backup`` then ``flask restore`` into a fresh database: identical tables, identical search results.

Embedded: the restore goes into a new SQLite file beside a copy of the storage folder. Scaled: into
a second PostgreSQL database, over the same Ceph bucket. Then the bad inputs: where a backup cannot
be written, backups that cannot be read, objects gone from the storage, a database that is not empty.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import sqlalchemy as sa

from archive.extensions import db
from archive.jobs.operations import drain
from archive.search import indexer
from archive.storage import get_storage
from tests.conftest import POSTGRES_URL, _create_database_if_missing, running_app
from tests.factories import attach_video, make_film, make_licence, make_photo, make_venue
from tests.search.helpers import srt

QUERIES = ["border", "\"the river\"", "границы", "sərhəddə", "սահմանին", "river kind:film", "bridge", "nothing-here"]
SMTP_PASSWORD = "hunter2-smtp"


@pytest.fixture
def archive(app, users):
    """A small archive: films with subtitles in four languages and media objects, a restricted film, a photo, a venue."""
    border = make_film("Life at the border", year=2019, tracks={
        "en": srt((1.0, 3.5, "We lived by the border for twenty years."), (4.0, 6.0, "The river was the border.")),
        "ru": srt((2.0, 4.0, "Мы жили у границы двадцать лет.")),
        "az": srt((3.0, 5.0, "İnsanlar sərhəddə yaşayırdılar.")),
        "hy": srt((5.0, 7.0, "Մենք ապրում էինք սահմանին։")),
    })
    hidden = make_film("Closed interviews", visibility="restricted",
                       tracks={"en": srt((1.0, 2.0, "Nobody crossed the bridge."))})
    attach_video(border, proxy=b"proxy bytes", poster=b"\xff\xd8 poster", storyboard=2)
    attach_video(hidden, content=b"\x00\x00\x00\x18ftypmp42 restricted bytes")
    make_photo("Portrait by the river")
    make_licence(border)
    make_venue()
    drain()
    # Rebuilt as the restore rebuilds it: scores (so the order of equal matches) follow the index's
    # deleted documents and segments, which an incrementally written index has and a rebuilt one not.
    indexer.rebuild()
    return {"border": border, "hidden": hidden}


@pytest.fixture
def small_archive(app):
    """One film with a track and stored media: enough for the bad inputs."""
    film = make_film("Life at the border", tracks={"en": srt((1.0, 3.5, "We lived by the border."))})
    attach_video(film, poster=b"\xff\xd8 poster")
    return film


def _cli(application, *args):
    return application.test_cli_runner().invoke(args=list(args))


def _tables() -> dict[str, list[tuple]]:
    """Every row of every table, in primary-key order."""
    rows = {}
    for table in db.metadata.sorted_tables:
        rows[table.name] = [tuple(row) for row in db.session.execute(sa.select(table).order_by(*table.primary_key.columns))]
    return rows


def _searches(application, headers) -> dict[str, object]:
    client = application.test_client()
    found = {}
    for query in QUERIES:
        for who, sent in (("public", {}), ("admin", headers)):
            response = client.get("/api/v1/search", query_string={"q": query}, headers=sent)
            assert response.status_code == 200, response.get_data(as_text=True)
            found[f"{who}:{query}"] = response.get_json()
    return found


def _target_config(app_config: dict, profile: str, tmp_path: Path) -> dict:
    """A fresh instance: its own folder and database; the storage a copy (embedded) or the same bucket (scaled)."""
    config = dict(app_config, INSTANCE_PATH=str(tmp_path / "restored"), QUEUE_NAME="restored-" + tmp_path.name[-8:])
    if profile == "embedded":
        config["DATABASE_URL"] = f"sqlite:///{tmp_path / 'restored.db'}"
        shutil.copytree(Path(app_config["INSTANCE_PATH"]) / "storage", tmp_path / "restored" / "storage")
    else:
        url = sa.engine.make_url(POSTGRES_URL)
        url = url.set(database=f"{url.database}_restore")
        _create_database_if_missing(url.render_as_string(hide_password=False))
        engine = sa.create_engine(url)
        with engine.begin() as connection:
            connection.execute(sa.text("DROP SCHEMA public CASCADE"))
            connection.execute(sa.text("CREATE SCHEMA public"))
        engine.dispose()
        config["DATABASE_URL"] = url.render_as_string(hide_password=False)
    return config


def _restored_app(app_config, profile, tmp_path):
    config = _target_config(app_config, profile, tmp_path)
    running = running_app(config, profile)
    return running, next(running)


def _finish(running) -> None:
    with pytest.raises(StopIteration):
        next(running)


def test_restore_gives_identical_tables_and_search(app, app_config, profile, archive, token_for, tmp_path) -> None:
    headers = token_for("admin")
    backup = tmp_path / "backup"
    result = _cli(app, "backup", str(backup))
    assert result.exit_code == 0, result.output
    assert "Backed up the database and" in result.output
    tables, searches = _tables(), _searches(app, headers)
    assert searches["public:border"]["total"] == 1 and searches["admin:bridge"]["total"] == 1
    assert searches["public:bridge"]["total"] == 0  # the restricted film stays hidden, before and after

    described = json.loads((backup / "backup.json").read_text())
    manifest = [json.loads(line) for line in (backup / "manifest.jsonl").read_text().splitlines()]
    assert {entry["key"] for entry in manifest} == set(get_storage().list(""))
    for entry in manifest:
        assert entry["size"] == get_storage().size(entry["key"])
        assert len(entry["sha256"]) == 64
    assert described["manifest"]["objects"] == len(manifest) >= 10
    assert described["database"]["dialect"] == ("sqlite" if profile == "embedded" else "postgresql")

    running, restored = _restored_app(app_config, profile, tmp_path)
    try:
        result = _cli(restored, "restore", str(backup))
        assert result.exit_code == 0, result.output
        assert f"{len(manifest)} of {len(manifest)} stored object(s) verified" in result.output
        db.session.remove()
        assert _tables() == tables
        assert _searches(restored, headers) == searches
        # Not empty any more: a second restore is refused unless told.
        again = _cli(restored, "restore", str(backup))
        assert again.exit_code == 2 and "The database is not empty" in again.output
        assert _cli(restored, "restore", "--overwrite", str(backup)).exit_code == 0
        db.session.remove()
        assert _tables() == tables
    finally:
        _finish(running)


def test_backup_keeps_no_secret(app, app_config, small_archive, tmp_path) -> None:
    app.config["SMTP_URL"] = f"smtp://mailer:{SMTP_PASSWORD}@mail.example.org:25"
    backup = tmp_path / "backup"
    assert _cli(app, "backup", str(backup)).exit_code == 0
    settings = json.loads((backup / "backup.json").read_text())["settings"]
    assert settings["ARCHIVE_SMTP_URL"] == "smtp://mailer@mail.example.org:25"
    assert "ARCHIVE_SECRET_KEY" not in settings and settings["ARCHIVE_STORAGE_URL"] == app_config["STORAGE_URL"]
    for path in backup.iterdir():
        data = path.read_bytes()
        assert app.config["SECRET_KEY"].encode() not in data and SMTP_PASSWORD.encode() not in data, path.name


def test_backup_refuses_where_it_cannot_write(app, tmp_path) -> None:
    a_file = tmp_path / "a-file"
    a_file.write_text("keep me")
    full = tmp_path / "full"
    full.mkdir()
    (full / "older-backup.json").write_text("keep me too")
    for dest, message in ((a_file, "is a file, not a folder"), (a_file / "backup", "Cannot write to"),
                          (full, "is not empty")):
        result = _cli(app, "backup", str(dest))
        assert result.exit_code == 2, result.output
        assert message in result.output
    assert a_file.read_text() == "keep me" and [p.name for p in full.iterdir()] == ["older-backup.json"]


def test_restore_refuses_bad_backups_and_names_missing_objects(app, app_config, profile, small_archive,
                                                              tmp_path) -> None:
    backup = tmp_path / "backup"
    assert _cli(app, "backup", str(backup)).exit_code == 0
    broken = {}
    for name, damage in {
        "no-description": lambda path: (path / "backup.json").unlink(),
        "truncated": lambda path: (path / "manifest.jsonl").write_text(
            "\n".join((path / "manifest.jsonl").read_text().splitlines()[:-1]) + "\n"),
        "cut-mid-line": lambda path: (path / "manifest.jsonl").write_bytes((path / "manifest.jsonl").read_bytes()[:-20]),
        "newer-format": lambda path: (path / "backup.json").write_text(
            json.dumps({**json.loads((path / "backup.json").read_text()), "version": 99})),
        "no-dump": lambda path: next(p for p in path.iterdir() if p.name.startswith("database.")).unlink(),
        "not-json": lambda path: (path / "backup.json").write_text('{"format": "dialogue-archive-backup", '),
    }.items():
        copy = tmp_path / name
        shutil.copytree(backup, copy)
        damage(copy)
        broken[name] = copy
    expected = {
        "no-description": "holds no backup.json",
        "truncated": "the manifest is truncated or altered",
        "cut-mid-line": "the manifest is damaged or truncated",
        "newer-format": "backup format version 99",
        "no-dump": "database file",
        "not-json": "is damaged",
    }
    manifest = [json.loads(line) for line in (backup / "manifest.jsonl").read_text().splitlines()]
    lost = next(entry["key"] for entry in manifest if entry["key"].startswith("media/poster"))
    running, restored = _restored_app(app_config, profile, tmp_path)
    try:
        result = _cli(restored, "restore", str(tmp_path / "no-such-backup"))
        assert result.exit_code == 2 and "is not a folder" in result.output
        for name, path in broken.items():
            result = _cli(restored, "restore", str(path))
            assert result.exit_code == 2, (name, result.output)
            assert expected[name] in result.output, (name, result.output)
        # Nothing was restored by any of them: the new database is still empty.
        assert _cli(restored, "restore", str(broken["truncated"])).exit_code == 2
        get_storage().delete(lost)  # from the copy (embedded) or the bucket itself (scaled)
        result = _cli(restored, "restore", str(backup))
        assert result.exit_code == 1, result.output
        assert f"MISSING    {lost}" in result.output
        assert "1 object(s) are missing or differ" in result.output
        assert f"{len(manifest) - 1} of {len(manifest)} stored object(s) verified" in result.output
        db.session.remove()
        assert db.session.scalar(sa.text("SELECT count(*) FROM items")) == 1  # restored all the same
    finally:
        _finish(running)
