"""On PostgreSQL, 50 NGOs bid in the last second before the deadline and 10 right after it:
all 50 are stored with their receipts, none of the late ones."""

import datetime as dt
import threading
from decimal import Decimal

import pytest
from django.db import connection

from procurement import services
from procurement.models import Bid
from tests.factories.accounts import NgoUserFactory
from tests.procurement.conftest import make_tender

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_last_second_rush(world):
    tender = make_tender(world["project"], world["staff"])
    deadline = tender.bid_deadline
    ontime = [NgoUserFactory() for _ in range(50)]
    late = [NgoUserFactory() for _ in range(10)]
    barrier = threading.Barrier(60)
    results: dict[str, list[str]] = {"ok": [], "refused": []}
    lock = threading.Lock()

    def bid(user, offset):
        try:
            barrier.wait()
            services.bid_submit(
                tender=tender,
                actor=user,
                price=Decimal("450000.00"),
                technical_proposal=f"{user.organization.name}方案",
                now=deadline + dt.timedelta(milliseconds=offset),
            )
            outcome = "ok"
        except Exception:
            outcome = "refused"
        finally:
            connection.close()
        with lock:
            results[outcome].append(user.username)

    threads = [threading.Thread(target=bid, args=(u, -999 + i * 19)) for i, u in enumerate(ontime)]
    threads += [threading.Thread(target=bid, args=(u, i * 100)) for i, u in enumerate(late)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results["ok"]) == 50 and len(results["refused"]) == 10
    stored = Bid.objects.filter(tender=tender)
    assert stored.count() == 50
    assert not stored.filter(supplier__in=[u.organization for u in late]).exists()
    assert all(b.receipt == b.compute_receipt() for b in stored)
