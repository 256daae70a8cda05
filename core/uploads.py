"""Uploads are checked by what they contain, not by their name, and by size; zip bombs are refused."""

from __future__ import annotations

import zipfile
from typing import Any

import filetype
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# Office files are zip containers; their declared uncompressed size must stay sane.
MAX_UNZIPPED = 200 * 1024 * 1024
MAX_RATIO = 100
OOXML = {"xlsx": "xl/", "docx": "word/"}


def _kind(head: bytes, data_file: Any) -> str | None:
    guess = filetype.guess(head)
    if guess is not None:
        ext = str(guess.extension)
        if ext == "zip":
            return _office_kind(data_file) or "zip"
        return {"jpeg": "jpg"}.get(ext, ext)
    try:
        head.decode("utf-8")
    except UnicodeDecodeError:
        # A multi-byte character may be cut at the end of the sniffed block.
        try:
            head[:-3].decode("utf-8")
        except UnicodeDecodeError:
            return None
    return "csv"


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
    f.seek(0)
    if kind not in kinds:
        raise ValidationError(
            _("“%(name)s” is not an accepted file type (accepted: %(kinds)s).")
            % {"name": name, "kinds": "、".join(sorted(kinds))}
        )
    return kind
