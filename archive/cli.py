"""``flask ...`` commands for operators: accounts now, media, jobs and search as they arrive."""

from __future__ import annotations

import secrets
import sys
import time

import click
from flask import Flask
from flask.cli import AppGroup
from sqlalchemy import select

from archive.auth import operations as accounts
from archive.auth.models import Role, User
from archive.backup.commands import backup_command, restore_command
from archive.deletions.commands import storage as storage_commands
from archive.errors import ValidationError
from archive.extensions import db

users = AppGroup("users", help="Manage accounts and API tokens.")


def _read_password() -> str:
    """A password from a hidden prompt on a terminal, or the first line of standard input."""
    if sys.stdin.isatty():
        return click.prompt("Password", hide_input=True, confirmation_prompt=True)
    return sys.stdin.readline().rstrip("\r\n")


def _fail(message: str) -> None:
    click.echo(f"Error: {message}", err=True)
    raise SystemExit(1)


@users.command("create")
@click.argument("email")
@click.option("--role", required=True, type=click.Choice([r.value for r in Role]), help="What the account may do.")
@click.option("--name", default="", help="The person's or venue's name as shown in the app.")
def create_user(email: str, role: str, name: str) -> None:
    """Create an account; the password comes from a prompt or standard input, never an argument."""
    try:
        user = accounts.create_user(email, _read_password(), role, name)
    except ValidationError as exc:
        _fail("; ".join(exc.errors.values()))
    click.echo(f"Created {user.role} {user.email}.")


@users.command("token")
@click.argument("email")
@click.option("--label", default="cli", help="A note saying what the token is for.")
def create_token(email: str, label: str) -> None:
    """Print a new API bearer token for EMAIL (and nothing else, so scripts can capture it)."""
    user = db.session.scalar(select(User).where(User.email == accounts.normalise_email(email)))
    if user is None:
        _fail(f"No account for {email}. Create it with: flask users create {email} --role ROLE")
    click.echo(accounts.issue_token(user, label))


@users.command("list")
def list_users() -> None:
    """List accounts with their role and state."""
    rows = db.session.scalars(select(User).order_by(User.email)).all()
    if not rows:
        click.echo("No accounts yet. Create one with: flask users create EMAIL --role admin")
    for user in rows:
        state = "active" if user.active else "switched off"
        click.echo(f"{user.email}\t{user.role}\t{state}")


@users.command("ensure-admin")
@click.option("--email", default="admin@archive.local", show_default=True, help="E-mail of the first admin.")
def ensure_admin(email: str) -> None:
    """Create a first admin with a generated password, printed once, unless an admin exists."""
    exists = db.session.scalar(select(User.id).where(User.role == Role.ADMIN.value).limit(1))
    if exists is not None:
        click.echo("An admin account exists already.")
        return
    password = secrets.token_urlsafe(12)
    accounts.create_user(email, password, Role.ADMIN.value, "Administrator")
    click.echo("")
    click.echo("  First admin account created; this password is shown only once:")
    click.echo(f"    e-mail:   {email}")
    click.echo(f"    password: {password}")
    click.echo("")


jobs = AppGroup("jobs", help="Inspect and run background jobs.")


@jobs.command("list")
@click.option("--status", type=click.Choice(["queued", "running", "done", "failed"]), help="Only jobs in this state.")
@click.option("--limit", default=50, show_default=True, help="How many of the newest jobs to show.")
def list_jobs(status: str | None, limit: int) -> None:
    """List the newest jobs with their status, progress and error."""
    from archive.jobs.models import Job

    query = select(Job).order_by(Job.id.desc()).limit(limit)
    if status:
        query = query.where(Job.status == status)
    rows = db.session.scalars(query).all()
    if not rows:
        click.echo("No jobs.")
    for job in rows:
        item = f"item {job.item_id}" if job.item_id else "-"
        line = f"{job.id}\t{job.kind}\t{item}\t{job.status}\t{job.progress:.0f}%\tattempts {job.attempts}"
        click.echo(line + (f"\t{job.error}" if job.error else ""))


