"""Static checks (``ast``) that keep user text out of raw HTML and unsafe code paths.

* app.py and nnviz_app/*.py: no ``unsafe_allow_html=True`` anywhere, no ``streamlit.components``;
  every ``.html(...)`` call (``st.html``, ``st.sidebar.html`` ...) gets an argument built only
  from allowlisted module-level string constants of the same file (``+`` and ``a if c else b``
  allowed) or from a call to an allowlisted function of ``nnviz.trace.codeview`` (which escapes).
* nnviz/ never imports streamlit (it is the pure-Python layer).
* Nothing in nnviz/, nnviz_app/ or app.py imports pickle (or marshal / shelve / dill / joblib),
  reads pickles (``read_pickle``, ``allow_pickle=True``), or calls eval / exec / compile.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
UI_FILES = [ROOT / "app.py", *sorted((ROOT / "nnviz_app").glob("*.py"))]
NNVIZ_FILES = sorted((ROOT / "nnviz").rglob("*.py"))

# Module-level constants that may be passed to st.html (each must be a plain string literal).
HTML_CONSTANTS = {"BASE_CSS", "PROJECTOR_CSS", "HIDE_CLICKER_CSS"}
# Functions that build our own HTML, escaping everything they insert: name -> defining module.
HTML_FUNCTIONS = {"code_html": "nnviz.trace.codeview"}
UNSAFE_MODULES = {"pickle", "cPickle", "_pickle", "marshal", "shelve", "dill", "joblib", "cloudpickle"}
UNSAFE_CALLS = {"eval", "exec", "compile", "__import__"}  # as plain names (builtins)
UNSAFE_METHODS = {"eval", "exec", "read_pickle"}  # as attributes: builtins.eval, pd.eval, df.eval ...


def _tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def _rel(path: Path) -> str:
    return str(path.relative_to(ROOT))


def _string_constants(tree: ast.Module) -> set[str]:
    """Names assigned once at module level to a string literal (or a sum of string literals)."""
    def literal(node) -> bool:
        if isinstance(node, ast.Constant):
            return isinstance(node.value, str)
        return isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add) and literal(node.left) and literal(node.right)

    assigned: dict[str, list[bool]] = {}
    for node in ast.walk(tree):
        targets = []
        if isinstance(node, ast.Assign):
            targets = [(t, node.value) for t in node.targets]
        elif isinstance(node, (ast.AnnAssign, ast.AugAssign)):
            targets = [(node.target, node.value)]
        for target, value in targets:
            for name in ast.walk(target):
                if isinstance(name, ast.Name):
                    ok = node in tree.body and value is not None and literal(value) and not isinstance(node, ast.AugAssign)
                    assigned.setdefault(name.id, []).append(ok)
        if isinstance(node, (ast.Global, ast.Nonlocal)):
            for n in node.names:
                assigned.setdefault(n, []).append(False)
    return {name for name, oks in assigned.items() if oks == [True]}


def _imported_functions(tree: ast.Module) -> dict[str, str]:
    """Local name -> module for every ``from X import name`` in the file."""
    out = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            for alias in node.names:
                out[alias.asname or alias.name] = node.module
    return out


def _safe_html_arg(node, constants: set[str], imports: dict[str, str]) -> bool:
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str)
    if isinstance(node, ast.Name):
        return node.id in HTML_CONSTANTS and node.id in constants
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return _safe_html_arg(node.left, constants, imports) and _safe_html_arg(node.right, constants, imports)
    if isinstance(node, ast.IfExp):
        return _safe_html_arg(node.body, constants, imports) and _safe_html_arg(node.orelse, constants, imports)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
        name = node.func.id
        return name in HTML_FUNCTIONS and imports.get(name) in (HTML_FUNCTIONS[name], ".codeview")
    return False


def _html_calls(tree: ast.Module) -> list[ast.Call]:
    """Every ``<anything>.html(...)`` call, plus ``html(...)`` when imported from streamlit."""
    from_streamlit = {a.asname or a.name for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)
                      and (n.module or "").split(".")[0] == "streamlit" for a in n.names}
    calls = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            f = node.func
            if (isinstance(f, ast.Attribute) and f.attr == "html") or (
                    isinstance(f, ast.Name) and f.id == "html" and "html" in from_streamlit):
                calls.append(node)
    return calls


@pytest.mark.parametrize("path", UI_FILES, ids=_rel)
def test_no_unsafe_allow_html(path):
    tree = _tree(path)
    for node in ast.walk(tree):
        if isinstance(node, ast.keyword) and node.arg == "unsafe_allow_html":
            assert isinstance(node.value, ast.Constant) and node.value.value is False, (
                f"{_rel(path)}:{node.value.lineno}: unsafe_allow_html must not be enabled")
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
            names += [f"{node.module}.{a.name}" for a in node.names] if isinstance(node, ast.ImportFrom) else []
            assert not any("streamlit.components" in n for n in names), (
                f"{_rel(path)}:{node.lineno}: streamlit.components renders raw HTML/JS")
        if isinstance(node, ast.Attribute) and node.attr == "components":
            pytest.fail(f"{_rel(path)}:{node.lineno}: st.components renders raw HTML/JS")


@pytest.mark.parametrize("path", UI_FILES, ids=_rel)
def test_html_calls_use_only_allowlisted_sources(path):
    tree = _tree(path)
    constants, imports = _string_constants(tree), _imported_functions(tree)
    for call in _html_calls(tree):
        args = list(call.args) + [k.value for k in call.keywords if k.arg in (None, "body")]
        assert len(args) == 1, f"{_rel(path)}:{call.lineno}: .html() takes exactly one argument here"
        assert _safe_html_arg(args[0], constants, imports), (
            f"{_rel(path)}:{call.lineno}: .html({ast.unparse(args[0])}) is not built only from "
            f"{sorted(HTML_CONSTANTS)} (module-level string literals) or {sorted(HTML_FUNCTIONS)}")


def test_the_html_checks_see_the_real_calls():
    """Guard against a vacuous pass: the app's known st.html calls are found and accepted."""
    found = {_rel(p): len(_html_calls(_tree(p))) for p in UI_FILES}
    assert sum(found.values()) >= 2, found


