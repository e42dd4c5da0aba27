"""``/healthz``: the process answers. ``/readyz``: it can serve, or which dependency it cannot reach.
``/metrics``: Prometheus figures, for the addresses in ``ARCHIVE_METRICS_NETWORKS`` only."""

from __future__ import annotations

from flask import Blueprint, Response, abort, jsonify, request
from flask_babel import gettext as _
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from archive.errors import error_body
from archive.health import metrics
from archive.health.operations import readiness

bp = Blueprint("health", __name__)

RETRY_SECONDS = 5


def _uncached(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/healthz")
def healthz() -> Response:
    """Alive: the process serves requests. Touches nothing else, so a database outage never restarts a node."""
    return _uncached(jsonify(status="ok"))


@bp.get("/readyz")
def readyz() -> Response:
    """Ready when the database, queue, storage and search index can all be reached; else 503 naming the failed."""
    results = readiness()
    checks = {name: "ok" if passed else "failed" for name, passed in results.items()}
    failed = [name for name, passed in results.items() if not passed]
    if not failed:
        return _uncached(jsonify(status="ready", checks=checks))
    message = _("Not ready: cannot reach %(failed)s.", failed=", ".join(failed))
    response = jsonify(status="unavailable", checks=checks, failed=failed, **error_body("not_ready", message))
    response.status_code = 503
    response.headers["Retry-After"] = str(RETRY_SECONDS)
    return _uncached(response)


@bp.get("/metrics")
def metrics_page() -> Response:
    """The Prometheus text format; 404 outside the staff network, as if there were nothing here."""
    if not metrics.may_read(request.remote_addr):
        abort(404)
    return _uncached(Response(generate_latest(metrics.registry()), content_type=CONTENT_TYPE_LATEST))