@jobs.command("retry")
@click.argument("job_ids", nargs=-1, type=int)
@click.option("--failed", "all_failed", is_flag=True, help="Retry every failed job.")
def retry_jobs(job_ids: tuple[int, ...], all_failed: bool) -> None:
    """Queue failed jobs again, by id or all of them with --failed."""
    from archive.jobs.models import Job
    from archive.jobs.operations import retry

    rows = list(db.session.scalars(select(Job).where(Job.status == "failed"))) if all_failed else []
    for job_id in job_ids:
        job = db.session.get(Job, job_id)
        if job is None:
            _fail(f"No job {job_id}. See: flask jobs list")
        rows.append(job)
    if not rows:
        _fail("Name the jobs to retry (flask jobs retry ID...) or use --failed.")
    for job in rows:
        try:
            retry(job)
        except ValueError as exc:
            _fail(f"job {job.id}: {exc}")
        click.echo(f"Queued job {job.id} ({job.kind}) again.")


@jobs.command("drain")
def drain_jobs() -> None:
    """Run queued jobs in this process until none is left, then exit (for cron, scripts, tests)."""
    from archive.jobs.operations import drain

    count = drain()
    click.echo(f"Ran {count} task(s); the queue is empty.")


@click.command("worker")
@click.option("--workers", default=2, show_default=True, help="Jobs run at the same time (threads).")
def worker(workers: int) -> None:
    """Run background jobs until stopped (Ctrl-C or SIGTERM finishes the running jobs first)."""
    from flask import current_app

    from archive.jobs.operations import requeue_stale
    from archive.media.workdirs import sweep_work_folders
    from archive.search.analysis import preload as preload_analysis

    queue = current_app.extensions["queue"]
    click.echo(f"Worker started on {current_app.config['QUEUE_URL']} with {workers} thread(s).")
    for path in sweep_work_folders():  # left by a worker that was killed mid-job
        click.echo(f"Removed the abandoned work folder {path}.")
    requeue_stale()
    started = time.process_time()
    preload_analysis()  # index runs pay for the dictionaries once, here, not in the first upload's wait
    click.echo(f"Search analysis dictionaries loaded in {time.process_time() - started:.1f} CPU seconds.")
    # An idle worker looks for work at least once a second (Huey's default backs off to ten), so a
    # saved subtitle track is searchable within seconds.
    queue.huey.create_consumer(workers=workers, worker_type="thread", periodic=True, max_delay=1.0,
                               check_worker_health=True).run()


fixity = AppGroup("fixity", help="Check that stored originals are intact.")


@fixity.command("check")
@click.option("--all", "check_all", is_flag=True, help="Check every original, not only those due.")
def fixity_check(check_all: bool) -> None:
    """Re-read originals, compare SHA-256 with the recorded one; exit 1 on any problem."""
    from archive.jobs.models import Job
    from archive.media.operations import check_fixity, fixity_problems
    from archive.timeutil import utcnow

    report = check_fixity(check_all=check_all)
    # Recorded as a job so the admin page shows the last result whichever way the check ran.
    db.session.add(Job(kind="fixity", status="done", progress=100.0, payload={"all": check_all, "cli": True},
                       result=report, started_at=utcnow(), finished_at=utcnow()))
    db.session.commit()
    for entry in report["mismatched"]:
        click.echo(f"MISMATCH media {entry['media_id']} (item {entry['item_id']}, {entry['filename']}): "
                   f"expected {entry['expected']}, found {entry['found']}")
    for entry in report["missing"]:
        click.echo(f"MISSING  media {entry['media_id']} (item {entry['item_id']}, {entry['filename']}): {entry['key']}")
    for entry in report["unreadable"]:
        click.echo(f"UNREADABLE media {entry['media_id']} (item {entry['item_id']}): {entry['error']}")
    problems = fixity_problems(report)
    click.echo(f"Checked {report['checked']} original(s): {report['ok']} intact, {problems} with problems.")
    if problems:
        raise SystemExit(1)


