"""Passwords: at least 12 characters, common ones refused, stored with Argon2."""

from __future__ import annotations

import pytest
from django.contrib.auth.hashers import identify_hasher
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

from clinic import settings as project_settings
from clinic.accounts.models import User


@pytest.fixture
def real_hashers(settings):
    settings.PASSWORD_HASHERS = project_settings.PASSWORD_HASHERS


def test_new_passwords_are_stored_with_argon2(alice, real_hashers):
    alice.set_password("a-long-enough-passphrase")
    alice.save()
    assert alice.password.startswith("argon2$")
    assert identify_hasher(alice.password).algorithm == "argon2"
    assert alice.check_password("a-long-enough-passphrase")


def test_an_older_pbkdf2_hash_is_upgraded_to_argon2_at_the_next_sign_in(alice, real_hashers):
    from django.contrib.auth.hashers import make_password

    User.objects.filter(pk=alice.pk).update(password=make_password("a-long-enough-passphrase", hasher="pbkdf2_sha256"))
    alice.refresh_from_db()
    assert alice.check_password("a-long-enough-passphrase")
    alice.refresh_from_db()
    assert alice.password.startswith("argon2$")


@pytest.mark.parametrize(
    "password, message",
    [
        ("short-pass1", "too short"),  # 11 characters
        ("michaeljackson", "too common"),
        ("740193825566", "entirely numeric"),
    ],
)
def test_weak_passwords_are_refused(password, message, db):
    with pytest.raises(ValidationError, match=message):
        validate_password(password, User(username="frank"))


def test_a_password_like_the_username_is_refused(db):
    with pytest.raises(ValidationError, match="too similar"):
        validate_password("frankenstein-2", User(username="frankenstein-2"))


def test_twelve_characters_that_are_not_common_are_enough(db):
    validate_password("tulip-kettle", User(username="frank"))
