"""Rate limits (Flask-Limiter): counted in memory on one machine, in Redis when the app is scaled out.

Features attach their own limits with ``limiter.limit(...)``; this module chooses the store, names the
client and answers a breach with 429, a ``Retry-After`` header and a message saying how long to wait
(the JSON error shape under ``/api/``, the error page elsewhere).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable

from flask import Flask, current_app, render_template, request
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_limiter import Limiter, RateLimitExceeded

from archive.errors import error_body, wants_json


def counter_key(who: str) -> str:
    """A limit key for ``who`` within this deployment: web nodes of one deployment share counts,
    and the queue name already tells deployments (and tests) sharing one Redis apart."""
    return f"{current_app.config['QUEUE_NAME']}:{who}"


def client_address() -> str:
    """The key of the address a request came from (the proxy's forwarded one when ``ARCHIVE_PROXY_COUNT`` says so)."""
    return counter_key("address:" + (request.remote_addr or "unknown"))


limiter = Limiter(key_func=client_address, strategy="moving-window", headers_enabled=False)


def setting(name: str) -> Callable[[], str]:
    """A limit read from the app's settings at request time, so each app (and each test) has its own."""
    return lambda: current_app.config[name]


def storage_url(config: dict) -> str:
    """Where counts live: ``ARCHIVE_RATELIMIT_STORAGE_URL``, else the queue's Redis, else this process's memory."""
    if config.get("RATELIMIT_STORAGE_URL"):
        return config["RATELIMIT_STORAGE_URL"]
    queue = str(config.get("QUEUE_URL") or "")
    if queue.startswith(("redis://", "rediss://")):
        return queue
    return "memory://"


def wait_seconds() -> int:
    """Whole seconds until the breached limit lets the client in again (at least one)."""
    breached = limiter.current_limit
    if breached is None:
        return 60
    return max(1, int(breached.reset_at - time.time()))


def init_app(app: Flask) -> None:
    """Bind the limiter to ``app`` and answer breaches with 429 and ``Retry-After``."""
    app.config["RATELIMIT_STORAGE_URI"] = storage_url(app.config)
    # Redis gone for a while: count in this process's memory meanwhile, never fail the request.
    app.config["RATELIMIT_SWALLOW_ERRORS"] = True
    app.config["RATELIMIT_IN_MEMORY_FALLBACK_ENABLED"] = True
    limiter.init_app(app)

    @app.errorhandler(RateLimitExceeded)
    def too_many_requests(exc: RateLimitExceeded):
        seconds = wait_seconds()
        if seconds < 120:
            wait = ngettext("Try again in %(num)s second.", "Try again in %(num)s seconds.", seconds)
        else:
            minutes = math.ceil(seconds / 60)
            wait = ngettext("Try again in %(num)s minute.", "Try again in %(num)s minutes.", minutes)
        # Two sentences: what was refused, then how long to wait.
        refused = exc.description if exc.limit.error_message else _("Too many requests.")
        message = f"{refused} {wait}"
        headers = {"Retry-After": str(seconds)}
        app.logger.info("Rate limit %s reached on %s %s", exc.limit.limit, request.method, request.path)
        if wants_json():
            return error_body("rate_limited", message), 429, headers
        return render_template("error.html", status=429, message=message), 429, headers
