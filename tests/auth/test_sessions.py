"""Sessions end when they should: sign-out, a new password or role and switching off end every copy."""

from __future__ import annotations

from datetime import timedelta

import pytest
from itsdangerous import TimestampSigner

from archive.auth import operations as accounts
from archive.extensions import db
from tests.conftest import PASSWORD, sign_in


def copy_of(app, browser):
    """A second browser holding a copy of ``browser``'s session cookie, as a thief would."""
    thief = app.test_client()
    thief.set_cookie("session", browser.get_cookie("session").value)
    return thief


def signed_in(browser, email: str) -> bool:
    """Whether the page header shows ``email`` signed in."""
    return f"Sign out ({email})" in browser.get("/").get_data(as_text=True)


def test_sign_out_ends_a_copied_session_cookie(app, client_as, users):
    browser = client_as("archivist")
    thief = copy_of(app, browser)
    assert signed_in(thief, users["archivist"].email)
    browser.post("/logout")
    assert not signed_in(thief, users["archivist"].email)
    assert thief.get("/manage/").status_code == 302


@pytest.mark.parametrize(
    "change",
    [
        {"action": "password", "password": "a brand new password"},
        {"action": "update", "role": "venue", "active": "on", "name": ""},
        {"action": "update", "role": "archivist", "name": ""},  # the box "active" left unticked: switched off
    ],
    ids=["password reset", "role change", "switched off"],
)
def test_admin_changes_end_every_session_of_the_account(app, client_as, users, change):
    victim = client_as("archivist")
    thief = copy_of(app, victim)
    admin = client_as("admin")
    assert admin.post(f"/admin/users/{users['archivist'].id}", data=change).status_code == 200
    for browser in (victim, thief):
        assert not signed_in(browser, users["archivist"].email)
        assert browser.get("/manage/").status_code == 302


def test_unchanged_role_keeps_the_sessions(app, client_as, users):
    victim = client_as("archivist")
    admin = client_as("admin")
    admin.post(f"/admin/users/{users['archivist'].id}", data={"action": "update", "role": "archivist",
                                                               "active": "on", "name": "Ana"})
    assert signed_in(victim, users["archivist"].email)


def test_admin_resetting_their_own_password_stays_signed_in_elsewhere_not(app, client_as, users):
    admin = client_as("admin")
    elsewhere = copy_of(app, admin)
    response = admin.post(f"/admin/users/{users['admin'].id}", data={"action": "password",
                                                                    "password": "another long password"})
    assert response.status_code == 200
    assert signed_in(admin, users["admin"].email)
    assert not signed_in(elsewhere, users["admin"].email)


def test_password_changed_outside_a_request_ends_sessions_too(app, client_as, users):
    browser = client_as("venue")
    accounts.set_password(users["venue"], "a fresh venue password")
    assert not signed_in(browser, users["venue"].email)
    assert sign_in(browser, users["venue"].email, "a fresh venue password").status_code == 302
    assert signed_in(browser, users["venue"].email)


def test_a_session_ends_after_its_lifetime(app, client_as, users):
    assert app.permanent_session_lifetime == timedelta(hours=12)
    browser = client_as("venue")
    assert signed_in(browser, users["venue"].email)
    with browser.session_transaction() as session:
        session["signed_in_at"] -= 12 * 3600 + 60
    assert not signed_in(browser, users["venue"].email)


def test_a_session_cookie_signed_longer_ago_than_the_lifetime_is_ignored(app, client_as, users, monkeypatch):
    browser = client_as("venue")
    assert signed_in(browser, users["venue"].email)
    real = TimestampSigner.get_timestamp
    # The cookie's own signature ages out (Flask's default would be 31 days), whatever the session holds.
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda signer: real(signer) + 12 * 3600 + 60)
    assert not signed_in(browser, users["venue"].email)


def test_a_forged_session_id_finds_nobody(app, users):
    user = users["admin"]
    assert accounts.user_for_session(f"{user.id}.{user.session_version}") == user
    for forged in (f"{user.id}", f"{user.id}.{user.session_version + 1}", "x.1", "", f"{user.id}.²"):
        assert accounts.user_for_session(forged) is None
    accounts.sign_out(user)
    db.session.refresh(user)
    assert accounts.user_for_session(f"{user.id}.{user.session_version - 1}") is None
    assert sign_in(app.test_client(), user.email, PASSWORD).status_code == 302
