"""The purchase lifecycle in real Chromium on the demo data, one test per role's journey.

Each test drives the pages a person would use (links, forms, buttons) and checks what that person
reads: amounts in yuan, states and grades in Chinese. The database is touched only to move time
forward (a deadline no page can hurry) or to read a date the data set computes from today.
"""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest

from tests.browser.conftest import go, log_in, open_window

pytestmark = pytest.mark.browser


@pytest.fixture
def desk(page):
    """desk("expert1") is expert1's own browser window, logged in once and kept for the test.

    Several people work on the same purchase; each keeps a window of their own, as at their
    own desks, instead of one window logging in and out.
    """
    browser = page.context.browser
    windows = {}

    def _desk(username: str):
        if username not in windows:
            window = open_window(browser, page.base)
            log_in(window, username)
            windows[username] = window
        return windows[username]

    yield _desk
    for window in windows.values():
        window.context.close()


def _workbench(window, item: str) -> None:
    """Go to the workbench and follow one of its to-do items. A window shows the workbench only
    right after logging in (every step below leaves it), so there it is fresh already."""
    if window.url != window.base + "/":
        window.goto(window.base + "/")
    go(window, f"text={item}")


def _csv(rows: list[list[object]]) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode("utf-8-sig")


def _xlsx(rows: list[list[object]]) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _totals(page) -> dict[str, int]:
    """The service-record totals table as {service type: beneficiary person-times}."""
    return _table(page, "按服务类型合计")


def _table(page, heading: str) -> dict[str, int]:
    """A card's table as {first cell: second cell as a number}, the card found by its heading."""
    rows = page.locator(f"section.card:has(h2:text-is('{heading}')) tbody tr").all_inner_texts()
    return {c[0]: int(c[1].replace(",", "")) for c in (r.split("\t") for r in rows)}


def _person_times(page) -> dict[str, int]:
    """The targets card as {beneficiary category: person-times served} (its last column)."""
    rows = page.locator("section.card:has(h2:text-is('目标与实际完成对照')) tbody tr")
    cells = (r.split("\t") for r in rows.all_inner_texts())
    return {c[0]: int(c[-1].replace(",", "")) for c in cells}


HEADER = ["日期", "村/社区", "服务类型", "服务对象类别", "服务人数", "时长", "社工"]


# --- 1. bureau staff publish a tender -----------------------------------------------------------

DAYING = "大英县“亲青家园”留守儿童关爱服务项目"


