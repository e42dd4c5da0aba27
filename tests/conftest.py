"""Fixtures: the app in both configurations, users per role, signed-in clients.

Every test that uses ``app`` runs twice: ``embedded`` (SQLite file, files on disk) and ``scaled``
(PostgreSQL and Redis on 127.0.0.1, S3 through a Ceph RADOS Gateway the tests start). Set
``DA_TEST_PROFILES=embedded`` to run only the first on a machine without PostgreSQL; on CI
(``CI=true``) both always run and an unreachable service fails the run.
"""

from __future__ import annotations

import os

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient

from archive import _import_models, create_app
from archive.auth import operations as accounts
from archive.extensions import db
from archive.i18n import catalogs

pytest_plugins = ["tests.fixtures.s3", "tests.fixtures.samples", "tests.fixtures.live_server"]

REDIS_URL = os.environ.get("DA_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
POSTGRES_URL = os.environ.get("DA_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def _per_worker(postgres_url: str, redis_url: str, worker: str | None) -> tuple[str, str]:
    """With pytest-xdist, each worker process gets a database and a Redis database of its own.

    Worker ``gw0`` keeps the configured ones; ``gwN`` uses the database ``<name>_gwN`` and the Redis
    database 8 × N above the configured one, so parallel workers never truncate each other's tables
    or share rate-limit counters.
    """
    if not worker or worker == "gw0":
        return postgres_url, redis_url
    index = int(worker.removeprefix("gw"))
    url = sa.engine.make_url(postgres_url)
    postgres_url = url.set(database=f"{url.database}_{worker}").render_as_string(hide_password=False)
    base, _, number = redis_url.rpartition("/")
    if not number.isdigit():
        base, number = redis_url.rstrip("/"), "0"
    return postgres_url, f"{base}/{int(number) + 8 * index}"


POSTGRES_URL, REDIS_URL = _per_worker(POSTGRES_URL, REDIS_URL, os.environ.get("PYTEST_XDIST_WORKER"))
PROFILES = [p for p in os.environ.get("DA_TEST_PROFILES", "embedded,scaled").split(",") if p]
if os.environ.get("CI") == "true":
    PROFILES = ["embedded", "scaled"]

PASSWORD = "correct horse battery"


def pytest_configure(config):
    """Compile the message catalogs, so a bare ``pytest`` reads the same translations as ``make test``.

    Under pytest-xdist only the controlling process compiles (workers carry ``workerinput``), before
    it starts the workers, so no worker reads a ``.mo`` file another is writing.
    """
    if not hasattr(config, "workerinput"):
        catalogs.compile_all()


def pytest_collection_modifyitems(config, items):
    """Browser tests run in the first configuration only, unless marked ``every_profile``.

    A browser test checks pages, scripts, forms and the Content-Security-Policy; what lies behind
    them (database, queue, storage) is the same code the other tests run in both configurations.
    The browser tests whose subject is how media reaches the browser (uploads, playback, images from
    the storage's own origin) are marked ``every_profile`` and run in both.
    """
    kept, dropped = [], []
    for item in items:
        callspec = getattr(item, "callspec", None)
        profile = callspec.params.get("profile") if callspec else None
        if (profile and profile != PROFILES[0] and item.get_closest_marker("browser")
                and not item.get_closest_marker("every_profile")):
            dropped.append(item)
        else:
            kept.append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept



ROLES = ("admin", "archivist", "venue")


def _create_database_if_missing(url: str) -> None:
    """Create the named database (through the server's ``postgres`` database) when absent."""
    target = sa.engine.make_url(url)
    admin = sa.create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        if not connection.scalar(sa.text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": target.database}):
            connection.execute(sa.text(f'CREATE DATABASE "{target.database}"'))
    admin.dispose()


@pytest.fixture(scope="session")
def postgres_engine():
    """A connection to the test PostgreSQL database, schema built once for the session."""
    try:
        _create_database_if_missing(POSTGRES_URL)
        engine = sa.create_engine(POSTGRES_URL)
        with engine.connect() as connection:
            connection.execute(sa.text("select 1"))
    except sa.exc.OperationalError as exc:
        pytest.fail(
            f"PostgreSQL is not reachable at {POSTGRES_URL}: {exc.orig}. Start it, or run only the embedded "
            "configuration with DA_TEST_PROFILES=embedded.",
            pytrace=False,
        )
    with engine.begin() as connection:
        connection.execute(sa.text("DROP SCHEMA public CASCADE"))
        connection.execute(sa.text("CREATE SCHEMA public"))
    _import_models()  # every feature's tables, whichever test file runs first
    db.metadata.create_all(engine)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def redis_url() -> str:
    """The Redis server the scaled queue uses; unreachable is a failure, not a skip."""
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=3).ping()
    except redis.exceptions.RedisError as exc:
        pytest.fail(
            f"Redis is not reachable at {REDIS_URL}: {exc}. Start it, or run only the embedded configuration "
            "with DA_TEST_PROFILES=embedded.",
            pytrace=False,
        )
    return REDIS_URL


@pytest.fixture(scope="session", params=PROFILES)
def profile(request) -> str:
    """Which configuration this test runs in."""
    return request.param


@pytest.fixture
def app_config(profile, tmp_path, request):
    """Settings for a fresh app in the current profile, with clean database and storage."""
    config = {
        "TESTING": True,
        "INSTANCE_PATH": str(tmp_path / "instance"),
        "SECRET_KEY": "test-secret",
        "WTF_CSRF_ENABLED": False,
        "SECURE_COOKIES": False,
        # Still Argon2id, at a cost fit for hundreds of sign-ins per test run.
        "ARGON2_MEMORY_KIB": 1024,
        "ARGON2_TIME_COST": 1,
        # The streaming ladder is a second encode of every film; its own tests turn it on.
        "HLS_LADDER": False,
    }
    if profile == "embedded":
        config["DATABASE_URL"] = f"sqlite:///{tmp_path / 'archive.db'}"
        config["STORAGE_URL"] = "storage"
    else:
        engine = request.getfixturevalue("postgres_engine")
        tables = ", ".join(f'"{t.name}"' for t in db.metadata.sorted_tables)
        with engine.begin() as connection:
            connection.execute(sa.text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        bucket = request.getfixturevalue("s3_bucket")
        config["DATABASE_URL"] = POSTGRES_URL
        config["STORAGE_URL"] = f"s3://{bucket}/archive"
        config["QUEUE_URL"] = request.getfixturevalue("redis_url")
        # A queue of its own per test, so leftovers of one test never run in another.
        config["QUEUE_NAME"] = f"test-{os.urandom(6).hex()}"
    return config


class FreshContextClient(FlaskClient):
    """Runs every request in its own app context, as a server does.

    Flask reuses an app context the test has pushed, which would share ``g`` (and so the signed-in
    user) between requests; a fresh context per request keeps each request's identity its own.
    """

    def open(self, *args, **kwargs):
        with self.application.app_context():
            return super().open(*args, **kwargs)


def running_app(config: dict, profile: str):
    """Build an app from ``config`` with its schema, inside its app context; tidy up afterwards."""
    application = create_app(config)
    application.test_client_class = FreshContextClient
    with application.app_context():
        if profile == "embedded":
            db.create_all()
        yield application
        application.extensions["queue"].huey.flush()
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def app(app_config, profile):
    """The application, its schema in place."""
    yield from running_app(app_config, profile)


@pytest.fixture
def client(app):
    """An anonymous browser."""
    return app.test_client()


@pytest.fixture
def make_user(app):
    """Create a user: ``make_user("archivist")`` or with an explicit e-mail."""

    def factory(role: str = "archivist", email: str | None = None, password: str = PASSWORD):
        return accounts.create_user(email or f"{role}-{os.urandom(3).hex()}@example.org", password, role)

    return factory


@pytest.fixture
def users(make_user):
    """One user per role, keyed by role."""
    return {role: make_user(role, f"{role}@example.org") for role in ROLES}


def sign_in(client, email: str, password: str = PASSWORD):
    """Sign in through the login form."""
    return client.post("/login", data={"email": email, "password": password})


@pytest.fixture
def client_as(app, users):
    """A signed-in test client for a role name, or anonymous for ``None``."""

    def factory(role: str | None):
        browser = app.test_client()
        if role is not None:
            response = sign_in(browser, users[role].email)
            assert response.status_code == 302, response.get_data(as_text=True)
        return browser

    return factory


@pytest.fixture
def token_for(users):
    """An API bearer header for a role name (``None`` gives no header)."""

    def factory(role: str | None) -> dict:
        if role is None:
            return {}
        return {"Authorization": "Bearer " + accounts.issue_token(users[role], "test")}

    return factory
