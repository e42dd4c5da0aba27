"""Load test: locust (headless, loopback only) → nginx (deploy/nginx-archive.conf) → two gunicorn nodes.

    .venv/bin/python bench/load.py --scaled                       # the issue's scale, on the scaled services
    .venv/bin/python bench/load.py --scaled --films 20 --photos 50 --steps 4,8,16 --seconds 15   # a quick look
    .venv/bin/python bench/load.py --films 20 --photos 50 --steps 4,8,16 --seconds 15   # SQLite, folder, no Ceph

With ``--scaled`` the nodes and workers run on PostgreSQL (a database of the bench's own, dropped and
created again: ``--database-url``, default ``.../load``), Redis (a db number of its own, emptied:
``--redis-url``, default db 15) and a one-node Ceph cluster with a RADOS Gateway that the bench
starts itself (``tests/fixtures/ceph.py``, the scaled tests' starter) and stops at the end; each web
node and worker has an instance folder (a disk) of its own and searches a replica of the index
published to the bucket (``ARCHIVE_SEARCH_REPLICATION``), as on separate machines. Without it the
embedded profile runs: SQLite, a SQLite queue and a storage folder served by nginx.

It seeds a catalogue through the app's own functions: films with titles and subtitles in en, ru, az,
hy, each with a small real original, poster, web version and storyboard (sprite sheet and WebVTT
track, made once with ffmpeg and stored for every film); photos with a real small original and its
display and thumbnail sizes (made once with Pillow); venues with member accounts, API tokens and
secret calendar addresses, and licences for ten films. Then it starts two gunicorn nodes (2 gthread
workers each), two job workers and nginx in front, measures every route unloaded (one user, one
request at a time), then raises the number of users step by step (each offers one request a second).
The saturation point is the last step before the first one whose errors are above zero, whose p95
passes 3 × the unloaded p95 of its own mix of routes, or whose request rate stops growing (under 10 % more than the step
before); it prints requests/s per core there, then runs at half that rate and prints p50/p95 per
route against the unloaded ones. "Unloaded" for a step is one user, one request at a time, paced at
the step's rate: on a virtual machine a core that has been idle comes back slower (the bench prints
by how much), so back-to-back requests would be a yardstick no paced load can meet; the back-to-back
figures are printed beside it. Then, with the half load still running, it fires booking races: 8
identical requests for one free slot at once, five times; each race must give one 201 and seven 409.

The mix: 70 % browsing (home, film and photo lists, film and photo pages, storyboard VTT), 25 % search
(words, phrases, facets, in four languages), 5 % venues (the public, venue and secret-address
calendar feeds, screening requests). The exit status is 1 when a goal is missed: errors up to the
saturation point, a route's p95 at half load over 3 × unloaded, or a race without exactly one winner.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

PROJECT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
LANGS = ("en", "ru", "az", "hy")
WORDS = {"en": ["border", "river", "bridge", "village", "mountain", "memory"],
         "ru": ["граница", "река", "мост", "деревня", "гора", "память"],
         "az": ["sərhəd", "çay", "körpü", "kənd", "dağ", "yaddaş"],
         "hy": ["սահման", "գետ", "կամուրջ", "գյուղ", "լեռ", "հիշողություն"]}
FILM_WORD = {"en": "Film", "ru": "Фильм", "az": "Film", "hy": "Ֆիլմ"}
THEMES = ("Memory", "Borders", "Villages", "Rivers")
VENUE_ACCOUNTS = 10
RACES, RACERS = 5, 8
# Weights of the mix, in per cent: 70 browsing, 25 search, 5 venues.
MIX = {"home": 14, "film_list": 9, "photo_list": 7, "film_page": 17, "photo_page": 13, "storyboard": 10,
       "search": 25, "calendar": 1, "venue_calendar": 1, "secret_calendar": 1, "book": 2}
UNLOADED_SAMPLES = 20  # unloaded, every route is asked at least this often (one request at a time, routes in turn)
HALF_SAMPLES = 20  # at half load, the step goes on (up to 20 × its length) until every route has this many answers
RACE_HOUR = 10  # race slots are at 10:00, the load's own requests at 19:00: they never clash with each other
DEFAULT_DATABASE = "postgresql+psycopg://postgres@127.0.0.1:5432/load"
DEFAULT_REDIS = "redis://127.0.0.1:6379/15"
S3_KEYS = {"AWS_ACCESS_KEY_ID": "load", "AWS_SECRET_ACCESS_KEY": "load-secret", "AWS_DEFAULT_REGION": "us-east-1"}
BUCKET = "load"
MiB = 1024 * 1024


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def searches() -> list[dict]:
    """The search mix: words, phrases, inline and page facets, in each of the four languages."""
    found = []
    for lang in LANGS:
        words = WORDS[lang]
        other = LANGS[(LANGS.index(lang) + 1) % len(LANGS)]
        found += [{"q": words[0]}, {"q": words[1]}, {"q": f"{words[2]} {words[3]}"},
                  {"q": f"\"{words[0]} {words[1]}\""}, {"q": f"\"{words[4]} {words[5]}\"", "kind": "film"},
                  {"q": f"{words[3]} kind:film"}, {"q": words[5], "subtitle_lang": lang},
                  {"q": words[2], "film_lang": other}, {"q": f"{words[1]} year:2001"},
                  {"q": words[4], "theme": THEMES[LANGS.index(lang)]}, {"q": f"{words[0][:4]}*"}]
    return found


# ---------------------------------------------------------------- seeding (a child process, no gevent)

def srt(lang: str, n: int) -> bytes:
    words = WORDS[lang]
    cues = []
    for k in range(20):
        line = " ".join(random.choice(words) for _ in range(6))
        cues.append(f"{k + 1}\n00:{k // 6:02d}:{(k % 6) * 10:02d},000 --> 00:{k // 6:02d}:{(k % 6) * 10 + 5:02d},000\n{line} {n}\n")
    return "\n".join(cues).encode()


def make_assets(folder: Path) -> dict:
    """Once per run: a tiny real film with its poster and storyboard (ffmpeg), a photo with its sizes (Pillow)."""
    from PIL import Image, ImageDraw

    from archive.media import photos, previews, storyboard
    from archive.media.ffmpeg import default_tools

    tools = default_tools()
    film = folder / "film.mp4"
    subprocess.run([tools.ffmpeg, "-nostdin", "-loglevel", "error", "-f", "lavfi", "-i", "testsrc=size=320x180:rate=2",
                    "-t", "60", "-c:v", "libx264", "-preset", "veryfast", "-g", "4", "-pix_fmt", "yuv420p",
                    "-movflags", "+faststart", str(film)], check=True)
    info = previews.film_info(film, tools=tools)
    poster = previews.make_poster(film, folder / "poster", tools=tools, info=info)
    board = storyboard.make_storyboard(film, folder / "storyboard", tools=tools, info=info)
    picture = Image.new("RGB", (800, 534), (90, 110, 130))  # small: 2,000 of them live in the OSD's memory
    draw = ImageDraw.Draw(picture)
    for k in range(0, 800, 40):
        draw.line([(k, 0), (800 - k, 534)], fill=(200, 180 - k // 10, 90), width=3)
    photo = folder / "photo.jpg"
    picture.save(photo, "JPEG", quality=85)
    sizes = photos.make_photo_derivatives(photo, folder / "sizes")
    return {"film": film.read_bytes(), "info": info, "poster": poster, "board": board, "photo": picture,
            "sizes": sizes}


def unique_mp4(data: bytes, n: int) -> bytes:
    """The film with a trailing MP4 ``free`` box naming it: still a valid MP4, and bytes of its own."""
    payload = f"load film {n}".encode()
    return data + struct.pack(">I", 8 + len(payload)) + b"free" + payload


def unique_jpeg(picture, n: int) -> bytes:
    buffer = io.BytesIO()
    picture.save(buffer, "JPEG", quality=85, comment=f"load photo {n}".encode())
    return buffer.getvalue()


def seed(films: int, photos: int) -> None:
    """Fill the database and storage named by the environment; print the ids the load needs, as JSON."""
    sys.path.insert(0, str(PROJECT))
    from archive import create_app
    from archive.auth import calendar_feeds
    from archive.auth import operations as accounts
    from archive.catalogue import operations as catalogue
    from archive.extensions import db
    from archive.media import ingest
    from archive.media.operations import store_derivative
    from archive.screenings.operations import licences, venues
    from archive.subtitles import operations as subtitles

    random.seed(films * 100_003 + photos)  # the same catalogue for the same size, run after run
    app = create_app()
    with app.app_context(), tempfile.TemporaryDirectory(prefix="archive-load-assets-") as folder:
        assets = make_assets(Path(folder))
        info, poster, board, sizes = assets["info"], assets["poster"], assets["board"], assets["sizes"]
        hall = venues.create_venue({"name": "Load Hall", "city": "Yerevan", "country": "AM", "timezone": "Asia/Yerevan",
                                    "capacity": 200, "buffer_minutes": 30})
        race_hall = venues.create_venue({"name": "Race Hall", "city": "Gyumri", "country": "AM",
                                         "timezone": "Asia/Yerevan", "capacity": 100, "buffer_minutes": 30})
        members = []
        for k in range(VENUE_ACCOUNTS):
            user = accounts.create_user(f"venue{k}@load.test", "load test password", "venue")
            venues.add_member(hall, user.email)
            venues.add_member(race_hall, user.email)
            members.append({"api": accounts.issue_token(user, "load"), "calendar": calendar_feeds.renew(user)})
        film_ids, storyboards, photo_ids = [], [], []
        began = time.perf_counter()
        for n in range(films):
            words = {lang: random.sample(WORDS[lang], 2) for lang in LANGS}
            item = catalogue.create_item({
                "kind": "film", "visibility": "public", "year": 1990 + n % 35, "languages": [LANGS[n % 4]],
                "themes": [THEMES[n % 4]],
                "title": {lang: f"{FILM_WORD[lang]} {n}: {' '.join(words[lang])}" for lang in LANGS}})
            item.duration_seconds = 3600
            db.session.commit()
            for lang in LANGS:
                subtitles.create_track(item, lang, srt(lang, n), f"{lang}.srt")
            stored, sniffed = ingest.store_original(io.BytesIO(unique_mp4(assets["film"], n)), f"film-{n}.mp4")
            media = ingest.record_original(item, stored, sniffed, f"film-{n}.mp4")
            media.technical, media.duration_seconds = info, info["duration"]
            media.width, media.height = info["width"], info["height"]
            db.session.commit()
            store_derivative(media, "poster", poster["path"], "image/jpeg", width=poster.get("width"),
                             height=poster.get("height"))
            if poster.get("small"):
                store_derivative(media, "poster_small", poster["small"]["path"], "image/jpeg",
                                 width=poster["small"]["width"], height=poster["small"]["height"])
            store_derivative(media, "proxy", str(Path(folder) / "film.mp4"), "video/mp4", width=info["width"],
                             height=info["height"])
            for index, sheet in enumerate(board["sheets"]):
                store_derivative(media, "storyboard", sheet["path"], "image/jpeg", index=index, width=sheet["width"],
                                 height=sheet["height"])
            store_derivative(media, "storyboard_vtt", board["vtt"], "text/vtt")
            if n < 10:
                licences.create_licence(item, {"territories": ["AM"], "starts_on": "2020-01-01", "ends_on": "2099-12-31",
                                               "uses": ["non-commercial"]})
            film_ids.append(item.id)
            storyboards.append(media.id)
        films_took = time.perf_counter() - began
        for n in range(photos):
            item = catalogue.create_item({"kind": "photo", "visibility": "public", "year": 1950 + n % 70,
                                          "title": {"en": f"Photo {n} of the {random.choice(WORDS['en'])}",
                                                    "ru": f"Фото {n}: {random.choice(WORDS['ru'])}"}})
            stored, sniffed = ingest.store_original(io.BytesIO(unique_jpeg(assets["photo"], n)), f"photo-{n}.jpg")
            media = ingest.record_original(item, stored, sniffed, f"photo-{n}.jpg")
            media.technical = {key: sizes[key] for key in ("format", "mime", "mode", "width", "height")}
            media.width, media.height = sizes["width"], sizes["height"]
            db.session.commit()
            for kind, size in sizes["derivatives"].items():
                store_derivative(media, kind, size["path"], size["mime"], width=size["width"], height=size["height"])
            photo_ids.append(item.id)
        seeded = {"films": film_ids, "storyboards": storyboards, "photos": photo_ids, "venue": hall.id,
                  "race_venue": race_hall.id, "members": members,
                  "took": {"films": films_took, "photos": time.perf_counter() - began - films_took}}
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


def wait_for(port: int, path: str = "/healthz", seconds: float = 300) -> None:
    import http.client

    deadline = time.monotonic() + seconds
    answer = "nothing"
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", path)
            response = connection.getresponse()
            if response.status == 200:
                return
            answer = f"{response.status} {response.read()[:300]!r}"
        except OSError:
            pass
        time.sleep(0.3)
    raise SystemExit(f"{path} on port {port} did not answer 200 within {seconds} s (last: {answer})")


def fresh_database(url: str) -> None:
    """Drop and create the bench's own PostgreSQL database."""
    import psycopg
    from sqlalchemy.engine import make_url

    target = make_url(url)
    name = target.database
    if not name or name in ("postgres", "template0", "template1", "test"):
        raise SystemExit(f"--database-url must name a database of the bench's own, not {name!r}: it is dropped.")
    server = target.set(drivername="postgresql", database="postgres").render_as_string(hide_password=False)
    with psycopg.connect(server, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')


def fresh_redis(url: str) -> None:
    """Empty the bench's own Redis database (never db 0, the default everyone else uses)."""
    import redis

    number = int((urlsplit(url).path or "/0").strip("/") or 0)
    if number == 0:
        raise SystemExit("--redis-url must name a Redis db number of the bench's own (such as /15), not db 0: it is emptied.")
    redis.Redis.from_url(url).flushdb()


def start_ceph():
    """The scaled tests' one-node Ceph cluster and RADOS Gateway, with the bench's bucket made."""
    sys.path.insert(0, str(PROJECT))
    import boto3

    from tests.fixtures.ceph import start_ceph as start

    cluster = start(S3_KEYS["AWS_ACCESS_KEY_ID"], S3_KEYS["AWS_SECRET_ACCESS_KEY"])
    boto3.session.Session(**{k.lower(): v for k, v in S3_KEYS.items() if k != "AWS_DEFAULT_REGION"},
                          region_name=S3_KEYS["AWS_DEFAULT_REGION"]).client(
        "s3", endpoint_url=cluster.endpoint).create_bucket(Bucket=BUCKET)
    return cluster


def rss_of(pids: list[int]) -> int:
    total = 0
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) * 1024
        except OSError:
            pass
    return total