def test_bureau_publishes_a_tender(page, desk, demo, shot):
    from django.utils import timezone

    staff = desk("dy_staff")
    go(staff, "nav >> text=项目")
    go(staff, f"text={DAYING}")
    go(staff, "button:has-text('立项')")
    assert "已立项" in staff.inner_text("h1")

    # 采购意向 must have been public at least 30 days before the tender is published.
    from django.contrib.auth import get_user_model

    from procurement.models import ProcurementIntent
    from projects.models import ServiceProject

    project = ServiceProject.objects.get(title=DAYING)
    ProcurementIntent.objects.create(
        project=project,
        published_on=timezone.localdate() - dt.timedelta(days=31),
        summary="留守儿童关爱服务",
        budget=project.budget,
        planned_month=timezone.localdate().strftime("%Y-%m"),
        created_by=get_user_model().objects.get(username="dy_staff"),
    )

    go(staff, "text=发起采购")
    assert staff.input_value("#id_title") == DAYING
    assert staff.input_value("#id_ceiling_price") == "200000.00"  # the budget
    staff.select_option("#id_method", "open")
    staff.select_option("#id_evaluation_method", "comprehensive")
    staff.fill("#id_bid_bond", "5000.00")  # over 2% of the 200,000 budget
    staff.fill("#id_price_weight", "20")
    now = timezone.localtime()
    for field, days in [("clarification_deadline", 15), ("bid_deadline", 25), ("opening_at", 25)]:
        when = (now + dt.timedelta(days=days)).replace(hour=9, minute=30)
        staff.fill(f"#id_{field}", when.strftime("%Y-%m-%dT%H:%M"))
    staff.fill("#id_qualification_requirements", "在民政部门登记的社会组织；3名以上持证社工。")
    staff.fill("#id_service_requirements", "结对与关爱活动不少于100场；午餐服务儿童不少于200人。")
    criteria = [
        ("服务方案与实施计划", "40"),
        ("专业团队", "25"),
        ("同类项目经验", "10"),
        ("管理与财务制度", "5"),
    ]  # 80 points, plus the price weight of 20
    for i, (name, points) in enumerate(criteria):
        staff.fill(f"#id_criteria-{i}-name", name)
        staff.fill(f"#id_criteria-{i}-points", points)
    shot(staff, "18-tender-form")
    go(staff, "button:has-text('保存草稿')")
    assert "已保存为草稿" in staff.inner_text(".messages")

    # The refusal: the draft page names the rule and the numbers, and offers no publishing.
    refusal = staff.inner_text("section.card:has(h2:text-is('不符合规定——暂不能发布'))")
    assert (
        "投标保证金不得超过预算的2%（4000.00元；政府采购法实施条例第33条），当前为5000.00元"
        in refusal
    )
    assert staff.locator("button:has-text('发布采购公告')").count() == 0
    shot(staff, "19-tender-refused")

    go(staff, "text=修改草稿")
    assert staff.input_value("#id_bid_bond") == "5000.00"
    assert staff.input_value("#id_criteria-3-name") == "管理与财务制度"
    staff.fill("#id_bid_bond", "4000.00")
    go(staff, "button:has-text('保存草稿')")
    assert "草稿已修改" in staff.inner_text(".messages")
    assert staff.locator("text=不符合规定").count() == 0
    go(staff, "button:has-text('发布采购公告')")
    assert "采购公告已发布" in staff.inner_text(".messages")
    assert "已发布（投标中）" in staff.inner_text("h1")
    assert "¥4,000.00" in staff.inner_text("dl.facts")

    # The public notices page lists it at once, for anyone.
    page.goto(page.base + "/procurement/notices/")
    row = page.locator("tr", has_text=DAYING)
    assert "大英县民政局" in row.inner_text() and "已发布（投标中）" in row.inner_text()
    go(page, row.locator("a"))
    facts = page.inner_text("dl.facts")
    assert "公开招标" in facts and "¥200,000.00" in facts
    deadline = (now + dt.timedelta(days=25)).strftime("%Y-%m-%d") + " 09:30"
    assert deadline in facts
    shot(page, "20-tender-public-notice")


# --- 2. the panel scores; the bureau awards ---------------------------------------------------------

JIANLI = "监利县老人儿童快乐之家运营服务项目"
# Each member's points per bidder for the four demo criteria (35, 25, 10, 10; price weight 20).
TECHNICAL = {
    "监利县乡村快乐之家服务协会": ["32", "23", "9", "9"],
    "潜江市阳光社会工作服务中心": ["28", "20", "8", "8"],
    "武汉爱心天使社会工作服务中心": ["30", "22", "9", "8"],
}


def _open_jianli_tender(window) -> None:
    go(window, "nav >> text=采购项目")
    go(window, f"text={JIANLI}")


def _pass_the_opening_time() -> None:
    """No page can hurry a 公开招标's 20-day bid period: move the 监利 tender's deadlines back so
    that its opening time is now, instead of waiting for it."""
    from django.utils import timezone

    from procurement.models import Tender

    tender = Tender.objects.get(title=JIANLI)
    early = tender.opening_at - timezone.now()
    Tender.objects.filter(pk=tender.pk).update(
        clarification_deadline=tender.clarification_deadline - early,
        bid_deadline=tender.bid_deadline - early,
        opening_at=tender.opening_at - early,
    )


def _drawn_panel(window) -> dict[str, str]:
    """The panel card as {name on the page: username}, the username looked up by that name."""
    from accounts.models import User

    names = [
        li.split(" · ")[0].split(" ")[0].strip()
        for li in window.locator("section.card:has(h2:text-is('评审小组')) ul li").all_inner_texts()
    ]
    experts = {str(u): u.username for u in User.objects.filter(role="expert")}
    return {name: experts[name] for name in names}


