"""No module grows past 600 lines unless its docstring says why (docs/architecture.md, "Module size").

The reason is a line of the module's first docstring that starts with "Size:" and gives it in a
few words. Tests and migrations are not counted.
"""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LIMIT = 600
# Not the project's own code: the virtualenv, a wheel build's copies, caches.
SKIPPED_DIRS = {".venv", "build", "dist", "node_modules", "tests", "migrations"}


def project_modules(root: Path) -> list[Path]:
    return sorted(
        p
        for p in root.rglob("*.py")
        if not SKIPPED_DIRS.intersection(p.relative_to(root).parts)
        and not any(part.startswith(".") for part in p.relative_to(root).parts)
        and not p.name.startswith("test_")
        and p.name != "conftest.py"
    )


def size_reason(source: str) -> str:
    """The text after "Size:" in the module docstring, or "" when there is none."""
    doc = ast.get_docstring(ast.parse(source)) or ""
    for line in doc.splitlines():
        if line.strip().startswith("Size:"):
            return line.strip().removeprefix("Size:").strip()
    return ""


def oversized_without_reason(root: Path) -> list[str]:
    found = []
    for path in project_modules(root):
        source = path.read_text(encoding="utf-8")
        lines = len(source.splitlines())
        if lines > LIMIT and len(size_reason(source).split()) < 3:
            found.append(f"{path.relative_to(root)} ({lines} lines)")
    return found


def test_every_module_over_600_lines_says_why_at_its_top():
    offenders = oversized_without_reason(ROOT)
    assert not offenders, (
        "split these modules, or give the reason on a 'Size:' line of their docstring: "
        + ", ".join(offenders)
    )


def test_the_scan_reads_the_apps_and_leaves_tests_and_migrations_out():
    modules = {str(p.relative_to(ROOT)) for p in project_modules(ROOT)}
    assert "procurement/services.py" in modules
    assert "config/api.py" in modules
    assert not any(m.startswith("tests/") or "/migrations/" in m for m in modules)


def test_a_long_module_needs_a_size_line_with_a_reason(tmp_path):
    body = "\n".join(f"x{i} = {i}" for i in range(LIMIT + 1))
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "silent.py").write_text(f'"""A long module."""\n{body}\n')
    (tmp_path / "app" / "bare.py").write_text(f'"""A long module.\n\nSize:\n"""\n{body}\n')
    (tmp_path / "app" / "reasoned.py").write_text(
        f'"""A long module.\n\nSize: one table of constants read as a whole.\n"""\n{body}\n'
    )
    (tmp_path / "app" / "short.py").write_text('"""Short."""\nx = 1\n')
    assert oversized_without_reason(tmp_path) == [
        f"app/bare.py ({LIMIT + 5} lines)",
        f"app/silent.py ({LIMIT + 2} lines)",
    ]