def tree(pid: int) -> list[int]:
    """A process and its descendants (gunicorn's workers)."""
    found, queue = [], [pid]
    while queue:
        current = queue.pop()
        found.append(current)
        try:
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
        except OSError:
            children = []
        queue += [int(child) for child in children]
    return found


# ---------------------------------------------------------------- the load

def make_user_class(base: str, seeded: dict, unloaded: bool = False, pace: float = 0):
    from locust import HttpUser, constant, constant_throughput, task

    films, photos, boards = seeded["films"], seeded["photos"], list(zip(seeded["films"], seeded["storyboards"], strict=True))
    members, queries = seeded["members"], searches()

    def weight(name: str) -> int:
        return 1 if unloaded else MIX[name]

    class Visitor(HttpUser):
        host = base
        # One request a second per user: users × 1 = offered rate. Unloaded: one request at a time, every
        # route as often as the others, so even the rare ones have enough answers for a p95; back to back,
        # or paced at ``pace`` requests a second (still one at a time: no request waits for another).
        wait_time = constant_throughput(pace) if pace else constant(0.02) if unloaded else constant_throughput(1)

        # 70 %: browsing
        @task(weight("home"))
        def home(self):
            self.client.get("/", name="/")

        @task(weight("film_list"))
        def film_list(self):
            self.client.get("/items?kind=film", name="/items?kind=film")

        @task(weight("photo_list"))
        def photo_list(self):
            self.client.get("/items?kind=photo", name="/items?kind=photo")

        @task(weight("film_page"))
        def film_page(self):
            self.client.get(f"/items/{random.choice(films)}", name="/items/<film>")

        @task(weight("photo_page"))
        def photo_page(self):
            self.client.get(f"/items/{random.choice(photos)}", name="/items/<photo>")

        @task(weight("storyboard"))
        def storyboard(self):
            film, media = random.choice(boards)
            self.client.get(f"/items/{film}/media/{media}/storyboard.vtt", name="/items/<film>/media/<m>/storyboard.vtt")

        # 25 %: search
        @task(weight("search"))
        def search(self):
            self.client.get("/search", params=random.choice(queries), name="/search")

        # 5 %: venues
        @task(weight("calendar"))
        def calendar(self):
            self.client.get("/calendar.ics", name="/calendar.ics")

        @task(weight("venue_calendar"))
        def venue_calendar(self):
            self.client.get(f"/venues/{seeded['venue']}/calendar.ics", name="/venues/<v>/calendar.ics")

        @task(weight("secret_calendar"))
        def secret_calendar(self):
            member = random.choice(members)
            params = {"venue": seeded["venue"]} if random.random() < 0.5 else {}
            self.client.get(f"/calendar/{member['calendar']}.ics", params=params, name="/calendar/<token>.ics")

        @task(weight("book"))
        def book(self):
            day = random.randint(30, 20000)
            starts = time.strftime("%Y-%m-%dT19:00:00", time.gmtime(time.time() + day * 86400))
            with self.client.post("/api/v1/screenings", headers=bearer(random.choice(members)),
                                  name="/api/v1/screenings", catch_response=True,
                                  json={"item_id": random.choice(films[:10]), "venue_id": seeded["venue"],
                                        "starts_at": starts, "format": "community"}) as response:
                if response.status_code in (201, 409):  # a clash is a right answer
                    response.success()

    return Visitor