def _panel_awards_jianli(desk, shot=None):
    """A third NGO bids, the bureau forms the panel and opens the bids, the panel declares, reviews
    and scores, and the bureau confirms and publishes the award. Returns the bureau's window."""
    # 公开招标 needs three bids; the demo has two. 爱心天使 bids through the page.
    ngo = desk("aixin")
    _open_jianli_tender(ngo)
    go(ngo, "text=递交投标")
    ngo.fill("#id_price", "330000.00")
    ngo.fill("#id_technical_proposal", "快乐之家驻点运营：每所配备1名持证社工，每周开放6天。")
    go(ngo, "button:has-text('递交密封投标')")
    assert "投标已收到" in ngo.inner_text(".messages")

    # The bureau draws the experts at random from the pool. Who is drawn, and so who sits and
    # who chairs, is the draw's business: the journey reads the panel off the page and each
    # drawn expert then works from their own desk.
    bureau = desk("jl_staff")
    _open_jianli_tender(bureau)
    go(bureau, "button:has-text('从专家库随机抽取专家')")
    assert "已从专家库随机抽取专家" in bureau.inner_text(".messages")
    panel = _drawn_panel(bureau)
    assert len(panel) >= 5  # 公开招标: five or more (财政部令第87号第47条)
    assert "随机种子" in bureau.inner_text("section.card:has(h2:text-is('评审小组'))")
    # The bureau names one of the drawn experts chair: the first on the list, whoever it is.
    chair_button = bureau.locator("button:text-matches('任组长$')").first
    chair_name = chair_button.inner_text().removesuffix("任组长")
    chair = panel[chair_name]
    go(bureau, chair_button)
    assert "已记录组长" in bureau.inner_text(".messages")
    assert f"{chair_name} · 组长" in bureau.inner_text("section.card:has(h2:text-is('评审小组'))")

    _pass_the_opening_time()
    _workbench(bureau, f"待开标：{JIANLI}")
    go(bureau, "button:has-text('开标')")
    assert "已开标" in bureau.inner_text(".messages")
    assert "已开标" in bureau.inner_text("h1")
    bids = bureau.inner_text("section.card:has(h2:text-is('投标'))")
    assert "¥352,000.00" in bids and "¥340,000.00" in bids and "¥330,000.00" in bids

    # Each member declares no tie with any bidder, from the workbench.
    for username in panel.values():
        expert = desk(username)
        _workbench(expert, f"待声明利害关系：{JIANLI}")
        go(expert, "button:has-text('无利害关系')")
        assert "声明已记录" in expert.inner_text(".messages")

    bureau.reload()
    go(bureau, "button:has-text('开始评审')")
    assert "评审已开始" in bureau.inner_text(".messages")

    # The chair records the qualification review, then every member scores every bid. Only the
    # chair is offered the review.
    for username in panel.values():
        expert = desk(username)
        _workbench(expert, f"待评分：{JIANLI}")
        bids = expert.locator("section.card:has(h2:text-is('投标'))")
        if username != chair:
            assert bids.locator("button:has-text('判为无效')").count() == 0
        else:
            for supplier in TECHNICAL:
                row = bids.locator("tr", has_text=supplier)
                go(expert, row.locator("button:text-is('有效')"))
                assert "审查结论已记录" in expert.inner_text(".messages")
                state = bids.locator("tr", has_text=supplier).locator("td").nth(2)
                assert state.inner_text() == "有效"
        go(expert, "text=我的评分表")
        for supplier, points in TECHNICAL.items():
            cells = expert.locator("tr", has_text=supplier).locator("input")
            for n, value in enumerate(points):
                cells.nth(n).fill(value)
        if shot and username == chair:
            shot(expert, "21-panel-score-sheet")
        go(expert, "button:has-text('保存评分')")
        assert "评分已保存" in expert.inner_text(".messages")

    # The bureau reads the ranking, confirms the award and publishes the notice.
    bureau.reload()
    ranking = bureau.locator("section.card:has(h2:text-is('得分与排序')) tbody tr")
    rows = [r.split("\t") for r in ranking.all_inner_texts()]
    assert [r[1] for r in rows] == [
        "监利县乡村快乐之家服务协会",
        "武汉爱心天使社会工作服务中心",
        "潜江市阳光社会工作服务中心",
    ]
    # Technical 73 + price 330,000 ÷ 352,000 × 20 = 18.75 → 91.75.
    assert rows[0][2:] == ["73.00", "18.75", "91.75"]
    if shot:
        shot(bureau, "22-panel-ranking")
    go(bureau, "button:has-text('确认定标')")
    # The confirmation named the winner and the price before anything happened.
    assert "监利县乡村快乐之家服务协会以¥352,000.00中标" in bureau.confirmations[-1]
    assert "已确认定标" in bureau.inner_text(".messages")
    assert "已定标" in bureau.inner_text("h1")
    go(bureau, "button:has-text('发布结果公告')")
    assert "结果公告已发布" in bureau.inner_text(".messages")
    assert "结果已公告" in bureau.inner_text("h1")
    return bureau


