"""The CSV export reads raw cursor rows for speed; it must say exactly what the typed rows say."""

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.urls import reverse

from core.exports import _chunks, csv_lines
from funds.exports import HEADER, ledger_csv, ledger_rows
from funds.ledger import ledger_post
from funds.models import LedgerEntry
from funds.selectors import ledger_entries
from tests.factories.accounts import AuditorFactory, BureauFinanceFactory
from tests.factories.funds import MilestoneFactory

pytestmark = pytest.mark.django_db

HOSTILE = [
    '=HYPERLINK("http://evil","点我")',
    "-2+3",
    "@SUM(A1)",
    "\tindent",
    '逗号,和"引号"',
    "两行\n摘要",
    "回车\r行",
    "+86 电话",
    "",
]


@pytest.fixture
def ledger():
    milestone = MilestoneFactory(name="=中期付款", contract__supplier__name='武汉"爱心",天使')
    contract = milestone.contract
    finance = BureauFinanceFactory(display_name="=财务")
    amounts = ["0.01", "19120.50", "191200.00", "500000.00", "123456789.99", "7.1"]
    for i, memo in enumerate(HOSTILE):
        ledger_post(
            kind="disbursement_paid" if i % 2 else "withheld",
            amount=Decimal(amounts[i % len(amounts)]),
            project=contract.project,
            contract=contract if i % 3 else None,
            milestone=milestone if i % 2 else None,
            actor=finance if i % 4 else None,
            memo=memo,
            # Whole seconds too: isoformat leaves out the microseconds then.
            occurred_at=dt.datetime(2026, 11, 23, 8, 30, i, i * 1000 * (i % 2), tzinfo=dt.UTC),
        )
    return contract


def _typed_csv(qs) -> bytes:
    return b"".join(_chunks(csv_lines(ledger_rows(qs), HEADER)))


def test_raw_csv_equals_the_typed_rows_rendering(ledger):
    qs = ledger_entries(user=AuditorFactory())
    fast = b"".join(ledger_csv(qs))
    assert fast == _typed_csv(qs)
    rows = list(csv.reader(io.StringIO(fast.decode("utf-8-sig"))))
    assert len(rows) == 1 + len(HOSTILE)
    # Beijing time with its offset and the microseconds the hash covers.
    assert rows[1][1] == "2026-11-23T16:30:00.000000+08:00"
    assert rows[2][1] == "2026-11-23T16:30:01.001000+08:00"
    assert rows[2][5] == "19120.50" and rows[5][5] == "123456789.99"
    assert rows[1][12].startswith("'=HYPERLINK") and rows[5][12] == '逗号,和"引号"'
    assert rows[2][10] == "'=中期付款" and rows[2][11] == "'=财务"
    # The stored memo (cleaned at input: line breaks and tabs became spaces) under "memo".
    memo = rows[0].index("memo")
    assert rows[6][memo] == "两行 摘要" and rows[7][memo] == "回车 行"
    assert rows[4][memo] == "indent" and rows[1][memo] == '\'=HYPERLINK("http://evil","点我")'


def _append_as_loaded(project, *, memo: str, memo_key: str, memo_args: dict) -> None:
    """An entry as a bulk load or an older version may have stored it: ledger_post would clean
    the memo of control characters and store every argument as text (a null as "None")."""
    last = LedgerEntry.objects.order_by("-seq").first()
    entry = LedgerEntry(
        seq=last.seq + 1,
        occurred_at=dt.datetime(2026, 11, 24, tzinfo=dt.UTC),
        kind="budget_appropriated",
        debit="项目预算",
        credit="预算指标",
        amount=Decimal("1.00"),
        project=project,
        memo=memo,
        memo_key=memo_key,
        memo_args=memo_args,
        prev_hash=last.hash,
    )
    entry.hash = entry.compute_hash()
    entry.save()


def test_null_arguments_and_stored_control_characters_read_alike_in_both_renderings(ledger):
    """A JSON null argument reads as nothing (not Python's "None") and control characters a
    row was stored with are removed, on PostgreSQL (COPY; the regular expression only on rows
    whose memo_controls is set) as in Python."""
    loaded = [
        ("paid", {"v": None, "d": "2027-01-01"}, ""),
        ("paid", {"v": None, "d": "2027-01-02"}, "\x07响铃\x85"),
        ("paid", {"v": "PZ\x0c-4", "d": "2027-01-04"}, ""),
        ("paid", {"v": "PZ\x85-5", "d": "2027-01-05"}, "第五期"),
        ("", {}, "\x01=公式"),
        ("", {}, "=\x7f公式"),
        ("paid", {"v": 5, "d": "2027-01-06"}, ""),
        # What the JSON cell's fast path takes out, inside the values (escaped there).
        ("paid", {"v": 'x", "y\\', "d": 'p": "q'}, ""),
    ]
    for key, args, memo in loaded:
        _append_as_loaded(ledger.project, memo=memo, memo_key=key, memo_args=args)
    qs = ledger_entries(user=AuditorFactory())
    fast = b"".join(ledger_csv(qs))
    assert fast == _typed_csv(qs)
    memos = [row[12] for row in csv.reader(io.StringIO(fast.decode("utf-8-sig")))][-len(loaded) :]
    assert memos == [
        "凭证，2027-01-01支付",
        "凭证，2027-01-02支付：响铃",
        "凭证PZ-4，2027-01-04支付",
        "凭证PZ-5，2027-01-05支付：第五期",
        "'=公式",
        "'=公式",
        "凭证5，2027-01-06支付",
        '凭证x", "y\\，p": "q支付',
    ]
    flags = list(LedgerEntry.objects.order_by("seq").values_list("memo_controls", flat=True))
    # ledger_post cleaned the hostile memos; a null argument alone is no control character.
    assert flags == [False] * len(HOSTILE) + [False, True, True, True, True, True, False, False]
    json_column = HEADER.index("memo_args")
    rows = list(csv.reader(io.StringIO(fast.decode("utf-8-sig"))))
    assert rows[-len(loaded)][json_column] == '{"d":"2027-01-01","v":null}'
    assert rows[-2][json_column] == '{"d":"2027-01-06","v":5}'
    assert rows[-1][json_column] == r'{"d":"p\": \"q","v":"x\", \"y\\"}'
    if connection.vendor == "postgresql":
        # The arguments' count where all are strings: the JSON cell's fast path.
        counts = LedgerEntry.objects.order_by("seq").values_list("memo_args_strings", flat=True)
        assert list(counts) == [0] * len(HOSTILE) + [None, None, 2, 2, 0, 0, None, 2]


