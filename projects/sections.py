"""Panels that other apps add to the project page (tenders, contract, evaluations, payments).

Each app registers a function returning a template name and its context, or None when it has
nothing to show this user; the project app never imports the apps that build on it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Section:
    template: str
    context: dict[str, Any]
    order: int = 50


SectionProvider = Callable[[Any, Any], Section | None]
_providers: list[SectionProvider] = []


def register(provider: SectionProvider) -> SectionProvider:
    if provider not in _providers:
        _providers.append(provider)
    return provider


def sections_for(user: Any, project: Any) -> list[Section]:
    found = [s for s in (p(user, project) for p in _providers) if s is not None]
    return sorted(found, key=lambda s: s.order)
