"""deploy/: Debian's nginx, with the site config as shipped (only its port, upstream and paths changed),
in front of a real gunicorn: a page, a large upload streamed through, and a signed file sent by nginx
with X-Accel-Redirect (Range included) after the app checked the link. The systemd units verify."""

from __future__ import annotations

import hashlib
import http.client
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from archive.auth import operations as accounts
from archive.extensions import db
from archive.media.models import MediaFile
from archive.storage import get_storage
from tests.conftest import running_app
from tests.factories import attach_video, make_film
from tests.fixtures.s3 import free_port

PROJECT = Path(__file__).resolve().parent.parent.parent
DEPLOY = PROJECT / "deploy"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
UPLOAD_BYTES = 48 * 1024 * 1024
POSTER = os.urandom(256 * 1024)
BLOCK = os.urandom(1024 * 1024)


def render_site(port: int, upstream: int, instance: Path) -> str:
    """The shipped site config for this test: the same directives, a loopback port and this checkout's paths."""
    site = (DEPLOY / "nginx-archive.conf").read_text()
    for shipped, here in (("listen 80;", f"listen 127.0.0.1:{port};"), ("server 127.0.0.1:8000;", f"server 127.0.0.1:{upstream};"),
                          ("/var/lib/dialogue-archive/", f"{instance}/"), ("/srv/dialogue-archive/", f"{PROJECT}/")):
        assert shipped in site, shipped
        site = site.replace(shipped, here)
    return site


