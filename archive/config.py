"""Settings from ``ARCHIVE_*`` environment variables, validated at start-up.

Every setting is declared once in ``SETTINGS``. An ``ARCHIVE_*`` variable that is not declared, or
whose value does not parse, stops start-up with a ``ConfigError`` that names it, so a typo in a
deployment never silently falls back to a default.
"""

from __future__ import annotations

import os
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from ipaddress import IPv4Network, IPv6Network, ip_network
from pathlib import Path
from typing import Any

from archive.public_url import parse_hosts, parse_public_url

PREFIX = "ARCHIVE_"


class ConfigError(RuntimeError):
    """A setting is unknown or malformed; the message names it and says what is expected."""


def _bool(raw: str) -> bool:
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ValueError("expected true or false")


def _positive_int(raw: str) -> int:
    value = int(raw)
    if value <= 0:
        raise ValueError("expected a whole number above zero")
    return value


def _count(raw: str) -> int:
    value = int(raw)
    if value < 0:
        raise ValueError("expected a whole number, zero or more")
    return value


def _database_url(raw: str) -> str:
    if not raw.startswith(("sqlite:", "postgresql:", "postgresql+psycopg:", "postgres:")):
        raise ValueError("expected sqlite:///PATH or postgresql://USER@HOST:PORT/DB")
    # SQLAlchemy needs the driver spelled out; people paste Heroku-style URLs too.
    if raw.startswith("postgres://"):
        raw = "postgresql://" + raw[len("postgres://"):]
    if raw.startswith("postgresql://"):
        raw = "postgresql+psycopg://" + raw[len("postgresql://"):]
    return raw


def _storage_url(raw: str) -> str:
    if raw.startswith("s3:") and not raw.startswith("s3://"):
        raise ValueError("expected s3://BUCKET[/PREFIX]")
    if raw.startswith("s3://") and not raw[len("s3://"):].split("/")[0]:
        raise ValueError("expected s3://BUCKET[/PREFIX] with a bucket name")
    return raw


def _queue_url(raw: str) -> str:
    if not raw.startswith(("sqlite:", "redis://", "rediss://", "memory:")):
        raise ValueError("expected sqlite:PATH, redis://HOST:PORT/DB or memory:")
    return raw


def _checksums(raw: str) -> str:
    if raw not in {"when_required", "when_supported"}:
        raise ValueError("expected when_required or when_supported")
    return raw


def _log_format(raw: str) -> str:
    if raw not in {"json", "text"}:
        raise ValueError("expected json (one JSON object a line, for log collectors) or text")
    return raw


def _accel_prefix(raw: str) -> str:
    if not re.fullmatch(r"/[A-Za-z0-9_./-]*/", raw) or ".." in raw:
        raise ValueError("expected an internal location path such as /_protected/ (starting and ending with /)")
    return raw


def _text(raw: str) -> str:
    if not raw.strip():
        raise ValueError("must not be empty")
    return raw


def _rate_limit(raw: str) -> str:
    from limits import parse_many

    try:
        parse_many(raw)
    except ValueError:
        raise ValueError("expected limits such as '10 per minute; 100 per hour'") from None
    return raw


def _ratelimit_url(raw: str) -> str:
    if not raw.startswith(("memory://", "redis://", "rediss://")):
        raise ValueError("expected memory:// or redis://HOST:PORT/DB")
    return raw


def _smtp_url(raw: str) -> str:
    from urllib.parse import urlsplit

    parts = urlsplit(raw)
    if parts.scheme not in ("smtp", "smtps", "smtp+starttls") or not parts.hostname:
        raise ValueError("expected smtp://HOST:PORT, smtp+starttls://USER:PASSWORD@HOST:587 or smtps://HOST:465")
    try:
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError:
        raise ValueError("the port must be a number, such as smtp://mail.example.org:25") from None
    return raw


def _networks(raw: str) -> tuple[IPv4Network | IPv6Network, ...]:
    networks = []
    for part in filter(None, (piece.strip() for piece in raw.split(","))):
        try:
            networks.append(ip_network(part, strict=False))
        except ValueError:
            raise ValueError(f"{part!r} is not an address or network; expected such as 10.0.0.0/8,192.0.2.7") from None
    if not networks:
        raise ValueError("expected at least one address or network, such as 127.0.0.1")
    return tuple(networks)


@dataclass(frozen=True)
class Setting:
    """One configurable value: its Flask config key, how to parse it, its default and help."""

    key: str
    parse: Callable[[str], Any]
    default: Any
    help: str