def test_panel_scores_and_bureau_awards(page, desk, demo, shot):
    _panel_awards_jianli(desk, shot)

    # Anyone, without logging in, reads the award notice.
    page.goto(page.base + "/procurement/notices/")
    row = page.locator("tr", has_text=JIANLI)
    assert "结果已公告" in row.inner_text()
    go(page, row.locator("a"))
    facts = page.inner_text("dl.facts")
    assert "监利县乡村快乐之家服务协会 · ¥352,000.00" in facts
    assert page.locator("a:has-text('结果公告（PDF）')").count() == 1
    shot(page, "23-award-notice")


# --- 3. the contract: drafted by the bureau, signed by the NGO, then by the bureau ---------------


def test_contract_signed_by_ngo_then_bureau(page, desk, demo, shot):
    # The award is journey 2's; it is replayed here through the same pages.
    bureau = _panel_awards_jianli(desk)

    _workbench(bureau, f"待草拟合同：{JIANLI}")
    go(bureau, "text=草拟合同")
    assert "监利县乡村快乐之家服务协会" in bureau.inner_text("main")
    start = bureau.input_value("#id_start_date")
    end = bureau.input_value("#id_end_date")
    midway = (dt.date.fromisoformat(start) + dt.timedelta(days=180)).isoformat()
    bureau.fill("#id_number", "HT-JLX-2026-001")
    bureau.fill("#id_performance_bond", "17600.00")
    plan = [
        ("预付款", "30", start, True, "合同生效、服务团队到位"),
        ("中期服务成果", "40", midway, False, "中期报告、服务台账"),
        ("终期验收", "30", end, False, "终期报告、满意度调查"),
    ]
    for i, (name, share, due, advance, deliverables) in enumerate(plan):
        bureau.fill(f"#id_milestones-{i}-name", name)
        bureau.fill(f"#id_milestones-{i}-percentage", share)
        bureau.fill(f"#id_milestones-{i}-due_date", due)
        if advance:
            bureau.check(f"#id_milestones-{i}-is_advance")
        bureau.fill(f"#id_milestones-{i}-deliverables", deliverables)
    go(bureau, "button:has-text('生成合同草稿')")
    assert "合同草稿已生成" in bureau.inner_text(".messages")
    assert "草拟" in bureau.inner_text("h1")
    facts = bureau.inner_text("dl.facts")
    assert "¥352,000.00" in facts and "¥17,600.00" in facts
    milestones = bureau.inner_text("section.card:has(h2:text-is('付款节点'))")
    assert "¥105,600.00" in milestones and "¥140,800.00" in milestones

    # The NGO signs first, from its workbench.
    ngo = desk("kuaile")
    _workbench(ngo, "待签署合同：HT-JLX-2026-001")
    assert "草拟" in ngo.inner_text("h1")
    go(ngo, "button:has-text('乙方签署')")
    assert "乙方已签署" in ngo.inner_text(".messages")
    assert "乙方已签" in ngo.inner_text("h1")
    assert ngo.locator("button:has-text('乙方签署')").count() == 0
    shot(ngo, "33-contract-signed-by-ngo")

    # Then the bureau: the contract is in force, for the awarded price.
    _workbench(bureau, "待签署合同：HT-JLX-2026-001")
    go(bureau, "button:has-text('甲方签署')")
    assert "合同已生效" in bureau.inner_text(".messages")
    assert "已生效" in bureau.inner_text("h1")
    # The contract's own facts (the card without a heading; the one above is 签订后's).
    assert "¥352,000.00" in bureau.inner_text("section.card:not(:has(h2)) dl.facts")
    timeline = bureau.inner_text(".timeline")
    assert "草拟 → 乙方已签" in timeline and "乙方已签 → 已生效" in timeline
    shot(bureau, "34-contract-in-force")

    # After signing: the contract notice (2 working days) and the 备案 (7 working days), each
    # with its due day and source on the page, then done from there.
    after = bureau.inner_text("section.card:has(h2:text-is('签订之后'))")
    assert "政府采购法实施条例第50条" in after and "政府采购法第47条" in after
    go(bureau, "button:has-text('发布合同公告')")
    assert "合同公告已发布" in bureau.inner_text(".messages")
    bureau.fill("input[name=reference]", "监财采备〔2026〕001号")
    go(bureau, "button:has-text('登记备案')")
    assert "监财采备〔2026〕001号" in bureau.inner_text("section.card:has(h2:text-is('签订之后'))")
    go(bureau, "button:has-text('开始履约')")
    assert "履约中" in bureau.inner_text("h1")

    # The public notice names the contract and its amount.
    page.goto(page.base + "/procurement/notices/")
    go(page, page.locator("tr", has_text=JIANLI).locator("a"))
    assert "HT-JLX-2026-001 · 监利县乡村快乐之家服务协会 · ¥352,000.00" in page.inner_text(
        "dl.facts"
    )