def bearer(member: dict) -> dict:
    return {"Authorization": f"Bearer {member['api']}", "Content-Type": "application/json"}


def race(base: str, seeded: dict, number: int) -> list[int]:
    """RACERS identical requests for one free slot, let go at the same moment; their status codes."""
    import urllib.error
    import urllib.request

    import gevent
    from gevent.event import Event

    day = time.gmtime(time.time() + (15 + number) * 86400)
    body = json.dumps({"item_id": seeded["films"][number % 10], "venue_id": seeded["race_venue"],
                       "starts_at": time.strftime(f"%Y-%m-%dT{RACE_HOUR:02d}:00:00", day),
                       "format": "community"}).encode()
    go = Event()

    def attempt(member: dict) -> int:
        request = urllib.request.Request(base + "/api/v1/screenings", data=body, headers=bearer(member), method="POST")
        go.wait()
        try:
            with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310 - our own nginx
                return response.status
        except urllib.error.HTTPError as exc:
            return exc.code
        except OSError:
            return 0

    racers = [gevent.spawn(attempt, seeded["members"][k % len(seeded["members"])]) for k in range(RACERS)]
    gevent.sleep(0.05)  # every racer built its request and waits at the line
    go.set()
    gevent.joinall(racers, timeout=120)
    return sorted(racer.value if racer.successful() else -1 for racer in racers)


