"""Queue tasks: thin wrappers that run the features' operations as jobs."""

from __future__ import annotations

from datetime import timedelta

from archive.jobs.operations import handler, periodic
from archive.media import operations as media


@handler("derive")
def derive(job, progress):
    """Probe a film or photograph and make its previews."""
    job.result = media.derive(job.payload["media_id"], progress)


@handler("fixity")
def fixity(job, progress):
    """Re-read stored originals and compare their checksums."""
    job.result = media.check_fixity(check_all=bool(job.payload.get("all")), progress=progress)


periodic("fixity", every=timedelta(days=1))
