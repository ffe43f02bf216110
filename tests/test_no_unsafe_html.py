"""Static checks (``ast``) that keep user text out of raw HTML and unsafe code paths.

* app.py and nnviz_app/*.py: no ``unsafe_allow_html=True`` anywhere, no ``streamlit.components``
  but the player's one component v2 in ``nnviz_app/player_host.py``, whose HTML is a literal
  and whose JS is a file of ``nnviz/player`` (what a page shows travels as JSON data);
  every ``.html(...)`` call (``st.html``, ``st.sidebar.html`` ...) gets an argument built only
  from string literals (``+`` and ``a if c else b`` allowed) and calls of the allowlisted
  functions: ``nnviz.trace.codeview.code_html`` (a template that escapes what it inserts) and
  ``nnviz_app.panels.page_css`` (our CSS files).  HTML and CSS live in files, so no module-level
  string constant is accepted.
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

# Functions that build our own HTML from package files, escaping everything they insert:
# name -> defining module.  Each is checked below (test_allowlisted_functions_insert_no_caller_markup).
HTML_FUNCTIONS = {"code_html": "nnviz.trace.codeview", "page_css": "nnviz_app.panels"}
# The one module that may mount a custom component (st.components.v2): the player's host.
COMPONENT_MODULES = {"nnviz_app/player_host.py"}
UNSAFE_MODULES = {"pickle", "cPickle", "_pickle", "marshal", "shelve", "dill", "joblib", "cloudpickle"}
UNSAFE_CALLS = {"eval", "exec", "compile", "__import__"}  # as plain names (builtins)
UNSAFE_METHODS = {"eval", "exec", "read_pickle"}  # as attributes: builtins.eval, pd.eval, df.eval ...


def _tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def _rel(path: Path) -> str:
    return str(path.relative_to(ROOT))


def _imported_functions(tree: ast.Module) -> dict[str, str]:
    """Local name -> module for every ``from X import name`` in the file."""
    out = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            for alias in node.names:
                out[alias.asname or alias.name] = "." * node.level + node.module
    return out


def _safe_html_arg(node, imports: dict[str, str]) -> bool:
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return _safe_html_arg(node.left, imports) and _safe_html_arg(node.right, imports)
    if isinstance(node, ast.IfExp):
        return _safe_html_arg(node.body, imports) and _safe_html_arg(node.orelse, imports)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
        name = node.func.id
        module = HTML_FUNCTIONS.get(name, "")
        return bool(module) and imports.get(name) in (module, "." + module.rsplit(".", 1)[-1])
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
            if _rel(path) not in COMPONENT_MODULES:
                pytest.fail(f"{_rel(path)}:{node.lineno}: st.components renders raw HTML/JS")


def _component_calls(tree: ast.Module) -> list[ast.Call]:
    return [n for n in ast.walk(tree) if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute)
            and n.func.attr == "component" and "components" in ast.unparse(n.func)]


@pytest.mark.parametrize("path", sorted(COMPONENT_MODULES))
def test_the_players_component_has_a_literal_html_and_its_js_from_a_file(path):
    calls = _component_calls(_tree(ROOT / path))
    assert len(calls) == 1, f"{path}: one component registration, found {len(calls)}"
    kw = {k.arg: k.value for k in calls[0].keywords}
    assert isinstance(kw["html"], ast.Constant) and isinstance(kw["html"].value, str)
    js = kw["js"]
    assert isinstance(js, ast.Call) and ast.unparse(js.func) == "player.text" and \
        isinstance(js.args[0], ast.Constant), f"{path}: js must be player.text('<file>')"
    assert set(kw) <= {"html", "js", "css", "isolate_styles"}


@pytest.mark.parametrize("path", UI_FILES, ids=_rel)
def test_html_calls_use_only_allowlisted_sources(path):
    tree = _tree(path)
    imports = _imported_functions(tree)
    for call in _html_calls(tree):
        args = list(call.args) + [k.value for k in call.keywords if k.arg in (None, "body")]
        assert len(args) == 1, f"{_rel(path)}:{call.lineno}: .html() takes exactly one argument here"
        assert _safe_html_arg(args[0], imports), (
            f"{_rel(path)}:{call.lineno}: .html({ast.unparse(args[0])}) is not built only from "
            f"string literals and calls of {sorted(HTML_FUNCTIONS)}")


def test_the_html_checks_see_the_real_calls():
    """Guard against a vacuous pass: the app's known st.html calls are found and accepted."""
    found = {_rel(p): len(_html_calls(_tree(p))) for p in UI_FILES}
    assert sum(found.values()) >= 2, found


def test_checker_rejects_user_text():
    """The allowlist is strict: variables, constants, f-strings, other calls, method results and
    a look-alike function from another module fail."""
    src = '''
import streamlit as st
from nnviz.trace.codeview import code_html
from elsewhere import page_css
BASE_CSS = "<style></style>"
def f(user, ss):
    st.html(user)
    st.html(f"<b>{user}</b>")
    st.html(BASE_CSS)
    st.html(ss.notice)
    st.html(str(user))
    st.html(code_html(user) + user)
    st.sidebar.html(user if user else "<br>")
    st.html(page_css(True))
'''
    tree = ast.parse(src)
    imports = _imported_functions(tree)
    calls = _html_calls(tree)
    assert len(calls) == 8
    assert not any(_safe_html_arg(c.args[0], imports) for c in calls)
    ok = ast.parse('import streamlit as st\nfrom nnviz.trace.codeview import code_html\n'
                   'from .panels import page_css\n'
                   'st.html("<hr>" + ("" if x else "<br>"))\nst.html(code_html("backprop", (1,)))\n'
                   'st.html(page_css(projector))\n')
    assert all(_safe_html_arg(c.args[0], _imported_functions(ok)) for c in _html_calls(ok))


def test_allowlisted_functions_insert_no_caller_markup():
    """What the allowlisted functions return: page_css only our CSS files; code_html escapes
    the one text it inserts (the note) and accepts only a known seed function and an int size
    (more in tests/test_codeview.py)."""
    from nnviz.trace.codeview import code_html
    from nnviz_app.panels import STYLESHEETS, page_css

    for projector, names in STYLESHEETS.items():
        css = [(ROOT / "nnviz_app" / n).read_text(encoding="utf-8") for n in names]
        assert page_css(projector) == "<style>\n" + "\n".join(css) + "</style>"
        assert all("<" not in c for c in css), "a stylesheet must not close its <style> element"
    html = code_html("backprop", (1,), note="</div><script>alert(1)</script>")
    assert "<script>" not in html and "&lt;script&gt;" in html
    for bad in ({"source": "../etc/passwd"}, {"font_px": "1px;} body{display:none"}):
        with pytest.raises((KeyError, ValueError)):
            code_html(**{"source": "backprop", "lines": (1,), **bad})


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
