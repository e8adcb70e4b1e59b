"""The data layer's imports run one way: no cycle between the modules of data_access, counting the
imports inside functions too (a function-level import must not hide a cycle)."""

from __future__ import annotations

import ast
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "data_access"


def imported_modules(path: Path) -> set[str]:
    """The data_access modules a file imports, anywhere in it."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module == "data_access":
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("data_access."):
            found.add(node.module.split(".")[1])
        elif isinstance(node, ast.Import):
            found |= {a.name.split(".")[1] for a in node.names if a.name.startswith("data_access.")}
    return found


def import_graph() -> dict[str, set[str]]:
    modules = {path.stem: path for path in PACKAGE.glob("*.py") if path.stem != "__init__"}
    return {name: imported_modules(path) & modules.keys() - {name} for name, path in modules.items()}


def test_the_data_layer_has_no_import_cycle():
    graph = import_graph()
    try:
        order = list(TopologicalSorter(graph).static_order())
    except CycleError as error:
        raise AssertionError(f"import cycle in data_access: {' -> '.join(error.args[1])}") from None
    assert set(order) == set(graph)


def test_the_summaries_build_side_sits_above_the_area_modules():
    graph = import_graph()
    assert "summaries" not in set().union(*(graph[m] for m in ("requests", "projects", "evaluation", "participation")))
    assert {"requests", "projects", "evaluation", "participation"} <= graph["summaries"]
    assert "summary_rows" in graph["requests"]


def test_the_check_sees_a_cycle_hidden_in_a_function(tmp_path):
    (tmp_path / "a.py").write_text("from data_access import b\n")
    (tmp_path / "b.py").write_text("def f():\n    from data_access.a import g\n")
    assert imported_modules(tmp_path / "b.py") == {"a"}
