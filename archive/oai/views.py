"""``/oai``: the OAI-PMH 2.0 endpoint (GET and POST), open to everyone, answering as to the public."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

from flask import Blueprint, Response, current_app, request, url_for

from archive.extensions import csrf
from archive.oai import operations
from archive.timeutil import app_now

bp = Blueprint("oai", __name__)
csrf.exempt(bp)  # harvesters POST form-encoded arguments; nothing here changes what people see


@bp.route("/oai", methods=["GET", "POST"])
def endpoint():
    """Answer one OAI-PMH request; arguments come from the query string (GET) or the form body (POST)."""
    base_url = url_for("oai.endpoint", _external=True)
    repo = operations.Repository(
        base_url=base_url,
        host=urlsplit(base_url).hostname or "localhost",
        admin_email=operations.admin_email(current_app.config["MAIL_FROM"]),
        secret_key=current_app.config["SECRET_KEY"],
        item_url=lambda item_id: url_for("catalogue.item", item_id=item_id, _external=True),
        token_lifetime=timedelta(hours=current_app.config["OAI_TOKEN_HOURS"]),
    )
    pairs = request.form.items(multi=True) if request.method == "POST" else request.args.items(multi=True)
    return Response(operations.respond(pairs, repo, app_now()), content_type="text/xml; charset=utf-8")