def nginx_conf(prefix: Path, site: Path) -> str:
    """A main config that keeps everything (pid, logs, temp files) in ``prefix``, so no root is needed."""
    user = "user root root;\n" if os.geteuid() == 0 else ""  # only when the tests themselves run as root
    temps = "".join(f"    {name}_temp_path {prefix}/{name};\n" for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    return (f"{user}worker_processes 1;\npid {prefix}/nginx.pid;\nerror_log {prefix}/error.log warn;\n"
            f"events {{ worker_connections 64; }}\nhttp {{\n    include /etc/nginx/mime.types;\n"
            f"    access_log {prefix}/access.log;\n{temps}    include {site};\n}}\n")


def wait_until_answering(port: int, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"nothing answered on port {port} within {seconds} s")


@pytest.fixture
def site(tmp_path) -> Iterator[dict]:
    """An embedded archive served by gunicorn behind nginx; yields its port, a token, a signed link and the poster's key."""
    instance = tmp_path / "instance"
    config = {"TESTING": True, "INSTANCE_PATH": str(instance), "SECRET_KEY": "nginx-test-secret",
              "DATABASE_URL": f"sqlite:///{tmp_path / 'archive.db'}", "ACCEL_REDIRECT": "/_protected/",
              "PROXY_COUNT": 1, "ARGON2_MEMORY_KIB": 1024, "ARGON2_TIME_COST": 1}
    running = running_app(config, "embedded")
    app = next(running)
    user = accounts.create_user("archivist@example.org", "correct horse battery", "archivist")
    token = accounts.issue_token(user, "nginx")
    film = make_film("Behind nginx")
    media = attach_video(film, poster=POSTER)
    poster = next(d for d in media.derivatives if d.kind == "poster")
    with app.test_request_context():
        link = get_storage().url(poster.storage_key, content_type="image/jpeg")
    env = {**os.environ, "FLASK_APP": "wsgi.py", "ARCHIVE_INSTANCE_PATH": str(instance),
           "ARCHIVE_DATABASE_URL": config["DATABASE_URL"], "ARCHIVE_SECRET_KEY": config["SECRET_KEY"],
           "ARCHIVE_ACCEL_REDIRECT": "/_protected/", "ARCHIVE_PROXY_COUNT": "1", "ARCHIVE_LOG_FORMAT": "json"}
    upstream, port = free_port(), free_port()
    prefix = tmp_path / "nginx"
    for folder in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (prefix / folder).mkdir(parents=True)
    (prefix / "site.conf").write_text(render_site(port, upstream, instance))
    (prefix / "nginx.conf").write_text(nginx_conf(prefix, prefix / "site.conf"))
    gunicorn = subprocess.Popen(
        [str(Path(sys.executable).with_name("gunicorn")), "--bind", f"127.0.0.1:{upstream}", "--workers", "1",
         "--worker-class", "gthread", "--threads", "4", "--graceful-timeout", "2", "--forwarded-allow-ips", "127.0.0.1", "wsgi:app"],
        cwd=PROJECT, env=env, stdout=open(tmp_path / "gunicorn.log", "ab"), stderr=subprocess.STDOUT)
    nginx = subprocess.Popen([NGINX, "-p", str(prefix), "-c", str(prefix / "nginx.conf"), "-g", "daemon off;"],
                             stdout=open(prefix / "stdout.log", "ab"), stderr=subprocess.STDOUT)
    try:
        wait_until_answering(port)
        yield {"port": port, "token": token, "link": link, "poster": poster.storage_key, "item_id": film.id,
               "app": app}
    finally:
        for process in (nginx, gunicorn):
            process.terminate()
            process.wait(30)
        with pytest.raises(StopIteration):
            next(running)


def request(port: int, method: str, path: str, headers: dict | None = None, body=None) -> tuple[int, dict, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    connection.request(method, path, body=body, headers=headers or {})
    response = connection.getresponse()
    return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()


def film_stream() -> Iterator[bytes]:
    """An upload that starts like an MP4 and goes on for UPLOAD_BYTES, made as it is sent (sent chunked)."""
    yield b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + BLOCK[24:]
    for _ in range(UPLOAD_BYTES // len(BLOCK) - 1):
        yield BLOCK


def test_page_upload_and_accelerated_download_through_nginx(site) -> None:
    port = site["port"]
    status, headers, body = request(port, "GET", f"/items/{site['item_id']}")
    assert status == 200 and b"Behind nginx" in body
    assert headers["server"].startswith("nginx")
    assert len(headers["x-request-id"]) == 32  # nginx's $request_id, taken up by the app
    status, headers, _ = request(port, "GET", "/static/" + next(p.name for p in (PROJECT / "static").iterdir() if p.is_file()))
    assert status == 200

    expected = hashlib.sha256()
    for chunk in film_stream():
        expected.update(chunk)
    status, _, body = request(port, "POST", f"/api/v1/items/{site['item_id']}/media?filename=long.mp4",
                              {"Authorization": f"Bearer {site['token']}", "Content-Type": "application/octet-stream"},
                              film_stream())
    assert status == 201, body[:500]
    db.session.expire_all()
    stored = db.session.query(MediaFile).filter_by(filename="long.mp4").one()
    assert (stored.size, stored.sha256) == (UPLOAD_BYTES, expected.hexdigest())

    status, headers, body = request(port, "GET", site["link"])
    assert status == 200 and body == POSTER
    assert headers["content-type"] == "image/jpeg"
    assert headers["x-content-type-options"] == "nosniff" and "sandbox" in headers["content-security-policy"]
    assert "x-accel-redirect" not in headers and headers["cache-control"] == "private"
    # What nginx was told: the app itself sends no byte of the file, only where it lies.
    answer = site["app"].test_client().get(site["link"])
    assert (answer.status_code, answer.data) == (200, b"")
    assert answer.headers["X-Accel-Redirect"] == "/_protected/" + site["poster"]
    with site["app"].test_request_context():
        download = get_storage().url(site["poster"], filename="Афиша poster.jpg", content_type="image/jpeg")
    status, headers, body = request(port, "GET", download)
    assert status == 200 and body == POSTER
    assert headers["content-disposition"] == (
        "attachment; filename=\"poster.jpg\"; filename*=UTF-8''%D0%90%D1%84%D0%B8%D1%88%D0%B0%20poster.jpg")
    status, headers, body = request(port, "GET", site["link"], {"Range": "bytes=1000-1999"})
    assert status == 206 and body == POSTER[1000:2000]
    assert headers["content-range"] == f"bytes 1000-1999/{len(POSTER)}"
    # The internal location is nginx's alone; a tampered link is refused by the app.
    assert request(port, "GET", "/_protected/" + site["poster"])[0] == 404
    assert request(port, "GET", site["link"][:-3] + "AAA")[0] == 403
    # The app checks the link before nginx sends anything: a deleted object's link is dead.
    get_storage().delete(site["poster"])
    assert request(port, "GET", site["link"])[0] == 404


def test_systemd_units_verify(tmp_path) -> None:
    analyze = shutil.which("systemd-analyze")
    assert analyze, "systemd-analyze is missing: install systemd (make system-deps)"
    for unit in ("archive-web.service", "archive-worker.service"):
        text = (DEPLOY / unit).read_text().replace("/srv/dialogue-archive", str(PROJECT))
        (tmp_path / unit).write_text(text)
    result = subprocess.run([analyze, "verify", *(str(tmp_path / u) for u in ("archive-web.service", "archive-worker.service"))],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0 and not result.stderr.strip(), result.stderr
