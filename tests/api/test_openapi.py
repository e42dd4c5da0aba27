"""The OpenAPI document: valid 3.1, describing every route of the JSON API, and its page for people."""

from __future__ import annotations

import re

from openapi_spec_validator import validate

from archive.api.openapi import OPERATIONS, undescribed_routes

FLASK_ARGUMENT = re.compile(r"<(?:[^:<>]+:)?([^<>]+)>")


def test_the_document_is_valid_openapi_3_1(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200 and response.is_json
    document = response.get_json()
    assert document["openapi"] == "3.1.0"
    validate(document)


def test_every_route_of_the_api_is_described_and_nothing_else(app, client):
    document = client.get("/api/v1/openapi.json").get_json()
    described = {(path, method.upper()) for path, item in document["paths"].items() for method in item}
    routes = {
        (FLASK_ARGUMENT.sub(r"{\1}", rule.rule), method)
        for rule in app.url_map.iter_rules() if rule.rule.startswith("/api/v1/")
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    assert routes - described == set(), "API routes the OpenAPI document does not describe: add them to OPERATIONS"
    assert described - routes == set(), "the document describes routes that do not exist"


def test_a_new_route_without_a_description_is_caught(app):
    app.add_url_rule("/api/v1/undescribed", endpoint="api.undescribed", view_func=lambda: {})
    assert undescribed_routes(app) == ["GET /api/v1/undescribed (api.undescribed)"]


def test_every_operation_says_who_may_call_it_and_its_errors_have_the_error_shape(client):
    document = client.get("/api/v1/openapi.json").get_json()
    assert len(OPERATIONS) == sum(len(item) for item in document["paths"].values())
    error = document["components"]["schemas"]["Error"]
    assert error["properties"]["error"]["required"] == ["code", "message"]
    for path, item in document["paths"].items():
        for method, operation in item.items():
            assert operation["summary"] and "Who: " in operation["description"], (method, path)
            errors = {code: response for code, response in operation["responses"].items() if code >= "400"}
            assert {"401", "429", "503"} <= set(errors), (method, path)
            assert all(r == {"$ref": f"#/components/responses/{code}"} for code, r in errors.items())
            for name in re.findall(r"{(\w+)}", path):
                assert any(p["in"] == "path" and p["name"] == name for p in operation["parameters"]), (path, name)
    for code, response in document["components"]["responses"].items():
        assert response["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Error"}, code


def test_an_api_error_matches_the_documented_shape(client):
    body = client.get("/api/v1/items/999999").get_json()
    assert set(body) == {"error"} and {"code", "message"} <= set(body["error"])
    assert body["error"]["code"] == "not_found"


def test_the_docs_page_reads_the_document_without_inline_code(client):
    response = client.get("/api/docs")
    assert response.status_code == 200 and response.mimetype == "text/html"
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    page = response.get_data(as_text=True)
    assert "<script" not in page and " style=" not in page and "<style" not in page
    document = client.get("/api/v1/openapi.json").get_json()
    for path, item in document["paths"].items():
        for method in item:
            assert f"{method.upper()} {path}" in page
    assert 'href="/api/v1/openapi.json"' in page
