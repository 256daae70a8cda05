"""Signals that let one app react to another's events without importing it.

money_event: every event that moves or commits money (budget appropriated, bond received or
returned, disbursement requested/approved/paid, withheld, forfeited, reversed). It is sent
inside the sender's transaction; the funds app appends the ledger entry in that same
transaction, so an event and its ledger row commit or roll back together.
    kwargs: kind (str, one of funds' ledger kinds), amount (Decimal), project, contract=None,
            milestone=None, actor (User | None), memo (str), occurred_at (aware datetime | None)

public_notice: what a public notice shows changed without a state transition (a clarification
answered), so the open-data app publishes it. Sent inside the sender's transaction.
    kwargs: project_id (int)
"""

from django.dispatch import Signal

money_event = Signal()
public_notice = Signal()