def run_step(user_class, users: int, seconds: float, samples: int = 0, longest: float = 0, then=None) -> dict:
    """Run ``users`` for ``seconds``, then on (up to ``longest`` seconds in all) until every route has ``samples``
    answers; per route and in total: requests/s, p50, p95, errors. ``then`` runs after the measurement while
    the users go on: under the same load, without its own requests counting in the step's figures.
    """
    import gevent
    from locust.env import Environment

    env = Environment(user_classes=[user_class])
    runner = env.create_local_runner()
    runner.start(users, spawn_rate=max(users, 1))
    started = time.monotonic()
    gevent.sleep(seconds)
    while samples and time.monotonic() - started < longest and (
            len(env.stats.entries) < len(MIX) or min(e.num_requests for e in env.stats.entries.values()) < samples):
        gevent.sleep(0.5)
    elapsed = time.monotonic() - started
    stats = env.stats
    routes = {}
    for (name, method), entry in stats.entries.items():
        routes[f"{method} {name}"] = {"requests": entry.num_requests, "errors": entry.num_failures,
                                      "p50": entry.get_response_time_percentile(0.5) / 1000,
                                      "p95": entry.get_response_time_percentile(0.95) / 1000,
                                      "times": dict(entry.response_times)}
    total = stats.total
    failures = [f"{error.method} {error.name}: {error.error} ×{error.occurrences}" for error in stats.errors.values()]
    result = {"users": users, "rps": total.num_requests / elapsed, "errors": total.num_failures,
              "p95": total.get_response_time_percentile(0.95) / 1000, "routes": routes, "failures": failures}
    if then is not None:
        gevent.spawn(then).join()
    runner.quit()
    return result


