"""Resumable (tus) uploads: what a cut costs, and how fast tus is beside the one-shot upload.

Prints two figures for one file size, measured in the same run against one gunicorn server:
- resumed: the bytes sent in total ÷ the file size, for an upload whose connection is cut once at
  50 % (one PATCH with the whole file, the socket shut mid-body), then resumed with tuspy from the
  offset HEAD gives (goal <= 1.05 at 1 GB);
- throughput: tus ÷ the one-shot upload (curl, the raw body) of the same size (goal >= 0.8), the
  best of ``--rounds`` rounds of each, for two tus clients in chunks of ``--chunk`` MiB: tuspy,
  which reads each chunk whole into memory, then opens a new connection to send it (its own cost
  shows between the chunks, when the server waits), and a lean client written here (one kept-alive
  connection, each chunk read and sent 1 MiB at a time, as curl sends the one-shot body), which
  measures the server's side alone.

    .venv/bin/python bench/uploads.py               # 1 GB, the figure the issue asks for
    .venv/bin/python bench/uploads.py --size 100    # quicker look
    ARCHIVE_STORAGE_URL=s3://bucket AWS_ENDPOINT_URL=... .venv/bin/python bench/uploads.py  # on S3
"""

from __future__ import annotations

import argparse
import base64
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

from tusclient import client as tus_client

sys.path.insert(0, str(Path(__file__).resolve().parent))
from ingest import BIN, PROJECT, free_port, make_film, run_flask, upload  # noqa: E402

MiB = 1024 * 1024
TUS = {"Tus-Resumable": "1.0.0"}


def api(port: int, token: str, method: str, path: str, body: dict | None = None, headers: dict | None = None):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    connection.request(method, path, body=json.dumps(body) if body is not None else None,
                       headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json",
                                **(headers or {})})
    response = connection.getresponse()
    data = response.read()
    return response, data


def new_item(port: int, token: str) -> int:
    response, data = api(port, token, "POST", "/api/v1/items", {"kind": "film", "title": {"en": "Bench"}})
    return json.loads(data)["id"]


def tus_upload(port: int, token: str, item_id: int, path: Path, chunk: int) -> float:
    """The whole file through tuspy, chunk after chunk; the seconds it took."""
    started = time.perf_counter()
    client = tus_client.TusClient(f"http://127.0.0.1:{port}/api/v1/uploads", headers={"Authorization": f"Bearer {token}"})
    client.uploader(file_path=str(path), chunk_size=chunk,
                    metadata={"item_id": str(item_id), "filename": path.name}).upload()
    return time.perf_counter() - started


def lean_tus_upload(port: int, token: str, item_id: int, path: Path, chunk: int) -> float:
    """The whole file through tus on one kept-alive connection, each chunk streamed from the file; the seconds it took."""
    started = time.perf_counter()
    size = path.stat().st_size
    meta = f"item_id {base64.b64encode(str(item_id).encode()).decode()},filename {base64.b64encode(path.name.encode()).decode()}"
    response, _ = api(port, token, "POST", "/api/v1/uploads", headers={**TUS, "Upload-Length": str(size),
                                                                        "Upload-Metadata": meta})
    location = response.getheader("Location")
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    buffer = memoryview(bytearray(MiB))
    offset = 0
    with open(path, "rb", buffering=0) as handle:
        while offset < size:
            length = min(chunk, size - offset)
            connection.putrequest("PATCH", location)
            for name, value in {**TUS, "Authorization": f"Bearer {token}", "Upload-Offset": str(offset),
                                "Content-Length": str(length), "Content-Type": "application/offset+octet-stream"}.items():
                connection.putheader(name, value)
            connection.endheaders()
            left = length
            while left:
                got = handle.readinto(buffer[: min(MiB, left)])
                connection.sock.sendall(buffer[:got])
                left -= got
            answer = connection.getresponse()
            answer.read()
            if answer.status != 204:
                raise RuntimeError(f"PATCH at {offset}: HTTP {answer.status}")
            offset = int(answer.getheader("Upload-Offset"))
    connection.close()
    if answer.getheader("Upload-Media-Id") is None:
        raise RuntimeError("the lean tus upload did not finish")
    return time.perf_counter() - started


