"""Uploads are checked by what they contain, not by their name, and by size; zip bombs are refused."""

from __future__ import annotations

import codecs
import re
import zipfile
from typing import Any

import filetype
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# Office files are zip containers; their declared uncompressed size must stay sane.
MAX_UNZIPPED = 200 * 1024 * 1024
MAX_RATIO = 100
OOXML = {"xlsx": "xl/", "docx": "word/"}

# Spreadsheet readers allocate the whole rectangle a sheet claims (calamine: one cell value per
# row x column), so a 5 KB file whose sheet names cell XFD1048576 asks for 17 billion cells.
# The claimed extent is read from the XML before any reader sees the file. A million
# service-record rows of eight columns stay well inside these limits.
MAX_SHEET_COLUMNS = 200
MAX_SHEET_CELLS = 20_000_000
_CELL_REF = re.compile(
    rb'<(?:\w+:)?(?:dimension ref="(?:[A-Z]{1,3}\d+:)?|c\b[^>]*?\br=")([A-Z]{1,3})(\d{1,8})'
)
_ROW_REF = re.compile(rb'<(?:\w+:)?row\b[^>]*?\br="(\d{1,8})"')


def _kind(head: bytes, data_file: Any) -> str | None:
    guess = filetype.guess(head)
    if guess is not None:
        ext = str(guess.extension)
        if ext == "zip":
            return _office_kind(data_file) or "zip"
        return {"jpeg": "jpg"}.get(ext, ext)
    return "csv" if text_encoding(head) else None


def text_encoding(head: bytes) -> str | None:
    """The encoding of a text file from its first bytes, or None when it is not text.

    UTF-8 (with or without BOM), UTF-16 (Excel's "Unicode text", with or without BOM) and
    GB18030, the superset of the GBK that Chinese Excel writes by default. The head may end in
    the middle of a character: the decoders are incremental and not told it is the end.
    """
    even, odd = head[0::2], head[1::2]
    if head.startswith(codecs.BOM_UTF8):
        candidates = ["utf-8-sig"]
    elif head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        candidates = ["utf-16"]
    elif len(head) >= 4 and odd.count(0) > len(odd) * 0.4 and not even.count(0):
        candidates = ["utf-16-le"]
    elif len(head) >= 4 and even.count(0) > len(even) * 0.4 and not odd.count(0):
        candidates = ["utf-16-be"]
    else:
        candidates = ["utf-8", "gb18030"]
    for encoding in candidates:
        try:
            text = codecs.getincrementaldecoder(encoding)().decode(head, final=False)
        except UnicodeDecodeError:
            continue
        # Text has no control characters but tabs and line ends (a binary file may still
        # decode, e.g. as UTF-16).
        if not any(ord(c) < 32 and c not in "\t\r\n" for c in text):
            return encoding
    return None


def _office_kind(data_file: Any) -> str | None:
    data_file.seek(0)
    try:
        with zipfile.ZipFile(data_file) as archive:
            names = archive.namelist()
    except zipfile.BadZipFile:
        return None
    for kind, prefix in OOXML.items():
        if any(n.startswith(prefix) for n in names):
            return kind
    return None


def _check_zip(data_file: Any, name: str) -> None:
    data_file.seek(0)
    try:
        with zipfile.ZipFile(data_file) as archive:
            infos = archive.infolist()
    except zipfile.BadZipFile as exc:
        raise ValidationError(_("“%(name)s” is a damaged file.") % {"name": name}) from exc
    unzipped = sum(i.file_size for i in infos)
    packed = sum(i.compress_size for i in infos) or 1
    if unzipped > MAX_UNZIPPED or unzipped / packed > MAX_RATIO:
        raise ValidationError(
            _("“%(name)s” expands to an implausible size (possible zip bomb) and was refused.")
            % {"name": name}
        )


def _column_number(letters: bytes) -> int:
    number = 0
    for ch in letters:
        number = number * 26 + (ch - 64)
    return number


def _check_sheet_extent(data_file: Any, name: str) -> None:
    """Refuse a workbook whose sheets claim more rows x columns than a reader can hold."""
    data_file.seek(0)
    with zipfile.ZipFile(data_file) as archive:
        sheets = [i for i in archive.infolist() if i.filename.startswith("xl/worksheets/")]
        for info in sheets:
            rows = cols = 0
            tail = b""
            with archive.open(info) as xml:
                while chunk := xml.read(1 << 20):
                    text = tail + chunk
                    for col, row in _CELL_REF.findall(text):
                        cols = max(cols, _column_number(col))
                        rows = max(rows, int(row))
                    for row in _ROW_REF.findall(text):
                        rows = max(rows, int(row))
                    tail = text[-80:]
                    if cols > MAX_SHEET_COLUMNS or rows * max(cols, 1) > MAX_SHEET_CELLS:
                        raise ValidationError(
                            _(
                                "“%(name)s”: a sheet claims %(rows)s rows × %(cols)s columns;"
                                " at most %(max_cols)s columns and %(max_cells)s cells are"
                                " accepted. Delete the empty rows and columns or split the file."
                            )
                            % {
                                "name": name,
                                "rows": f"{rows:,}",
                                "cols": f"{cols:,}",
                                "max_cols": MAX_SHEET_COLUMNS,
                                "max_cells": f"{MAX_SHEET_CELLS:,}",
                            }
                        )


def validate_upload(f: Any, *, kinds: set[str], max_bytes: int) -> str:
    """Return the detected kind of an uploaded file, or raise ValidationError naming the file."""
    name = getattr(f, "name", "") or _("the file")
    size = getattr(f, "size", None)
    if size is None:
        f.seek(0, 2)
        size = f.tell()
    if size > max_bytes:
        raise ValidationError(
            _("“%(name)s” is %(size)s MB; at most %(max)s MB is accepted.")
            % {"name": name, "size": round(size / 1048576, 1), "max": round(max_bytes / 1048576, 1)}
        )
    if size == 0:
        raise ValidationError(_("“%(name)s” is empty.") % {"name": name})
    f.seek(0)
    head = f.read(8192)
    kind = _kind(head, f)
    if kind in {"xlsx", "docx", "zip"}:
        _check_zip(f, name)
    if kind == "xlsx":
        _check_sheet_extent(f, name)
    f.seek(0)
    if kind not in kinds:
        raise ValidationError(
            _("“%(name)s” is not an accepted file type (accepted: %(kinds)s).")
            % {"name": name, "kinds": "、".join(sorted(kinds))}
        )
    return kind
