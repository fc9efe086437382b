"""The shape of the library: no import cycles, imports point one way, modules stay small.

Imports are read from the source (every `import`, lazy ones inside functions included), so
a cycle hidden behind a function-level import fails here too.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src"
PACKAGE = SRC / "ecom"

# A module longer than this mixes several jobs: split it by responsibility.
MAX_MODULE_LINES = 450
# split in progress: modules already over MAX_MODULE_LINES, allowed until they are split.
# Remove an entry once its module is split; a new module over the limit fails the test.
KNOWN_LONG_MODULES: frozenset[str] = frozenset()

# Packages whose modules are pure DataFrame → DataFrame (or plain data) code: they may not
# import anything that does I/O or runs a job.
PURE = ("ecom.transforms", "ecom.sources", "ecom.models")
IO_AND_ABOVE = (
    "ecom.storage",
    "ecom.runtime",
    "ecom.jobs",
    "ecom.catalog",
    "ecom.query",
    "ecom.dashboard",
    "ecom.aws",
    "ecom.cli",
    "ecom.devdata",
)
# Layer → the layers it may not import (entry points → jobs → transforms, I/O at the edges).
FORBIDDEN: dict[str, tuple[str, ...]] = {
    **dict.fromkeys(PURE, IO_AND_ABOVE),
    "ecom.storage": ("ecom.jobs", "ecom.cli", "ecom.catalog", "ecom.query", "ecom.dashboard"),
    "ecom.runtime": ("ecom.jobs", "ecom.cli", "ecom.dashboard", "ecom.query"),
    "ecom.jobs": ("ecom.cli", "ecom.dashboard"),
    "ecom.quality": ("ecom.jobs", "ecom.cli", "ecom.dashboard"),
    "ecom.catalog": ("ecom.jobs", "ecom.cli", "ecom.dashboard"),
    "ecom.query": ("ecom.jobs", "ecom.cli", "ecom.dashboard"),
}


def module_name(path: Path) -> str:
    parts = path.relative_to(SRC).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path, modules: set[str]) -> set[str]:
    """The project modules a file imports (a `from package import name` of a submodule
    counts as that submodule)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return {name for name in found if name in modules}


def import_graph() -> dict[str, set[str]]:
    files = {module_name(path): path for path in PACKAGE.rglob("*.py")}
    modules = set(files)
    graph = {name: imports_of(path, modules) - {name} for name, path in files.items()}
    # A package's __init__ runs before its submodules: importing a.b imports a.
    for name in list(graph):
        graph[name] = {
            target for target in graph[name] if not (name.startswith(target + ".") and target)
        }
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle as a list of modules (first = last), or None."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for target in sorted(graph.get(node, ())):
            if state.get(target) == 1:
                return [*stack[stack.index(target) :], target]
            if target not in state:
                cycle = visit(target)
                if cycle:
                    return cycle
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state:
            cycle = visit(node)
            if cycle:
                return cycle
    return None


def test_find_cycle_sees_a_cycle():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def test_the_library_has_no_import_cycle():
    cycle = find_cycle(import_graph())
    assert cycle is None, "import cycle: " + " → ".join(cycle or [])


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_imports_point_one_way(layer):
    graph = import_graph()
    wrong = sorted(
        f"{module} imports {target}"
        for module, targets in graph.items()
        if module == layer or module.startswith(layer + ".")
        for target in targets
        if any(target == bad or target.startswith(bad + ".") for bad in FORBIDDEN[layer])
    )
    assert not wrong, "\n".join(wrong)


def module_lines() -> dict[str, int]:
    """Lines of every library module, by path under src/ (test code excluded)."""
    return {
        path.relative_to(SRC).as_posix(): len(path.read_text().splitlines())
        for path in sorted(SRC.rglob("*.py"))
        if "tests" not in path.relative_to(SRC).parts
    }


def test_no_module_is_over_the_line_limit():
    too_long = {
        name: lines
        for name, lines in module_lines().items()
        if lines > MAX_MODULE_LINES and name not in KNOWN_LONG_MODULES
    }
    assert not too_long, f"modules over {MAX_MODULE_LINES} lines (split them): " + ", ".join(
        f"src/{name} ({lines})" for name, lines in sorted(too_long.items())
    )


def test_known_long_modules_are_still_long():
    """An entry of KNOWN_LONG_MODULES whose module was split (or removed) must go."""
    lines = module_lines()
    stale = sorted(name for name in KNOWN_LONG_MODULES if lines.get(name, 0) <= MAX_MODULE_LINES)
    assert not stale, "no longer over the limit, drop from KNOWN_LONG_MODULES: " + ", ".join(stale)
