"""The layout keeps its promises: data flows one way, faces stay apart, the core stays pure.

Read from the source (imports inside functions count, as they do at run time):
no import cycles; the core imports no IPython, tornado, ipywidgets or face; no
face imports another face; no name with a leading underscore is imported from
another module of the package; no module grows past what one sitting reads.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "jupyter_expjournal"
#: The faces: each is a front end over the core; none may import another.
FACES = ("kernel", "server", "widgets", "cli", "mcp_server")
#: Bridges to other systems (MLflow): called by a face (the CLI), they import only the core.
BRIDGES = ("mlflow_bridge",)
#: A module longer than this holds more than one concern (split it, or say why here).
MAX_LINES = 500


def _modules() -> dict[str, Path]:
    out = {}
    for path in PACKAGE.rglob("*.py"):
        if "labextension" in path.parts:
            continue
        parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        out[".".join(parts)] = path
    return out


MODULES = _modules()


def _resolve(name: str, current: str, is_package: bool, level: int) -> str | None:
    if level:
        base = current.split(".") if is_package else current.split(".")[:-1]
        base = base[: len(base) - (level - 1)] if level > 1 else base
        name = ".".join(base + ([name] if name else []))
    while name and name not in MODULES:
        name = name.rpartition(".")[0]
    return name or None


def _imports(module: str) -> list[tuple[str, str, str]]:
    """(imported module, imported name or '', the raw absolute target) for every import in ``module``."""
    path = MODULES[module]
    is_package = path.name == "__init__.py"
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                found.append((alias.name, "", alias.name))
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            for alias in node.names:
                if node.level:
                    target = _resolve(f"{base}.{alias.name}" if base else alias.name, module, is_package, node.level)
                    owner = _resolve(base, module, is_package, node.level)
                    found.append((target or "", alias.name if target == owner else "", target or ""))
                    if owner and owner != target:
                        found.append((owner, "", owner))
                else:
                    found.append((base, alias.name, base))
    return found


def _graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {m: set() for m in MODULES}
    for module in MODULES:
        for target, _name, _raw in _imports(module):
            dep = _resolve(target, module, False, 0) if target.startswith("jupyter_expjournal") else None
            if dep and dep != module:
                graph[module].add(dep)
    return graph


def test_no_import_cycles():
    graph = _graph()
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    cycles = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    assert not cycles, "import cycles: " + "; ".join(" <-> ".join(c) for c in cycles)


def _face_of(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[1] in FACES else None


def test_the_core_imports_no_face_and_no_front_end_library():
    banned = ("IPython", "ipykernel", "ipywidgets", "tornado", "jupyter_server", "traitlets", "mlflow")
    offenders = []
    for module in MODULES:
        if not module.startswith("jupyter_expjournal.core"):
            continue
        for target, _name, _raw in _imports(module):
            top = target.split(".")[0]
            if top in banned or (target.startswith("jupyter_expjournal.") and not target.startswith("jupyter_expjournal.core")):
                offenders.append(f"{module} imports {target}")
    assert not offenders, offenders


@pytest.mark.parametrize("face", FACES)
def test_no_face_imports_another(face):
    offenders = []
    for module in MODULES:
        if _face_of(module) != face:
            continue
        for target, _name, _raw in _imports(module):
            other = _face_of(target) if target.startswith("jupyter_expjournal.") else None
            if other and other != face:
                offenders.append(f"{module} imports {target}")
    assert not offenders, offenders


@pytest.mark.parametrize("bridge", BRIDGES)
def test_a_bridge_imports_only_the_core(bridge):
    offenders = []
    for module in MODULES:
        if not module.startswith(f"jupyter_expjournal.{bridge}"):
            continue
        for target, _name, _raw in _imports(module):
            inside = target.startswith(("jupyter_expjournal.core", f"jupyter_expjournal.{bridge}"))
            if target.startswith("jupyter_expjournal") and not inside:
                offenders.append(f"{module} imports {target}")
    assert not offenders, offenders


def test_no_private_name_is_used_outside_its_module():
    offenders = []
    for module in MODULES:
        for target, name, _raw in _imports(module):
            if name.startswith("_") and not name.startswith("__") and target.startswith("jupyter_expjournal"):
                offenders.append(f"{module} imports {name} from {target}")
    assert not offenders, offenders


def test_modules_are_readable_in_one_sitting():
    long = {m: n for m, p in MODULES.items() if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert not long, f"modules over {MAX_LINES} lines: {long}"
