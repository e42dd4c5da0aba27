"""`flask storage audit [--purge]`: objects with no row, rows with no object; dry run unless asked."""

from __future__ import annotations

import io
from datetime import timedelta

from sqlalchemy import select

from archive.auth.models import User
from archive.extensions import db
from archive.media.models import Derivative
from archive.storage import audit as storage_audit
from archive.storage import get_storage
from archive.subtitles import previews
from archive.timeutil import utcnow
from tests.factories import SRT, add_subtitles, attach_video, make_film


def orphan(prefix: str = "derivatives") -> str:
    return get_storage().save(io.BytesIO(b"left behind by a crash"), prefix=prefix).key


def later(monkeypatch, hours: float) -> None:
    """Run the audit as if ``hours`` had passed."""
    monkeypatch.setattr(storage_audit, "utcnow", lambda: utcnow() + timedelta(hours=hours))


def test_audit_reports_both_kinds_is_a_dry_run_by_default_and_purges_only_orphans(app, users, monkeypatch):
    film = make_film("Kept", "public")
    media = attach_video(film, proxy=b"proxy", poster=b"\xff\xd8poster")
    add_subtitles(film, "en")
    stray = orphan()
    waiting = previews.stage(film, "ru", SRT.encode(), "ru.srt", "", db.session.get(User, users["archivist"].id))
    pending_key = previews._signer().loads(waiting[1])["key"]
    poster = db.session.scalar(select(Derivative).where(Derivative.media_id == media.id, Derivative.kind == "poster"))
    get_storage().delete(poster.storage_key)  # a row whose object is lost
    kept = set(get_storage().list("")) - {stray}
    runner = app.test_cli_runner()

    # Right now the stray object may be an upload whose row is on its way: left alone.
    result = runner.invoke(args=["storage", "audit", "--purge"])
    assert stray not in result.output and stray in set(get_storage().list(""))
    assert f"NO OBJECT  {poster.storage_key} (media row)" in result.output
    assert result.exit_code == 1 and "fixity check" in result.output

    later(monkeypatch, 2)
    dry = runner.invoke(args=["storage", "audit"])
    assert f"NO ROW     {stray}" in dry.output and pending_key not in dry.output
    assert "1 object(s) with no row, 1 row(s) with no object" in dry.output
    assert "dry run" in dry.output and "--purge" in dry.output and dry.exit_code == 1
    assert stray in set(get_storage().list(""))  # nothing deleted without --purge

    purged = runner.invoke(args=["storage", "audit", "--purge"])
    assert "Deleted 1 object(s) with no row." in purged.output
    assert set(get_storage().list("")) == kept  # the preview under a day old and every recorded object stay
    assert pending_key in kept

    later(monkeypatch, 30)  # a preview nobody saved for more than a day is an orphan too
    assert f"NO ROW     {pending_key}" in runner.invoke(args=["storage", "audit"]).output


def test_a_clean_storage_audits_with_exit_code_zero(app):
    film = make_film("Clean", "public")
    attach_video(film, proxy=b"proxy")
    result = app.test_cli_runner().invoke(args=["storage", "audit"])
    assert result.exit_code == 0, result.output
    assert "Checked 2 stored object(s) and 2 row(s): 0 object(s) with no row, 0 row(s) with no object" in result.output


def test_deletions_are_listed_for_staff_on_the_command_line(app, client, token_for):
    film = make_film("Listed", "restricted")
    attach_video(film)
    film_id = film.id
    client.delete(f"/api/v1/items/{film_id}", headers=token_for("archivist"))
    output = app.test_cli_runner().invoke(args=["storage", "deletions"]).output
    assert f"item {film_id} (film)" in output and "by archivist@example.org" in output
    assert "original" in output and "Listed" not in output