def cut_then_resume(port: int, token: str, item_id: int, path: Path, chunk: int) -> dict:
    """One PATCH with the whole file, cut at 50 %; then HEAD and tuspy from the offset. Bytes sent in all."""
    size = path.stat().st_size
    meta = f"item_id {base64.b64encode(str(item_id).encode()).decode()},filename {base64.b64encode(path.name.encode()).decode()}"
    response, _ = api(port, token, "POST", "/api/v1/uploads", headers={**TUS, "Upload-Length": str(size),
                                                                        "Upload-Metadata": meta})
    location = response.getheader("Location")
    sent = 0
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    connection.putrequest("PATCH", location)
    for name, value in {**TUS, "Authorization": f"Bearer {token}", "Upload-Offset": "0", "Content-Length": str(size),
                        "Content-Type": "application/offset+octet-stream"}.items():
        connection.putheader(name, value)
    connection.endheaders()
    with open(path, "rb") as handle:
        while sent < size // 2:
            block = handle.read(min(MiB, size // 2 - sent))
            connection.sock.sendall(block)
            sent += len(block)
    connection.sock.shutdown(socket.SHUT_RDWR)  # the line goes down
    connection.close()
    deadline = time.monotonic() + 300
    while True:  # the server stores what it got, then lets go of the upload
        state = json.loads(api(port, token, "GET", location)[1])
        if not state["busy"] or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    offset = state["offset"]
    client = tus_client.TusClient(f"http://127.0.0.1:{port}/api/v1/uploads", headers={"Authorization": f"Bearer {token}"})
    uploader = client.uploader(file_path=str(path), chunk_size=chunk, url=f"http://127.0.0.1:{port}{location}")
    resumed_from = uploader.offset
    uploader.upload()
    sent += size - resumed_from
    done = json.loads(api(port, token, "GET", location)[1])
    if done["media_id"] is None:
        raise RuntimeError(f"the resumed upload did not finish: {done}")
    return {"sent": sent, "size": size, "kept_at_cut": offset, "resumed_from": resumed_from}


def bench(size_mb: int, work: Path, rounds: int, chunk: int) -> dict:
    instance = work / "instance"
    env = {**os.environ, "FLASK_APP": "wsgi.py", "ARCHIVE_INSTANCE_PATH": str(instance),
           "ARCHIVE_SECRET_KEY": "bench", "ARCHIVE_SECURE_COOKIES": "false", "ARCHIVE_API_LIMIT": "100000 per minute"}
    run_flask(env, "db", "upgrade")
    run_flask(env, "users", "create", "bench@example.org", "--role", "archivist", stdin="bench password 123\n")
    token = run_flask(env, "users", "token", "bench@example.org")
    port = free_port()
    server = subprocess.Popen([str(BIN / "gunicorn"), "-w", "1", "--threads", "4", "-b", f"127.0.0.1:{port}",
                               "--timeout", "900", "--no-control-socket", "wsgi:app"],
                              env=env, cwd=PROJECT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(600):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        film = work / "film.mp4"
        make_film(film, size_mb * MiB)
        number = 0

        def fresh() -> Path:  # the same bytes twice would be refused as a duplicate: change the tail
            nonlocal number
            number += 1
            with open(film, "r+b") as handle:
                handle.seek(-8, os.SEEK_END)
                handle.write(number.to_bytes(8, "big"))
            return film

        one_shot, tus, lean = [], [], []
        for _ in range(rounds):  # alternate, keep each one's best: the disk's state decides less
            one_shot.append(upload(port, token, new_item(port, token), fresh()))
            tus.append(tus_upload(port, token, new_item(port, token), fresh(), chunk))
            lean.append(lean_tus_upload(port, token, new_item(port, token), fresh(), chunk))
        resumed = cut_then_resume(port, token, new_item(port, token), fresh(), chunk)
    finally:
        server.terminate()
        server.wait(timeout=60)
    size = size_mb * MiB
    return {"size_mb": size_mb, "one_shot_mb_s": size / min(one_shot) / 1e6, "tus_mb_s": size / min(tus) / 1e6,
            "throughput_ratio": min(one_shot) / min(tus), "lean_mb_s": size / min(lean) / 1e6,
            "lean_ratio": min(one_shot) / min(lean), "sent_ratio": resumed["sent"] / resumed["size"], **resumed}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", type=int, default=1000, help="file size in MB (MiB); 1000 for the issue's figure")
    parser.add_argument("--rounds", type=int, default=2, help="one-shot/tus rounds; the best of each counts")
    parser.add_argument("--chunk", type=int, default=64, help="tus chunk size in MiB")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-uploads-", dir=os.environ.get("BENCH_DIR")))
    try:
        row = bench(args.size, work, args.rounds, args.chunk * MiB)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"file: {row['size_mb']} MiB; tus chunks of {args.chunk} MiB; best of {args.rounds} rounds")
    print(f"one-shot upload (curl): {row['one_shot_mb_s']:.1f} MB/s")
    print(f"tus, tuspy client: {row['tus_mb_s']:.1f} MB/s; tus / one-shot = {row['throughput_ratio']:.2f} (goal >= 0.8)")
    print(f"tus, lean client (kept-alive, streamed chunks): {row['lean_mb_s']:.1f} MB/s; "
          f"tus / one-shot = {row['lean_ratio']:.2f} (goal >= 0.8)")
    print(f"cut at 50 %: the server kept {row['kept_at_cut']} bytes, the client went on from {row['resumed_from']}; "
          f"bytes sent / file size = {row['sent_ratio']:.3f} (goal <= 1.05)")


if __name__ == "__main__":
    main()
