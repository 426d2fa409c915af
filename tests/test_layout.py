"""The house rules of the source tree, checked on every run so a new feature keeps them.

- ``index`` (the library) imports neither ``bot`` nor discord;
- no import cycle between the project's modules (imports under ``TYPE_CHECKING`` aside,
  since they never run);
- no module in ``index/`` or ``bot/`` over 400 lines (a bigger one is usually two ideas);
- every package says in its docstring what lives in it.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
PACKAGES = ("index", "bot")
MAX_LINES = 400


def _modules() -> dict[str, Path]:
    found: dict[str, Path] = {}
    for top in PACKAGES:
        for path in sorted((REPO / top).rglob("*.py")):
            parts = list(path.relative_to(REPO).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join(parts)] = path
    return found


MODULES = _modules()


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(tree: ast.AST, module: str, is_package: bool) -> Iterator[str]:
    """Every module name an import statement in ``tree`` names, outside TYPE_CHECKING."""
    stack: list[ast.AST] = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            stack.extend(node.orelse)
            continue
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                here = module.split(".") if is_package else module.split(".")[:-1]
                anchor = here[: len(here) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            # ``from pkg import sub`` imports the submodule; the package's own ``__init__``
            # runs first for any submodule anyway, so it is no edge of its own.
            subs = [f"{base}.{a.name}" for a in node.names if f"{base}.{a.name}" in MODULES]
            yield from subs or [base]
        stack.extend(ast.iter_child_nodes(node))


def _packages_run_by(importer: str, target: str) -> set[str]:
    """The packages whose ``__init__`` importing ``target`` runs first, seen from ``importer``.

    Importing ``a.b.c`` runs ``a/__init__`` and ``a/b/__init__`` unless they already run,
    which they do for a module inside them: so a package ``__init__`` that imports a lot is
    an edge from every outside importer of its submodules.
    """
    parts = target.split(".")
    return {
        p
        for p in (".".join(parts[:i]) for i in range(1, len(parts)))
        if p in MODULES and importer != p and not importer.startswith(p + ".")
    }


def _graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for name, path in MODULES.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        targets = {t for t in _imports(tree, name, path.name == "__init__.py") if t in MODULES}
        for target in list(targets):
            targets |= _packages_run_by(name, target)
        graph[name] = targets - {name}
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    out: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                out.append(sorted(component))

    for v in graph:
        if v not in index:
            visit(v)
    return out


def test_the_library_never_imports_the_bot_or_discord() -> None:
    offenders = []
    for name, path in MODULES.items():
        if not name.startswith("index"):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for target in _imports(tree, name, path.name == "__init__.py"):
            if target.split(".")[0] in ("bot", "discord"):
                offenders.append(f"{name} imports {target}")
    assert offenders == []


def test_no_import_cycles() -> None:
    assert _cycles(_graph()) == []


@pytest.mark.parametrize("name", sorted(MODULES))
def test_modules_stay_small(name: str) -> None:
    lines = MODULES[name].read_text(encoding="utf-8").count("\n")
    assert lines <= MAX_LINES, f"{MODULES[name]} has {lines} lines; split it by idea"


def test_every_package_says_what_lives_in_it() -> None:
    silent = [
        name
        for name, path in MODULES.items()
        if path.name == "__init__.py" and not ast.get_docstring(ast.parse(path.read_text()))
    ]
    assert silent == []


def test_the_cycle_check_can_see_a_cycle() -> None:
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": set()}) == [["a", "b", "c"]]


def test_no_cog_imports_another_cog() -> None:
    """What cogs share lives in ``bot.cogs._options``; a cog importing a cog ties features."""
    cogs = [n for n in MODULES if n.startswith("bot.cogs.") and not n.startswith("bot.cogs._")]
    graph = _graph()
    assert [(c, t) for c in cogs for t in graph[c] if t in cogs] == []
