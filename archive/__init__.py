"""Dialogue Archive: a media archive and screening scheduler for peacebuilding work."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine

from archive import public_url
from archive.config import ConfigError, load_settings, secret_key_for
from archive.public_url import ArchiveFlask

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the application from ``ARCHIVE_*`` settings, overridden by ``test_config``."""
    overrides = dict(test_config or {})
    instance_path = overrides.pop("INSTANCE_PATH", None) or os.environ.get("ARCHIVE_INSTANCE_PATH")
    app = ArchiveFlask(
        __name__,
        instance_path=str(Path(instance_path).resolve()) if instance_path else None,
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
    )
    _configure(app, overrides)

    from archive import logs, routing

    logs.init_app(app)  # first: every later request hook logs under the request's id
    routing.init_app(app)  # before any route is added: every <int:...> is a bounded id

    from archive.extensions import csrf, db, login_manager, migrate

    db.init_app(app)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"), render_as_batch=True)
    login_manager.init_app(app)
    csrf.init_app(app)

    from archive.jobs import operations as jobs
    from archive.jobs.queue import queue

    queue.init_app(app, run=jobs.execute, sweep=jobs.sweep)

    _import_models()

    from archive import i18n, storage

    i18n.init_app(app)
    storage.init_app(app)

    from archive import ratelimit, security

    security.init_app(app)
    ratelimit.init_app(app)

    from archive.api import init_app as init_api
    from archive.auth import views as auth_views
    from archive.catalogue import views as catalogue_views
    from archive.exports import views as exports_views
    from archive.health import views as health_views
    from archive.iiif import views as iiif_views
    from archive.media import views as media_views
    from archive.oai import views as oai_views
    from archive.screenings import views as screenings_views
    from archive.search import views as search_views
    from archive.subtitles import views as subtitles_views
    from archive.webmeta import views as webmeta_views

    for blueprint in (
        auth_views.bp,
        auth_views.admin_bp,
        catalogue_views.bp,
        catalogue_views.manage_bp,
        exports_views.bp,
        iiif_views.bp,
        health_views.bp,
        media_views.bp,
        oai_views.bp,
        screenings_views.bp,
        search_views.bp,
        subtitles_views.bp,
        webmeta_views.bp,
    ):
        app.register_blueprint(blueprint)
    init_api(app)

    # Features that build on others subscribe to their signals and fill in their pages.
    from archive.iiif import presentation as iiif_presentation
    from archive.media import presenting as media_presenting
    from archive.media import screening_copies
    from archive.screenings import film_part as screening_film_part
    from archive.screenings import home_part as screening_home_part
    from archive.screenings import withdrawals as screening_withdrawals
    from archive.search import operations as search_operations
    from archive.search import publishing as search_publishing
    from archive.webmeta import pages as web_pages

    search_operations.init_app(app)
    search_publishing.init_app(app)
    search_views.init_app(app)
    media_presenting.init_app(app)
    screening_copies.init_app(app)
    iiif_presentation.init_app(app)
    screening_withdrawals.init_app(app)
    screening_film_part.init_app(app)
    screening_home_part.init_app(app)
    subtitles_views.init_app(app)
    web_pages.init_app(app)

    # Whoever stores objects says which keys its rows hold, so deletions purge them and links die with them.
    from archive.deletions import operations as deletions
    from archive.media import records as media_records
    from archive.screenings import records as screenings_records
    from archive.subtitles import records as subtitles_records

    deletions.init_app(app)
    for feature in (media_records, subtitles_records, screenings_records):
        feature.init_app(app)

    from archive import cli, errors, tasks  # noqa: F401  (tasks registers the job handlers)
    from archive.health import metrics

    metrics.init_app(app)
    errors.init_app(app)
    cli.init_app(app)
    return app


def _import_models() -> None:
    """Import every feature's models so the metadata (and so migrations) knows all tables."""
    import archive.auth.models  # noqa: F401
    import archive.catalogue.models  # noqa: F401
    import archive.deletions.models  # noqa: F401
    import archive.jobs.models  # noqa: F401
    import archive.media.models  # noqa: F401
    import archive.oai.models  # noqa: F401
    import archive.screenings.models  # noqa: F401
    import archive.search.models  # noqa: F401
    import archive.subtitles.models  # noqa: F401


def _configure(app: Flask, overrides: dict[str, Any]) -> None:
    """Load settings from the environment, apply overrides and derived values."""
    settings = load_settings(os.environ)
    unknown = set(overrides) - set(settings) - _FLASK_KEYS
    if unknown:
        raise ConfigError(f"Cannot start: unknown setting(s) {', '.join(sorted(unknown))}")
    settings.update(overrides)
    os.makedirs(app.instance_path, exist_ok=True)

    if not settings["SECRET_KEY"]:
        settings["SECRET_KEY"] = secret_key_for(app.instance_path)
    if not settings["DATABASE_URL"]:
        settings["DATABASE_URL"] = "sqlite:///" + os.path.join(app.instance_path, "archive.db")
    if not settings["QUEUE_URL"]:
        settings["QUEUE_URL"] = "sqlite:" + os.path.join(app.instance_path, "queue.db")

    app.config.update(settings)
    public_url.configure(app, settings)
    app.config.update(
        SQLALCHEMY_DATABASE_URI=settings["DATABASE_URL"],
        SQLALCHEMY_ENGINE_OPTIONS={"pool_pre_ping": True},
        SESSION_COOKIE_SECURE=settings["SECURE_COOKIES"],
        REMEMBER_COOKIE_SECURE=settings["SECURE_COOKIES"],
        SESSION_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        # Also the age limit of the signed cookie, so a copied cookie does not live on for Flask's 31 days.
        PERMANENT_SESSION_LIFETIME=timedelta(hours=settings["SESSION_HOURS"]),
        WTF_CSRF_TIME_LIMIT=None,  # the token lives as long as the session; no silent expiry mid-form
        MAX_FORM_MEMORY_SIZE=2 * 1024 * 1024,
    )


# Flask and extension keys that tests may set directly alongside the ARCHIVE_* settings.
_FLASK_KEYS = {"TESTING", "WTF_CSRF_ENABLED", "SERVER_NAME", "DEBUG"}


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection: Any, connection_record: Any) -> None:
    """Turn on WAL, foreign keys and a busy timeout for every SQLite connection."""
    module = type(dbapi_connection).__module__
    if not module.startswith("sqlite3"):
        return
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()
