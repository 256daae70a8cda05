"""What planning adds to the apps below it, through their registries (never their imports)."""

from __future__ import annotations

from funds import selectors as funds_selectors
from planning import eligibility, postings, sections, services
from procurement import documents as procurement_documents
from procurement import eligibility as procurement_eligibility
from projects import checks as project_checks
from projects import sections as project_sections

project_checks.register(services.approval_refusal)
procurement_eligibility.register_bid_check(eligibility.bid_refusal)
procurement_eligibility.register_contract_check(services.contract_refusal)
project_sections.register(sections.planning_section)
funds_selectors.register_ledger_bureau_scope(postings.LEDGER_SCOPE)
procurement_documents.register_notice_facts(
    sections.notice_facts, sample=sections.sample_notice_facts
)