def test_checker_rejects_user_text():
    """The allowlist is strict: variables, f-strings, other calls and method results fail."""
    src = '''
import streamlit as st
from nnviz.trace.codeview import code_html
BASE_CSS = "<style></style>"
def f(user, ss):
    st.html(user)
    st.html(f"<b>{user}</b>")
    st.html(BASE_CSS + user)
    st.html(ss.notice)
    st.html(str(user))
    st.html(code_html(user) + user)
    st.sidebar.html(user if user else BASE_CSS)
'''
    tree = ast.parse(src)
    constants, imports = _string_constants(tree), _imported_functions(tree)
    calls = _html_calls(tree)
    assert len(calls) == 7
    assert not any(_safe_html_arg(c.args[0], constants, imports) for c in calls)
    ok = ast.parse('import streamlit as st\nfrom nnviz.trace.codeview import code_html\nBASE_CSS = "<style/>"\n'
                   'st.html(BASE_CSS + ("" if x else BASE_CSS))\nst.html(code_html("backprop", (1,)))\n')
    assert all(_safe_html_arg(c.args[0], _string_constants(ok), _imported_functions(ok)) for c in _html_calls(ok))
    # A constant reassigned from user input is no longer a constant.
    bad = ast.parse('import streamlit as st\nBASE_CSS = "<style/>"\nBASE_CSS = input()\nst.html(BASE_CSS)\n')
    assert not _safe_html_arg(_html_calls(bad)[0].args[0], _string_constants(bad), {})


@pytest.mark.parametrize("path", NNVIZ_FILES, ids=_rel)
def test_nnviz_never_imports_streamlit(path):
    for node in ast.walk(_tree(path)):
        if isinstance(node, ast.Import):
            mods = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            mods = [node.module or ""]
        else:
            continue
        assert not any(m.split(".")[0] == "streamlit" for m in mods), (
            f"{_rel(path)}:{node.lineno}: nnviz/ is pure Python and must not import streamlit")


@pytest.mark.parametrize("path", UI_FILES + NNVIZ_FILES, ids=_rel)
def test_no_pickle_eval_exec(path):
    for node in ast.walk(_tree(path)):
        where = f"{_rel(path)}:{getattr(node, 'lineno', '?')}"
        if isinstance(node, ast.Import):
            for a in node.names:
                assert a.name.split(".")[0] not in UNSAFE_MODULES, f"{where}: imports {a.name}"
        elif isinstance(node, ast.ImportFrom):
            assert (node.module or "").split(".")[0] not in UNSAFE_MODULES, f"{where}: imports {node.module}"
            assert not any(a.name in UNSAFE_CALLS | UNSAFE_METHODS for a in node.names), (
                f"{where}: imports an unsafe function")
        elif isinstance(node, ast.Call):
            f = node.func
            assert not (isinstance(f, ast.Name) and f.id in UNSAFE_CALLS), f"{where}: calls {f.id}()"
            assert not (isinstance(f, ast.Attribute) and f.attr in UNSAFE_METHODS), f"{where}: calls .{f.attr}()"
            for k in node.keywords:
                if k.arg == "allow_pickle":
                    assert isinstance(k.value, ast.Constant) and k.value.value is False, (
                        f"{where}: allow_pickle must stay False")
