"""The code keeps its shape: features import each other without cycles, and nothing hides imports.

A cycle between features (or an import tucked inside a function to dodge one) is where rules
start to live twice; these checks read the source, so a new one is caught at once.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "college"


def _modules() -> dict[str, ast.Module]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = ast.parse(path.read_text(), str(path))
    return found


def _imported(node: ast.AST, module: str, known: set[str]) -> set[str]:
    """The college modules an import statement loads."""
    if isinstance(node, ast.Import):
        return {alias.name for alias in node.names if alias.name in known}
    if isinstance(node, ast.ImportFrom) and node.module:
        base = node.module
        if node.level:  # relative: from . import x
            base = ".".join(module.split(".")[: -node.level] + [node.module])
        targets = {f"{base}.{alias.name}" for alias in node.names}
        return {name for name in targets | {base} if name in known}
    return set()


def test_no_imports_hidden_inside_functions():
    allowed = {("college", "create_app")}  # the app factory imports the features it wires
    hidden = []
    for module, tree in _modules().items():
        for function in ast.walk(tree):
            if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            for node in ast.walk(function):
                if isinstance(node, ast.Import | ast.ImportFrom) and (module, function.name) not in allowed:
                    hidden.append(f"{module}.{function.name}: line {node.lineno}")
    assert hidden == []


def test_feature_packages_only_describe_themselves():
    for path in PACKAGE.glob("*/__init__.py"):
        tree = ast.parse(path.read_text())
        assert len(tree.body) == 1 and isinstance(tree.body[0], ast.Expr), path
        assert isinstance(tree.body[0].value, ast.Constant), path


def test_modules_import_each_other_without_cycles():
    modules = _modules()
    known = set(modules)
    graph: dict[str, set[str]] = {}
    for module, tree in modules.items():
        edges = set()
        for node in tree.body:  # top-level imports, what runs when the module loads
            if isinstance(node, ast.If):  # `if TYPE_CHECKING:` imports run for type checkers only
                continue
            edges |= _imported(node, module, known)
        # Importing a submodule runs its package's __init__ first; those only hold docstrings.
        graph[module] = edges - {module}

    cycles = []
    state: dict[str, str] = {}
    stack: list[str] = []

    def visit(module: str) -> None:
        state[module] = "open"
        stack.append(module)
        for target in sorted(graph[module]):
            if state.get(target) == "open":
                cycles.append(stack[stack.index(target):] + [target])
            elif target not in state:
                visit(target)
        stack.pop()
        state[module] = "done"

    for module in sorted(graph):
        if module not in state:
            visit(module)
    assert cycles == []
