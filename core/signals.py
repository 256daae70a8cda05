"""Signals that let one app react to another's events without importing it.

money_event: every event that moves or commits money (budget appropriated, bond received or
returned, disbursement requested/approved/paid, withheld, forfeited, reversed). It is sent
inside the sender's transaction; the funds app appends the ledger entry in that same
transaction, so an event and its ledger row commit or roll back together.
    kwargs: kind (str, one of funds' ledger kinds), amount (Decimal), project, contract=None,
            milestone=None, actor (User | None), memo (str), occurred_at (aware datetime | None)


contract_amount_changing: sent by procurement before a contract amendment changes the amount,
inside its transaction; a receiver refuses by raising core.fsm.ActionRefusedError (funds: never
below what is paid or being paid).
    kwargs: contract, amount (Decimal, the new amount)

contract_drafted: sent by procurement when a contract is drafted, inside its transaction; the
funds app creates the payment milestones it lists (the amount split to the fen by percentage).
    kwargs: contract, milestones (list of procurement.services.MilestoneInput, in order)

public_notice: what a public notice shows changed without a state transition (a clarification
answered), so the open-data app publishes it. Sent inside the sender's transaction.
    kwargs: project_id (int)
"""

from django.dispatch import Signal

money_event = Signal()
contract_amount_changing = Signal()
contract_drafted = Signal()

# notice: an event that asks something of people (a report due, a deliverable arriving, an
# objection unanswered). Any app sends it; the notifications app (if installed) turns it into
# inbox entries, e-mail and SMS after the sender's transaction commits. Senders never import it.
#     kwargs: recipients (iterable of User), kind (str, a stable event name), title (str),
#             body (str), url (str), key (str: the same key for the same recipient is kept once,
#             so a tick may send again without repeating itself)
notice = Signal()
public_notice = Signal()
