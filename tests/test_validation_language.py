"""The validation kit writes its messages in the language of the request; outside one, in English."""

from __future__ import annotations

from contextlib import contextmanager

import pytest

from archive import validation
from archive.validation import REQUIRED, required_message


@contextmanager
def request_in(app, language: str, path: str = "/"):
    """A request asking for ``language``, in an app context of its own as on a server (the language is kept there)."""
    with app.app_context(), app.test_request_context(path, headers={"Accept-Language": language}):
        yield


def kit_message(app, language: str, check) -> str:
    with request_in(app, language):
        errors: dict = {}
        check(errors)
        (message,) = errors.values()
        return message


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "Keep it under 5 characters (it is 7)."),
        ("hy", "Թույլատրելի է առավելագույնը 5 նիշ (հիմա՝ 7)։"),
        ("az", "Ən çoxu 5 simvol ola bilər (indi 7 simvoldur)."),
        ("ru", "Допустимо не более 5 символов (сейчас — 7)."),
    ],
)
def test_the_limit_and_length_are_put_into_each_language(app, language, expected):
    assert kit_message(app, language, lambda errors: validation.text("seven!!", "name", errors, limit=5)) == expected


def test_the_required_message_is_written_when_it_is_used(app):
    assert str(REQUIRED) == "This is required."
    with request_in(app, "ru"):
        assert str(REQUIRED) == required_message() == "Это обязательное поле."
        errors: dict = {}
        validation.whole("", "n", errors, low=1, high=9, required=True)
        assert errors == {"n": "Это обязательное поле."}


def test_parsers_name_the_refused_value_in_the_language(app):
    with request_in(app, "az"):
        with pytest.raises(ValueError, match=r"^'Mars/Base' IANA saat qurşağı deyil; "):
            validation.time_zone("Mars/Base")
        with pytest.raises(ValueError, match=r"^'2027-13' ay deyil; "):
            validation.month("2027-13")


def test_choices_and_unknown_fields_keep_their_codes(app):
    with request_in(app, "hy"):
        errors: dict = {}
        validation.choice("everyone", "visibility", ["public", "partners"], errors)
        assert errors == {"visibility": "Ընտրեք հետևյալներից մեկը՝ public, partners։"}
        with pytest.raises(validation.ValidationError) as caught:
            validation.refuse_unknown({"colour": 1}, ["title", "year"])
        assert caught.value.errors == {"colour": "Անհայտ դաշտ։ Հայտնի դաշտերն են՝ title, year։"}
