"""Subtitle previews nobody saved are swept after a day; fresh ones wait for the archivist."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest

from archive.errors import ValidationError
from archive.extensions import db
from archive.jobs.models import Job
from archive.jobs.operations import drain, run_periodic
from archive.storage import get_storage
from archive.subtitles import previews
from archive.timeutil import utcnow
from tests.factories import make_film
from tests.search.helpers import srt


@pytest.fixture
def item(app):
    return make_film("Border", "public")


def test_previews_older_than_a_day_are_swept_and_fresh_ones_kept(app, item, users):
    checked, token = previews.stage(item, "en", srt((1, 2, "first")), "en.srt", "English", users["archivist"])
    assert checked.lang == "en"
    storage = get_storage()
    [waiting] = list(storage.list(previews.PREFIX + "/"))
    storage.save(io.BytesIO(b"old layout"), prefix=previews.PREFIX)  # a preview from before the hour folders

    assert previews.sweep(now=utcnow() + timedelta(hours=12)) == 1  # only the old-layout one
    assert list(storage.list(previews.PREFIX + "/")) == [waiting]
    assert previews.sweep(now=utcnow() + timedelta(days=1, hours=2)) == 1
    assert list(storage.list(previews.PREFIX + "/")) == []

    # The archivist who comes back after the sweep is told so, and nothing is saved.
    with pytest.raises(ValidationError, match="already saved or discarded"):
        previews.confirm(item, token, users["archivist"], save=True)


def test_the_sweep_runs_as_a_periodic_job(app, item, users):
    previews.stage(item, "en", srt((1, 2, "first")), "en.srt", "", users["archivist"])
    queued = [job for job in run_periodic() if job.kind == "sweep_subtitle_previews"]
    assert len(queued) == 1
    drain()
    db.session.expire_all()
    job = db.session.get(Job, queued[0].id)
    assert job.status == "done" and job.result == {"removed": 0}  # a fresh preview stays
    assert len(list(get_storage().list(previews.PREFIX + "/"))) == 1