SETTINGS: dict[str, Setting] = {
    s.key: s
    for s in [
        Setting("INSTANCE_PATH", _text, None, "folder for the database, secret key, files and queue; default ./instance"),
        Setting("SECRET_KEY", _text, None, "signs sessions and links; generated once into instance/ when unset"),
        Setting("DATABASE_URL", _database_url, None, "database; default SQLite file instance/archive.db"),
        Setting("STORAGE_URL", _storage_url, "storage", "where media lives: a folder (relative to instance/) or s3://bucket/prefix"),
        Setting("S3_CHECKSUMS", _checksums, None, "botocore checksum mode; default when_required with a custom endpoint"),
        Setting("S3_PART_SIZE", _positive_int, 8 * 1024 * 1024, "multipart upload part size in bytes"),
        Setting("STORAGE_URL_SECONDS", _positive_int, 300, "how long a media link stays valid"),
        Setting("QUEUE_URL", _queue_url, None, "task queue; default a SQLite file in instance/"),
        Setting("QUEUE_NAME", _text, "archive", "queue name; workers and web nodes must agree"),
        Setting("JOB_STALE_SECONDS", _positive_int, 300, "a running job silent this long is run again"),
        Setting("FFMPEG", _text, None, "path of the ffmpeg program; default: on PATH, else the pip-installed one"),
        Setting("FFPROBE", _text, None, "path of ffprobe; default: beside ffmpeg or on PATH"),
        Setting("PROXY_MAX_HEIGHT", _positive_int, 720, "height limit of the web version of films, in pixels"),
        Setting("HLS_LADDER", _bool, True, "make adaptive streaming (HLS) versions of films after the web version"),
        Setting("HLS_SEGMENT_SECONDS", _positive_int, 4, "length of the adaptive streaming (HLS) segments, in seconds"),
        Setting("PUBLIC_URL", parse_public_url, None,
                "the address people use, such as https://archive.example.org; every absolute link is built from it"),
        Setting("TRUSTED_HOSTS", parse_hosts, None, "hosts requests may name (comma-separated); default the public address's"),
        Setting("PROXY_COUNT", _count, 0, "proxies in front of the app whose X-Forwarded-For and -Proto are believed"),
        Setting("SECURE_COOKIES", _bool, True, "send session cookies over HTTPS only (browsers allow localhost)"),
        Setting("ARGON2_MEMORY_KIB", _positive_int, 65536, "memory per password hash (Argon2id), in KiB"),
        Setting("ARGON2_TIME_COST", _positive_int, 3, "passes per password hash (Argon2id)"),
        Setting("SESSION_HOURS", _positive_int, 12, "longest a sign-in lasts; sign-out, a new password or role end it at once"),
        Setting("SIGNIN_LIMIT", _rate_limit, "10 per minute; 100 per hour", "sign-in attempts per address"),
        Setting("SIGNIN_ACCOUNT_LIMIT", _rate_limit, "5 per 15 minutes",
                "failed sign-ins per account typed, from browsers that never signed in to it"),
        Setting("API_LIMIT", _rate_limit, "300 per minute", "API requests per token (per address without one)"),
        Setting("TOKEN_FAILURE_LIMIT", _rate_limit, "10 per minute",
                "unknown or revoked API tokens, and secret calendar addresses that open nothing, per address"),
        Setting("CALENDAR_FEED_LIMIT", _rate_limit, "20 per minute; 200 per hour", "fetches of one secret calendar address"),
        Setting("RATELIMIT_STORAGE_URL", _ratelimit_url, None,
                "where rate limits are counted; default the queue's Redis when it has one, else memory://"),
        Setting("OAI_TOKEN_HOURS", _positive_int, 24,
                "how long an OAI-PMH resumption token stays valid, in hours (its expirationDate)"),
        Setting("PAGE_SIZE", _positive_int, 20, "items per page in lists and the API"),
        Setting("SITEMAP_LIMIT", _positive_int, 50_000,
                "addresses per sitemap file (the protocol allows 50,000); more make /sitemap.xml an index"),
        Setting("METRICS_NETWORKS", _networks, _networks("127.0.0.1,::1"),
                "addresses and networks (comma-separated, CIDR) that may read /metrics; default this machine only"),
        Setting("SEARCH_INDEX", _text, None, "search index folder (relative to instance/); default instance/search-index"),
        Setting("SEARCH_REPLICATION", _bool, False,
                "publish each index generation to the storage and search a local copy pulled from it (several web nodes)"),
        Setting("SEARCH_POLL_SECONDS", _positive_int, 2, "with replication: how often a node looks for a newer index generation"),
        Setting("SEARCH_PUBLISH_PAUSE_SECONDS", _count, 0,
                "for tests only: pause after each index file uploaded, to stop a writer part-way through a publish"),
        Setting("MAX_UPLOAD_BYTES", _positive_int, 64 * 1024**3, "largest accepted upload"),
        Setting("LOG_FORMAT", _log_format, "text", "log lines as json (production) or text (development)"),
        Setting("READY_TIMEOUT_SECONDS", _positive_int, 3,
                "longest /readyz waits for each dependency before calling it unreachable"),
        Setting("ACCEL_REDIRECT", _accel_prefix, None,
                "internal nginx location (such as /_protected/) that serves the storage folder; signed links "
                "are then checked by the app and sent by nginx with X-Accel-Redirect"),
        Setting("UPLOAD_EXPIRY_HOURS", _positive_int, 24, "an unfinished resumable upload silent this long is deleted"),
        Setting("SMTP_URL", _smtp_url, None, "SMTP server for notices to venues; unset: notices go to the log and the venue's inbox page"),
        Setting("MAIL_FROM", _text, "Dialogue Archive <archive@localhost>", "sender address of notices to venues"),
    ]
}


def load_settings(environ: os._Environ[str] | dict[str, str]) -> dict[str, Any]:
    """Parse every ``ARCHIVE_*`` variable, refusing unknown names and malformed values."""
    config = {key: setting.default for key, setting in SETTINGS.items()}
    problems = []
    for name, raw in environ.items():
        if not name.startswith(PREFIX):
            continue
        key = name[len(PREFIX):]
        setting = SETTINGS.get(key)
        if setting is None:
            known = ", ".join(PREFIX + k for k in sorted(SETTINGS))
            problems.append(f"{name} is not a known setting (known: {known})")
            continue
        try:
            config[key] = setting.parse(raw)
        except ValueError as exc:
            problems.append(f"{name}={raw!r} is malformed: {exc}")
    if problems:
        raise ConfigError("Cannot start: " + "; ".join(problems))
    return config


def secret_key_for(instance_path: str) -> str:
    """Return the secret key kept in ``instance/secret_key``, creating it on first start."""
    path = Path(instance_path) / "secret_key"
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    # Created with owner-only permissions from the start: never world-readable, not even briefly.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(key)
    return key
