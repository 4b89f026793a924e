"""Editor sign-in: salted scrypt password hashes, and where the configured hash comes from.

The dashboard lets authorised people edit the directory. Their shared
password is never stored in the repository: only its hash, given by the
deployment in ``$MILLIS_NETWORK_EDITOR_PASSWORD_HASH`` or in Streamlit's
secrets under the same key. ``millis-network db hash-password`` makes one.

Hash format: ``scrypt$N$r$p$salt$hash`` (salt and hash in URL-safe base64).

Guessing is slowed by :class:`SignInThrottle`: after a few wrong passwords
in a row every further attempt must wait, twice as long each time.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import math
import os
import threading
import time
from collections.abc import Callable, Mapping

from millis_network.errors import MillisNetworkError, TooManyAttemptsError

#: Environment variable (and secrets key) holding the editors' password hash.
PASSWORD_HASH_ENV = "MILLIS_NETWORK_EDITOR_PASSWORD_HASH"

#: scrypt cost parameters: 2**14 iterations, block size 8, 1 lane (16 MiB, ~50 ms).
SCRYPT_N = 2**14
SCRYPT_R = 8
SCRYPT_P = 1
_SALT_BYTES = 16
_KEY_BYTES = 32


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def hash_password(password: str, *, salt: bytes | None = None) -> str:
    """A salted scrypt hash of ``password`` (a fresh random salt unless one is given)."""
    if not password:
        raise ValueError("the password is empty; choose a long passphrase")
    salt = salt if salt is not None else os.urandom(_SALT_BYTES)
    key = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P, dklen=_KEY_BYTES)
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${_b64(salt)}${_b64(key)}"


def _parse(encoded: str) -> tuple[int, int, int, bytes, bytes]:
    parts = encoded.strip().split("$")
    try:
        if len(parts) != 6 or parts[0] != "scrypt":
            raise ValueError("wrong shape")
        n, r, p = int(parts[1]), int(parts[2]), int(parts[3])
        return n, r, p, _unb64(parts[4]), _unb64(parts[5])
    except ValueError as exc:
        raise MillisNetworkError(
            f"the editor password hash in {PASSWORD_HASH_ENV} is not a scrypt hash made by "
            "`millis-network db hash-password` (expected scrypt$N$r$p$salt$hash); make a new one"
        ) from exc


def verify_password(password: str, encoded: str) -> bool:
    """Whether ``password`` matches the hash (compared in constant time).

    Raises:
        MillisNetworkError: ``encoded`` is not a hash this module made.
    """
    n, r, p, salt, expected = _parse(encoded)
    key = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=n, r=r, p=p, maxmem=256 * n * r + 2**20, dklen=len(expected))
    return hmac.compare_digest(key, expected)


def configured_password_hash(secrets: Mapping[str, object] | None = None) -> str | None:
    """The editors' password hash: ``secrets[PASSWORD_HASH_ENV]`` if given there, else the environment.

    Returns:
        The hash, or None when editing is not configured (then nobody can sign in).

    Raises:
        MillisNetworkError: a hash is configured but malformed.
    """
    value = secrets.get(PASSWORD_HASH_ENV) if secrets is not None else None
    text = str(value).strip() if value else os.environ.get(PASSWORD_HASH_ENV, "").strip()
    if not text:
        return None
    _parse(text)
    return text


class SignInThrottle:
    """Slows password guessing against one configured hash, for every session of a server.

    The editors share one password, so wrong attempts are counted together,
    whoever makes them. The first ``free_attempts`` wrong passwords in a row
    cost nothing; after that each attempt must wait ``base_wait_s`` seconds,
    doubling with every further wrong one up to ``max_wait_s``. A right
    password resets the count. Thread-safe.

    Args:
        password_hash: the configured hash (see :func:`hash_password`).
        free_attempts: wrong passwords in a row allowed without waiting.
        base_wait_s: the first wait, in seconds.
        max_wait_s: the longest wait, in seconds.
        clock: seconds on a monotonic clock (``time.monotonic``; tests pass their own).
    """

    def __init__(
        self,
        password_hash: str,
        *,
        free_attempts: int = 5,
        base_wait_s: float = 30.0,
        max_wait_s: float = 900.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        _parse(password_hash)
        self._hash = password_hash
        self._free_attempts = free_attempts
        self._base_wait_s = base_wait_s
        self._max_wait_s = max_wait_s
        self._clock = clock
        self._failures = 0
        self._next_attempt_at = -math.inf
        self._lock = threading.Lock()

    def wait_s(self) -> float:
        """Seconds until the next attempt is allowed (0 when one is allowed now)."""
        with self._lock:
            return max(0.0, self._next_attempt_at - self._clock())

    def verify(self, password: str) -> bool:
        """Whether ``password`` is right, counting a wrong one against the allowance.

        Raises:
            TooManyAttemptsError: an attempt now is too soon after the last
                wrong ones; nothing was checked. ``retry_after_s`` says when.
        """
        with self._lock:
            wait = self._next_attempt_at - self._clock()
            if wait > 0:
                raise TooManyAttemptsError(
                    f"too many wrong passwords in a row; try again in {math.ceil(wait)} s", retry_after_s=wait
                )
            if verify_password(password, self._hash):
                self._failures = 0
                self._next_attempt_at = -math.inf
                return True
            self._failures += 1
            beyond = self._failures - self._free_attempts
            if beyond >= 0:
                self._next_attempt_at = self._clock() + min(self._max_wait_s, self._base_wait_s * 2**beyond)
            return False