def idle_penalty(gap: float = 0.25, rounds: int = 30) -> float:
    """How much longer the same few milliseconds of CPU work take after ``gap`` seconds idle than back to back."""
    import statistics

    def work() -> float:
        started, total = time.perf_counter(), 0
        for number in range(100_000):
            total += number * number
        return time.perf_counter() - started

    back_to_back = statistics.median(work() for _ in range(rounds))
    spaced = []
    for _ in range(rounds):
        time.sleep(gap)
        spaced.append(work())
    return statistics.median(spaced) / back_to_back


def paced(base: str, seeded: dict, rate: float, seconds: float) -> dict:
    """Unloaded at the pace of a loaded step: one user, one request at a time, ``rate`` requests a second.

    On a virtual machine an idle core comes back slower: the same request takes longer when requests
    arrive with idle gaps between them than back to back (``bench/load.py`` prints both). A loaded step
    at a few requests a second has such gaps, so its own unloaded yardstick is this one: the same gaps,
    nothing else running at the same time. Above one user's pace it is the back-to-back figure.
    """
    return run_step(make_user_class(base, seeded, unloaded=True, pace=rate), 1, seconds, samples=UNLOADED_SAMPLES,
                    longest=10 * seconds)


def mixed_p95(unloaded: dict, step: dict) -> float:
    """The p95 the step's mix of routes would have had unloaded: each route's unloaded answer times, weighted
    by how often the step asked it (so a step heavy on slow routes is not taken for a slower system)."""
    weights: dict[float, float] = {}
    for route, figures in step["routes"].items():
        quiet = unloaded["routes"].get(route)
        if not quiet or not quiet["requests"]:
            continue
        share = figures["requests"] / quiet["requests"]
        for millis, count in quiet["times"].items():
            weights[millis] = weights.get(millis, 0) + count * share
    total, seen = sum(weights.values()), 0.0
    for millis in sorted(weights):
        seen += weights[millis]
        if seen >= 0.95 * total:
            return millis / 1000
    return 0.0


