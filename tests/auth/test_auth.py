"""Accounts: hashing, throttling, CSRF, cookies, headers, tokens and the users CLI."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from archive import create_app
from archive.auth import operations as accounts
from archive.auth.models import ApiToken, User
from archive.catalogue.models import Item
from archive.errors import ValidationError
from archive.extensions import db
from tests.conftest import PASSWORD, running_app, sign_in


def test_passwords_are_hashed_with_argon2id(users):
    assert users["admin"].password_hash.startswith("$argon2id$")
    assert PASSWORD not in users["admin"].password_hash


def test_production_hash_cost_is_memory_hard(tmp_path):
    config = create_app({"INSTANCE_PATH": str(tmp_path)}).config
    assert config["ARGON2_MEMORY_KIB"] >= 65536 and config["ARGON2_TIME_COST"] >= 3


def test_duplicate_email_is_refused_whatever_the_case(users):
    with pytest.raises(ValidationError) as caught:
        accounts.create_user("  ADMIN@example.org ", "another long password", "admin")
    assert "already exists" in caught.value.errors["email"]
    assert db.session.scalar(select(func.count(User.id))) == 3


@pytest.mark.parametrize(
    ("email", "password", "role", "field"),
    [
        ("not-an-email", PASSWORD, "venue", "email"),
        ("a@example.org", "short", "venue", "password"),
        ("a@example.org", PASSWORD, "superuser", "role"),
    ],
)
def test_bad_account_input_names_the_field(app, email, password, role, field):
    with pytest.raises(ValidationError) as caught:
        accounts.create_user(email, password, role)
    assert field in caught.value.errors


def test_unknown_email_gets_the_same_message_as_a_wrong_password(client, users):
    unknown = sign_in(client, "nobody@example.org", "whatever password").get_data(as_text=True)
    assert "E-mail or password is wrong." in unknown


def test_switched_off_account_cannot_sign_in(client, users):
    accounts.update_user(users["venue"], active=False)
    response = sign_in(client, users["venue"].email)
    assert response.status_code == 401
    assert "switched off" in response.get_data(as_text=True)


def test_sign_in_never_redirects_off_site(client, users):
    response = client.post(
        "/login?next=https://evil.example/steal", data={"email": users["venue"].email, "password": PASSWORD}
    )
    assert response.headers["Location"] == "/"


def test_last_admin_cannot_be_demoted(users):
    with pytest.raises(ValidationError, match="last admin"):
        accounts.update_user(users["admin"], role="venue")
    assert users["admin"].role == "admin"


@pytest.fixture
def csrf_app(app_config, profile):
    yield from running_app({**app_config, "WTF_CSRF_ENABLED": True}, profile)


def test_form_without_csrf_token_is_refused_and_changes_nothing(csrf_app):
    accounts.create_user("arch@example.org", PASSWORD, "archivist")
    browser = csrf_app.test_client()
    response = browser.post("/login", data={"email": "arch@example.org", "password": PASSWORD})
    assert response.status_code == 400
    assert "security token" in response.get_data(as_text=True)

    # A signed-in archivist posting a form without the token saves nothing.
    page = browser.get("/login").get_data(as_text=True)
    token = page.split('name="csrf_token" value="')[1].split('"')[0]
    assert browser.post("/login", data={"email": "arch@example.org", "password": PASSWORD,
                                        "csrf_token": token}).status_code == 302
    response = browser.post("/manage/items/new", data={"kind": "film", "lang": "en", "title": "x",
                                                       "visibility": "public"})
    assert response.status_code == 400
    assert db.session.scalar(select(func.count(Item.id))) == 0


def test_session_cookie_is_secure_httponly_and_samesite(app_config, profile):
    for application in running_app({**app_config, "SECURE_COOKIES": True}, profile):
        accounts.create_user("c@example.org", PASSWORD, "venue")
        response = application.test_client().post("/login", data={"email": "c@example.org", "password": PASSWORD})
        cookie = response.headers["Set-Cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_pages_carry_security_headers(client):
    headers = client.get("/").headers
    csp = headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp and "unsafe-inline" not in csp
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"


def test_api_tokens_are_stored_hashed_and_can_be_revoked(client, users):
    token = accounts.issue_token(users["archivist"], "script")
    stored = db.session.scalar(select(ApiToken.token_hash))
    assert token not in stored
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/me", headers=headers).get_json()["email"] == users["archivist"].email
    accounts.revoke_token(db.session.scalar(select(ApiToken)))
    response = client.get("/api/v1/me", headers=headers)
    assert response.status_code == 401
    assert "revoked" in response.get_json()["error"]["message"]


def test_api_ignores_a_browser_session(client_as):
    browser = client_as("archivist")
    assert browser.get("/manage/").status_code == 200
    assert browser.get("/api/v1/me").status_code == 401


def test_cli_creates_user_with_password_from_stdin(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["users", "create", "Cli@Example.org", "--role", "archivist"],
                           input="a long cli password\n")
    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(User).where(User.email == "cli@example.org"))
    assert user.role == "archivist"
    assert accounts.authenticate("cli@example.org", "a long cli password").id == user.id


def test_cli_refuses_duplicate_email_and_password_argument(app, users):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["users", "create", "admin@example.org", "--role", "admin"], input=PASSWORD + "\n")
    assert result.exit_code == 1
    assert "already exists" in result.output
    result = runner.invoke(args=["users", "create", "x@example.org", "--role", "admin", "--password", "p"])
    assert result.exit_code != 0
    assert db.session.scalar(select(func.count(User.id))) == 3


def test_cli_token_prints_only_a_working_token(app, users, client):
    result = app.test_cli_runner().invoke(args=["users", "token", "venue@example.org"])
    assert result.exit_code == 0
    token = result.output.strip()
    assert "\n" not in token
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).get_json()["role"] == "venue"
    missing = app.test_cli_runner().invoke(args=["users", "token", "ghost@example.org"])
    assert missing.exit_code == 1 and "No account" in missing.output


def test_ensure_admin_prints_a_password_once(app):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["users", "ensure-admin"])
    password = first.output.split("password:")[1].split()[0]
    assert accounts.authenticate("admin@archive.local", password).role == "admin"
    second = runner.invoke(args=["users", "ensure-admin"])
    assert "exists already" in second.output and password not in second.output


def test_admin_page_creates_account_and_shows_token_once(client_as, users):
    admin = client_as("admin")
    response = admin.post("/admin/users", data={"email": "dup@example.org", "password": "short", "role": "venue"})
    assert response.status_code == 422 and "at least 10" in response.get_data(as_text=True)
    response = admin.post("/admin/users", data={"email": "venue@example.org", "password": PASSWORD, "role": "venue"})
    assert response.status_code == 422 and "already exists" in response.get_data(as_text=True)
    page = admin.post(f"/admin/users/{users['venue'].id}", data={"action": "token", "label": "kit"})
    token = page.get_data(as_text=True).split('id="new-token">')[1].split("<")[0]
    assert token.startswith("da_")
    assert token not in admin.get(f"/admin/users/{users['venue'].id}").get_data(as_text=True)
