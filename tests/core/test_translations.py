"""Every catalogue is complete: no untranslated or fuzzy entry, and each .mo is compiled from its .po.

Django merges every app's catalogue into one per language, so a msgid with two renderings in two
apps shows one of them everywhere; such words need a message context (pgettext) instead.
"""

from collections import defaultdict
from pathlib import Path

import polib
import pytest

ROOT = Path(__file__).resolve().parents[2]
CATALOGUES = sorted(
    p
    for p in ROOT.glob("**/locale/zh_Hans/LC_MESSAGES/django.po")
    # Not the copies a wheel build leaves in build/lib (the production pass makes one).
    if ".venv" not in p.parts and "build" not in p.parts
)


def test_there_are_catalogues():
    assert len(CATALOGUES) >= 4


@pytest.mark.parametrize("po_path", CATALOGUES, ids=lambda p: str(p.relative_to(ROOT)))
def test_catalogue_is_complete_and_compiled(po_path):
    po = polib.pofile(str(po_path))
    missing = [e.msgid for e in po if not e.obsolete and not e.translated()]
    assert missing == [], f"untranslated or fuzzy in {po_path}: {missing}"
    mo_path = po_path.with_suffix(".mo")
    assert mo_path.exists(), f"{mo_path} is missing: run compilemessages"
    compiled = {(e.msgctxt, e.msgid): e.msgstr for e in polib.mofile(str(mo_path))}
    for entry in po.translated_entries():
        if not entry.msgid_plural:
            assert compiled.get((entry.msgctxt, entry.msgid)) == entry.msgstr, (
                f"{mo_path} is stale: run compilemessages"
            )


def test_no_msgid_is_translated_differently_in_two_catalogues():
    renderings: dict[tuple[str | None, str], dict[str, str]] = defaultdict(dict)
    for po_path in CATALOGUES:
        app = str(po_path.relative_to(ROOT).parts[0])
        for entry in polib.pofile(str(po_path)).translated_entries():
            renderings[(entry.msgctxt, entry.msgid)][app] = entry.msgstr
    clashes = [
        f"{msgid!r}" + (f" (context {context!r})" if context else "") + f": {by_app}"
        for (context, msgid), by_app in sorted(renderings.items(), key=lambda kv: kv[0][1])
        if len(set(by_app.values())) > 1
    ]
    assert clashes == [], (
        "one msgid, several renderings: the merged catalogue shows only one of them; give each "
        "meaning a pgettext context, or make the catalogues agree:\n" + "\n".join(clashes)
    )