media = AppGroup("media", help="Bring films and photographs into the archive.")


@media.command("import")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True))
@click.option("--collection", "collection_name", help="Put every imported item in this collection (made if new).")
@click.option("--metadata", type=click.Path(exists=True, dir_okay=False),
              help="CSV with a 'file' column and title_<lang>, year, visibility, ... per file.")
@click.option("--to", "remote", metavar="URL",
              help="Send to the archive at URL over its API (resumable: run again after a cut to go on).")
@click.option("--token", envvar="ARCHIVE_REMOTE_TOKEN", help="API token at the remote archive (or ARCHIVE_REMOTE_TOKEN).")
@click.option("--state", "state_file", default=".archive-import.json", show_default=True, type=click.Path(dir_okay=False),
              help="With --to: where the import remembers each file's item and upload, to resume.")
def import_media(paths: tuple[str, ...], collection_name: str | None, metadata: str | None, remote: str | None,
                 token: str | None, state_file: str) -> None:
    """Import files and folders, one item per file; files already in the archive are skipped."""
    from archive.media.importer import find_files, run_import

    if remote and (collection_name or not token):
        _fail("--to needs --token (or ARCHIVE_REMOTE_TOKEN), and does not take --collection.")
    try:
        files = find_files(list(paths))
        total = sum(path.stat().st_size for path in files)
        counts = {"imported": 0, "skipped": 0, "failed": 0}
        if remote:
            from archive.media.remote_import import run_remote_import

            outcomes = run_remote_import(list(paths), remote, token, state_file, metadata)
        else:
            outcomes = run_import(list(paths), metadata, collection_name)
        with click.progressbar(length=total, label="Importing", show_pos=False, file=sys.stderr) as bar:
            for outcome in outcomes:
                counts[outcome.status] += 1
                bar.update(outcome.path.stat().st_size)
                if outcome.status != "imported":
                    click.echo(f"\n{outcome.status}: {outcome.path}: {outcome.message}", err=True)
    except ValidationError as exc:
        _fail("; ".join(exc.errors.values()))
    click.echo(f"{counts['imported']} imported, {counts['skipped']} skipped (already in the archive), "
               f"{counts['failed']} failed.")
    if counts["failed"]:
        raise SystemExit(1)


search = AppGroup("search", help="Keep the search index in step with the database.")


@search.command("reindex")
def search_reindex() -> None:
    """Rebuild the search index from the database (it replaces the old index when complete)."""
    import time

    from archive.search import indexer

    started = time.perf_counter()
    counts = indexer.rebuild()
    seconds = time.perf_counter() - started
    click.echo(f"Indexed {counts['items']} items, {counts['tracks']} subtitle tracks, {counts['cues']} cues "
               f"in {seconds:.1f} s.")


demo = AppGroup("demo", help="Demo content for trying the archive.")


@demo.command("load")
def load_demo() -> None:
    """Add demo films, photographs, subtitles, collections, venues, licences and screenings (idempotent)."""
    from archive.demo import load_demo as load

    made = load()
    if not any(made.values()):
        click.echo("The demo content is already loaded; nothing new was added.")
        return
    click.echo(f"Added {made['items']} item(s), {made['subtitles']} subtitle track(s), {made['venues']} venue(s) and "
               f"{made['screenings']} screening(s). "
               "Their previews are made by the worker (flask worker, or flask jobs drain).")


def init_app(app: Flask) -> None:
    """Register the command groups."""
    app.cli.add_command(demo)
    app.cli.add_command(users)
    app.cli.add_command(jobs)
    app.cli.add_command(worker)
    app.cli.add_command(fixity)
    app.cli.add_command(media)
    app.cli.add_command(search)
    app.cli.add_command(storage_commands)
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
