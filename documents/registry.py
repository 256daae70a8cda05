"""The document templates the apps need, each with a default file and sample data for previews."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.utils.functional import Promise


@dataclass(frozen=True)
class DocumentKind:
    key: str
    label: str | Promise
    default_path: Path
    sample_context: Callable[[], dict[str, Any]]

    def default_source(self) -> str:
        return self.default_path.read_text(encoding="utf-8")


_kinds: dict[str, DocumentKind] = {}


def register(
    key: str,
    *,
    label: str | Promise,
    default_path: str | Path,
    sample_context: Callable[[], dict[str, Any]],
) -> DocumentKind:
    """Declare a document template (call from the owning app's AppConfig.ready())."""
    kind = DocumentKind(key, label, Path(default_path), sample_context)
    _kinds[key] = kind
    return kind


def get(key: str) -> DocumentKind:
    return _kinds[key]


def all_kinds() -> list[DocumentKind]:
    return sorted(_kinds.values(), key=lambda k: k.key)
