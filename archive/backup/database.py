"""The database part of a backup: a consistent dump and its restore, for SQLite and PostgreSQL.

PostgreSQL: ``pg_dump`` in its custom format, run on a snapshot this module exports, so the rows
the manifest is read from are exactly the dumped ones. SQLite: the online backup API, which copies
a consistent image while the archive keeps running.
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import URL, make_url

from archive.backup.layout import BackupError, without_password
from archive.extensions import db

SQLITE_FILE = "database.sqlite3"
POSTGRES_FILE = "database.pgdump"
PROGRAM_TIMEOUT_SECONDS = 6 * 3600


def dialect() -> str:
    """``sqlite`` or ``postgresql``: the database this app runs on."""
    return db.engine.dialect.name


def revision() -> str | None:
    """The migration revision of the database, None when it was built without migrations."""
    if not sa.inspect(db.engine).has_table("alembic_version"):
        return None
    return db.session.scalar(sa.text("SELECT version_num FROM alembic_version"))


def is_empty() -> bool:
    """Whether no table of the database holds a row (migration bookkeeping aside)."""
    inspector = sa.inspect(db.engine)
    with db.engine.connect() as connection:
        for table in inspector.get_table_names():
            if table == "alembic_version":
                continue
            if connection.execute(sa.select(sa.literal(1)).select_from(sa.table(table)).limit(1)).first() is not None:
                return False
    return True


@contextmanager
def dumped(dest: Path) -> Iterator[str]:
    """Dump the database into ``dest``; inside the block, ``db.session`` reads what was dumped. Yields the file name."""
    if dialect() == "sqlite":
        _sqlite_copy(_sqlite_path(), dest / SQLITE_FILE)
        yield SQLITE_FILE
        return
    with db.engine.connect().execution_options(isolation_level="REPEATABLE READ") as holder:
        # The exporting transaction stays open while pg_dump and the manifest read its snapshot.
        snapshot = holder.scalar(sa.text("SELECT pg_export_snapshot()"))
        dump = _program("pg_dump")
        _run([dump, "--format=custom", "--no-owner", "--no-privileges", f"--snapshot={snapshot}",
              f"--file={dest / POSTGRES_FILE}", _conninfo()], "pg_dump")
        db.session.remove()
        db.session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
        db.session.execute(sa.text(f"SET TRANSACTION SNAPSHOT '{snapshot}'"))
        try:
            yield POSTGRES_FILE
        finally:
            db.session.rollback()
            db.session.remove()


def restore(src: Path, file: str, source_dialect: str) -> None:
    """Replace this app's database with the dumped one."""
    if source_dialect != dialect():
        raise BackupError(f"The backup holds a {source_dialect} database and this instance runs on {dialect()}: "
                          f"restore it into a {source_dialect} database (ARCHIVE_DATABASE_URL).")
    db.session.remove()
    db.engine.dispose()
    if dialect() == "sqlite":
        _sqlite_copy(src / file, _sqlite_path())
    else:
        _drop_everything()
        restore_program = _program("pg_restore")
        _run([restore_program, "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction",
              f"--dbname={_conninfo()}", str(src / file)], "pg_restore")
    db.engine.dispose()


def _sqlite_path() -> str:
    path = make_url(str(db.engine.url)).database
    if not path or path == ":memory:":
        raise BackupError("The database is in memory: there is nothing on disk to back up or restore into.")
    return path


def _sqlite_copy(source: str | Path, target: str | Path) -> None:
    """Copy a whole SQLite database with the online backup API (a consistent image of a live one)."""
    try:
        with closing(sqlite3.connect(source)) as reader, closing(sqlite3.connect(target)) as writer:
            reader.backup(writer)
    except sqlite3.Error as exc:
        raise BackupError(f"Cannot copy the SQLite database {source} to {target}: {exc}.") from None


def _url() -> URL:
    return db.engine.url


def _conninfo() -> str:
    """A libpq URI for the programs, without the password (it goes in PGPASSWORD, never in argv)."""
    return without_password(_url().set(drivername="postgresql").render_as_string(hide_password=False))


def _server_major() -> int:
    with db.engine.connect() as connection:
        return int(connection.scalar(sa.text("SHOW server_version_num"))) // 10000


def _program(name: str) -> str:
    """The PostgreSQL client program fit for this server: Debian's versioned one first, then PATH."""
    major = _server_major()
    candidates = [f"/usr/lib/postgresql/{major}/bin/{name}", shutil.which(name)]
    found = next((c for c in candidates if c and os.access(c, os.X_OK)), None)
    if found is None:
        raise BackupError(f"{name} is not installed: install PostgreSQL {major}'s client programs "
                          f"(Debian: apt-get install postgresql-client-{major}).")
    output = subprocess.run(  # noqa: S603 - a program found above, fixed arguments
        [found, "--version"], capture_output=True, text=True, check=False).stdout
    version = re.search(r"(\d+)(?:\.\d+)?", output)
    if version is None or int(version.group(1)) < major:
        raise BackupError(f"{found} is version {output.strip() or 'unknown'}, older than the PostgreSQL {major} "
                          f"server: install postgresql-client-{major} (or newer) and run again.")
    return found


def _run(command: list[str], name: str) -> None:
    env = dict(os.environ)
    if _url().password:
        env["PGPASSWORD"] = _url().password
    try:
        finished = subprocess.run(  # noqa: S603 - our PostgreSQL programs, arguments as a list, no shell
            command, env=env, capture_output=True, text=True, check=False, timeout=PROGRAM_TIMEOUT_SECONDS)
    except subprocess.TimeoutExpired:
        raise BackupError(f"{name} did not finish within {PROGRAM_TIMEOUT_SECONDS // 3600} hours.") from None
    if finished.returncode != 0:
        raise BackupError(f"{name} failed: {finished.stderr.strip() or finished.returncode}")


def _drop_everything() -> None:
    """Empty the current schema (tables, their sequences, types) so the dump can be loaded into it."""
    with db.engine.begin() as connection:
        tables = connection.scalars(sa.text("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")).all()
        sequences = connection.scalars(sa.text(
            "SELECT sequencename FROM pg_sequences WHERE schemaname = current_schema()")).all()
        types = connection.scalars(sa.text(
            "SELECT t.typname FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace "
            "WHERE n.nspname = current_schema() AND t.typtype IN ('e', 'd')")).all()
        quote = connection.dialect.identifier_preparer.quote
        for kind, names in (("TABLE", tables), ("SEQUENCE", sequences), ("TYPE", types)):
            if names:
                connection.execute(sa.text(f"DROP {kind} IF EXISTS {', '.join(quote(n) for n in names)} CASCADE"))
