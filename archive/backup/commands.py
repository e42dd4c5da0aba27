"""``flask backup DEST`` and ``flask restore SRC``."""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TypeVar

import click

from archive.backup import operations
from archive.backup.layout import BackupError
from archive.storage import StorageError

T = TypeVar("T")


class ConsoleProgress:
    """Steps as lines and long loops as bars, on standard error so standard output stays a report."""

    def step(self, message: str) -> None:
        """Print the step."""
        click.echo(f"{message}...", err=True)

    def bar(self, items: Iterable[T], length: int, label: str) -> Iterator[T]:
        """Draw a bar while the items are worked through."""
        with click.progressbar(items, length=length, label=label, file=sys.stderr, show_pos=True) as bar:
            yield from bar


def _fail(message: str, code: int = 2) -> None:
    click.echo(f"Error: {message}", err=True)
    raise SystemExit(code)


@click.command("backup")
@click.argument("dest", type=click.Path(path_type=Path))
def backup_command(dest: Path) -> None:
    """Write a backup into the new or empty folder DEST: database dump, storage manifest, settings (no secrets).

    The stored objects themselves stay in the storage; copy the bucket or folder with your usual tools.
    """
    try:
        report = operations.backup(dest, ConsoleProgress())
    except (BackupError, StorageError) as exc:
        _fail(str(exc))
    for key, keeper in report.missing:
        click.echo(f"NO OBJECT  {key} ({keeper} row): the backup records the row, but its object is already gone")
    click.echo(f"Backed up the database and {report.objects} stored object(s) ({report.bytes} bytes) into {dest}.")
    if report.unrecorded_hashes:
        click.echo(f"{report.unrecorded_hashes} object(s) had no recorded SHA-256 and were read to compute it.")


@click.command("restore")
@click.argument("src", type=click.Path(path_type=Path))
@click.option("--overwrite", is_flag=True, help="Replace the data of a database that is not empty.")
def restore_command(src: Path, overwrite: bool) -> None:
    """Rebuild this instance from the backup in SRC and the configured storage (the bucket or a copy of it).

    Restores the database, reads every stored object back against the manifest and rebuilds the
    search index. Exits 1 when objects are missing or differ (each one is named), 2 on bad input.
    """
    from archive.search import indexer

    try:
        report = operations.restore(src, overwrite=overwrite, progress=ConsoleProgress(), rebuild_index=indexer.rebuild)
    except (BackupError, StorageError) as exc:
        _fail(str(exc))
    if report.upgraded_from:
        click.echo(f"The database was at migration {report.upgraded_from}; it has been upgraded to this version's.")
    for key in report.missing:
        click.echo(f"MISSING    {key}")
    for key, difference in report.mismatched:
        click.echo(f"MISMATCH   {key}: {difference}")
    if report.settings_differ:
        click.echo("These settings differ from the backed-up instance's (see settings in backup.json): "
                   + ", ".join(report.settings_differ))
    index = report.index
    click.echo(f"Restored the database; {report.verified} of {report.objects} stored object(s) verified"
               + (f", {report.extra} more in storage not in the backup (left alone)" if report.extra else "")
               + (f"; indexed {index.get('items', 0)} items and {index.get('cues', 0)} cues." if index else "."))
    if report.problems:
        click.echo(f"{report.problems} object(s) are missing or differ: copy them back into the storage from "
                   "another copy of the bucket and run the restore again with --overwrite.", err=True)
        raise SystemExit(1)
