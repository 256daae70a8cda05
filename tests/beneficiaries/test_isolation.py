"""No other app imports the register, so no page, export, PDF or feed of theirs can reach it.

config (URL conf, API router, settings) and the demo loader's settings list are the only places
that name it; a new import elsewhere fails here and must be argued for in docs/architecture.md.
"""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APPS = [
    "core",
    "accounts",
    "documents",
    "projects",
    "procurement",
    "evaluation",
    "funds",
    "opendata",
]


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
        elif (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and node.value.startswith("beneficiaries.")
        ):
            names.add(node.value)  # import_string("beneficiaries.…") and other late imports
    return names


def test_no_other_app_imports_the_register():
    offenders = []
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            if any(n == "beneficiaries" or n.startswith("beneficiaries.") for n in _imports(path)):
                offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []


def test_no_template_outside_the_app_renders_a_case_file():
    offenders = [
        str(path.relative_to(ROOT))
        for app in [*APPS, "templates"]
        for path in (ROOT / app).rglob("*.html")
        if "mask_id" in path.read_text(encoding="utf-8")
        or "id_number" in path.read_text(encoding="utf-8")
    ]
    assert offenders == []
