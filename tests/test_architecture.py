"""The shape of the code, checked on its source: the engine names no kind and imports no
app of kinds, no module imports another inside a function (WeasyPrint, slow to import, and
`AppConfig.ready()` aside), and no two modules import each other, even through others."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from workshops import kinds

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("rencontres", "workshops", "plenary", "priorities", "territories")
KIND_APPS = ("plenary", "priorities", "territories")
# Imported where it is used: it is slow to import and only the PDF needs it.
LAZY_ALLOWED = ("weasyprint",)


def project_modules() -> dict[str, Path]:
    modules = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            parts = path.relative_to(ROOT).with_suffix("").parts
            if parts[-1] == "__init__":
                parts = parts[:-1]
            modules[".".join(parts)] = path
    return modules


MODULES = project_modules()


def _is_type_checking(node: ast.If) -> bool:
    return isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING"


def imports(path: Path) -> list[tuple[str, int, bool, str]]:
    """(imported module, line, inside a function, enclosing function name) for each import
    that runs (imports under `if TYPE_CHECKING:` do not)."""
    found: list[tuple[str, int, bool, str]] = []

    def targets(node: ast.AST) -> list[str]:
        if isinstance(node, ast.Import):
            return [alias.name for alias in node.names]
        if isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names = []
            for alias in node.names:
                sub = f"{node.module}.{alias.name}"
                names.append(sub if sub in MODULES else node.module)
            return names
        return []

    def visit(node: ast.AST, function: str | None) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _is_type_checking(child):
                continue
            if isinstance(child, ast.Import | ast.ImportFrom):
                for name in targets(child):
                    found.append((name, child.lineno, function is not None, function or ""))
            inner = function
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                inner = child.name
            visit(child, inner)

    visit(ast.parse(path.read_text()), None)
    return found


def test_the_engine_imports_no_app_of_kinds():
    offending = [
        f"{module} imports {name} (line {line})"
        for module, path in MODULES.items()
        if module.startswith("workshops")
        for name, line, _inside, _fn in imports(path)
        if name.split(".")[0] in KIND_APPS
    ]
    assert offending == []


def test_imports_are_at_module_level():
    offending = [
        f"{module}:{line} imports {name} inside {function}()"
        for module, path in MODULES.items()
        for name, line, inside, function in imports(path)
        if inside
        and not name.startswith(LAZY_ALLOWED)
        and not (module.endswith(".apps") and function == "ready")
    ]
    assert offending == []


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    result: list[list[str]] = []
    counter = [0]

    def connect(node: str) -> None:
        index[node] = low[node] = counter[0]
        counter[0] += 1
        stack.append(node)
        on_stack.add(node)
        for other in graph.get(node, ()):
            if other not in index:
                connect(other)
                low[node] = min(low[node], low[other])
            elif other in on_stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                result.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            connect(node)
    return result


def test_no_module_imports_itself_through_others():
    graph = {
        module: {name for name, _line, _inside, _fn in imports(path) if name in MODULES}
        for module, path in MODULES.items()
    }
    assert _cycles(graph) == []


def test_the_cycle_finder_finds_a_cycle():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


@pytest.mark.parametrize("kind", [k.key for k in kinds.registered()])
def test_the_engine_never_names_a_kind(kind):
    """No string in the engine's code nor tag in its templates is a kind's key."""
    named = []
    for module, path in MODULES.items():
        if not module.startswith("workshops"):
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Constant) and node.value == kind:
                named.append(f"{module}:{node.lineno}")
    tag = re.compile(r"{[%{][^}]*[\"']" + re.escape(kind) + r"[\"'][^}]*[%}]}")
    for path in (ROOT / "templates" / "workshops").rglob("*.html"):
        if tag.search(path.read_text()):
            named.append(str(path.relative_to(ROOT)))
    assert named == []
