"""Queue tasks: thin wrappers that run the features' operations as jobs."""

from __future__ import annotations

from datetime import timedelta

from archive.deletions import operations as deletions
from archive.jobs.operations import handler, periodic, retried, swept
from archive.media import operations as media
from archive.media import resumable, screening_copies, streaming, workdirs
from archive.screenings import mail
from archive.search import indexer, outbox
from archive.subtitles import previews as subtitle_previews


@handler("derive")
def derive(job, progress):
    """Probe a film or photograph and make its previews."""
    job.result = media.derive(job.payload["media_id"], progress)


@handler(media.LADDER_JOB)
def ladder(job, progress):
    """Make a film's adaptive streaming (HLS) renditions."""
    job.result = streaming.make_streaming_ladder(job.payload["media_id"], progress)


@handler(screening_copies.COPY_JOB)
def screening_copy(job, progress):
    """Make a film's 1080p master for projection, or one language's open-captions version."""
    job.result = screening_copies.make_copy(job.payload["media_id"], job.payload.get("track_id"), progress)


@handler("fixity")
def fixity(job, progress):
    """Re-read stored originals and compare their checksums."""
    job.result = media.check_fixity(check_all=bool(job.payload.get("all")), progress=progress)


periodic("fixity", every=timedelta(days=1))


@handler("sweep_work_folders")
def sweep_work_folders(job, progress):
    """Remove work folders that derivation jobs of dead workers left in the temp directory."""
    job.result = {"removed": len(workdirs.sweep_work_folders())}


periodic("sweep_work_folders", every=timedelta(hours=1))


@handler("sweep_uploads")
def sweep_uploads(job, progress):
    """Delete resumable uploads left unfinished past their expiry, aborting their S3 multipart uploads."""
    job.result = {"removed": resumable.sweep()}


periodic("sweep_uploads", every=timedelta(minutes=30))


@handler(outbox.RUN_JOB)
def index_changes(job, progress):
    """Take every pending index change into the search index in one writer commit."""
    job.result = outbox.drain()


# Rows whose run was never queued (a process died after the commit) or failed are taken on the next round.
swept(outbox.queue_run_if_pending)


# Jobs of the kinds one change at a time used to queue, in a queue older than the outbox.
@handler("index_track")
def index_track(job, progress):
    """Put a new or replaced subtitle track into the search index."""
    tracks = {job.payload["track_id"], job.payload.get("replaces")} - {None}
    job.result = indexer.apply_changes(set(), tracks)


@handler("unindex_track")
def unindex_track(job, progress):
    """Take a deleted subtitle track out of the search index."""
    job.result = indexer.apply_changes(set(), {job.payload["track_id"]})


@handler("index_item")
def index_item(job, progress):
    """Re-index an item's description and tracks after an edit, a visibility change or deletion."""
    job.result = indexer.apply_changes({job.payload["item_id"]}, set())


@handler("rebuild_index")
def rebuild_index(job, progress):
    """Rebuild the whole search index from the database."""
    job.result = indexer.rebuild(progress)


@handler("sweep_subtitle_previews")
def sweep_subtitle_previews(job, progress):
    """Delete subtitle previews that nobody saved or discarded within a day."""
    job.result = {"removed": subtitle_previews.sweep()}


periodic("sweep_subtitle_previews", every=timedelta(hours=6))


@handler(mail.SEND_JOB)
def send_venue_notice(job, progress):
    """E-mail a venue the notice of a decision on its screening."""
    mail.deliver(job.payload["message_id"])


retried(mail.SEND_JOB, after=mail.RETRY_AFTER, attempts=mail.MAX_ATTEMPTS)


@handler(deletions.PURGE_JOB)
def purge_objects(job, progress):
    """Delete the stored objects of a deleted item until storage confirms each one gone."""
    job.result = deletions.purge(job.payload["deletion_id"], progress)


@handler(deletions.RESUME_JOB)
def resume_purges(job, progress):
    """Queue again the purges that failed while storage was unavailable."""
    job.result = {"queued": deletions.resume_purges()}


periodic(deletions.RESUME_JOB, every=timedelta(minutes=10))
