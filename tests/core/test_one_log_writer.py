"""One writer of transition-log rows: only core.fsm creates them (run_transition,
claim_transition and every other log go through core.fsm.log_transition)."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SKIP = {".venv", "build", "node_modules", ".git", "migrations"}
WRITER = ROOT / "core" / "fsm.py"
CREATING = {"create", "bulk_create", "get_or_create", "update_or_create"}


def _dotted(node: ast.AST) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return f"{_dotted(node.value)}.{node.attr}"
    return ""


def log_writers(path: Path) -> list[str]:
    """Each place in `path` that makes a TransitionLog row: `TransitionLog(...)` or a
    creating call on its manager (`TransitionLog.objects.create(...)`, `bulk_create` …)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.Call):
            continue
        name = _dotted(node.func)
        parts = name.split(".")
        if parts[0] != "TransitionLog":
            continue
        if len(parts) == 1 or parts[-1] in CREATING:
            found.append(f"{path.relative_to(ROOT)}:{node.lineno} {name}(…)")
    return found


def _sources() -> list[Path]:
    return [p for p in ROOT.rglob("*.py") if not SKIP.intersection(p.relative_to(ROOT).parts)]


def test_the_scanner_sees_the_one_writer():
    # Without this the test below would pass on a scanner that finds nothing.
    assert [w.split(" ")[1] for w in log_writers(WRITER)] == ["TransitionLog.objects.create(…)"]


def test_nothing_but_core_fsm_creates_transition_log_rows():
    others = [w for p in _sources() if p != WRITER for w in log_writers(p)]
    assert others == [], "write log rows through core.fsm.log_transition / log_event:\n" + (
        "\n".join(others)
    )
