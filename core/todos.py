"""The 工作台 to-do list: each app registers a function that lists one user's pending work."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise


@dataclass(frozen=True)
class Todo:
    title: str | Promise
    url: str
    detail: str | Promise = ""
    due: Any = None


Provider = Callable[[Any], list[Todo]]
_providers: list[Provider] = []


def register(provider: Provider) -> Provider:
    """Decorator: add a provider of to-do items for the home page."""
    if provider not in _providers:
        _providers.append(provider)
    return provider


def todos_for(user: Any) -> list[Todo]:
    items: list[Todo] = []
    for provider in _providers:
        items.extend(provider(user))
    return items
