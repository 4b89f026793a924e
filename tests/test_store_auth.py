"""Editor passwords: salted scrypt hashes from configuration, never the password itself."""

from __future__ import annotations

import pytest

from millis_network.auth import PASSWORD_HASH_ENV, configured_password_hash, hash_password, verify_password
from millis_network.errors import MillisNetworkError


def test_a_hash_verifies_its_password_only() -> None:
    encoded = hash_password("correct horse battery staple")
    assert encoded.startswith("scrypt$16384$8$1$")
    assert "correct horse" not in encoded
    assert verify_password("correct horse battery staple", encoded)
    assert not verify_password("correct horse battery stapler", encoded)
    assert not verify_password("", encoded)


def test_hashes_are_salted() -> None:
    assert hash_password("same") != hash_password("same")
    salt = bytes(16)
    assert hash_password("same", salt=salt) == hash_password("same", salt=salt)


def test_an_empty_password_is_refused() -> None:
    with pytest.raises(ValueError, match="the password is empty"):
        hash_password("")


def test_configuration_from_secrets_then_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    from_env, from_secrets = hash_password("a"), hash_password("b")
    monkeypatch.delenv(PASSWORD_HASH_ENV, raising=False)
    assert configured_password_hash() is None
    monkeypatch.setenv(PASSWORD_HASH_ENV, from_env)
    assert configured_password_hash() == from_env
    assert configured_password_hash({PASSWORD_HASH_ENV: from_secrets}) == from_secrets
    assert configured_password_hash({}) == from_env


def test_a_malformed_hash_says_how_to_make_one(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(PASSWORD_HASH_ENV, "plain-text-password")
    with pytest.raises(MillisNetworkError, match="millis-network db hash-password"):
        configured_password_hash()
    with pytest.raises(MillisNetworkError, match="not a scrypt hash"):
        verify_password("x", "scrypt$abc$8$1$salt$hash")
