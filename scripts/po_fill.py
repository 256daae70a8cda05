"""Fill msgstr in .po files from a JSON dictionary {msgid: translation}; report what is left.

Usage: python scripts/po_fill.py translations.json path/to/django.po [...]
Used when adding strings: makemessages, write the new pairs to a JSON file, run this, then
compilemessages. Fuzzy guesses from makemessages are dropped, never kept.
"""

from __future__ import annotations

import json
import sys

import polib


def main(argv: list[str]) -> int:
    with open(argv[1], encoding="utf-8") as f:
        table: dict[str, str] = json.load(f)
    missing = 0
    for path in argv[2:]:
        po = polib.pofile(path)
        po.metadata["Language"] = "zh_Hans"
        po.metadata["Plural-Forms"] = "nplurals=1; plural=0;"
        po.metadata["Content-Type"] = "text/plain; charset=UTF-8"
        for entry in po:
            if "fuzzy" in entry.flags:
                entry.flags.remove("fuzzy")
                entry.msgstr = ""
                entry.previous_msgid = None
            if entry.msgid in table:
                if entry.msgid_plural:
                    entry.msgstr_plural = {0: table[entry.msgid]}
                else:
                    entry.msgstr = table[entry.msgid]
            if not (entry.msgstr or any(entry.msgstr_plural.values())) and not entry.obsolete:
                missing += 1
                print(f"{path}: untranslated: {entry.msgid!r}")
        po.save(path)
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
