"""The package's rooms, checked by parsing every module's imports (``ast``, nothing imported):

* imports run one way: engine → trace → draw → lessons → export (with the player's files) →
  hosts (``nnviz.cli``, ``nnviz.notebook``, the Streamlit layer ``nnviz_app``); a module
  imports nothing of a room above its own;
* nothing under ``nnviz/`` imports streamlit or ``nnviz_app``;
* no module under ``nnviz/`` or ``nnviz_app/`` imports a private (``_underscore``) name from
  another module;
* no folder holds more than 12 modules (``__init__.py`` not counted), no module is over 300
  lines.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# The rooms, lowest first.  A module of rank r may import nnviz modules of rank <= r only.
RANK = {"nnviz.engine": 0, "nnviz.trace": 1, "nnviz.draw": 2, "nnviz.lessons": 3,
        "nnviz.export": 4, "nnviz.player": 4, "nnviz.cli": 5, "nnviz.notebook": 5, "nnviz.__main__": 5,
        "nnviz_app": 6}
# ``nnviz`` itself (its __init__ re-exports the engine and the trace for users): rank of the trace.
PACKAGE_FACADE = {"nnviz": 1}
MAX_MODULES, MAX_LINES = 12, 300
# Deferred imports allowed across rooms, inside a function only: (importer, imported) -> why.
DEFERRED_HOOKS = {("nnviz.trace.record", "nnviz.notebook"):
                  "Trace._repr_html_: a notebook shows a trace as its player, imported only when one asks"}
PACKAGES = ("nnviz", "nnviz_app")


def modules() -> list[tuple[str, Path]]:
    """(dotted name, path) of every module of the two packages."""
    out = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            out.append((".".join(parts[:-1] if parts[-1] == "__init__" else parts), path))
    return out


MODULES = modules()
IDS = [name for name, _ in MODULES]


def rank(dotted: str) -> int | None:
    """The room of a dotted module name (longest matching prefix), None outside nnviz."""
    for prefix in sorted({**RANK, **PACKAGE_FACADE}, key=len, reverse=True):
        if dotted == prefix or dotted.startswith(prefix + "."):
            return {**RANK, **PACKAGE_FACADE}[prefix]
    return None


def module_level_lines(path: Path) -> set[int]:
    """Lines of the imports at module level (not inside a function)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    return {n.lineno for n in ast.walk(tree) if isinstance(n, (ast.Import, ast.ImportFrom))} - {
        i.lineno for f in ast.walk(tree) if isinstance(f, (ast.FunctionDef, ast.AsyncFunctionDef))
        for i in ast.walk(f) if isinstance(i, (ast.Import, ast.ImportFrom))}


def imports(name: str, path: Path) -> list[tuple[int, str, list[str]]]:
    """(line, absolute module imported, names imported from it) for every import in the file."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [(node.lineno, a.name, []) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = package
            for _ in range(node.level - 1):
                base = base.rpartition(".")[0]
            module = (f"{base}.{node.module}" if node.module else base) if node.level else node.module
            names = [a.name for a in node.names]
            out.append((node.lineno, module, names))
            # ``from nnviz.export import html``: the names may be modules themselves
            out += [(node.lineno, f"{module}.{n}", []) for n in names if (ROOT / Path(*f"{module}.{n}".split("."))).with_suffix(".py").is_file()]
    return out


def test_every_module_has_a_room():
    assert len(MODULES) > 40
    homeless = [name for name, _ in MODULES if rank(name) is None or name == "nnviz.vendor"]
    assert not homeless, f"modules outside every room of RANK: {homeless}"


@pytest.mark.parametrize("name, path", MODULES, ids=IDS)
def test_imports_run_one_way(name, path):
    own = RANK.get(name, rank(name)) if name not in PACKAGE_FACADE else PACKAGE_FACADE[name]
    top_level = module_level_lines(path)
    for line, module, _ in imports(name, path):
        theirs = rank(module)
        if (name, module) in DEFERRED_HOOKS:
            assert line not in top_level, f"{path.relative_to(ROOT)}:{line}: {module} only inside the hook"
            continue
        if theirs is not None:
            assert theirs <= own, (f"{path.relative_to(ROOT)}:{line}: {name} (room {own}) imports {module} "
                                   f"(room {theirs}): imports run engine → trace → draw → lessons → export → hosts")


@pytest.mark.parametrize("name, path", [m for m in MODULES if m[0].split(".")[0] == "nnviz"], ids=lambda v: getattr(v, "name", v))
def test_nnviz_never_imports_streamlit_or_the_app(name, path):
    for line, module, _ in imports(name, path):
        top = module.split(".")[0]
        assert top not in ("streamlit", "nnviz_app"), f"{path.relative_to(ROOT)}:{line}: imports {module}"


@pytest.mark.parametrize("name, path", MODULES, ids=IDS)
def test_no_private_name_imported_from_another_module(name, path):
    for line, module, names in imports(name, path):
        if rank(module) is None or module == name:
            continue
        private = [n for n in names if n.startswith("_") and not n.startswith("__")]
        assert not private, f"{path.relative_to(ROOT)}:{line}: imports private {private} from {module}"


def test_no_folder_has_more_than_12_modules():
    folders = {p.parent for _, p in MODULES}
    counts = {str(f.relative_to(ROOT)): len([p for p in f.glob("*.py") if p.name != "__init__.py"]) for f in folders}
    assert counts and not {f: n for f, n in counts.items() if n > MAX_MODULES}, counts


@pytest.mark.parametrize("name, path", MODULES, ids=IDS)
def test_no_module_over_300_lines(name, path):
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, f"{path.relative_to(ROOT)} has {lines} lines (at most {MAX_LINES})"


def test_the_checker_catches_what_it_should(tmp_path):
    """The checks can fail: an upward import, a private name and a relative import are seen."""
    assert rank("nnviz.engine.network") == 0 and rank("nnviz.export.html") == 4 and rank("numpy") is None
    fake = tmp_path / "mod.py"
    fake.write_text("from nnviz.draw.layout import _scene\nfrom . import figures\nimport streamlit\n")
    got = imports("nnviz.engine.mod", fake)
    assert (1, "nnviz.draw.layout", ["_scene"]) in got
    assert any(m == "nnviz.engine" and n == ["figures"] for _, m, n in got)
    assert any(m == "streamlit" for _, m, _ in got)
