"""Sign-in throttling: the same answer and time for every e-mail, no lock-out anyone else can cause."""

from __future__ import annotations

import re
import statistics
import time

import pytest
from limits.storage import MemoryStorage, RedisStorage

from archive.ratelimit import limiter
from tests.conftest import PASSWORD, running_app, sign_in

ATTACKER = "203.0.113.66"
ELSEWHERE = "198.51.100.7"


def browser_at(app, address: str):
    """A browser whose requests come from ``address``."""
    browser = app.test_client()
    browser.environ_base["REMOTE_ADDR"] = address
    return browser


def alert(response) -> str:
    """The message a person reads: the login form's alert, or the error page's text."""
    page = response.get_data(as_text=True)
    found = re.search(r'role="alert">([^<]*)<', page) or re.search(r"<main[^>]*>(.*?)</main>", page, re.S)
    return re.sub(r"\s+", " ", found.group(1)).strip() if found else page


@pytest.fixture
def lenient_address(app_config, profile):
    """An app whose per-address limit stays out of the way, so the per-account one is what answers."""
    yield from running_app({**app_config, "SIGNIN_LIMIT": "1000 per minute"}, profile)


def test_the_limits_are_counted_in_memory_embedded_and_in_redis_scaled(app, profile):
    expected = MemoryStorage if profile == "embedded" else RedisStorage
    assert isinstance(limiter.storage, expected)


def test_known_and_unknown_emails_get_the_same_answers(lenient_address, make_user):
    existing = make_user("admin", "boss@example.org").email
    answers = {}
    for email in (existing, "nobody@example.org"):
        browser = browser_at(lenient_address, ATTACKER)
        answers[email] = [(r.status_code, alert(r), r.headers.get("Retry-After") is not None)
                          for r in (sign_in(browser, email, "wrong password!") for _ in range(7))]
    assert answers[existing] == answers["nobody@example.org"]
    statuses = [status for status, _, _ in answers[existing]]
    assert statuses == [401] * 5 + [429] * 2
    assert answers[existing][0][1] == "E-mail or password is wrong."
    assert "Too many sign-in attempts" in answers[existing][-1][1]
    assert answers[existing][-1][2], "a 429 says when to come back"


def test_sign_in_takes_as_long_for_unknown_emails_as_for_known_ones(app_config, profile):
    # Argon2 at a cost that dominates the request, as it does in production, and the per-address limit
    # out of the way: the first five failures of each e-mail are checked, the next ones throttled.
    config = {**app_config, "SIGNIN_LIMIT": "1000 per minute", "ARGON2_MEMORY_KIB": 16384, "ARGON2_TIME_COST": 2}
    for application in running_app(config, profile):
        from archive.auth import operations as accounts

        emails = {"known": [f"known-{n}@example.org" for n in range(4)],
                  "unknown": [f"unknown-{n}@example.org" for n in range(4)]}
        for email in emails["known"]:
            accounts.create_user(email, PASSWORD, "admin")
        browser = browser_at(application, ATTACKER)
        sign_in(browser, "warm-up@example.org", "wrong password!")  # the first unknown e-mail builds the dummy hash
        timings = {(kind, phase): [] for kind in emails for phase in ("checked", "throttled")}
        for attempt in range(8):
            phase = "checked" if attempt < 5 else "throttled"
            for n in range(4):
                for kind in ("known", "unknown"):
                    started = time.perf_counter()
                    status = sign_in(browser, emails[kind][n], "wrong password!").status_code
                    timings[kind, phase].append(time.perf_counter() - started)
                    assert status == (401 if phase == "checked" else 429)
    medians = {key: statistics.median(values) for key, values in timings.items()}
    # Checked: both kinds pay one password hash (a dummy one for unknown e-mails). The fault this
    # guards against was 10 ms against 300 ms; the tolerance is for a busy test machine.
    known, unknown = medians["known", "checked"], medians["unknown", "checked"]
    assert abs(known - unknown) <= max(0.005, 0.5 * max(known, unknown)), ("checked", known, unknown)
    # Throttled: neither kind may pay a hash the other does not, so they differ by well under one hash.
    # (Throttled answers take milliseconds, so a share of them would be only the machine's noise.)
    one_hash = min(known, unknown)
    known, unknown = medians["known", "throttled"], medians["unknown", "throttled"]
    assert abs(known - unknown) <= max(0.005, 0.5 * one_hash), ("throttled", known, unknown, one_hash)


def test_someone_guessing_an_admins_password_cannot_keep_the_admin_out(lenient_address, make_user):
    admin = make_user("admin", "chief@example.org")
    usual_browser = lenient_address.test_client()
    assert sign_in(usual_browser, admin.email).status_code == 302
    usual_browser.post("/logout")

    attacker = browser_at(lenient_address, ATTACKER)
    for _ in range(8):
        last = sign_in(attacker, admin.email, "guess guess guess")
    assert last.status_code == 429
    assert sign_in(attacker, admin.email).status_code == 429, "the right password does not get through a throttle"

    # The admin's own browser is known to the account, so the attacker's failures do not hold it back ...
    assert sign_in(usual_browser, admin.email).status_code == 302
    # ... while a browser that never signed in to it waits like the attacker, so guessing stays slow.
    assert sign_in(browser_at(lenient_address, ELSEWHERE), admin.email).status_code == 429


def test_a_known_device_cookie_is_for_one_account_and_cannot_be_forged(lenient_address, make_user):
    first, second = make_user("archivist", "first@example.org"), make_user("archivist", "second@example.org")
    browser = lenient_address.test_client()
    assert sign_in(browser, first.email).status_code == 302
    for _ in range(6):
        sign_in(browser_at(lenient_address, ATTACKER), second.email, "guess guess guess")
    assert sign_in(browser, second.email).status_code == 429, "known for the first account only"
    forged = lenient_address.test_client()
    forged.set_cookie("known_device", browser.get_cookie("known_device").value[:-2] + "xx")
    assert sign_in(forged, second.email).status_code == 429


def test_sign_ins_are_throttled_per_address(app, client, make_user):
    make_user("venue", "hall@example.org")
    answers = [sign_in(client, f"someone-{n}@example.org", "wrong password!") for n in range(11)]
    assert [r.status_code for r in answers] == [401] * 10 + [429]
    assert 1 <= int(answers[-1].headers["Retry-After"]) <= 60
    assert "Too many sign-in attempts" in alert(answers[-1])
    elsewhere = browser_at(app, ELSEWHERE)
    assert sign_in(elsewhere, "hall@example.org").status_code == 302
