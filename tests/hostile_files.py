"""Hostile files built from nothing, for the limit tests and the hostile-file benchmark.

Each builder makes a few kilobytes that would cost a naive reader gigabytes
or minutes: a deflate bomb, a worksheet declaring Excel's whole grid, a
"billion laughs" YAML.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib

import openpyxl

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def workbook(rows: list[list[object]] | None = None) -> bytes:
    book = openpyxl.Workbook()
    for row in rows if rows is not None else [["Name", "Town"], ["Bath Sample Centre", "Bath"]]:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def rezipped(book: bytes, parts: dict[str, bytes]) -> bytes:
    """``book`` with the members named in ``parts`` replaced (or added), all deflated."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(book)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            target.writestr(info.filename, parts.pop(info.filename, None) or source.read(info))
        for name, data in parts.items():
            target.writestr(name, data)
    return out.getvalue()


def deflated_zeros(size: int) -> bytes:
    """A raw deflate stream of ``size`` zero bytes (whole MiB): one fully flushed MiB block repeated, ~1 KB per MiB."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    mib = bytes(2**20)
    first = compressor.compress(mib) + compressor.flush(zlib.Z_FULL_FLUSH)
    again = compressor.compress(mib) + compressor.flush(zlib.Z_FULL_FLUSH)
    assert first == again  # after a full flush nothing refers back, so the block can be repeated
    return first * (size // 2**20) + compressor.flush()


def with_bomb(book: bytes, *, unpacked: int, declared: int) -> bytes:
    """``book`` plus a member ``xl/media/image1.png`` that unpacks to ``unpacked`` zero bytes, declaring ``declared``."""
    payload = deflated_zeros(unpacked)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(book)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            target.writestr(info, source.read(info))
        target.writestr(zipfile.ZipInfo("xl/media/image1.png"), payload)  # stored: the bytes go in as they are
    data = bytearray(out.getvalue())
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as archive:
        local = archive.getinfo("xl/media/image1.png").header_offset
    central = data.rfind(b"PK\x01\x02")  # the last directory entry is the member just added
    for method_at, unpacked_at in ((local + 8, local + 22), (central + 10, central + 24)):
        struct.pack_into("<H", data, method_at, zipfile.ZIP_DEFLATED)
        struct.pack_into("<L", data, unpacked_at, declared)
    return bytes(data)


def worksheet(body: str) -> bytes:
    return f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN}">{body}</worksheet>'.encode()


BILLION_LAUGHS = "".join(
    ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n']
    + [f"{cur}: &{cur} [" + ",".join([f"*{prev}"] * 9) + "]\n" for prev, cur in zip("abcdefgh", "bcdefghi")]
)
