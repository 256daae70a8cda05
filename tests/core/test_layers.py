"""The app layers stated in docs/architecture.md hold: no module depends on a higher layer or a peer.

The order is read from the doc's ```layers block (lowest first, one layer a line, peers on one
line), so the doc is the one place it is written. Every module of every app is parsed (never
imported); a dependency is an import at the top or inside a function, `get_model("app", …)` /
`get_model("app.Model")`, a module named by string (`import_module`, `import_string`, the lazy
permission guard's `lazy_guard("app.permissions", …)`), or a model named by string in a ForeignKey,
OneToOneField or ManyToManyField. Migrations and tests are left out; `config`, `tests` and
`benchmarks` are not apps and wire or exercise everything.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path

from django.apps import apps

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "architecture.md"
RELATION_FIELDS = {"ForeignKey", "OneToOneField", "ManyToManyField"}
LATE_IMPORTERS = {"import_module", "import_string", "lazy_guard"}


def layer_order(text: str) -> list[list[str]]:
    """The layers of the doc's one ```layers block, lowest first."""
    blocks = re.findall(r"^```layers\n(.*?)^```", text, flags=re.M | re.S)
    assert len(blocks) == 1, "docs/architecture.md must hold exactly one ```layers block"
    return [line.split() for line in blocks[0].splitlines() if line.strip()]


@dataclass(frozen=True)
class Dependency:
    line: int
    app: str
    how: str


def _name(node: ast.expr) -> str:
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.Name):
        return node.id
    return ""


