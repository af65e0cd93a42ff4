"""The floors of the house: import contracts kept, no import cycles, and the drawing in
docs/architecture.md made from the same contracts.

The contracts live in pyproject.toml ([tool.importlinter]); import-linter checks them (also run
by `make lint`). A second, independent check walks the imports with the standard library's
``ast`` — every import, also those inside functions — and fails on any cycle.
"""

import ast
import shutil
import subprocess
import sys
import textwrap
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("orders", "settings_app", "sopsite")
DOC = ROOT / "docs" / "architecture.md"


def contracts(root: Path = ROOT) -> list[dict]:
    with open(root / "pyproject.toml", "rb") as file:
        return tomllib.load(file)["tool"]["importlinter"]["contracts"]


def project_modules(root: Path = ROOT) -> dict[str, Path]:
    modules = {}
    for package in PACKAGES:
        for path in (root / package).rglob("*.py"):
            parts = list(path.relative_to(root).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            modules[".".join(parts)] = path
    return modules


def import_graph(root: Path = ROOT) -> dict[str, set[str]]:
    """Module → the project modules it imports, at any depth of its code."""
    modules = project_modules(root)

    def resolve(name: str) -> str | None:
        while name and name not in modules:
            name = name.rpartition(".")[0]
        return name or None

    graph: dict[str, set[str]] = {}
    for module, path in modules.items():
        package = module if path.name == "__init__.py" else module.rpartition(".")[0]
        targets = set()
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                targets.update(resolve(alias.name) for alias in node.names)
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    anchor = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                    base = f"{anchor}.{base}" if base else anchor
                targets.update(resolve(f"{base}.{alias.name}") for alias in node.names)
        graph[module] = {target for target in targets if target and target != module}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def lint_imports(root: Path) -> subprocess.CompletedProcess:
    """import-linter's own command, run in ``root`` (it reads root's pyproject.toml)."""
    command = [str(Path(sys.executable).with_name("lint-imports")), "--no-cache"]
    return subprocess.run(command, cwd=root, capture_output=True, text=True, timeout=120)


def drawing(root: Path = ROOT) -> str:
    """The floors as text, top to bottom: the apps, and inside an app the floors of its own
    contract (``a : b`` may use each other, ``a | b`` stay apart). Each line imports only from
    itself and the lines below it."""
    apps, *inner = contracts(root)
    lines = []
    for number, app in enumerate(apps["layers"]):
        if number:
            lines.append("  ↓")
        lines.append(app)
        for contract in inner:
            floors = contract["layers"]
            if not all(name.startswith(f"{app}.") for floor in floors for name in _names(floor)):
                continue
            for depth, floor in enumerate(floors):
                branch = "┌─" if depth == 0 else "└─" if depth == len(floors) - 1 else "├─"
                separator = " : " if ":" in floor else " | "
                names = [name.removeprefix(f"{app}.") for name in _names(floor)]
                wrapped = textwrap.wrap(separator.join(names), width=88, break_on_hyphens=False)
                lines.append(f"  {branch} {wrapped[0]}")
                lines.extend(f"  │    {more}" for more in wrapped[1:])
    return "\n".join(lines)


def _names(floor: str) -> list[str]:
    return [name.strip() for name in floor.replace("|", ":").split(":")]


# --- the checks -----------------------------------------------------------------------------


def test_import_contracts_are_kept():
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr


def test_no_import_cycles():
    found = cycles(import_graph())
    assert found == [], "import cycles:\n" + "\n".join(" ↔ ".join(c) for c in found)


def test_every_orders_module_stands_on_a_floor():
    """A new module must be given its floor in pyproject.toml, or nothing checks it."""
    floors = [name for c in contracts()[1:] for floor in c["layers"] for name in _names(floor)]
    homeless = [
        module
        for module in project_modules()
        if module.startswith("orders.")
        and not module.startswith("orders.migrations")
        and not any(module == f or module.startswith(f"{f}.") for f in floors)
        and not any(f.startswith(f"{module}.") for f in floors)  # a package holding floors
    ]
    assert homeless == []


def test_architecture_doc_draws_the_contracts():
    picture = drawing()
    assert picture in DOC.read_text(), (
        "docs/architecture.md must show the floors as pyproject.toml states them:\n\n" + picture
    )


@pytest.mark.parametrize(
    ("file", "added", "makes_a_cycle"),
    [
        ("orders/models/audit.py", "from orders.views import lists", True),
        ("settings_app/errors.py", "import orders.lifecycle", False),
    ],
)
def test_the_checks_fail_on_an_upward_import(tmp_path, file, added, makes_a_cycle):
    """The same checks, on a copy of the project with one import added that breaks a floor."""
    for package in PACKAGES:
        shutil.copytree(
            ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__")
        )
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    with open(tmp_path / file, "a") as source:
        source.write(f"\n{added}\n")

    result = lint_imports(tmp_path)
    assert result.returncode != 0
    assert "BROKEN" in result.stdout
    importer = file.removesuffix(".py").replace("/", ".")
    assert f"{importer} ->" in result.stdout.replace("\n", " ")
    assert bool(cycles(import_graph(tmp_path))) is makes_a_cycle