# --- 4. the NGO imports its service records ------------------------------------------------------


def test_ngo_imports_service_records(desk, demo, shot):
    from procurement.models import Contract

    # The demo contract starts two months from today; read its first day to date the rows.
    start = Contract.objects.get(number="HT-QJ-2026-001").start_date
    day = start.isoformat()
    page = desk("aixin")
    go(page, "nav >> text=项目")
    go(page, "text=“携手成长、守护阳光”关爱农村留守儿童保护项目")
    go(page, "a:has-text('服务台账')")
    assert "服务台账" in page.inner_text("h1")
    before = _totals(page)
    served = _person_times(page)

    # Dry run: the second data row (line 3 of the file) has an unknown type and no people.
    bad = _csv(
        [
            HEADER,
            [day, "园林街道三桥村", "个案", "留守儿童", "1", "1.5", "李敏"],
            [day, "竹根滩镇新桥村", "茶话会", "留守儿童", "0", "2", "张倩"],
        ]
    )
    page.set_input_files(
        "input[name=file]", files=[{"name": "台账.csv", "mimeType": "text/csv", "buffer": bad}]
    )
    go(page, "button:has-text('检查文件')")
    errors = page.inner_text(".error")
    assert "第3行" in errors and "服务类型“茶话会”无法识别" in errors, errors
    assert "服务人数“0”须为不小于1的整数" in errors
    assert "第2行" not in errors  # the good row is not listed
    assert page.locator("button:has-text('确认导入')").count() == 0
    shot(page, "24-records-dry-run-errors")
    assert _totals(page) == before  # nothing was saved

    # A good workbook: checked first, then imported on confirmation.
    good = _xlsx(
        [
            HEADER,
            [start, "园林街道三桥村", "个案", "留守儿童", 1, 1.5, "李敏"],
            [start, "竹根滩镇新桥村", "小组", "留守儿童", 9, 2, "张倩"],
            [start, "熊口镇赵脑村", "家访", "监护人及家庭", 2, 1, "刘静"],
        ]
    )
    page.set_input_files(
        "input[name=file]",
        files=[
            {
                "name": "台账.xlsx",
                "mimeType": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                "buffer": good,
            }
        ],
    )
    go(page, "button:has-text('检查文件')")
    assert "已检查3行，全部无误" in page.inner_text(".badge.approved")
    shot(page, "25-records-dry-run-ok")
    # Warnings (if any) must be ticked before the import goes through.
    if page.locator("input[name=accept_warnings]").count():
        page.check("input[name=accept_warnings]")
    go(page, "button:has-text('确认导入')")
    assert "已导入3条服务台账" in page.inner_text(".messages")
    after = _totals(page)
    assert after["个案"] == before["个案"] + 1 and after["小组"] == before["小组"] + 9
    assert after["家访"] == before["家访"] + 2
    # The project's target groups, compared with what was recorded, move with the import.
    assert _person_times(page)["留守儿童"] == served["留守儿童"] + 10
    records = page.inner_text("main")
    assert "熊口镇赵脑村" in records and "监护人及家庭" in records
    shot(page, "26-records-imported")


# --- 5. the last assessor submits; the lead consolidates -----------------------------------------

JIANGLING = "江陵县农村留守儿童关爱保护机制试点项目"


