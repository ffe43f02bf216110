"""The seed's source as HTML, with the lines a step runs highlighted (no user text involved).

Syntax colours by pygments (one balanced line of ``<span class="pg-…">`` per source line),
rows by the Jinja2 template ``codeview.html.j2`` (autoescaped), styles in ``codeview.css``
(all three package data).
"""
from __future__ import annotations

from functools import cache
from pathlib import Path

import jinja2
from markupsafe import Markup
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import PythonLexer

from nnviz.trace.seed_source import SOURCES

HERE = Path(__file__).resolve().parent
PYGMENTS_STYLE = "default"  # its colours stay readable on the panel's grey and the marked lines' yellow


@cache
def _files() -> tuple[jinja2.Template, Markup]:
    """The template and the panel's CSS (codeview.css + the pygments style's token colours)."""
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(HERE), autoescape=True,
                             undefined=jinja2.StrictUndefined)
    tokens = HtmlFormatter(style=PYGMENTS_STYLE, classprefix="pg-").get_token_style_defs(".nnviz-code")
    css = (HERE / "codeview.css").read_text(encoding="utf-8") + "\n".join(tokens)
    return env.get_template("codeview.html.j2"), Markup(css)  # our own files: no user text


@cache
def highlighted_lines(source: str) -> tuple[Markup, ...]:
    """``SOURCES[source]`` as HTML, one element per line (pygments escapes the text)."""
    formatter = HtmlFormatter(style=PYGMENTS_STYLE, classprefix="pg-", nowrap=True)
    text = SOURCES[source]
    html = highlight(text, PythonLexer(stripnl=False), formatter)  # keep blank first/last lines
    lines = tuple(Markup(line) for line in html.splitlines())
    if len(lines) != len(text.splitlines()):
        raise ValueError(f"pygments returned {len(lines)} lines for the {len(text.splitlines())} of {source!r}")
    return lines


def code_html(source: str, lines: tuple[int, ...], note: str = "", font_px: int = 14) -> str:
    """``SOURCES[source]`` in a ``div.nnviz-code``: one ``div`` per line, the ``lines`` (1-based)
    a step runs with class ``hl`` and ``data-hl=1``, the others class ``ln``; ``note`` below."""
    template, css = _files()
    rows = [(n, line, n in lines) for n, line in enumerate(highlighted_lines(source), start=1)]
    return template.render(css=css, source=source, rows=rows, note=note, font_px=int(font_px))