def test_the_page_serves_the_fast_csv_with_filters(ledger, login):
    auditor = AuditorFactory()
    other = MilestoneFactory().contract.project
    ledger_post(kind="budget_appropriated", amount=Decimal("360000.00"), project=other)
    response = login(auditor).get(
        reverse("funds:ledger"), {"format": "csv", "project": ledger.project_id}
    )
    body = b"".join(response.streaming_content)
    assert body == _typed_csv(ledger_entries(user=auditor, project=ledger.project_id))
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))[1:]
    assert len(rows) == len(HOSTILE)
    assert {row[6] for row in rows} == {ledger.project.code}


@pytest.mark.postgres
def test_postgres_formats_the_rows_itself_byte_for_byte(ledger):
    """On PostgreSQL the CSV is one COPY of a SELECT that formats every cell; it must say what
    the typed rows say, hostile values included."""
    from funds.exports import _pg_csv

    project = ledger.project
    project.title = '两行\n标题\x07,带"引号"'
    project.save(update_fields=["title"])
    named = BureauFinanceFactory(display_name="", first_name="", last_name="")
    full = BureauFinanceFactory(display_name="", first_name=" 张", last_name="三 ")
    odd = [
        # Values ending in what jsonb puts between its keys and values (`": `, `", `, `, `):
        # the JSON is built from the names, not by taking spaces out of jsonb's text.
        ("paid", {"v": 'PZ": ', "d": 'x", '}, ""),
        ("bond_received", {"payer": ", "}, ""),
        # A keyed memo whose arguments hold quotes, a backslash and Chinese; a typed reason.
        ("bond_received", {"payer": '武汉"爱心"\\天使, 有限'}, "=退还"),
        # An argument missing: the template is shown as it is (its %% too).
        ("full_pay", {"s": "90"}, ""),
        ("full_pay", {"s": "90", "f": "85", "a": "1.00", "p": "1.00"}, "'已引用"),
        ("unknown_key", {"z": "1", "a": "2"}, "@提醒"),
        # Filled and written by the per-key fast paths: arguments needing no escape.
        ("paid", {"v": "PZ-1", "d": "2027-01-01"}, "第一期"),
        ("advance", {"a": "100.00"}, ""),
        # Not: a control character (removed from the sentence, escaped in the JSON), a key the
        # template does not name.
        ("paid", {"v": "PZ\x01-2", "d": "2027-01-02"}, ""),
        ("paid", {"v": "PZ-3", "d": "2027-01-03", "x": "多余"}, ""),
        ("", {}, "-负"),
    ]
    for i, (key, args, memo) in enumerate(odd):
        ledger_post(
            kind="budget_appropriated",
            amount=Decimal("-0.50") if i == len(odd) - 1 else Decimal("1000000000.05"),
            project=project,
            actor=named if i % 2 else full,
            memo=memo,
            memo_key=key,
            memo_args=args,
            occurred_at=dt.datetime(2026, 12, 31, 16, 0, 0, 999999, tzinfo=dt.UTC),
        )
    qs = ledger_entries(user=AuditorFactory())
    fast = b"".join(_pg_csv(qs))
    assert fast == _typed_csv(qs)
    rows = list(csv.reader(io.StringIO(fast.decode("utf-8-sig"))))
    assert len(rows) == 1 + len(HOSTILE) + len(odd)
    assert rows[-1][1] == "2027-01-01T00:00:00.999999+08:00"
    assert rows[-1][5] == "-0.50" and rows[-1][12] == "'-负"
    assert rows[1][7] == '两行\n标题,带"引号"'
    assert rows[-9][-1] == '{"payer":"武汉\\"爱心\\"\\\\天使, 有限"}'
    assert rows[-5][12] == "凭证PZ-1，2027-01-01支付：第一期"
    assert rows[-5][-1] == '{"d":"2027-01-01","v":"PZ-1"}'
    assert rows[-4][12] == "预付款：无需绩效评价，应付100.00元。"
    assert rows[-4][-1] == '{"a":"100.00"}'
    assert rows[-3][12] == "凭证PZ-2，2027-01-02支付" and rows[-3][-1].endswith('\\u0001-2"}')
    assert rows[-2][-1].endswith(',"x":"多余"}')
    # Filtered the same way as the page.
    one = ledger_entries(user=AuditorFactory(), start=dt.date(2027, 1, 1))
    assert b"".join(_pg_csv(one)) == _typed_csv(one)
