"""No page shows a link its viewer cannot open: each role (and the public) starts at the
workbench and follows every same-site link on the demo data, breadth first; every page reached
answers 200 (or a redirect that ends in 200)."""

from __future__ import annotations

import os
import re
from collections import deque
from html import unescape
from urllib.parse import urldefrag, urlsplit

import pytest
from django.core.management import call_command
from django.test import Client

from accounts.models import User

pytestmark = pytest.mark.django_db(transaction=True)

ROLES = ["qj_staff", "qj_finance", "aixin", "expert1", "assessor_lead", "auditor", "jl_staff", None]
HREF = re.compile(r'href="([^"]+)"')
# Not pages: downloads and exports (their own tests open them), the admin (Django's own), the
# language switch, static files; and large listings' deep pages (the first pages stand for them).
SKIP = re.compile(
    r"^/(static|media|admin|i18n|api)/|format=|/download|/file|\.pdf$|\.xlsx$|\.csv$|\.json$|"
    r"/voucher|/export|page=([3-9]|\d\d)"
)
LIMIT = 250  # pages per role: enough to reach every kind of page on the demo data


def _crawl(client: Client) -> list[tuple[str, int, str]]:
    """Pages that do not answer 200, each with the first page that linked to it."""
    seen: set[str] = set()
    queue = deque(["/"])
    linked_from: dict[str, str] = {}
    broken = []
    while queue and len(seen) < LIMIT:
        url = queue.popleft()
        if url in seen:
            continue
        seen.add(url)
        response = client.get(url, follow=True)
        if response.status_code != 200:
            broken.append((url, response.status_code, linked_from.get(url, "")))
            continue
        if "text/html" not in response.get("Content-Type", ""):
            continue
        for href in HREF.findall(response.content.decode()):
            target = urldefrag(unescape(href))[0]
            parts = urlsplit(target)
            if parts.scheme or parts.netloc or not target.startswith("/"):
                continue
            if SKIP.search(target) or target in seen:
                continue
            queue.append(target)
            linked_from.setdefault(target, url)
    return broken


def test_every_link_a_role_sees_opens(settings):
    settings.DEMO_MODE = True
    with open(os.devnull, "w") as sink:
        call_command("load_demo", stdout=sink)
    problems = {}
    for username in ROLES:
        client = Client()
        if username:
            client.force_login(User.objects.get(username=username))
        broken = _crawl(client)
        if broken:
            problems[username or "public"] = broken
    report = "\n".join(
        f"{who}: {url} answers {code} (linked from {src})"
        for who, rows in problems.items()
        for url, code, src in rows
    )
    assert not problems, "links their viewer cannot open:\n" + report
