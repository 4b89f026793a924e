"""Editor passwords: salted scrypt hashes, compared in constant time.

Each editor has an account of their own in the ``editors`` table (see
:mod:`millis_network.store.editors`, which also slows guessing); this module
only makes and checks the hashes kept there. A password itself is never
stored, logged or shown.

Hash format: ``scrypt$N$r$p$salt$hash`` (salt and hash in URL-safe base64).
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import os

from millis_network.errors import MillisNetworkError

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
            "a stored editor password hash is not a scrypt hash made by millis_network.store.auth.hash_password "
            "(expected scrypt$N$r$p$salt$hash); give that editor a new account"
        ) from exc


def verify_password(password: str, encoded: str) -> bool:
    """Whether ``password`` matches the hash (compared in constant time).

    Raises:
        MillisNetworkError: ``encoded`` is not a hash this module made.
    """
    n, r, p, salt, expected = _parse(encoded)
    key = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=n, r=r, p=p, maxmem=256 * n * r + 2**20, dklen=len(expected))
    return hmac.compare_digest(key, expected)


@functools.cache
def _decoy_hash() -> str:
    return hash_password(base64.b64encode(os.urandom(24)).decode("ascii"))


def verify_password_or_decoy(password: str, encoded: str | None) -> bool:
    """:func:`verify_password`, or (``encoded`` None: no such account) the same work against a decoy, then False.

    Checking a sign-in for an unknown user name takes as long as for a known
    one, so the time taken does not tell a guesser which user names exist.
    """
    if encoded is None:
        verify_password(password, _decoy_hash())
        return False
    return verify_password(password, encoded)
