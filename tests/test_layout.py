"""The console's layout (src/integrity_desk/web/__init__.py states the rule): one sub-package
per domain slice, its modules named by one rule, no web module importing a slice's HTTP API,
no import cycles among the console's modules, none of them over ~500 lines."""

from __future__ import annotations

import ast
import importlib
import re
from pathlib import Path

from fastapi import APIRouter

import integrity_desk

PACKAGE = Path(integrity_desk.__file__).parent
WEB = PACKAGE / "web"
SHELL = {"__init__", "app", "deps", "errors", "forms", "http", "i18n", "render"}
NAMED_BY_THE_RULE = re.compile(r"^(__init__|routes|views|[a-z]+(_[a-z]+)*_(routes|views))$")
# integrity_desk.<slice>.api, integrity_desk.<slice>.<anything>_api (and anything inside them).
SLICE_API = re.compile(r"^integrity_desk\.(?!api\.)[a-z_]+\.([a-z_]+_)?api(\.|$)")
MAX_LINES = 500


def _modules() -> dict[str, Path]:
    return {".".join(("integrity_desk", *p.relative_to(PACKAGE).with_suffix("").parts))
            .removesuffix(".__init__"): p for p in sorted(WEB.rglob("*.py"))}


def _imports(module: str, path: Path) -> set[str]:
    """Every module a file imports, at the top or inside a function."""
    found: set[str] = set()
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                base = ".".join(parts[:len(parts) - node.level + 1] + ([base] if base else []))
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return found


def test_every_web_module_is_shell_or_in_a_slice_named_by_the_rule() -> None:
    slices = {p.name for p in PACKAGE.iterdir() if (p / "__init__.py").is_file()} - {"web"}
    wrong: list[str] = []
    for path in sorted(WEB.rglob("*.py")):
        parts = path.relative_to(WEB).parts
        if "templates" in parts or "static" in parts:
            continue
        if len(parts) == 1:
            if path.stem not in SHELL:
                wrong.append(f"{path.name}: a page module belongs in web/<slice>/")
        elif len(parts) > 2:
            wrong.append(f"{'/'.join(parts)}: one level of slices only")
        elif parts[0] not in slices:
            wrong.append(f"{parts[0]}/: not a slice of integrity_desk")
        elif not NAMED_BY_THE_RULE.match(path.stem):
            wrong.append(f"{'/'.join(parts)}: routes, views, <family>_routes or <family>_views")
    for folder in sorted(p for p in WEB.iterdir() if p.is_dir()):
        if folder.name not in {"templates", "static", "__pycache__"} \
                and not (folder / "__init__.py").is_file():
            wrong.append(f"{folder.name}/: a slice's folder is a package")
    assert wrong == []


def test_every_routes_module_holds_a_router_that_the_console_mounts() -> None:
    """``routes``/``<family>_routes`` hold an APIRouter with pages; web/app.py mounts each."""
    tree = ast.parse((WEB / "app.py").read_text(encoding="utf-8"))
    mounted = {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)
               and any(alias.name == "router" for alias in node.names)}
    routes = {m for m, p in _modules().items() if p.stem.endswith("routes")}
    assert routes == mounted
    for module in sorted(routes):
        router = getattr(importlib.import_module(module), "router", None)
        assert isinstance(router, APIRouter) and router.routes, module


def test_no_web_module_imports_a_slice_api() -> None:
    offending = {module: sorted(i for i in _imports(module, path) if SLICE_API.match(i))
                 for module, path in _modules().items()}
    assert {m: found for m, found in offending.items() if found} == {}


def test_the_pattern_catches_slice_apis_and_spares_the_shared_plumbing() -> None:
    assert SLICE_API.match("integrity_desk.cases.api")
    assert SLICE_API.match("integrity_desk.dsa.flagger_api")
    assert SLICE_API.match("integrity_desk.dsa.flagger_api.FlaggerIn")
    assert not SLICE_API.match("integrity_desk.api.deps")
    assert not SLICE_API.match("integrity_desk.api.paging")
    assert not SLICE_API.match("integrity_desk.dsa.schemas")


def test_no_import_cycles_among_web_modules() -> None:
    modules = _modules()
    graph = {m: {i for i in _imports(m, p) if i in modules and i != m}
             for m, p in modules.items()}
    # A package's __init__ is imported on the way to any of its modules; edges to it are not
    # the module importing its siblings' code, so only module-to-module edges count.
    graph = {m: {i for i in deps if modules[i].name != "__init__.py"}
             for m, deps in graph.items()}
    cycles: list[list[str]] = []
    state: dict[str, int] = {}

    def visit(node: str, stack: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                cycles.append([*stack[stack.index(nxt):], nxt])
            elif nxt not in state:
                visit(nxt, [*stack, nxt])
        state[node] = 2

    for module in sorted(graph):
        if module not in state:
            visit(module, [module])
    assert cycles == []


def test_no_web_module_is_over_500_lines() -> None:
    long = {str(p.relative_to(WEB)): n for p in WEB.rglob("*.py")
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert long == {}
