"""A worker killed mid-job takes its ffmpeg with it, and the next worker removes the copy it left."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import select

from archive.extensions import db
from archive.jobs.models import Job
from archive.media import workdirs
from tests.factories import make_film
from tests.fixtures.worker import PROJECT, start_worker, wait_for


def processes_mentioning(text: str) -> list[int]:
    """Process ids whose command line contains ``text`` (Linux /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode("utf-8", "replace")
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if text in cmdline and state != "Z":
            found.append(int(entry.name))
    return found


def work_folders_of(pid: int) -> list[Path]:
    return sorted(Path(tempfile.gettempdir()).glob(f"{workdirs.PREFIX}{pid}-*"))


def wait_until(condition, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return condition()


def test_sigkilled_worker_leaves_no_ffmpeg_running_and_its_folder_is_swept(app, client, token_for, samples,
                                                                           tmp_path):
    item = make_film("Long take", "restricted")
    response = client.post(f"/api/v1/items/{item.id}/media?filename=long.mp4", headers=token_for("archivist"),
                           data=samples["long_film"].read_bytes(), content_type="application/octet-stream")
    assert response.status_code == 201
    job = db.session.scalar(select(Job).where(Job.kind == "derive"))
    worker = start_worker(app, tmp_path / "worker.log")
    try:
        assert wait_for(job, {"running", "done", "failed"}) == "running"
        # Wait until ffmpeg is encoding the web version (the long step) in the worker's work folder.
        folder_mark = f"{workdirs.PREFIX}{worker.pid}-"

        def encoding() -> bool:
            db.session.expire_all()
            return db.session.get(Job, job.id).progress >= 26 and bool(processes_mentioning(folder_mark))

        assert wait_until(encoding, 90), "ffmpeg was never seen making the web version"
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=30)
        assert wait_until(lambda: not processes_mentioning(folder_mark), 2), "ffmpeg outlived its worker"
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait()
    killed = worker.pid
    assert work_folders_of(killed)  # a full copy of the original is still on disk ...

    worker = start_worker(app, tmp_path / "worker.log")
    try:  # ... until the next worker starts
        assert wait_until(lambda: not work_folders_of(killed), 60)
    finally:
        worker.terminate()
        worker.wait(timeout=60)


def test_sweep_keeps_folders_of_living_processes_and_removes_the_dead(tmp_path):
    mine = tmp_path / f"{workdirs.PREFIX}{os.getpid()}-abc"
    dead_pid = 2**22 + 12345  # above the kernel's pid_max: no such process can exist
    dead = tmp_path / f"{workdirs.PREFIX}{dead_pid}-xyz"
    legacy_old = tmp_path / f"{workdirs.PREFIX}oldstyle"
    other = tmp_path / "something-else"
    for folder in (mine, dead, legacy_old, other):
        folder.mkdir()
        (folder / "original.mp4").write_bytes(b"x" * 10)
    long_ago = time.time() - 2 * workdirs.UNOWNED_AFTER_SECONDS
    os.utime(legacy_old, (long_ago, long_ago))
    removed = workdirs.sweep_work_folders(str(tmp_path))
    assert sorted(removed) == sorted([str(dead), str(legacy_old)])
    assert mine.exists() and other.exists() and not dead.exists()


def test_a_process_run_like_ffmpeg_dies_when_its_parent_is_killed(tmp_path):
    seconds = f"{40 + os.getpid() % 1000}.5"
    marker = f"sleep {seconds}"  # a command line no other process has
    # The time comes through the environment, so only the child's own command line carries the marker.
    script = "import os; from archive.media import ffmpeg; ffmpeg.run(['sleep', os.environ['RUN']], 120, failure='proxy_failed')"
    parent = subprocess.Popen([sys.executable, "-c", script], cwd=PROJECT, env={**os.environ, "RUN": seconds})
    try:
        assert wait_until(lambda: processes_mentioning(marker), 20)
        parent.send_signal(signal.SIGKILL)
        parent.wait(timeout=10)
        assert wait_until(lambda: not processes_mentioning(marker), 10), "the child outlived its parent"
    finally:
        if parent.poll() is None:
            parent.kill()
        for pid in processes_mentioning(marker):
            os.kill(pid, signal.SIGKILL)
