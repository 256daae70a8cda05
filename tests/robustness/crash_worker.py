"""Run one operation against DATABASE_URL and SIGKILL the process in the middle of it.

Used by test_crash_safety.py: `python -m tests.robustness.crash_worker <operation>`.
"""

from __future__ import annotations

import os
import signal
import sys


def die() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def main(operation: str) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()

    from django.utils import timezone

    from accounts.models import User
    from funds import imports, ledger, services
    from funds.models import Disbursement
    from procurement.models import Contract

    if operation == "payment":
        d = Disbursement.objects.get(state="approved")
        real_post = ledger.ledger_post

        def post_then_die(**kwargs):  # type: ignore[no-untyped-def]
            entry = real_post(**kwargs)
            die()  # after the milestone claim and the ledger row, before COMMIT
            return entry

        services.ledger_post = post_then_die  # type: ignore[assignment]
        services.disbursement_pay(
            disbursement=d,
            actor=User.objects.get(username="qj_cashier"),
            voucher_number="CRASH-1",
            paid_on=timezone.localdate(),
        )
    elif operation == "approval":
        from core.signals import money_event
        from projects import services as project_services
        from projects.models import ServiceProject

        project = ServiceProject.objects.get(code="GM202600004")
        # Receivers run in connection order: this one after funds has posted the ledger entry,
        # so the state, the transition log row, the entry and the chain head are all written.
        money_event.connect(lambda **kwargs: die(), weak=False, dispatch_uid="crash")
        project_services.project_approve(
            project=project, actor=User.objects.get(username="dy_staff"), note="CRASH"
        )
    elif operation == "acceptance":
        from django.db.models.signals import post_save

        from funds.models import Acceptance, Milestone

        milestone = Milestone.objects.get(contract__number="HT-JL-2026-001", sequence=3)
        # After the accept transition and its log row, with the acceptance record just inserted.
        post_save.connect(lambda **kwargs: die(), sender=Acceptance, weak=False)
        services.acceptance_record(
            milestone=milestone,
            actor=User.objects.get(username="jz_staff"),
            passed=True,
            checklist={"deliverables_complete": True},
            notes="CRASH",
        )
    elif operation == "import":
        from django.core.files.uploadedfile import SimpleUploadedFile

        contract = Contract.objects.get(number="HT-QJ-2026-001")
        day = contract.start_date.isoformat()
        # A worker on the supplier's register (the import refuses anyone else).
        worker = next(iter(imports._worker_register(contract) or {"李": 0}))
        lines = [imports.HEADER_HINT] + [
            f"{day},村{i},个案,留守儿童,1,1,{worker}" for i in range(5000)
        ]
        upload = SimpleUploadedFile("台账.csv", "\n".join(lines).encode("utf-8"))
        real_insert = imports._insert_batch

        def insert_then_die(batch, *args):  # type: ignore[no-untyped-def]
            real_insert(batch[:2000], *args)
            die()  # 2,000 rows written inside the transaction, the rest to go

        imports._insert_batch = insert_then_die  # type: ignore[assignment]
        imports.import_service_records(contract, upload)
    sys.exit(2)  # never reached: the process was killed


if __name__ == "__main__":
    main(sys.argv[1])
