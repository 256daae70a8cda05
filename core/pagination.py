"""API pagination for lists that grow without bound and are read deep (the ledger).

The default page-number pagination counts the whole list and skips with OFFSET on every page:
at a million ledger entries that is a scan per request, and the deeper the page the slower.
A cursor (keyset on a unique, indexed column) costs the same on the first page and the last."""

from __future__ import annotations

from rest_framework.pagination import CursorPagination


class SeqCursorPagination(CursorPagination):
    """Pages in `seq` order (the ledger's chain order): `?cursor=` from each page's `next`."""

    ordering = "seq"
    page_size = 50
