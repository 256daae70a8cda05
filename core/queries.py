"""Query building blocks shared by the apps' selectors."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce


def count_of(rows: QuerySet[Any], *, outer: str) -> Coalesce:
    """How many of `rows` point at the outer row through their field `outer`, as a correlated
    subquery. Beside a join-and-count annotation it neither multiplies the outer rows by each
    other counted relation (no DISTINCT) nor counts rows a LIMIT leaves out: PostgreSQL works
    the subquery out only for the rows a page shows."""
    counted = rows.filter(**{outer: OuterRef("pk")}).order_by().values(outer)
    return Coalesce(
        Subquery(counted.annotate(n=Count("pk")).values("n"), output_field=IntegerField()), 0
    )
