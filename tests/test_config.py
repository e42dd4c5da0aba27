"""Settings: defaults, validation at start-up, the generated secret key."""

from __future__ import annotations

import pytest

from archive import create_app
from archive.config import ConfigError, load_settings


def test_defaults_are_the_embedded_configuration(tmp_path, monkeypatch):
    for name in [n for n in __import__("os").environ if n.startswith("ARCHIVE_")]:
        monkeypatch.delenv(name)
    app = create_app({"INSTANCE_PATH": str(tmp_path / "inst")})
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'inst' / 'archive.db'}"
    assert app.config["STORAGE_URL"] == "storage"
    assert app.config["QUEUE_URL"].startswith("sqlite:")
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True


def test_unknown_setting_stops_start_up_and_is_named(monkeypatch, tmp_path):
    monkeypatch.setenv("ARCHIVE_DATABSE_URL", "sqlite:///x.db")
    with pytest.raises(ConfigError, match="ARCHIVE_DATABSE_URL is not a known setting"):
        create_app({"INSTANCE_PATH": str(tmp_path)})


@pytest.mark.parametrize(
    ("name", "value", "fragment"),
    [
        ("ARCHIVE_PAGE_SIZE", "lots", "ARCHIVE_PAGE_SIZE='lots' is malformed"),
        ("ARCHIVE_PAGE_SIZE", "0", "above zero"),
        ("ARCHIVE_SECURE_COOKIES", "maybe", "expected true or false"),
        ("ARCHIVE_DATABASE_URL", "mysql://x", "expected sqlite"),
        ("ARCHIVE_STORAGE_URL", "s3://", "bucket name"),
        ("ARCHIVE_S3_CHECKSUMS", "always", "when_required or when_supported"),
        ("ARCHIVE_QUEUE_URL", "amqp://x", "redis://"),
        ("ARCHIVE_METRICS_NETWORKS", "10.0.0.0/8,staff", "'staff' is not an address or network"),
        ("ARCHIVE_METRICS_NETWORKS", " , ", "at least one address"),
    ],
)
def test_malformed_setting_is_refused_with_its_name(name, value, fragment):
    with pytest.raises(ConfigError) as caught:
        load_settings({name: value})
    assert name in str(caught.value)
    assert fragment in str(caught.value)


def test_postgres_url_gets_the_psycopg_driver():
    settings = load_settings({"ARCHIVE_DATABASE_URL": "postgres://u@h/db"})
    assert settings["DATABASE_URL"] == "postgresql+psycopg://u@h/db"


def test_secret_key_is_generated_once_and_kept(tmp_path, monkeypatch):
    monkeypatch.delenv("ARCHIVE_SECRET_KEY", raising=False)
    first = create_app({"INSTANCE_PATH": str(tmp_path)}).config["SECRET_KEY"]
    second = create_app({"INSTANCE_PATH": str(tmp_path)}).config["SECRET_KEY"]
    assert first == second and len(first) >= 40
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_unknown_test_override_is_refused(tmp_path):
    with pytest.raises(ConfigError, match="NOT_A_SETTING"):
        create_app({"INSTANCE_PATH": str(tmp_path), "NOT_A_SETTING": 1})
