"""Load test: locust (headless, loopback only) → nginx (deploy/nginx-archive.conf) → two gunicorn nodes.

    .venv/bin/python bench/load.py --films 20 --photos 50 --steps 4,8,16 --seconds 15   # a quick look
    .venv/bin/python bench/load.py                                                      # the issue's scale
    .venv/bin/python bench/load.py --database-url postgresql://... --queue-url redis://... \\
        --storage-url s3://bucket/load   # scaled services (AWS_* in the environment for S3)

It seeds a catalogue (films with subtitles in en, ru, az, hy; photos; a venue with licences),
starts two gunicorn nodes (2 gthread workers each), two job workers and nginx in front, measures
every route unloaded (one user), then raises the number of users step by step. The saturation
point is the first step whose errors are above zero, whose p95 passes 3 × the unloaded p95, or
whose request rate stops growing (under 10 % more than the step before); it prints requests/s per
core there, then runs at half that rate and prints p50/p95 per route against the unloaded ones
(goal: every route's p95 ≤ 3 × unloaded, zero errors).

The mix: 70 % browsing (home, lists, film and photo pages), 25 % search (words, phrases, facets, in
four languages), 5 % calendar feeds and screening requests by a venue account.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
WORDS = {"en": ["border", "river", "bridge", "village", "mountain", "memory"],
         "ru": ["граница", "река", "мост", "деревня", "гора", "память"],
         "az": ["sərhəd", "çay", "körpü", "kənd", "dağ", "yaddaş"],
         "hy": ["սահման", "գետ", "կամուրջ", "գյուղ", "լեռ", "հիշողություն"]}
SEARCHES = ["border", "\"the river\"", "bridge kind:film", "граница", "мост", "sərhəd", "körpü", "սահման", "գետ",
            "memory", "village lang:en"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# ---------------------------------------------------------------- seeding (a child process, no gevent)

def srt(lang: str, n: int) -> bytes:
    words = WORDS[lang]
    cues = []
    for k in range(20):
        line = " ".join(random.choice(words) for _ in range(6))
        cues.append(f"{k + 1}\n00:{k // 6:02d}:{(k % 6) * 10:02d},000 --> 00:{k // 6:02d}:{(k % 6) * 10 + 5:02d},000\n{line} {n}\n")
    return "\n".join(cues).encode()


def seed(films: int, photos: int) -> None:
    """Fill the database named by the environment; print the ids the load needs, as JSON."""
    sys.path.insert(0, str(PROJECT))
    from archive import create_app
    from archive.auth import operations as accounts
    from archive.catalogue import operations as catalogue
    from archive.extensions import db
    from archive.screenings.operations import licences, venues
    from archive.subtitles import operations as subtitles

    app = create_app()
    with app.app_context():
        venue_user = accounts.create_user("venue@load.test", "load test password", "venue")
        venue = venues.create_venue({"name": "Load Hall", "city": "Yerevan", "country": "AM", "timezone": "Asia/Yerevan",
                                     "capacity": 200, "buffer_minutes": 30})
        venues.add_member(venue, venue_user.email)
        film_ids, photo_ids = [], []
        for n in range(films):
            item = catalogue.create_item({"kind": "film", "title": {"en": f"Film {n} by the {random.choice(WORDS['en'])}"},
                                          "visibility": "public", "year": 1990 + n % 35})
            item.duration_seconds = 3600
            db.session.commit()
            for lang in WORDS:
                subtitles.create_track(item, lang, srt(lang, n), f"{lang}.srt")
            if n < 10:
                licences.create_licence(item, {"territories": ["AM"], "starts_on": "2020-01-01", "ends_on": "2035-12-31",
                                               "uses": ["non-commercial"]})
            film_ids.append(item.id)
        for n in range(photos):
            item = catalogue.create_item({"kind": "photo", "title": {"en": f"Photo {n} of the {random.choice(WORDS['en'])}"},
                                          "visibility": "public"})
            photo_ids.append(item.id)
        token = accounts.issue_token(venue_user, "load")
        seeded = {"films": film_ids, "photos": photo_ids, "venue": venue.id, "token": token}
    print(json.dumps(seeded))


# ---------------------------------------------------------------- the services

def nginx_config(prefix: Path, port: int, upstreams: list[int], instance: Path) -> Path:
    site = (PROJECT / "deploy" / "nginx-archive.conf").read_text()
    site = site.replace("listen 80;", f"listen 127.0.0.1:{port};")
    site = site.replace("    server 127.0.0.1:8000;\n", "".join(f"    server 127.0.0.1:{u};\n" for u in upstreams))
    site = site.replace("/var/lib/dialogue-archive/", f"{instance}/").replace("/srv/dialogue-archive/", f"{PROJECT}/")
    for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (prefix / name).mkdir(parents=True, exist_ok=True)
    (prefix / "site.conf").write_text(site)
    user = "user root root;\n" if os.geteuid() == 0 else ""
    temps = "".join(f"    {n}_temp_path {prefix}/{n};\n" for n in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    (prefix / "nginx.conf").write_text(
        f"{user}worker_processes 1;\npid {prefix}/nginx.pid;\nerror_log {prefix}/error.log warn;\n"
        f"events {{ worker_connections 1024; }}\nhttp {{\n    include /etc/nginx/mime.types;\n    access_log off;\n"
        f"{temps}    include {prefix}/site.conf;\n}}\n")
    return prefix / "nginx.conf"


def wait_for(port: int, seconds: float = 300) -> None:
    import http.client

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise SystemExit(f"nothing answered on port {port} within {seconds} s")


# ---------------------------------------------------------------- the load

def make_user_class(base: str, seeded: dict):
    from locust import HttpUser, constant_throughput, task

    films, photos = seeded["films"], seeded["photos"]
    auth = {"Authorization": f"Bearer {seeded['token']}"}

    class Visitor(HttpUser):
        host = base
        wait_time = constant_throughput(1)  # one request a second per user: users × 1 = offered rate

        @task(20)
        def home(self):
            self.client.get("/", name="/")

        @task(15)
        def film_list(self):
            self.client.get("/items?kind=film", name="/items?kind=film")

        @task(20)
        def film_page(self):
            self.client.get(f"/items/{random.choice(films)}", name="/items/<film>")

        @task(15)
        def photo_page(self):
            self.client.get(f"/items/{random.choice(photos)}", name="/items/<photo>")

        @task(25)
        def search(self):
            self.client.get("/search", params={"q": random.choice(SEARCHES)}, name="/search")

        @task(3)
        def calendar(self):
            self.client.get("/calendar.ics", name="/calendar.ics")

        @task(2)
        def book(self):
            day = random.randint(400, 4000)
            starts = time.strftime("%Y-%m-%dT19:00:00", time.gmtime(time.time() + day * 86400))
            with self.client.post("/api/v1/screenings", headers=auth, name="POST /api/v1/screenings", catch_response=True,
                                  json={"item_id": random.choice(films[:10]), "venue_id": seeded["venue"],
                                        "starts_at": starts, "format": "community"}) as response:
                if response.status_code in (201, 409, 422):  # a clash or a refusal is a right answer
                    response.success()

    return Visitor


def run_step(user_class, users: int, seconds: float) -> dict:
    """Run ``users`` for ``seconds``; per route and in total: requests/s, p50, p95, errors."""
    from locust.env import Environment

    env = Environment(user_classes=[user_class])
    runner = env.create_local_runner()
    runner.start(users, spawn_rate=max(users, 1))
    time.sleep(seconds)
    runner.quit()
    stats = env.stats
    routes = {}
    for (name, method), entry in stats.entries.items():
        routes[f"{method} {name}"] = {"requests": entry.num_requests, "errors": entry.num_failures,
                                      "p50": entry.get_response_time_percentile(0.5) / 1000,
                                      "p95": entry.get_response_time_percentile(0.95) / 1000}
    total = stats.total
    return {"users": users, "rps": total.num_requests / seconds, "errors": total.num_failures,
            "p95": total.get_response_time_percentile(0.95) / 1000, "routes": routes}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", nargs="?", default="run", choices=["run", "seed"], help=argparse.SUPPRESS)
    parser.add_argument("--films", type=int, default=500, help="films, each with subtitles in four languages")
    parser.add_argument("--photos", type=int, default=2000, help="photo items")
    parser.add_argument("--steps", default="8,16,32,64,128", help="users per step (each offers one request a second)")
    parser.add_argument("--seconds", type=float, default=30, help="length of each step")
    parser.add_argument("--database-url", help="PostgreSQL URL (emptied); default a SQLite file in a temporary folder")
    parser.add_argument("--queue-url", help="redis://... ; default a SQLite queue")
    parser.add_argument("--storage-url", help="s3://bucket/prefix; default a folder")
    args = parser.parse_args()
    if args.command == "seed":
        seed(args.films, args.photos)
        return

    import locust  # noqa: F401 - first: it patches the standard library for gevent

    work = Path(tempfile.mkdtemp(prefix="archive-load-"))
    instance = work / "instance"
    env = {**os.environ, "FLASK_APP": "wsgi.py", "ARCHIVE_INSTANCE_PATH": str(instance), "ARCHIVE_SECRET_KEY": "load-test",
           "ARCHIVE_PROXY_COUNT": "1", "ARCHIVE_LOG_FORMAT": "json", "ARCHIVE_API_LIMIT": "100000 per minute",
           "ARCHIVE_SECURE_COOKIES": "false"}
    for option, name in ((args.database_url, "DATABASE_URL"), (args.queue_url, "QUEUE_URL"), (args.storage_url, "STORAGE_URL")):
        if option:
            env["ARCHIVE_" + name] = option
    if not args.storage_url:
        env["ARCHIVE_ACCEL_REDIRECT"] = "/_protected/"
    processes: list[subprocess.Popen] = []
    logs = open(work / "services.log", "ab")
    try:
        subprocess.run([str(BIN / "flask"), "db", "upgrade"], cwd=PROJECT, env=env, check=True, capture_output=True)
        started = time.perf_counter()
        seeding = subprocess.run([sys.executable, __file__, "seed", "--films", str(args.films), "--photos",
                                  str(args.photos)], cwd=PROJECT, env=env, capture_output=True, text=True, check=False)
        if seeding.returncode:
            raise SystemExit(f"Seeding failed:\n{seeding.stderr[-3000:]}")
        seeded = json.loads(seeding.stdout.splitlines()[-1])
        subprocess.run([str(BIN / "flask"), "jobs", "drain"], cwd=PROJECT, env=env, check=True, capture_output=True)
        print(f"Seeded {args.films} films (4 subtitle tracks each) and {args.photos} photos in "
              f"{time.perf_counter() - started:.0f} s.")
        nodes = [free_port(), free_port()]
        for port in nodes:
            processes.append(subprocess.Popen(
                [str(BIN / "gunicorn"), "--bind", f"127.0.0.1:{port}", "--workers", "2", "--worker-class", "gthread",
                 "--threads", "4", "--forwarded-allow-ips", "127.0.0.1", "wsgi:app"],
                cwd=PROJECT, env=env, stdout=logs, stderr=subprocess.STDOUT))
        for _ in range(2):
            processes.append(subprocess.Popen([str(BIN / "flask"), "worker", "--workers", "1"], cwd=PROJECT, env=env,
                                              stdout=logs, stderr=subprocess.STDOUT))
        port = free_port()
        config = nginx_config(work / "nginx", port, nodes, instance)
        processes.append(subprocess.Popen([NGINX, "-p", str(work / "nginx"), "-c", str(config), "-g", "daemon off;"],
                                          stdout=logs, stderr=subprocess.STDOUT))
        for node in nodes:
            wait_for(node)
        wait_for(port)
        base = f"http://127.0.0.1:{port}"
        user_class = make_user_class(base, seeded)

        unloaded = run_step(user_class, 1, args.seconds)
        print(f"\nUnloaded (1 user): {unloaded['rps']:.1f} req/s, p95 {unloaded['p95'] * 1000:.0f} ms")
        print(f"\n{'users':>6} {'req/s':>8} {'p95 ms':>8} {'errors':>7}")
        results, saturated = [], None
        for users in (int(step) for step in args.steps.split(",")):
            result = run_step(user_class, users, args.seconds)
            results.append(result)
            print(f"{users:>6} {result['rps']:>8.1f} {result['p95'] * 1000:>8.0f} {result['errors']:>7}")
            previous = results[-2]["rps"] if len(results) > 1 else 0
            if result["errors"] or result["p95"] > 3 * unloaded["p95"] or (previous and result["rps"] < 1.1 * previous):
                saturated = results[-2] if len(results) > 1 else result
                break
        saturated = saturated or results[-1]
        cores = os.cpu_count() or 1
        print(f"\nSaturation at about {saturated['rps']:.1f} req/s with {saturated['users']} users: "
              f"{saturated['rps'] / cores:.1f} req/s per core ({cores} cores; locust, nginx and services share them).")
        half_users = max(1, saturated["users"] // 2)
        half = run_step(user_class, half_users, args.seconds)
        print(f"\nAt half of it ({half_users} users, {half['rps']:.1f} req/s), against unloaded:")
        print(f"{'route':<34} {'p50 ms':>8} {'p95 ms':>8} {'unloaded p95':>13} {'ratio':>6} {'errors':>7}")
        for route, figures in sorted(half["routes"].items()):
            base_p95 = unloaded["routes"].get(route, {}).get("p95") or 0
            ratio = figures["p95"] / base_p95 if base_p95 else float("nan")
            print(f"{route:<34} {figures['p50'] * 1000:>8.0f} {figures['p95'] * 1000:>8.0f} {base_p95 * 1000:>13.0f} "
                  f"{ratio:>6.1f} {figures['errors']:>7}")
    except BaseException:
        logs.flush()
        print("Last lines of the services' output:\n" + (work / "services.log").read_text(errors="replace")[-3000:],
              file=sys.stderr)
        raise
    finally:
        for process in reversed(processes):
            process.terminate()
        for process in processes:
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                process.kill()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