def _last_assessor_submits(desk, shot=None) -> None:
    """Two of the three 江陵 sheets are in; 邓凯 (assessor4) finishes his from the workbench."""
    page = desk("assessor4")
    _workbench(page, f"评分：{JIANGLING}")
    assert "评分中" in page.inner_text("h1")
    go(page, "text=填写我的评分表")
    row = page.locator("table.sheet tbody tr", has_text="个案数").first
    row.locator("input[name$='-actual']").fill("31")
    row.locator("textarea").fill("抽查个案档案31份，与台账一致。")
    go(page, "button:has-text('保存草稿')")
    assert "草稿已保存" in page.inner_text(".messages")
    if shot:
        shot(page, "27-assessor-sheet")
    go(page, "button[name=submit]")
    assert "您的评分表已提交" in page.inner_text(".messages")


def _lead_consolidates(desk, shot=None):
    """The lead compares the three sheets, notes each flagged leaf and consolidates.
    Returns the lead's window and the consolidated total row of the comparison."""
    page = desk("assessor_lead")
    _workbench(page, f"组织评价：{JIANGLING}")
    go(page, "text=比对与汇总")
    flagged = page.locator("tr.flagged")
    for i in range(flagged.count()):
        flagged.nth(i).locator("textarea").fill("评估组讨论后按均值计分。")
    page.fill("#summary", "期中评估：机制试点推进较好，个案进度略慢。")
    consolidated = page.inner_text("tfoot")
    if shot:
        shot(page, "28-lead-comparison")
    go(page, "button:has-text('汇总')")
    assert "已汇总" in page.inner_text(".messages")
    return page, consolidated


def test_assessors_score_and_lead_consolidates(desk, demo, shot):
    _last_assessor_submits(desk, shot)
    page, consolidated = _lead_consolidates(desk, shot)
    assert "已汇总" in page.inner_text("h1")
    # The total the lead saw on the comparison is the result: 84.53, grade 良 (80 ≤ total < 90).
    assert "84.53" in consolidated
    assert page.inner_text("h2:has-text('评价结果')") == "评价结果: 84.53 · 良"
    assert "评分表已齐 → 已汇总" in page.inner_text(".timeline")
    shot(page, "29-evaluation-consolidated")


# --- 6. the bureau confirms the result and accepts the milestone -------------------------------


def test_bureau_confirms_result_and_accepts_milestone(desk, demo, shot):
    # Scoring and consolidation are journey 5's; they are replayed here through the same pages.
    _last_assessor_submits(desk)
    _lead_consolidates(desk)

    page = desk("jz_staff")
    _workbench(page, f"确认评价结果：{JIANGLING}")
    assert "评价结果: 84.53 · 良" in page.inner_text("main")
    go(page, "button:has-text('确认结果')")
    assert "结果已确认" in page.inner_text(".messages")
    assert "已确认" in page.inner_text("h1")
    shot(page, "30-evaluation-confirmed")

    # The mid-term milestone now waits for acceptance; its payable amount follows the score.
    _workbench(page, "待验收：HT-JL-2026-001 · 2. 中期服务成果")
    assert "已评价" in page.inner_text("h1")
    facts = page.inner_text("dl.facts")
    assert "¥194,400.00 (40.00%)" in facts and "84.53 · 良" in facts
    payable = page.inner_text("section.card:has(h2:text-is('应付金额'))")
    assert "¥194,400.00" in payable and "得分84.53 ≥ 80" in payable
    for label in [
        "成果资料齐全并按时提交",
        "服务台账与合同目标相符",
        "“四卡一袋”档案齐全",
        "资金按预算使用",
    ]:
        page.locator("label", has_text=label).locator("input[type=checkbox]").check()
    page.select_option("select[name=passed]", "1")
    page.fill("textarea[name=notes]", "中期评价良（84.53分），资料齐全，验收合格。")
    go(page, "button:has-text('登记验收')")
    assert "验收已登记" in page.inner_text(".messages")
    assert "已验收" in page.inner_text("h1")
    assert "合格" in page.inner_text("section.card:has(h2:text-is('验收记录'))")
    shot(page, "31-milestone-accepted")

    go(page, "button:has-text('申请支付')")
    assert "已申请支付" in page.inner_text(".messages")
    payments = page.inner_text("section.card:has(h2:text-is('支付'))")
    assert "¥194,400.00" in payments and "已申请" in payments
    shot(page, "32-payment-requested")
