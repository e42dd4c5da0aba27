"""``flask storage ...``: audit stored objects against the rows that point at them; read deletion records."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from archive.deletions.operations import deletion_json, deletions
from archive.storage import StorageError
from archive.storage.audit import audit, purge_unrecorded

storage = AppGroup("storage", help="Check stored objects against the database; see what deletions removed.")


@storage.command("audit")
@click.option("--purge", is_flag=True, help="Delete the objects no row points at (without it, only report them).")
def audit_command(purge: bool) -> None:
    """List objects with no row and rows with no object; exit 1 while any problem remains."""
    try:
        report = audit()
    except StorageError as exc:
        click.echo(f"Error: {exc}", err=True)
        raise SystemExit(2) from None
    for key in report.unrecorded:
        click.echo(f"NO ROW     {key}")
    for key, keeper in report.missing:
        click.echo(f"NO OBJECT  {key} ({keeper} row)")
    click.echo(f"Checked {report.objects} stored object(s) and {report.rows} row(s): "
               f"{len(report.unrecorded)} object(s) with no row, {len(report.missing)} row(s) with no object; "
               f"{len(report.spared)} object(s) without a row left alone (subtitle previews under a day old, "
               "uploads under way).")
    failed: list[tuple[str, str]] = []
    if purge:
        deleted, failed = purge_unrecorded(report)
        for key, reason in failed:
            click.echo(f"NOT DELETED {key}: {reason}")
        click.echo(f"Deleted {len(deleted)} object(s) with no row." + (
            f" {len(failed)} could not be deleted; run the audit again once storage answers." if failed else ""))
    elif report.unrecorded:
        click.echo("This was a dry run: `flask storage audit --purge` deletes the objects with no row.")
    if report.missing:
        click.echo("Rows with no object are lost files: run `flask fixity check --all` and restore them from a backup.")
    if report.missing or failed or (report.unrecorded and not purge):
        raise SystemExit(1)


@storage.command("deletions")
@click.option("--limit", default=20, show_default=True, help="How many of the newest deletions to show.")
def deletions_command(limit: int) -> None:
    """Show who deleted which item when, and each removed object's SHA-256, size and purge state."""
    rows = deletions(limit)
    if not rows:
        click.echo("No item has been deleted.")
    for record in rows:
        entry = deletion_json(record)
        click.echo(f"deletion {entry['id']}\titem {entry['item_id']} ({entry['item_kind']})\t{entry['deleted_at']}\t"
                   f"by {entry['deleted_by'] or 'unknown'}\t{entry['status']}")
        for obj in entry["objects"]:
            state = "purged" if obj["purged"] else f"waiting: {obj['error'] or 'queued'}"
            click.echo(f"  {obj['role']}\t{obj['sha256'] or '-'}\t{obj['size'] if obj['size'] is not None else '-'} bytes"
                       f"\t{state}")
