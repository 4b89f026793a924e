"""Text as the directory compares it: one fold and one slug for every module.

:func:`fold` is how names, headings and search words are compared (case,
accents and punctuation ignored); :func:`slug` is how an id is made from a name.
"""

from __future__ import annotations

import re
import unicodedata


def fold(text: str) -> str:
    """Lower-case ASCII words separated by single spaces ("Milli’s  Centre!" → "milli s centre")."""
    plain = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", " ", plain.lower()).strip()


def slug(text: str) -> str:
    """An id from a name: lower-case letters and digits joined by single hyphens ("Milli’s Centre" → "millis-centre")."""
    plain = unicodedata.normalize("NFKD", text.replace("’", "").replace("'", "").replace("&", " and "))
    return re.sub(r"[^a-z0-9]+", "-", plain.encode("ascii", "ignore").decode("ascii").lower()).strip("-") or "centre"
