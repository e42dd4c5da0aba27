"""Sign-in with input no address or header may carry: the answer is a refusal or a safe redirect, never a 500."""

from __future__ import annotations

import pytest

from tests.conftest import PASSWORD


@pytest.mark.parametrize(
    "target",
    [
        "/%0D%0ASet-Cookie:%20session=stolen",
        "/items%0ASet-Cookie:%20x=y",
        "/%0D%0A%0D%0A<script>alert(1)</script>",
        "/items%00",
        "/items%09",
    ],
)
def test_next_with_control_characters_goes_home(client, users, target):
    response = client.post(f"/login?next={target}", data={"email": users["archivist"].email, "password": PASSWORD})
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert "stolen" not in response.headers.get("Set-Cookie", "")
    assert "x=y" not in response.headers.get("Set-Cookie", "")


def test_next_to_a_page_of_the_archive_is_followed(client, users):
    response = client.post("/login?next=/items%3Fpage%3D2", data={"email": users["archivist"].email, "password": PASSWORD})
    assert response.status_code == 302
    assert response.headers["Location"] == "/items?page=2"


@pytest.mark.parametrize("email", ["archivist@example.org\x00", "\x00", "archivist\x00@example.org", "a" * 400 + "@x.org"])
def test_unreadable_email_is_a_wrong_sign_in(client, users, email):
    response = client.post("/login", data={"email": email, "password": PASSWORD})
    assert response.status_code == 401
    assert "E-mail or password is wrong." in response.get_data(as_text=True)
