"""Work folders of derivation jobs: named after the process that made them, swept once it is dead.

A derivation copies the whole original into a folder under the system's temp directory. A worker
killed with SIGKILL cannot tidy up, so each folder carries its process id (``derive-<pid>-…``) and
the sweep, run when a worker starts and periodically, removes the folders of processes that no
longer exist.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
import time

log = logging.getLogger(__name__)

PREFIX = "derive-"
# A folder of the older layout (no process id) is taken as abandoned after this long.
UNOWNED_AFTER_SECONDS = 24 * 3600


def make_work_folder() -> str:
    """A fresh, private work folder that names this process as its owner."""
    return tempfile.mkdtemp(prefix=f"{PREFIX}{os.getpid()}-")


def _owner(name: str) -> int | None:
    pid, _, rest = name[len(PREFIX):].partition("-")
    return int(pid) if pid.isascii() and pid.isdigit() and rest else None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive
        return True
    return True


def _abandoned(path: str, name: str, now: float) -> bool:
    owner = _owner(name)
    if owner is None:
        try:
            return now - os.stat(path).st_mtime > UNOWNED_AFTER_SECONDS
        except FileNotFoundError:
            return False
    return owner != os.getpid() and not _alive(owner)


def sweep_work_folders(root: str | None = None) -> list[str]:
    """Remove work folders whose owning process is gone; return the paths removed."""
    root = root or tempfile.gettempdir()
    now = time.time()
    removed = []
    try:
        entries = list(os.scandir(root))
    except OSError as exc:
        log.warning("Cannot look for stale work folders in %s: %s", root, exc)
        return removed
    for entry in entries:
        if not entry.name.startswith(PREFIX) or not entry.is_dir(follow_symlinks=False):
            continue
        if _abandoned(entry.path, entry.name, now):
            shutil.rmtree(entry.path, ignore_errors=True)
            if not os.path.exists(entry.path):
                removed.append(entry.path)
                log.info("Removed the work folder %s of a job whose worker is gone", entry.path)
    return removed
