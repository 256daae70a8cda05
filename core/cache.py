"""Figures kept in the shared cache, read so that its outage costs speed, never a page.

Redis (SANSHE_CACHE_URL) keeps figures that are dear to compute. When it cannot be reached,
Django's Redis backend raises on every read; here that read is a miss (logged) and the figure is
computed fresh, so a Redis outage slows the funds and planning pages instead of failing them."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TypeVar

from django.core.cache import cache
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

_T = TypeVar("_T")

# What an unreachable cache raises: the client's own errors and the socket's.
UNREACHABLE = (RedisError, OSError)


def read_through(key: str, compute: Callable[[], _T], seconds: int) -> _T:
    """The value kept under `key`, or `compute()` kept there for `seconds`."""
    try:
        kept = cache.get(key)
    except UNREACHABLE:
        logger.warning("cache unreachable: %s computed afresh", key.split(":", 1)[0])
        return compute()
    if kept is not None:
        return kept  # type: ignore[no-any-return]
    value = compute()
    try:
        cache.set(key, value, seconds)
    except UNREACHABLE:
        logger.warning("cache unreachable: %s not kept", key.split(":", 1)[0])
    return value
