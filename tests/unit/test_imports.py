"""The import walk: every module of ``normviz`` imports on its own, and the import graph is clean.

1. **Alone.** Each module listed by :func:`pkgutil.walk_packages` is imported in a fresh child
   process with no other ``normviz`` module loaded, so a module that only works after another
   one was imported fails here. The children are forked from one interpreter that has loaded
   the third-party libraries ``normviz`` imports (torch, numpy, Plotly, Pillow) and nothing of
   ``normviz``: a fresh interpreter per module would spend a minute re-importing torch. After
   the import, ``streamlit`` must not be in ``sys.modules``.
2. **The graph**, read statically with :mod:`ast` from every ``import`` in the source, at the top
   level or inside a function (a function-level import hides a cycle from a plain import, not
   from this walk; imports under ``if TYPE_CHECKING:`` never run and are left out of cycles):

   - no cycle between ``normviz`` modules. A package's ``__init__`` importing its own submodules
     is fine; a submodule importing a name from its package's ``__init__``, which imports the
     submodule back, is a cycle;
   - no ``streamlit`` import anywhere in ``normviz/`` (ruff's TID251 says the same to the editor);
   - no module uses another module's private name (``from normviz.x import _y``, ``x._y``) or a
     private module (``normviz.x._y``) from outside its owner. The owner of a private module is
     the package that holds it; the owner of a private name is its module, or, for a module
     inside a subpackage (``normviz/intensity/``), that subpackage: modules of one subpackage
     share their private names, the flat top-level modules do not.

The checker is itself tested on small packages planted in ``tmp_path``.
"""

from __future__ import annotations

import ast
import json
import pkgutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest

import normviz
from tests.conftest import ROOT

PACKAGE = "normviz"


@dataclass(frozen=True)
class Use:
    """One import or attribute use found in the source: ``importer`` uses ``module`` (a module
    of the package) or, with ``name``, the name ``name`` defined in ``module``."""

    importer: str
    module: str
    name: str | None
    line: int
    runtime: bool = True
    """False under ``if TYPE_CHECKING:`` (never executed)."""

    def __str__(self) -> str:
        what = self.module if self.name is None else f"{self.module}.{self.name}"
        return f"{self.importer}:{self.line} uses {what}"


@dataclass
class ImportGraph:
    """Every module of a package (dotted name -> file), what each uses, and streamlit imports."""

    modules: dict[str, Path]
    packages: set[str]
    uses: list[Use] = field(default_factory=list)
    streamlit: list[str] = field(default_factory=list)

    def edges(self) -> dict[str, set[str]]:
        """Module -> modules it imports at run time (the package's own modules only)."""
        out: dict[str, set[str]] = {m: set() for m in self.modules}
        for u in self.uses:
            if u.runtime and u.module != u.importer:
                out[u.importer].add(u.module)
        return out


def find_modules(root: Path, package: str) -> tuple[dict[str, Path], set[str]]:
    """The modules of ``package`` under ``root`` from its files: {dotted name: path}, packages."""
    modules, packages = {}, set()
    for path in sorted((root / package).rglob("*.py")):
        parts = path.relative_to(root).with_suffix("").parts
        if not all(
            (root.joinpath(*parts[:i]) / "__init__.py").is_file() for i in range(1, len(parts))
        ):
            continue  # a folder that is not a package (data, scripts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
            packages.add(".".join(parts))
        modules[".".join(parts)] = path
    return modules, packages


