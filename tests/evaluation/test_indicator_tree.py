"""Tree validation: points add up (siblings to parent, roots to 100), leaves are 三级 with a known method."""

import pytest

from evaluation.indicators import load_template, specs_from_rows, validate_tree
from tests.factories.evaluation import SMALL_TREE


def _rows(**changes):
    rows = [dict(r) for r in SMALL_TREE]
    for path, change in changes.items():
        for row in rows:
            if row["path"] == path.replace("__", "/"):
                row.update(change)
    return rows


def test_shipped_template_and_small_tree_are_valid():
    assert validate_tree(specs_from_rows(load_template("social_work")["rows"])) == []
    assert validate_tree(specs_from_rows(SMALL_TREE)) == []


def test_shipped_template_has_the_social_work_indicators():
    leaves = {
        r["path"].split("/")[-1]
        for r in load_template("social_work")["rows"]
        if r["path"].count("/") == 2
    }
    for name in (
        "个案数",
        "小组数",
        "社区活动场次",
        "服务人次",
        "“四卡一袋”建档完整率",
        "委托监护责任确认书签订率",
        "“八个一”落实率",
        "满意度调查",
        "财务合规",
    ):
        assert name in leaves
    level2 = {
        r["path"] for r in load_template("default_frame")["rows"] if r["path"].count("/") == 1
    }
    assert "效益/服务对象满意度" in level2 and "产出/时效" in level2 and len(level2) == 12


def test_siblings_must_add_up_to_their_parent():
    problems = validate_tree(specs_from_rows(_rows(产出__数量__个案数={"points": 21})))
    assert any("产出 / 数量" in p and "41" in p and "40" in p for p in problems)


def test_roots_must_add_up_to_100():
    rows = _rows(效益={"points": 41})
    problems = validate_tree(specs_from_rows(rows))
    assert any("101" in p for p in problems)


def test_orphan_row_is_reported_with_its_row_number():
    rows = [*SMALL_TREE, {"path": "过程/资金管理/专款专用", "points": 5, "method": "boolean"}]
    problems = validate_tree(specs_from_rows(rows))
    assert any("11" in p and "过程 / 资金管理" in p for p in problems)


@pytest.mark.parametrize(
    ("change", "fragment"),
    [
        ({"method": "guess"}, "guess"),
        ({"method": ""}, "rubric"),
        ({"params": "满意=25;不满意=0"}, "满分"),
        ({"params": "满意=30"}, "两个等级"),
    ],
)
def test_leaf_method_problems(change, fragment):
    rows = _rows(**{"效益__服务对象满意度__满意度调查": change})
    problems = validate_tree(specs_from_rows(rows))
    assert any(fragment in p for p in problems), problems


def test_every_problem_is_listed_at_once():
    rows = _rows(效益={"points": 30}, 产出__数量__个案数={"method": "nonsense"})
    rows.append({"path": "无此一级/无此二级/孤儿", "points": 1, "method": "boolean"})
    problems = validate_tree(specs_from_rows(rows))
    assert len(problems) >= 4


def test_deeper_than_three_levels_is_refused():
    rows = [*SMALL_TREE, {"path": "产出/数量/个案数/细项", "points": 1, "method": "boolean"}]
    assert any("一至三级" in p for p in validate_tree(specs_from_rows(rows)))
