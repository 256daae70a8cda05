"""Read queries over organisations shared by the apps."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from accounts.models import Organization


def subtree_pks(org_id: int) -> QuerySet[Organization, Any]:
    """The ids of organisation `org_id` and of every organisation below it, at any depth, as a
    subquery to filter big tables by (`bureau_id__in=`), so a province's filter reaches its
    counties. The path is read here so that the prefix match is a constant the database plans
    with its path index, not a LIKE joined per row. An unknown id selects nothing."""
    path = Organization.objects.filter(pk=org_id).values_list("path", flat=True).first()
    if not path:
        # No such organisation (nothing), or one without a path yet: itself only, never the
        # whole tree that an empty prefix would match.
        return Organization.objects.filter(pk=org_id).values("pk")
    return Organization.objects.filter(path__startswith=path).values("pk")