def _is_private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def _type_checking_lines(tree: ast.Module) -> set[int]:
    """Line numbers of the statements under ``if TYPE_CHECKING:`` blocks."""
    lines: set[int] = set()
    for node in ast.walk(tree):
        test = getattr(node, "test", None)
        if isinstance(node, ast.If) and (
            (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING")
            or (isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")
        ):
            for stmt in node.body:
                lines.update(range(stmt.lineno, (stmt.end_lineno or stmt.lineno) + 1))
    return lines


def build_graph(root: Path, package: str) -> ImportGraph:
    """Read every import of ``package`` (a folder under ``root``) with :mod:`ast`."""
    modules, packages = find_modules(root, package)
    graph = ImportGraph(modules, packages)

    def inside(name: str) -> bool:
        return name == package or name.startswith(package + ".")

    for importer, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        here = importer if importer in packages else importer.rpartition(".")[0]
        typing_only = _type_checking_lines(tree)
        aliases: dict[str, str] = {}  # local name -> dotted module of the package

        def use(
            module: str, name: str | None, node: ast.AST, importer=importer, skip=typing_only
        ) -> None:
            line = getattr(node, "lineno", 0)
            graph.uses.append(Use(importer, module, name, line, line not in skip))

        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name.split(".")[0] == "streamlit":
                        graph.streamlit.append(f"{importer}:{node.lineno} import {alias.name}")
                    if inside(alias.name) and alias.name in modules:
                        use(alias.name, None, node)
                        if alias.asname:
                            aliases[alias.asname] = alias.name
                        else:
                            aliases[package] = package
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    up = here.split(".")[: len(here.split(".")) - (node.level - 1)]
                    base = ".".join([*up, *([base] if base else [])])
                if base.split(".")[0] == "streamlit":
                    graph.streamlit.append(f"{importer}:{node.lineno} from {base} import ...")
                if not inside(base):
                    continue
                for alias in node.names:
                    sub = f"{base}.{alias.name}"
                    if sub in modules:
                        use(sub, None, node)
                        aliases[alias.asname or alias.name] = sub
                    elif base in modules:
                        use(base, None if alias.name == "*" else alias.name, node)
            elif isinstance(node, ast.Call) and node.args:
                fn, arg = node.func, node.args[0]
                called = fn.attr if isinstance(fn, ast.Attribute) else getattr(fn, "id", "")
                if (
                    called in {"import_module", "__import__"}
                    and isinstance(arg, ast.Constant)
                    and str(arg.value).split(".")[0] == "streamlit"
                ):
                    graph.streamlit.append(f"{importer}:{node.lineno} {called}({arg.value!r})")
        # Attribute chains on imported modules: ``layers._as_ncl``, ``normviz.io._png``.
        for node in ast.walk(tree):
            if not isinstance(node, ast.Attribute):
                continue
            chain: list[str] = []
            value: ast.expr = node
            while isinstance(value, ast.Attribute):
                chain.insert(0, value.attr)
                value = value.value
            if not isinstance(value, ast.Name) or value.id not in aliases:
                continue
            dotted = aliases[value.id]
            for part in chain:
                if f"{dotted}.{part}" in modules:
                    dotted = f"{dotted}.{part}"
                    if _is_private(part):
                        use(dotted, None, node)
                    continue
                if _is_private(part):
                    use(dotted, part, node)
                break
    return graph


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """The import cycles of a graph: its strongly connected components of two or more modules
    (or one that imports itself), each sorted (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(edges.get(v, ())):
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
            if len(component) > 1 or v in edges.get(v, ()):
                found.append(sorted(component))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return sorted(found)


def _within(module: str, owner: str) -> bool:
    return module == owner or module.startswith(owner + ".")


def private_uses(graph: ImportGraph, package: str) -> list[str]:
    """Uses of a private module or name from outside its owner (see the module docstring), as
    ``"importer -> used (owner)"`` lines, one per importer and thing used."""
    bad = set()
    for u in graph.uses:
        parts = u.module.split(".")
        for k, part in enumerate(parts):
            owner = ".".join(parts[:k])
            if _is_private(part) and not _within(u.importer, owner):
                bad.add(f"{u.importer} -> {'.'.join(parts[: k + 1])} (private module of {owner})")
                break
        if u.name is None or not _is_private(u.name) or u.importer == u.module:
            continue
        if u.module in graph.packages:
            owner = u.module
        else:
            parent = u.module.rpartition(".")[0]
            owner = parent if parent != package else u.module
        if not _within(u.importer, owner):
            bad.add(f"{u.importer} -> {u.module}.{u.name} (private name of {owner})")
    return sorted(bad)


# A child per module, forked from an interpreter holding the third-party libraries only.
ALONE = """
import importlib, json, os, sys, traceback
preload, modules = json.loads(sys.argv[1]), json.loads(sys.argv[2])
for dep in preload:
    try:
        importlib.import_module(dep)
    except ImportError:
        pass  # an optional library: the module that needs it reports it
package = modules[0].split(".")[0]
assert not [m for m in sys.modules if m.split(".")[0] == package], "preloaded the package"
out = {}
for name in modules:
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(r)
        try:
            importlib.import_module(name)
            st = sorted(m for m in sys.modules if m.split(".")[0] == "streamlit")
            msg = {"error": None, "streamlit": st[:3]}
        except BaseException:
            msg = {"error": traceback.format_exc(limit=-3), "streamlit": []}
        os.write(w, json.dumps(msg).encode())
        os._exit(0)
    os.close(w)
    with os.fdopen(r, "rb") as f:
        data = f.read()
    os.waitpid(pid, 0)
    out[name] = json.loads(data) if data else {"error": "the child died", "streamlit": []}
print(json.dumps(out))
"""


def import_alone(root: Path, modules: list[str], preload: list[str]) -> dict[str, dict]:
    """Import each of ``modules`` (run from ``root``) in a child of its own; what each did."""
    out = subprocess.run(
        [sys.executable, "-c", ALONE, json.dumps(preload), json.dumps(modules)],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert out.returncode == 0, out.stderr[-3000:]
    return json.loads(out.stdout.strip().splitlines()[-1])


def third_party(graph: ImportGraph, package: str) -> list[str]:
    """The top-level third-party modules the package's files import (to load before forking)."""
    names = set()
    for path in graph.modules.values():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names.update(a.name.split(".")[0] for a in node.names)
            elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
                names.add(node.module.split(".")[0])
    stdlib = set(sys.stdlib_module_names) | {"__future__"}
    return sorted(n for n in names - stdlib if n not in {package, "streamlit"})


# --- normviz itself -------------------------------------------------------------------------

GRAPH = build_graph(ROOT, PACKAGE)


def test_the_walk_finds_every_module_pkgutil_finds():
    walked = {m.name for m in pkgutil.walk_packages(normviz.__path__, PACKAGE + ".")}
    assert walked | {PACKAGE} == set(GRAPH.modules)
    assert len(GRAPH.modules) > 40 and {"normviz.intensity", "normviz.io"} <= GRAPH.packages


def test_every_module_imports_alone_without_streamlit():
    modules = sorted(GRAPH.modules)
    results = import_alone(ROOT, modules, third_party(GRAPH, PACKAGE))
    failed = {m: r["error"] for m, r in results.items() if r["error"]}
    assert failed == {}
    pulled = {m: r["streamlit"] for m, r in results.items() if r["streamlit"]}
    assert pulled == {}
    assert set(results) == set(modules)


def test_no_import_cycles():
    assert cycles(GRAPH.edges()) == []


def test_the_graph_sees_the_imports_that_matter():
    # The walk reads what it must (a test of the walk, on normviz's own source): the package
    # imports its submodules, function-level imports are seen, and TYPE_CHECKING ones are kept
    # out of the runtime edges.
    edges = GRAPH.edges()
    assert "normviz.intensity._techniques" in edges["normviz.intensity"]
    assert any(not u.runtime for u in GRAPH.uses)
    assert sum(len(targets) for targets in edges.values()) > 50


def test_no_streamlit_import_in_normviz():
    assert GRAPH.streamlit == []


def test_no_private_name_crosses_its_owner():
    assert private_uses(GRAPH, PACKAGE) == []


# --- the checker, on planted packages ----------------------------------------------------------


def _plant(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


CLEAN = {
    "fake/__init__.py": "from fake.a import f\nfrom fake import sub\n",
    "fake/a.py": "import json\n\ndef f():\n    return json.dumps(1)\n",
    "fake/b.py": "from fake.a import f\nfrom fake.sub import g\n",
    "fake/sub/__init__.py": "from fake.sub._x import g\n",
    "fake/sub/_x.py": (
        "from fake.a import f\n\ndef g():\n    return _h()\n\ndef _h():\n    return f()\n"
    ),
    "fake/sub/y.py": "from fake.sub._x import _h\nfrom . import _x\n\nk = _x._h\n",
    "fake/data/notes.py": "import streamlit\n",  # not a package: not a module of fake
}


def test_checker_passes_a_clean_package(tmp_path):
    graph = build_graph(_plant(tmp_path, CLEAN), "fake")
    assert set(graph.modules) == {
        "fake",
        "fake.a",
        "fake.b",
        "fake.sub",
        "fake.sub._x",
        "fake.sub.y",
    }
    assert graph.edges()["fake"] == {"fake.a", "fake.sub"}  # a package importing its own parts
    assert graph.edges()["fake.sub.y"] == {"fake.sub._x"}  # relative import resolved
    assert cycles(graph.edges()) == []
    assert private_uses(graph, "fake") == []  # private names shared inside fake.sub only
    assert graph.streamlit == []


def test_checker_finds_a_cycle_hidden_in_a_function(tmp_path):
    files = {
        **CLEAN,
        "fake/c.py": "def later():\n    from fake.d import x\n    return x\n",
        "fake/d.py": "from fake.c import later\nx = 1\n",
    }
    graph = build_graph(_plant(tmp_path, files), "fake")
    assert cycles(graph.edges()) == [["fake.c", "fake.d"]]


def test_checker_finds_a_submodule_importing_its_package_back(tmp_path):
    files = {**CLEAN, "fake/sub/_x.py": "from fake.sub import g as _g\n\ndef g():\n    return 1\n"}
    graph = build_graph(_plant(tmp_path, files), "fake")
    assert cycles(graph.edges()) == [["fake.sub", "fake.sub._x"]]


def test_checker_leaves_type_checking_imports_out_of_cycles(tmp_path):
    files = {
        **CLEAN,
        "fake/c.py": "import typing\nif typing.TYPE_CHECKING:\n    from fake.d import X\n",
        "fake/d.py": "from fake.c import typing\nX = int\n",
    }
    graph = build_graph(_plant(tmp_path, files), "fake")
    assert cycles(graph.edges()) == []


def test_checker_finds_private_names_and_modules_used_outside_their_owner(tmp_path):
    files = {
        **CLEAN,
        "fake/a.py": "def f():\n    return 1\n\ndef _secret():\n    return 2\n",
        "fake/c.py": "from fake.a import _secret\n",  # a top-level module's private name
        "fake/d.py": "from fake import a\n\ndef use():\n    return a._secret()\n",  # by attribute
        "fake/e.py": "from fake.sub._x import g\n",  # a private module from outside fake.sub
        "fake/f.py": "import fake.sub._x as x\n",
    }
    graph = build_graph(_plant(tmp_path, files), "fake")
    assert private_uses(graph, "fake") == [
        "fake.c -> fake.a._secret (private name of fake.a)",
        "fake.d -> fake.a._secret (private name of fake.a)",
        "fake.e -> fake.sub._x (private module of fake.sub)",
        "fake.f -> fake.sub._x (private module of fake.sub)",
    ]


def test_checker_finds_streamlit_anywhere(tmp_path):
    files = {
        **CLEAN,
        "fake/c.py": "def page():\n    import streamlit as st\n    return st\n",
        "fake/d.py": "from streamlit.components import v1\n",
        "fake/e.py": "import importlib\nst = importlib.import_module('streamlit')\n",
    }
    graph = build_graph(_plant(tmp_path, files), "fake")
    assert [s.split(" ")[0] for s in graph.streamlit] == ["fake.c:2", "fake.d:1", "fake.e:2"]


def test_import_alone_reports_order_dependence_and_streamlit(tmp_path):
    files = {
        **CLEAN,
        # Works only when fake.a was imported first (attribute of a module never imported here).
        "fake/c.py": "import fake\nVALUE = fake.b.f\n",
        "fake/d.py": "def page():\n    import streamlit\n\nimport streamlit\n",
        "streamlit.py": "",  # a stand-in, so no real Streamlit is loaded by this test
    }
    root = _plant(tmp_path, files)
    results = import_alone(root, ["fake.a", "fake.c", "fake.d"], preload=["json"])
    assert results["fake.a"] == {"error": None, "streamlit": []}
    assert "AttributeError" in results["fake.c"]["error"]
    assert results["fake.d"] == {"error": None, "streamlit": ["streamlit"]}


@pytest.mark.parametrize("package", ["fake"])
def test_third_party_lists_what_to_preload(tmp_path, package):
    files = {**CLEAN, "fake/c.py": "import numpy as np\nfrom PIL import Image\nimport os\n"}
    graph = build_graph(_plant(tmp_path, files), package)
    assert third_party(graph, package) == ["PIL", "numpy"]
