"""Upload throughput and server memory: a large film through the HTTP endpoint into filesystem storage.

Prints, for each size, the upload throughput divided by `cp` of the same file (goal >= 0.5) and the
server process's peak resident memory (goal < 200 MB, and not growing with the file size).

    .venv/bin/python bench/ingest.py            # 200 MB and 2 GB
    .venv/bin/python bench/ingest.py --sizes 50  # quicker look
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
CHUNK = 8 * 1024 * 1024


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def make_film(path: Path, size: int) -> None:
    """A file that starts like an MP4 (the upload checks content, not names), then random bytes."""
    header = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom"
    block = os.urandom(CHUNK)
    with open(path, "wb") as out:
        out.write(header)
        written = len(header)
        while written < size:
            piece = block[: min(CHUNK, size - written)]
            out.write(piece)
            written += len(piece)


def peak_rss_mb(pid: int) -> float:
    """VmHWM (peak resident set) of a process, in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM")


def run_flask(env: dict, *args: str, stdin: str | None = None) -> str:
    result = subprocess.run([str(BIN / "flask"), *args], env=env, cwd=PROJECT, input=stdin, text=True,
                            capture_output=True, check=True)
    return result.stdout.strip()


def upload(port: int, token: str, item_id: int, path: Path) -> float:
    """Stream the file as the request body with curl (a C client, so the client's own cost stays small)."""
    started = time.perf_counter()
    result = subprocess.run(
        ["curl", "-sS", "-X", "POST", "-T", str(path), "-H", f"Authorization: Bearer {token}",
         "-H", "Content-Type: application/octet-stream", "-H", "Expect:", "-o", "/dev/null", "-w", "%{http_code}",
         f"http://127.0.0.1:{port}/api/v1/items/{item_id}/media?filename={path.name}"],
        capture_output=True, text=True, check=True,
    )
    elapsed = time.perf_counter() - started
    if result.stdout.strip() != "201":
        raise RuntimeError(f"upload failed: HTTP {result.stdout.strip()} {result.stderr[:300]}")
    return elapsed


def copy_seconds(source: Path, target: Path) -> float:
    """`cp` to a new file, then sync it (the archive fsyncs what it stores; so does this)."""
    started = time.perf_counter()
    subprocess.run(["cp", str(source), str(target)], check=True)
    subprocess.run(["sync", str(target)], check=True)
    elapsed = time.perf_counter() - started
    target.unlink()
    return elapsed


SERVERS = {
    # gunicorn's request reader takes the body from the socket 8 KiB at a time.
    "gunicorn": lambda port: [str(BIN / "gunicorn"), "-w", "1", "-b", f"127.0.0.1:{port}", "--timeout", "900",
                              "wsgi:app"],
    "werkzeug": lambda port: [str(BIN / "flask"), "run", "--port", str(port)],
}


def bench(size_mb: int, work: Path, server_name: str = "gunicorn", rounds: int = 3) -> dict:
    instance = work / f"instance-{size_mb}"
    env = {**os.environ, "FLASK_APP": "wsgi.py", "ARCHIVE_INSTANCE_PATH": str(instance),
           "ARCHIVE_SECRET_KEY": "bench", "ARCHIVE_SECURE_COOKIES": "false"}
    run_flask(env, "db", "upgrade")
    run_flask(env, "users", "create", "bench@example.org", "--role", "archivist", stdin="bench password 123\n")
    token = run_flask(env, "users", "token", "bench@example.org")
    port = free_port()
    server = subprocess.Popen(SERVERS[server_name](port), env=env, cwd=PROJECT, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        connection.request("POST", "/api/v1/items", body=json.dumps({"kind": "film", "title": {"en": "Bench"}}),
                           headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
        item_id = json.loads(connection.getresponse().read())["id"]
        film = work / f"film-{size_mb}.mp4"
        make_film(film, size_mb * 1024 * 1024)
        workers = [server.pid] + [int(p) for p in subprocess.run(["pgrep", "-P", str(server.pid)],
                                                                  capture_output=True, text=True).stdout.split()]
        # Alternate the two, several rounds, and keep each one's best: the disk's write-back state
        # otherwise decides more of a single figure than the code does.
        uploads, copies = [], []
        for round_number in range(rounds):
            if round_number:  # the same bytes again would be refused as a duplicate: change the tail
                with open(film, "r+b") as handle:
                    handle.seek(-8, os.SEEK_END)
                    handle.write(round_number.to_bytes(8, "big"))
            uploads.append(upload(port, token, item_id, film))
            copies.append(copy_seconds(film, work / f"copy-{size_mb}-{round_number}.mp4"))
        upload_s, copy_s = min(uploads), min(copies)
        rss = max(peak_rss_mb(pid) for pid in workers)
    finally:
        server.terminate()
        server.wait(timeout=30)
    size = size_mb * 1024 * 1024
    return {"size_mb": size_mb, "upload_mb_s": size / upload_s / 1e6, "cp_mb_s": size / copy_s / 1e6,
            "ratio": copy_s / upload_s, "peak_rss_mb": rss}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", nargs="+", type=int, default=[200, 2048], help="file sizes in MB")
    parser.add_argument("--rounds", type=int, default=3, help="upload/cp rounds per size; the best of each counts")
    parser.add_argument("--server", choices=sorted(SERVERS), default="gunicorn", help="the WSGI server to upload through")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-ingest-", dir=os.environ.get("BENCH_DIR")))
    try:
        print(f"{'size':>8} {'upload MB/s':>12} {'cp MB/s':>9} {'ratio':>7} {'peak RSS MB':>12}")
        for size_mb in args.sizes:
            row = bench(size_mb, work, args.server, args.rounds)
            print(f"{row['size_mb']:>6}MB {row['upload_mb_s']:>12.1f} {row['cp_mb_s']:>9.1f} {row['ratio']:>7.2f} "
                  f"{row['peak_rss_mb']:>12.1f}")
        print(f"server: {args.server}; best of {args.rounds} rounds each; "
              "goal: ratio (upload throughput / cp throughput) >= 0.5 at 2 GB; peak RSS < 200 MB and flat across sizes")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
