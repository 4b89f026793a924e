"""Editor passwords: salted scrypt hashes from configuration, never the password itself."""

from __future__ import annotations

import pytest

from millis_network.errors import MillisNetworkError, TooManyAttemptsError
from millis_network.store.auth import (
    PASSWORD_HASH_ENV,
    SignInThrottle,
    configured_password_hash,
    hash_password,
    verify_password,
)

RIGHT = "correct horse battery staple"


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


class StoppedClock:
    """A clock that moves only when told (seconds)."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture(scope="module")
def encoded() -> str:
    return hash_password(RIGHT)


def test_guessing_is_free_for_a_few_tries_then_waits_double_each_time(encoded: str) -> None:
    clock = StoppedClock()
    throttle = SignInThrottle(encoded, free_attempts=3, base_wait_s=30, max_wait_s=100, clock=clock)
    assert [throttle.verify("guess") for _ in range(3)] == [False, False, False]
    assert throttle.wait_s() == 30
    with pytest.raises(TooManyAttemptsError, match=r"try again in 30 s") as refused:
        throttle.verify(RIGHT)
    assert refused.value.retry_after_s == 30
    clock.now += 30
    assert throttle.verify("guess") is False and throttle.wait_s() == 60
    clock.now += 60
    assert throttle.verify("guess") is False and throttle.wait_s() == 100  # capped at max_wait_s


def test_the_right_password_after_waiting_resets_the_count(encoded: str) -> None:
    clock = StoppedClock()
    throttle = SignInThrottle(encoded, free_attempts=2, base_wait_s=10, clock=clock)
    throttle.verify("guess")
    throttle.verify("guess")
    clock.now += 10
    assert throttle.verify(RIGHT) is True and throttle.wait_s() == 0
    assert throttle.verify("guess") is False and throttle.wait_s() == 0


def test_a_throttle_needs_a_hash_this_module_made() -> None:
    with pytest.raises(MillisNetworkError, match="not a scrypt hash"):
        SignInThrottle("plain-text-password")
