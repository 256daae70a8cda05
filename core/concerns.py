"""Open matters on a contract that an acceptance or an evaluation must see (open rectification
items, late reports). Apps that track them register a provider; core never imports them, and a
page shows them with `{% open_concerns contract %}`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise


@dataclass(frozen=True)
class Concern:
    title: str | Promise
    url: str
    detail: str | Promise = ""
    overdue: bool = False
    # Who may follow `url`; a reader who may not sees the matter without the link (a link that
    # answers 404 tells nothing and looks broken). None: anyone who sees the page may.
    can_open: Callable[[Any], bool] | None = None

    def link_for(self, user: Any) -> str:
        return self.url if self.can_open is None or self.can_open(user) else ""


Provider = Callable[[Any], list[Concern]]
_providers: list[Provider] = []


def register(provider: Provider) -> Provider:
    if provider not in _providers:
        _providers.append(provider)
    return provider


def open_concerns(contract: Any) -> list[Concern]:
    found: list[Concern] = []
    for provider in _providers:
        found.extend(provider(contract))
    return found
