"""Text as the directory compares it: one fold and one slug for every module.

:func:`fold` is how names, headings and search words are compared (case,
accents and punctuation ignored); :func:`slug` is how an id is made from a name;
:func:`safe_link` decides whether a URL may be rendered as a link.
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import urlsplit


def fold(text: str) -> str:
    """Lower-case ASCII words separated by single spaces ("Milli’s  Centre!" → "milli s centre")."""
    plain = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", " ", plain.lower()).strip()


def slug(text: str) -> str:
    """An id from a name: lower-case letters and digits joined by single hyphens ("Milli’s Centre" → "millis-centre")."""
    plain = unicodedata.normalize("NFKD", text.replace("’", "").replace("'", "").replace("&", " and "))
    return re.sub(r"[^a-z0-9]+", "-", plain.encode("ascii", "ignore").decode("ascii").lower()).strip("-") or "centre"


def safe_link(url: str) -> str:
    """``url`` when it may be rendered as a link (an ``http``/``https`` address with a host), else "".

    ``javascript:``, ``data:``, ``file:`` and other schemes would run or open
    something when a reader clicks; only web addresses become links.
    """
    parts = urlsplit(str(url).strip())
    return parts.geturl() if parts.scheme in ("http", "https") and parts.netloc else ""


#: First characters that make a spreadsheet read a cell as a formula (OWASP, "CSV injection").
FORMULA_TRIGGERS: tuple[str, ...] = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_text(value: str) -> str:
    """``value`` as a spreadsheet cell that can only ever be text: a leading ``'`` where it could start a formula."""
    return f"'{value}" if value.startswith(FORMULA_TRIGGERS) else value
