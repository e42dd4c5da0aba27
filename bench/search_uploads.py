"""The everyday indexing path for ``bench/search.py``: every track uploaded through the API, a real worker indexing.

A second archive (its own SQLite database, storage, queue and index under ``WORKDIR/uploads``)
gets the same films, then each subtitle track of the corpus as an SRT file through
``POST /api/v1/items/<id>/subtitles``, one at a time, while a ``flask worker`` process runs the
index runs. Reported: the upload rate alone, the time from the first upload to the last track
searchable (and so cues/s), the index runs (how many, their own cues/s), the quiet merges after,
the index's segments and size on disk, and the worker's peak memory.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import func, insert, select

from archive import create_app
from archive.auth import operations as accounts
from archive.catalogue.models import Item
from archive.extensions import db
from archive.jobs.models import Job
from archive.search import outbox

PROJECT = Path(__file__).resolve().parent.parent


def _srt(cues: list[tuple]) -> bytes:
    def stamp(seconds: float) -> str:
        millis = round(seconds * 1000)
        return f"{millis // 3_600_000:02d}:{millis // 60_000 % 60:02d}:{millis // 1000 % 60:02d},{millis % 1000:03d}"

    return "\n".join(f"{n}\n{stamp(start)} --> {stamp(end)}\n{text}\n"
                     for n, (_, _, _, start, end, text) in enumerate(cues, start=1)).encode("utf-8")


def _peak_memory(pid: int) -> str:
    """The process's peak resident memory (VmHWM) as Linux reports it."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return f"{int(line.split()[1]) / 1024:,.0f} MiB"
    return "unknown"


def _cpu_seconds(pid: int) -> float:
    """CPU time (user and system) a process has used so far, as Linux reports it."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _idle_runs() -> bool:
    return db.session.scalar(select(func.count(Job.id)).where(
        Job.kind == outbox.RUN_JOB, Job.status.in_(("queued", "running")))) == 0


def upload_path(args, rows: list[tuple], workdir: str, time_queries: Callable, index_shape: Callable,
                load: Callable) -> dict:
    """Upload the corpus track by track with a worker running; the figures, and the queries' timings.

    ``bench/search.py`` lends its query timing, its index description and its load reading.
    """
    folder = os.path.join(workdir, "uploads")
    shutil.rmtree(folder, ignore_errors=True)
    os.makedirs(folder)
    config = {"INSTANCE_PATH": os.path.join(folder, "instance"), "SECRET_KEY": "bench-uploads",
              "DATABASE_URL": f"sqlite:///{os.path.join(folder, 'archive.db')}",
              "QUEUE_URL": f"sqlite:{os.path.join(folder, 'queue.db')}", "QUEUE_NAME": "bench-uploads",
              "API_LIMIT": "1000000 per minute"}
    app = create_app({**config, "TESTING": True})
    env = {**os.environ, "FLASK_APP": "wsgi.py", **{f"ARCHIVE_{key}": value for key, value in config.items()}}
    with app.app_context():
        db.drop_all()
        db.create_all()
        db.session.execute(insert(Item), [
            {"id": n + 1, "kind": "film", "title": {"en": f"Film {n}"}, "description": {}, "countries": [],
             "languages": [args.langs[n % len(args.langs)]], "rights_note": "", "year": 1990 + n % 35,
             "visibility": "public" if n % 10 else "partners"} for n in range(args.films)])
        db.session.commit()
        user = accounts.create_user("bench-archivist@example.org", "bench password 2026", "archivist")
        headers = {"Authorization": "Bearer " + accounts.issue_token(user, "bench")}
    log = open(os.path.join(folder, "worker.log"), "ab")
    flask = Path(sys.executable).with_name("flask")
    worker = subprocess.Popen([str(flask), "worker", "--workers", "1"], cwd=PROJECT, env=env, stdout=log,
                              stderr=subprocess.STDOUT)
    try:
        time.sleep(5)  # the worker process importing the app, as one that has been running all along
        client = app.test_client()
        tracks = len(rows) // args.cues
        print(f"uploading {tracks:,} tracks one at a time through the API, worker pid {worker.pid} "
              f"({load()})", flush=True)
        worker_cpu_started = _cpu_seconds(worker.pid)
        first = time.perf_counter()
        for number in range(tracks):
            cues = rows[number * args.cues:(number + 1) * args.cues]
            film, lang = cues[0][0], cues[0][1]
            response = client.post(f"/api/v1/items/{film + 1}/subtitles", headers=headers, data=_srt(cues),
                                   query_string={"lang": lang, "filename": f"{lang}.srt"})
            if response.status_code != 201:
                raise SystemExit(f"upload {number} answered {response.status_code}: {response.get_data(as_text=True)}")
            if number and number % 200 == 0:
                print(f"  {number:,} tracks uploaded in {time.perf_counter() - first:.0f} s "
                      f"({load()})", flush=True)
        uploaded = time.perf_counter()
        with app.app_context():
            while True:  # a row leaves the outbox only once the index commit holding it is done
                db.session.expire_all()
                if outbox.pending() == 0:
                    break
                if worker.poll() is not None:
                    raise SystemExit(f"the worker stopped; see {folder}/worker.log")
                time.sleep(0.05)
            searchable = time.perf_counter()
            worker_cpu_searchable = _cpu_seconds(worker.pid) - worker_cpu_started
            while not _idle_runs():  # the quiet runs folding segments
                time.sleep(0.2)
                db.session.expire_all()
            merged = time.perf_counter()
            worker_cpu = _cpu_seconds(worker.pid) - worker_cpu_started
            runs = db.session.scalars(select(Job).where(Job.kind == outbox.RUN_JOB)).all()
            failed = [run for run in runs if run.status != "done"]
            busy = sum((run.finished_at - run.started_at).total_seconds() for run in runs if run.finished_at)
            cpu = sum((run.result or {}).get("cpu_seconds", 0.0) for run in runs)
            rewritten = sum((run.result or {}).get("cues", 0) for run in runs)
            copied = sum((run.result or {}).get("merged_documents", 0) for run in runs)
            peak = _peak_memory(worker.pid)
            shape = index_shape()
            timed = time_queries(app)
    finally:
        worker.terminate()
        worker.wait(timeout=60)
    total = len(rows)
    rate = total / (searchable - first)
    print(f"uploads: {tracks:,} tracks, {total:,} cues in {uploaded - first:.1f} s "
          f"({total / (uploaded - first):,.0f} cues/s through the API alone)")
    print(f"track by track: first upload to last track searchable {searchable - first:.1f} s = {rate:,.0f} cues/s; "
          f"last upload to searchable {searchable - uploaded:.1f} s")
    print(f"index runs: {len(runs)} ({len(failed)} not done), busy {busy:.1f} s = {total / max(busy, 0.001):,.0f} "
          f"cues/s while running, CPU {cpu:.1f} s = {total / max(cpu, 0.001):,.0f} cues per CPU second (merges "
          f"included); quiet merges after: {merged - searchable:.1f} s")
    print(f"cues the runs analysed: {rewritten:,} = {rewritten / total:.2f} per cue uploaded; documents segment merges "
          f"copied: {copied:,}; worker process CPU (queue included) {worker_cpu_searchable:.1f} s to last searchable = "
          f"{total / max(worker_cpu_searchable, 0.001):,.0f} cues per CPU second, {worker_cpu:.1f} s with the merges "
          f"after = {total / max(worker_cpu, 0.001):,.0f} cues per CPU second")
    print(f"index built track by track: {shape}; worker peak memory {peak}; {load()}", flush=True)
    return {"rate": rate, "queries": timed}
