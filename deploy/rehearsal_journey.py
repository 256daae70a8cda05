"""The browser half of deploy/rehearsal.sh: a user journey through nginx while an app server dies.

Run by the rehearsal with its environment (DATABASE_URL, SANSHE_S3_*, …) and
`python rehearsal_journey.py BASE_URL KILL_PID LOG_DIR`. Prints one line per step; exits
non-zero on the first thing that goes wrong, leaving a screenshot and the page of each open
browser tab in LOG_DIR.
"""

from __future__ import annotations

import io
import os
import signal
import sys
import time
from typing import Any

import boto3
from openpyxl import Workbook
from playwright.sync_api import Browser, FilePayload, Page, sync_playwright

BASE, KILL_PID, LOG_DIR = sys.argv[1], int(sys.argv[2]), sys.argv[3]
HEADER = ["日期", "村/社区", "服务类型", "服务对象类别", "服务人数", "时长", "社工"]


def step(text: str) -> None:
    print(f"  ✓ {text}", flush=True)


def go(page: Page, selector: str) -> None:
    with page.expect_navigation():
        page.click(selector)


def log_in(page: Page, username: str) -> None:
    page.goto(BASE + "/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "Sanshe@2026")
    go(page, "button[type=submit]")
    assert "/accounts/login/" not in page.url, f"{username} could not log in"


def s3_keys() -> set[str]:
    s3 = boto3.client(
        "s3",
        endpoint_url=os.environ["SANSHE_S3_ENDPOINT_URL"],
        aws_access_key_id=os.environ["SANSHE_S3_ACCESS_KEY"],
        aws_secret_access_key=os.environ["SANSHE_S3_SECRET_KEY"],
        region_name=os.environ["SANSHE_S3_REGION"],
    )
    listed = s3.list_objects_v2(Bucket=os.environ["SANSHE_S3_BUCKET"])
    return {o["Key"] for o in listed.get("Contents", [])}


def main() -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    # Playwright's sync API keeps an event loop running in this thread; the ORM reads between
    # browser steps are plain blocking queries from one thread, as in the browser tests.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    django.setup()
    from funds.models import ServiceRecord
    from procurement.models import Contract

    contract = Contract.objects.get(number="HT-QJ-2026-001")
    records_before = ServiceRecord.objects.filter(contract=contract).count()
    book = Workbook()
    book.active.append(HEADER)
    for place, kind, people in [("园林街道三桥村", "个案", 1), ("竹根滩镇新桥村", "小组", 9)]:
        book.active.append([contract.start_date, place, kind, "留守儿童", people, 1.5, "李敏"])
    buf = io.BytesIO()
    book.save(buf)

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=os.environ.get("SANSHE_CHROMIUM", "/usr/bin/chromium")
        )
        try:
            journey(browser, contract, records_before, buf.getvalue())
        except BaseException:
            for n, context in enumerate(browser.contexts):
                for m, page in enumerate(context.pages):
                    page.screenshot(path=f"{LOG_DIR}/journey-failure-{n}-{m}.png", full_page=True)
                    with open(f"{LOG_DIR}/journey-failure-{n}-{m}.html", "w") as f:
                        f.write(page.content())
            print(f"  ✗ failed; the pages are in {LOG_DIR}/journey-failure-*", flush=True)
            raise
        finally:
            browser.close()


def journey(browser: Browser, contract: Any, records_before: int, xlsx: bytes) -> None:
    from funds.models import ServiceRecord

    ngo = browser.new_context(ignore_https_errors=True, locale="zh-CN").new_page()
    log_in(ngo, "aixin")
    step("NGO logged in through nginx (HTTPS)")
    ngo.goto(f"{BASE}/funds/contracts/{contract.pk}/records/")
    assert "服务台账" in ngo.inner_text("h1"), ngo.url
    ngo.set_input_files(
        "input[name=file]",
        files=FilePayload(
            name="台账.xlsx",
            mimeType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            buffer=xlsx,
        ),
    )
    go(ngo, "button:has-text('检查文件')")
    assert "全部无误" in ngo.inner_text("main"), ngo.inner_text("main")[:500]
    stashed = {k for k in s3_keys() if k.startswith("import_tmp/")}
    assert stashed, "the checked file did not reach the object store"
    step(
        f"upload checked; the file waits in the object store ({len(stashed)} object(s) under import_tmp/)"
    )

    # The rehearsal starts each gunicorn in its own session: the group is master + workers.
    os.killpg(KILL_PID, signal.SIGKILL)
    time.sleep(1)
    step(f"app server 1 killed (SIGKILL to gunicorn's process group {KILL_PID})")

    # The checker's warnings (a row like one already on file, more people than case files)
    # are confirmed by ticking the box, as the NGO's clerk does.
    warnings = ngo.locator(".import-warnings li").count()
    if warnings:
        ngo.check("input[name=accept_warnings]")
    go(ngo, "button:has-text('确认导入')")
    assert "已导入2条服务台账" in ngo.inner_text(".messages"), ngo.inner_text("main")[:500]
    assert ServiceRecord.objects.filter(contract=contract).count() == records_before + 2
    step(
        f"import confirmed ({warnings} warning(s) ticked) by the surviving app server:"
        " 2 service records saved"
    )

    auditor = browser.new_context(ignore_https_errors=True, locale="zh-CN").new_page()
    log_in(auditor, "auditor")
    auditor.goto(BASE + "/funds/ledger/")
    go(auditor, "button:has-text('后台导出 Excel')")
    step("auditor requested a background ledger export (queued on Redis)")
    for _ in range(60):
        auditor.goto(BASE + "/exports/")
        if auditor.locator("a:has-text('下载')").count():
            break
        time.sleep(2)
    else:
        raise AssertionError(
            "the worker did not build the export: " + auditor.inner_text("main")[:300]
        )
    with auditor.expect_download() as download:
        auditor.click("a:has-text('下载')")
    path = download.value.path()
    assert path and open(path, "rb").read(2) == b"PK", "the export is not an .xlsx"
    exports = {k for k in s3_keys() if k.startswith("exports/")}
    assert exports, "the export is not in the object store"
    step(
        f"worker built the export into the object store ({sorted(exports)[0]}); downloaded through nginx"
    )


if __name__ == "__main__":
    main()
