"""Annual plans: allocation down the bureau tree, projects drawing on lines, overdraw refusals,
and the ledger lines each posts."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from core.fsm import ActionRefusedError
from core.models import TransitionLog
from funds.ledger import ledger_verify
from funds.models import LedgerEntry
from planning import services
from planning.models import BudgetLine, FundSource, ProjectDraw
from projects.models import ProjectState
from projects.services import project_approve
from tests.factories.projects import ServiceProjectFactory

pytestmark = pytest.mark.django_db
YEAR = dt.date.today().year + 1  # the factory's projects start in 60 days; keep them in one year


def _project(bureau, budget="500000.00"):
    return ServiceProjectFactory(
        bureau=bureau,
        budget=Decimal(budget),
        period_start=dt.date(YEAR, 3, 1),
        period_end=dt.date(YEAR, 12, 31),
    )


def _province_line(tree, amount="1000000.00"):
    staff = tree["staff"][tree["province"]]
    plan = services.plan_create(actor=staff, year=YEAR)
    return services.line_add(
        actor=staff,
        plan=plan,
        fund_source=FundSource.OWN_BUDGET,
        name="留守儿童关爱保护试点专项",
        amount=Decimal(amount),
    )


def test_allocation_flows_down_the_tree_and_posts_to_the_ledger(tree):
    line = _province_line(tree)
    city_line = services.allocation_make(
        actor=tree["staff"][tree["province"]],
        source=line,
        child=tree["city"],
        amount=Decimal("1000000.00"),
    )
    county_line = services.allocation_make(
        actor=tree["staff"][tree["city"]],
        source=city_line,
        child=tree["jiangling"],
        amount=Decimal("500000.00"),
    )
    assert county_line.plan.bureau == tree["jiangling"]
    assert county_line.plan.year == YEAR
    assert county_line.fund_source == FundSource.SUPERIOR_SUBSIDY
    assert county_line.source == city_line and city_line.source == line
    entries = list(LedgerEntry.objects.filter(kind="budget_allocated").order_by("seq"))
    assert [(e.debit, e.credit, e.amount) for e in entries] == [
        ("下级预算指标", "年度预算指标", Decimal("1000000.00")),
        ("下级预算指标", "年度预算指标", Decimal("500000.00")),
    ]
    assert entries[0].project is None
    assert "江陵县民政局" in entries[1].memo
    assert ledger_verify().ok
    assert TransitionLog.objects.filter(transition="allocate").count() == 2


def test_allocation_beyond_the_line_is_refused(tree):
    line = _province_line(tree)
    with pytest.raises(ActionRefusedError, match=r"1000000\.00"):
        services.allocation_make(
            actor=tree["staff"][tree["province"]],
            source=line,
            child=tree["city"],
            amount=Decimal("1000000.01"),
        )
    assert not BudgetLine.objects.filter(source=line).exists()
    assert not LedgerEntry.objects.filter(kind="budget_allocated").exists()


def test_allocation_skips_no_level_and_only_the_holder_allocates(tree):
    line = _province_line(tree)
    with pytest.raises(ActionRefusedError, match="直接下级"):
        services.allocation_make(
            actor=tree["staff"][tree["province"]],
            source=line,
            child=tree["jiangling"],
            amount=Decimal("1.00"),
        )
    with pytest.raises(ActionRefusedError, match="持有该预算指标"):
        services.allocation_make(
            actor=tree["staff"][tree["city"]], source=line, child=tree["city"], amount=Decimal(1)
        )


def _county_line(tree, amount="500000.00", fund=FundSource.OWN_BUDGET):
    staff = tree["staff"][tree["jiangling"]]
    plan = services.plan_create(actor=staff, year=YEAR)
    return services.line_add(
        actor=staff, plan=plan, fund_source=fund, name=f"本级{fund}", amount=Decimal(amount)
    )


def test_project_draws_on_two_lines_and_is_approved(tree):
    staff = tree["staff"][tree["jiangling"]]
    own = _county_line(tree, "300000.00")
    lottery = _county_line(tree, "200000.00", FundSource.WELFARE_LOTTERY)
    project = _project(tree["jiangling"])
    project.created_by = staff
    project.save()
    services.draws_set(
        actor=staff,
        project=project,
        draws=[(own, Decimal("300000.00")), (lottery, Decimal("200000.00"))],
    )
    project_approve(project=project, actor=staff)
    project.refresh_from_db()
    assert project.state == ProjectState.APPROVED
    kinds = list(LedgerEntry.objects.filter(project=project).values_list("kind", "debit", "credit"))
    assert kinds == [
        ("budget_drawn", "预算指标", "年度预算指标"),
        ("budget_drawn", "预算指标", "年度预算指标"),
        ("budget_appropriated", "项目预算", "预算指标"),
    ]
    assert ledger_verify().ok


def test_overdrawing_a_line_is_refused_with_the_room_left(tree):
    staff = tree["staff"][tree["jiangling"]]
    line = _county_line(tree, "500000.00")
    first = _project(tree["jiangling"], "400000.00")
    services.draws_set(actor=staff, project=first, draws=[(line, Decimal("400000.00"))])
    second = _project(tree["jiangling"], "200000.00")
    with pytest.raises(ActionRefusedError, match=r"余额为 100000\.00 元"):
        services.draws_set(actor=staff, project=second, draws=[(line, Decimal("200000.00"))])
    assert not ProjectDraw.objects.filter(project=second).exists()


def test_approval_refused_when_the_plan_does_not_cover_the_budget(tree):
    staff = tree["staff"][tree["jiangling"]]
    line = _county_line(tree, "500000.00")
    project = _project(tree["jiangling"], "500000.00")
    services.draws_set(actor=staff, project=project, draws=[(line, Decimal("450000.00"))])
    with pytest.raises(ActionRefusedError, match=r"450000\.00"):
        project_approve(project=project, actor=staff)
    project.refresh_from_db()
    assert project.state == ProjectState.DRAFT
    assert not LedgerEntry.objects.filter(project=project, kind="budget_appropriated").exists()


def test_approval_refused_without_draws_once_the_bureau_keeps_a_plan(tree):
    staff = tree["staff"][tree["jiangling"]]
    _county_line(tree)
    project = _project(tree["jiangling"])
    with pytest.raises(ActionRefusedError, match="全额安排"):
        project_approve(project=project, actor=staff)


def test_redrawing_reverses_the_old_ledger_lines(tree):
    staff = tree["staff"][tree["jiangling"]]
    line = _county_line(tree, "500000.00")
    project = _project(tree["jiangling"], "500000.00")
    services.draws_set(actor=staff, project=project, draws=[(line, Decimal("100000.00"))])
    services.draws_set(actor=staff, project=project, draws=[(line, Decimal("500000.00"))])
    rows = list(LedgerEntry.objects.filter(project=project).values_list("kind", "amount", "debit"))
    assert rows == [
        ("budget_drawn", Decimal("100000.00"), "预算指标"),
        ("reversed", Decimal("100000.00"), "年度预算指标"),
        ("budget_drawn", Decimal("500000.00"), "预算指标"),
    ]
    assert ProjectDraw.objects.get(project=project).amount == Decimal("500000.00")


def test_drawing_on_another_bureaus_line_is_refused(tree):
    line = _county_line(tree)
    jianli_project = _project(tree["jianli"])
    with pytest.raises(ActionRefusedError, match="本部门的预算指标"):
        services.draws_set(
            actor=tree["staff"][tree["jianli"]],
            project=jianli_project,
            draws=[(line, Decimal("1.00"))],
        )


def test_catalogue_entry_is_required_once_the_bureau_plans(tree):
    staff = tree["staff"][tree["jiangling"]]
    province_staff = tree["staff"][tree["province"]]
    top = services.catalogue_item_add(
        actor=province_staff, code="A07", name="社会救助与社会福利服务"
    )
    child = services.catalogue_item_add(
        actor=province_staff, code="A0702", name="农村留守儿童关爱服务", parent=top
    )
    with pytest.raises(ValidationError):
        services.catalogue_item_add(actor=staff, code="B01", name="其他", parent=top)
    line = _county_line(tree, "500000.00")
    project = _project(tree["jiangling"], "500000.00")
    services.draws_set(actor=staff, project=project, draws=[(line, Decimal("500000.00"))])
    with pytest.raises(ActionRefusedError, match="指导性目录"):
        project_approve(project=project, actor=staff)
    services.project_catalogue_set(actor=staff, project=project, item=child)
    project_approve(project=project, actor=staff)
    # A bureau without a plan for the year approves as before, catalogue or not.
    other = _project(tree["jianli"])
    project_approve(project=other, actor=tree["staff"][tree["jianli"]])


def test_payments_fill_a_projects_lines_in_the_order_it_drew_on_them(tree):
    from funds.ledger import ledger_post
    from planning.selectors import line_rows

    staff = tree["staff"][tree["jiangling"]]
    own = _county_line(tree, "300000.00")
    lottery = _county_line(tree, "200000.00", FundSource.WELFARE_LOTTERY)
    project = _project(tree["jiangling"])
    services.draws_set(
        actor=staff,
        project=project,
        draws=[(own, Decimal("300000.00")), (lottery, Decimal("200000.00"))],
    )
    for amount in ("150000.00", "200000.01"):
        ledger_post(kind="disbursement_paid", amount=Decimal(amount), project=project)
    rows = line_rows([own, lottery])
    assert (rows[own.pk].drawn, rows[own.pk].paid) == (Decimal("300000.00"), Decimal("300000.00"))
    assert (rows[lottery.pk].drawn, rows[lottery.pk].paid) == (
        Decimal("200000.00"),
        Decimal("50000.01"),
    )
    assert rows[own.pk].free == Decimal("0.00")


def _ledger_csv(client, **params):
    response = client.get("/funds/ledger/", {"format": "csv", **params})
    assert response.status_code == 200
    return b"".join(response.streaming_content).decode("utf-8-sig")


def test_ledger_filtered_by_bureau_includes_its_allocation_lines(tree, client):
    line = _province_line(tree)
    city_line = services.allocation_make(
        actor=tree["staff"][tree["province"]],
        source=line,
        child=tree["city"],
        amount=Decimal("800000.00"),
    )
    services.allocation_make(
        actor=tree["staff"][tree["city"]],
        source=city_line,
        child=tree["jiangling"],
        amount=Decimal("300000.00"),
    )
    services.allocation_make(
        actor=tree["staff"][tree["city"]],
        source=city_line,
        child=tree["jianli"],
        amount=Decimal("200000.00"),
    )
    client.force_login(tree["staff"][tree["city"]])
    # The city's own books: what it received and what it passed to each county.
    rows = _ledger_csv(client, bureau=tree["city"].pk)
    assert "800000.00" in rows and "300000.00" in rows and "200000.00" in rows
    # A county's books: its own allocation only.
    rows = _ledger_csv(client, bureau=tree["jiangling"].pk)
    assert "300000.00" in rows
    assert "200000.00" not in rows and "800000.00" not in rows
    # A project filter still shows project lines only.
    project = _project(tree["jiangling"])
    assert "300000.00" not in _ledger_csv(client, project=project.pk)
    # A county officer reads the county's allocation but not the sister county's or the city's.
    client.force_login(tree["staff"][tree["jiangling"]])
    rows = _ledger_csv(client)
    assert "300000.00" in rows
    assert "200000.00" not in rows and "800000.00" not in rows
    assert ledger_verify().ok


def test_allocated_line_keeps_its_ledger_entry(tree):
    line = _province_line(tree)
    city_line = services.allocation_make(
        actor=tree["staff"][tree["province"]],
        source=line,
        child=tree["city"],
        amount=Decimal("100000.00"),
    )
    entry = LedgerEntry.objects.get(kind="budget_allocated")
    assert BudgetLine.objects.get(pk=city_line.pk).ledger_entry == entry
    assert BudgetLine.objects.get(pk=line.pk).ledger_entry is None


def test_migration_links_allocations_made_before_it(tree):
    import importlib

    from django.apps import apps

    migration = importlib.import_module("planning.migrations.0002_budget_line_ledger_entry")
    line = _province_line(tree)
    city_line = services.allocation_make(
        actor=tree["staff"][tree["province"]],
        source=line,
        child=tree["city"],
        amount=Decimal("400000.00"),
    )
    county_line = services.allocation_make(
        actor=tree["staff"][tree["city"]],
        source=city_line,
        child=tree["jiangling"],
        amount=Decimal("400000.00"),  # the same amount: told apart by the memo
    )
    expected = {
        city_line.pk: city_line.ledger_entry_id,
        county_line.pk: county_line.ledger_entry_id,
    }
    BudgetLine.objects.update(ledger_entry=None)  # as before the migration
    migration.link_existing_allocations(apps, None)
    linked = dict(BudgetLine.objects.filter(source__isnull=False).values_list("pk", "ledger_entry"))
    assert linked == expected
    assert len(set(expected.values())) == 2
