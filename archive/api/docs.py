"""The API's description: the OpenAPI document as JSON, and a page that reads it for people."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template, url_for

from archive.api import bp
from archive.api.openapi import build_document

docs_bp = Blueprint("api_docs", __name__)
_CACHE = "archive.api.openapi_documents"


def document() -> dict:
    """The OpenAPI document for this app, with the address it is served from (built once per app)."""
    if _CACHE not in current_app.extensions:
        current_app.extensions[_CACHE] = build_document()
    server = url_for("catalogue.index", _external=True).rstrip("/")
    return {**current_app.extensions[_CACHE], "servers": [{"url": server}]}


@bp.get("/openapi.json")
def openapi_document():
    """This API's OpenAPI 3.1 document."""
    return document()


@docs_bp.get("/api/docs")
def page():
    """The API's routes, parameters, bodies and answers, read from the OpenAPI document."""
    spec = document()
    operations = [
        {"method": method.upper(), "path": path, **operation}
        for path, item in spec["paths"].items()
        for method, operation in item.items()
    ]
    tags = sorted({operation["tags"][0] for operation in operations})
    return render_template("api/docs.html", spec=spec, operations=operations, tags=tags,
                           schema_name=schema_name)


def schema_name(schema: dict | None) -> str:
    """A short name for a schema in the page: the component's name, a page of it, or its type."""
    if not schema:
        return ""
    if "$ref" in schema:
        return schema["$ref"].rsplit("/", 1)[-1]
    items = schema.get("properties", {}).get("items", {}).get("items")
    if items and "$ref" in items:
        return f"Page of {items['$ref'].rsplit('/', 1)[-1]}"
    kind = schema.get("type", "")
    return " | ".join(kind) if isinstance(kind, list) else str(kind)