def main() -> None:  # noqa: PLR0915 - one run from start to end, in order
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", nargs="?", default="run", choices=["run", "seed"], help=argparse.SUPPRESS)
    parser.add_argument("--films", type=int, default=500, help="films, each with subtitles in four languages")
    parser.add_argument("--photos", type=int, default=2000, help="photo items")
    parser.add_argument("--steps", default="8,16,32,64,128", help="users per step (each offers one request a second)")
    parser.add_argument("--seconds", type=float, default=30, help="length of each step")
    parser.add_argument("--scaled", action="store_true",
                        help="PostgreSQL, Redis and a Ceph RGW the bench starts (default: SQLite and a folder)")
    parser.add_argument("--database-url", default=DEFAULT_DATABASE,
                        help=f"with --scaled: the bench's own PostgreSQL database, dropped and made again (default {DEFAULT_DATABASE})")
    parser.add_argument("--redis-url", default=DEFAULT_REDIS,
                        help=f"with --scaled: the bench's own Redis db, emptied (default {DEFAULT_REDIS})")
    args = parser.parse_args()
    if args.command == "seed":
        seed(args.films, args.photos)
        return

    import locust  # noqa: F401 - first: it patches the standard library for gevent

    work = Path(tempfile.mkdtemp(prefix="archive-load-"))
    env = {key: value for key, value in os.environ.items() if not key.startswith(("ARCHIVE_", "AWS_"))}
    env.update({"FLASK_APP": "wsgi.py", "ARCHIVE_INSTANCE_PATH": str(work / "instance"),
                "ARCHIVE_SECRET_KEY": "load-test", "ARCHIVE_PROXY_COUNT": "1", "ARCHIVE_LOG_FORMAT": "json",
                # The load measures the archive, not its limits: one API token and a few calendar addresses
                # stand for many venues.
                "ARCHIVE_API_LIMIT": "100000 per minute", "ARCHIVE_CALENDAR_FEED_LIMIT": "100000 per minute",
                "ARCHIVE_SECURE_COOKIES": "false"})
    processes: list[subprocess.Popen] = []
    named: dict[str, subprocess.Popen] = {}
    logs = open(work / "services.log", "ab")
    cluster = None
    goals: list[tuple[str, bool]] = []
    try:
        if args.scaled:
            fresh_database(args.database_url)
            fresh_redis(args.redis_url)
            cluster = start_ceph()
            print(f"Ceph cluster (1 monitor, 1 OSD on memstore) and RADOS Gateway started in {cluster.started_in:.1f} s "
                  f"at {cluster.endpoint}.", flush=True)
            env.update({"ARCHIVE_DATABASE_URL": args.database_url, "ARCHIVE_QUEUE_URL": args.redis_url,
                        "ARCHIVE_STORAGE_URL": f"s3://{BUCKET}/archive", "ARCHIVE_SEARCH_REPLICATION": "true",
                        "AWS_ENDPOINT_URL": cluster.endpoint, **S3_KEYS})
        else:
            env["ARCHIVE_ACCEL_REDIRECT"] = "/_protected/"

        def node_env(name: str) -> dict:
            # Scaled: each process has a disk of its own, as on separate machines. Embedded: one shared folder.
            return {**env, "ARCHIVE_INSTANCE_PATH": str(work / name)} if args.scaled else env

        started = time.perf_counter()
        subprocess.run([str(BIN / "flask"), "db", "upgrade"], cwd=PROJECT, env=node_env("seed"), check=True,
                       capture_output=True)
        seeding = subprocess.run([sys.executable, __file__, "seed", "--films", str(args.films), "--photos",
                                  str(args.photos)], cwd=PROJECT, env=node_env("seed"), capture_output=True, text=True,
                                 check=False)
        if seeding.returncode:
            raise SystemExit(f"Seeding failed:\n{seeding.stderr[-3000:]}")
        seeded = json.loads(seeding.stdout.splitlines()[-1])
        seeded_in = time.perf_counter() - started
        subprocess.run([str(BIN / "flask"), "jobs", "drain"], cwd=PROJECT, env=node_env("seed"), check=True,
                       capture_output=True)
        print(f"Seeded {args.films} films (4 subtitle tracks, original, poster, web version, storyboard each) and "
              f"{args.photos} photos (original, display, thumbnail) in {seeded_in:.0f} s (films {seeded['took']['films']:.0f} s, "
              f"photos {seeded['took']['photos']:.0f} s); indexed in "
              f"{time.perf_counter() - started - seeded_in:.0f} s.", flush=True)
        nodes = [free_port(), free_port()]
        for number, port in enumerate(nodes):
            named[f"node {number + 1}"] = subprocess.Popen(
                [str(BIN / "gunicorn"), "--bind", f"127.0.0.1:{port}", "--workers", "2", "--worker-class", "gthread",
                 "--threads", "4", "--forwarded-allow-ips", "127.0.0.1", "wsgi:app"],
                cwd=PROJECT, env=node_env(f"node{number + 1}"), stdout=logs, stderr=subprocess.STDOUT)
        for number in range(2):
            named[f"worker {number + 1}"] = subprocess.Popen(
                [str(BIN / "flask"), "worker", "--workers", "1"], cwd=PROJECT, env=node_env(f"worker{number + 1}"),
                stdout=logs, stderr=subprocess.STDOUT)
        port = free_port()
        config = nginx_config(work / "nginx", port, nodes, work / "instance")
        named["nginx"] = subprocess.Popen([NGINX, "-p", str(work / "nginx"), "-c", str(config), "-g", "daemon off;"],
                                          stdout=logs, stderr=subprocess.STDOUT)
        processes += named.values()
        for node in nodes:
            wait_for(node, "/readyz")
        wait_for(port)
        base = f"http://127.0.0.1:{port}"
        user_class = make_user_class(base, seeded)
        for query in ({"q": WORDS["hy"][0]}, {"q": WORDS["ru"][1]}):  # both nodes hold the index before measuring
            for node in nodes:
                wait_search(node, query)
        hits = [search_hits(port, query) for query in searches()]
        refused = [query for query, found in zip(searches(), hits, strict=True) if found is None]
        print(f"Searches in the mix: {len(hits)} (words, phrases, facets; en, ru, az, hy), "
              f"{sum(1 for found in hits if found)} with hits, {len(refused)} refused.")
        if refused:
            raise SystemExit(f"Searches the archive refuses as malformed: {refused}")
        # Warm-up, not measured: every route on every node's workers (caches, connections, searchers).
        run_step(make_user_class(base, seeded, unloaded=True), 4, max(5.0, args.seconds / 2))

        unloaded = run_step(make_user_class(base, seeded, unloaded=True), 1, args.seconds, samples=UNLOADED_SAMPLES,
                            longest=10 * args.seconds)
        print(f"\nThis machine: the same CPU work takes {idle_penalty():.2f} × as long after 250 ms idle as back to back.")
        print(f"\nUnloaded (1 user, one request at a time): {unloaded['rps']:.1f} req/s, "
              f"p95 {unloaded['p95'] * 1000:.0f} ms, errors {unloaded['errors']}")
        print("\nUnloaded yardsticks of each step's mix of routes: back to back, and paced at the step's rate "
              "(one request at a time, with the idle gaps the step has).")
        print(f"\n{'users':>6} {'req/s':>8} {'p95 ms':>8} {'unloaded p95 back to back':>26} {'paced':>6} "
              f"{'errors':>7}")
        results, saturated, errors_below = [], None, 0
        for users in (int(step) for step in args.steps.split(",")):
            at_pace = paced(base, seeded, users, args.seconds)
            result = run_step(user_class, users, args.seconds)
            results.append(result)
            quiet_p95 = mixed_p95(at_pace, result)
            print(f"{users:>6} {result['rps']:>8.1f} {result['p95'] * 1000:>8.0f} "
                  f"{mixed_p95(unloaded, result) * 1000:>26.0f} {quiet_p95 * 1000:>6.0f} "
                  f"{result['errors']:>7}", flush=True)
            for failure in result["failures"][:5]:
                print(f"         {failure}")
            previous = results[-2]["rps"] if len(results) > 1 else 0
            if result["errors"] or result["p95"] > 3 * quiet_p95 or (previous and result["rps"] < 1.1 * previous):
                saturated = results[-2] if len(results) > 1 else result
                break
            errors_below += result["errors"]
        cores = os.cpu_count() or 1
        if saturated is None:
            saturated = results[-1]
            print(f"\nNo climb up to the last step: saturation at {saturated['rps']:.1f} req/s or more "
                  f"({saturated['rps'] / cores:.1f} req/s per core or more); add larger --steps to find it.")
        elif saturated is results[-1]:
            print(f"\nThe first step already climbs: saturation below {saturated['rps']:.1f} req/s "
                  f"({saturated['rps'] / cores:.1f} req/s per core); start --steps lower to find it.")
        else:
            print(f"\nSaturation at about {saturated['rps']:.1f} req/s with {saturated['users']} users: "
                  f"{saturated['rps'] / cores:.1f} req/s per core ({cores} cores; locust, nginx, the services and "
                  f"Ceph share them).")
        goals.append(("zero errors up to the saturation point", errors_below + unloaded["errors"] == 0))
        half_users = max(1, saturated["users"] // 2)
        races: list[list[int]] = []

        def booking_races() -> None:
            import gevent

            for number in range(RACES):
                races.append(race(base, seeded, number))
                gevent.sleep(1)

        # Long enough (up to 20 steps) for the rare routes (1 % of the mix) to have answers enough for a p95;
        # the races follow under the same load, so their bursts do not count in the figures.
        at_pace = paced(base, seeded, half_users, args.seconds)
        half = run_step(user_class, half_users, args.seconds, samples=HALF_SAMPLES, longest=20 * args.seconds,
                        then=booking_races)
        print(f"\nAt half of it ({half_users} users, {half['rps']:.1f} req/s), against unloaded paced at the same "
              f"rate (and back to back):")
        print(f"{'route':<48} {'p50 ms':>7} {'p95 ms':>7} {'paced p50':>10} {'p95':>5} {'ratio':>6} "
              f"{'back-to-back p95':>17} {'ratio':>6} {'answers':>8} {'errors':>7}")
        within = within_back_to_back = True
        for route in sorted(at_pace["routes"].keys() | half["routes"].keys()):
            figures = half["routes"].get(route, {"p50": 0, "p95": 0, "errors": 0, "requests": 0})
            quiet = at_pace["routes"].get(route, {})
            base_p95 = quiet.get("p95") or 0
            ratio = figures["p95"] / base_p95 if base_p95 else float("nan")
            within = within and base_p95 > 0 and figures["requests"] > 0 and ratio <= 3
            tight_p95 = unloaded["routes"].get(route, {}).get("p95") or 0
            tight_ratio = figures["p95"] / tight_p95 if tight_p95 else float("nan")
            within_back_to_back = within_back_to_back and tight_p95 > 0 and tight_ratio <= 3
            print(f"{route:<48} {figures['p50'] * 1000:>7.0f} {figures['p95'] * 1000:>7.0f} "
                  f"{(quiet.get('p50') or 0) * 1000:>10.0f} {base_p95 * 1000:>5.0f} {ratio:>6.1f} "
                  f"{tight_p95 * 1000:>17.0f} {tight_ratio:>6.1f} {figures['requests']:>8} {figures['errors']:>7}")
        goals.append(("every route's p95 at half load <= 3 x its unloaded p95 at the same pace", within))
        goals.append(("(also against back-to-back unloaded requests, which idle gaps make look faster)",
                      within_back_to_back))
        goals.append(("zero errors at half load", half["errors"] == 0))
        print(f"\nBooking races under the half load, after its measurement ({RACERS} identical requests for one "
              f"free slot at once):")
        for number, codes in enumerate(races):
            print(f"  race {number + 1}: " + ", ".join(f"{code} ×{codes.count(code)}" for code in sorted(set(codes))))
        goals.append(("every booking race has exactly one winner (one 201, the rest 409)",
                      len(races) == RACES and all(codes == [201] + [409] * (RACERS - 1) for codes in races)))

        print("\nResident memory at the end (MiB): " + ", ".join(
            f"{name} {rss_of(tree(process.pid)) / MiB:.0f}" for name, process in named.items()))
        if cluster is not None:
            print(cluster.summary())
        print("\nGoals:")
        for goal, met in goals:
            print(f"  {'met ' if met else 'MISSED'}  {goal}")
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
        if cluster is not None:
            cluster.stop()
        shutil.rmtree(work, ignore_errors=True)
    if not all(met for _, met in goals):
        raise SystemExit(1)


def search_hits(port: int, params: dict) -> bool | None:
    """Whether a search finds something; None when the archive refuses it as malformed."""
    import urllib.parse
    import urllib.request

    url = f"http://127.0.0.1:{port}/search?{urllib.parse.urlencode(params)}"
    with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310 - our own nginx
        page = response.read()
    return None if b'class="error" role="alert"' in page else b"data-item=" in page


def wait_search(port: int, params: dict, seconds: float = 120) -> None:
    """Wait until a node answers a search with hits: it has pulled the published index."""
    import urllib.parse
    import urllib.request

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            url = f"http://127.0.0.1:{port}/search?{urllib.parse.urlencode(params)}"
            with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 - our own node
                if response.status == 200 and b"data-item=" in response.read():
                    return
        except OSError:
            pass
        time.sleep(0.5)
    raise SystemExit(f"the node on port {port} found nothing for {params} within {seconds} s")


if __name__ == "__main__":
    main()