def _string(node: ast.expr | None) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def dependencies(source: str, filename: str = "<module>") -> list[Dependency]:
    """Every dependency of one module on a top-level package or app label, in source order."""
    tree = ast.parse(source, filename)
    in_function: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            in_function |= {id(inner) for inner in ast.walk(node) if inner is not node}
    found: list[Dependency] = []
    for node in ast.walk(tree):
        where = "local import" if id(node) in in_function else "import"
        if isinstance(node, ast.Import):
            found += [Dependency(node.lineno, a.name.split(".")[0], where) for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append(Dependency(node.lineno, node.module.split(".")[0], where))
        elif isinstance(node, ast.Call):
            func = _name(node.func)
            args = list(node.args)
            if func == "partial" and args and _name(args[0]) in LATE_IMPORTERS:
                func, args = _name(args[0]), args[1:]  # partial(lazy_guard, "app.permissions")
            first = _string(args[0]) if args else None
            if func == "get_model" and first:
                found.append(Dependency(node.lineno, first.split(".")[0], f"get_model({first!r})"))
            elif func in LATE_IMPORTERS and first:
                found.append(Dependency(node.lineno, first.split(".")[0], f"{func}({first!r})"))
            elif func in RELATION_FIELDS:
                named = [first] + [
                    _string(k.value) for k in node.keywords if k.arg in ("to", "through")
                ]
                for target in filter(None, named):
                    if "." in target:
                        found.append(
                            Dependency(node.lineno, target.split(".")[0], f"{func}({target!r})")
                        )
    return sorted(found, key=lambda d: d.line)


def violations(app: str, deps: list[Dependency], order: list[list[str]], where: str) -> list[str]:
    rank = {name: i for i, layer in enumerate(order) for name in layer}
    problems = []
    for dep in deps:
        if dep.app == app or dep.app not in rank:
            continue
        if rank[dep.app] > rank[app]:
            kind = "a higher layer"
        elif rank[dep.app] == rank[app]:
            kind = "a peer in its layer"
        else:
            continue
        problems.append(f"{where}:{dep.line} {app} -> {dep.app} ({dep.how}): {kind}")
    return problems


def app_modules(app: str) -> list[Path]:
    base = ROOT / app
    return [
        path
        for path in sorted(base.rglob("*.py"))
        if not {"migrations", "tests"} & set(path.relative_to(base).parts)
    ]


def project_apps() -> set[str]:
    return {c.name for c in apps.get_app_configs() if Path(c.path).parent == ROOT}


def test_every_app_is_in_exactly_one_layer():
    listed = [name for layer in layer_order(DOC.read_text(encoding="utf-8")) for name in layer]
    assert len(listed) == len(set(listed)), listed
    assert set(listed) == project_apps()


def test_no_module_depends_on_a_higher_layer_or_a_peer():
    order = layer_order(DOC.read_text(encoding="utf-8"))
    problems: list[str] = []
    modules = edges = 0
    known = project_apps()
    for app in [name for layer in order for name in layer]:
        paths = app_modules(app)
        assert paths, f"no modules found for {app}"
        for path in paths:
            deps = dependencies(path.read_text(encoding="utf-8"), str(path))
            modules += 1
            edges += sum(1 for d in deps if d.app in known and d.app != app)
            problems += violations(app, deps, order, str(path.relative_to(ROOT)))
    # The walk really read the project (266 modules and 401 edges to other apps when written).
    assert modules > 200, modules
    assert edges > 300, edges
    assert not problems, "\n".join(problems)


def test_the_checker_catches_each_kind_of_dependency():
    order = [["core"], ["funds"], ["evaluation", "planning"]]
    source = """\
from core.models import TransitionLog
import evaluation.selectors
from django.db import models


def gate(milestone):
    from planning.models import BudgetLine
    guard = partial(lazy_guard, "evaluation.permissions")("can_view")
    return apps.get_model("evaluation", "Evaluation"), apps.get_model("planning.BudgetLine"), guard


class Row(models.Model):
    evaluation = models.ForeignKey("evaluation.Evaluation", on_delete=models.PROTECT)
    plans = models.ManyToManyField(to="planning.BudgetLine")
    log = models.OneToOneField("core.TransitionLog", on_delete=models.PROTECT)
"""
    found = violations("funds", dependencies(source), order, "funds/x.py")
    assert found == [
        "funds/x.py:2 funds -> evaluation (import): a higher layer",
        "funds/x.py:7 funds -> planning (local import): a higher layer",
        "funds/x.py:8 funds -> evaluation (lazy_guard('evaluation.permissions')): a higher layer",
        "funds/x.py:9 funds -> evaluation (get_model('evaluation')): a higher layer",
        "funds/x.py:9 funds -> planning (get_model('planning.BudgetLine')): a higher layer",
        "funds/x.py:13 funds -> evaluation (ForeignKey('evaluation.Evaluation')): a higher layer",
        "funds/x.py:14 funds -> planning (ManyToManyField('planning.BudgetLine')): a higher layer",
    ]
    peer = violations("evaluation", dependencies(source), order, "evaluation/x.py")
    assert peer[0] == "evaluation/x.py:7 evaluation -> planning (local import): a peer in its layer"


def unexplained_late_imports(source: str) -> list[tuple[int, str]]:
    """Imports inside a function (AppConfig.ready aside) with no `# late: why` on the import or
    on the comment line right above its block of imports."""
    lines = source.splitlines()
    found = []
    for func in ast.walk(ast.parse(source)):
        if not isinstance(func, ast.FunctionDef | ast.AsyncFunctionDef) or func.name == "ready":
            continue
        for node in ast.walk(func):
            if not isinstance(node, ast.Import | ast.ImportFrom):
                continue
            above = node.lineno - 2
            while above >= 0 and lines[above].strip().startswith(("from ", "import ")):
                above -= 1
            said = "# late:" in lines[node.lineno - 1] or lines[above].strip().startswith("# late:")
            if not said:
                found.append((node.lineno, lines[node.lineno - 1].strip()))
    return sorted(set(found))


def test_every_late_import_says_why():
    problems = []
    for app in project_apps():
        for path in app_modules(app):
            where = str(path.relative_to(ROOT))
            for line, text in unexplained_late_imports(path.read_text(encoding="utf-8")):
                problems.append(f"{where}:{line} {text}")
    assert not problems, "imports inside functions with no '# late: why':\n" + "\n".join(problems)


def test_the_late_import_check_reads_comments():
    source = """\
def a():
    from x import y
    # late: z imports this module
    from z import w
    from z import v


def b():
    import heavy  # late: heavy, loaded on first use
"""
    assert unexplained_late_imports(source) == [(2, "from x import y")]
