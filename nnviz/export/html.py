"""The offline HTML walk-through of one backprop call: ``walkthrough_html(trace)``.

The same player as the app (``nnviz/player/player.js``) with the walk-through
(``nnviz.export.walkthrough``) inlined as JSON, in one self-contained page rendered from
the autoescaped Jinja2 template ``nnviz/player/page.html.j2``.  plotly.js and KaTeX
(fonts as data: URIs) are inlined and a Content-Security-Policy forbids every request,
so the page works offline and nothing leaves it.  ``#N`` in the address opens step N.
"""
from __future__ import annotations

import base64
import json
import re
from functools import cache

import jinja2
from markupsafe import Markup

from nnviz import player
from nnviz.export.files import ExportError
from nnviz.export.walkthrough import DEFAULT_TITLE, walkthrough
from nnviz.trace.record import Trace

VENDOR = player.KATEX
CSP = ("default-src 'none'; script-src 'unsafe-inline' 'unsafe-eval'; "
       "style-src 'unsafe-inline'; font-src data:; img-src data: blob:; "
       "connect-src 'none'; form-action 'none'; base-uri 'none'")

# The KaTeX font families nnviz's formulas (nnviz.trace.formulas) can use; the others
# (Caligraphic, Fraktur, SansSerif, Script, Typewriter: \mathcal, \mathfrak, \mathsf,
# \mathscr, \texttt) are left out of the offline page (≈125 KB).  The browser test checks
# that every typeset step uses only these.
KATEX_FAMILIES = ("KaTeX_AMS", "KaTeX_Main", "KaTeX_Math", "KaTeX_Size1", "KaTeX_Size2",
                  "KaTeX_Size3", "KaTeX_Size4")

_SCRIPT_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028",
                   "\u2029": "\\u2029"}


def script_json(text: str) -> str:
    """JSON text made safe inside <script>: no '<', '>' or '&' (escaped as \\uXXXX)."""
    return re.sub("[<>&\u2028\u2029]", lambda m: _SCRIPT_ESCAPES[m.group()], text)


def _raw(code: str, what: str, tag: str) -> Markup:
    """Code to inline in a <script> or <style>, refused if it could close its element early."""
    if re.search(rf"</{tag}|<!--", code, re.IGNORECASE):
        raise ExportError(f"{what} cannot be inlined safely (it contains '</{tag}' or '<!--').")
    return Markup(code)


def compact(code: str) -> str:
    """Our own JS or CSS without indentation, blank lines and comments that start a line
    (``//`` lines, and ``/* … */`` blocks over one or more lines): the page's weight; the
    files themselves stay readable."""
    kept, in_block = [], False
    for line in (line.strip() for line in code.splitlines()):
        if in_block or line.startswith("/*"):
            # a block comment that starts a line is dropped up to its closing */ (the line's rest kept)
            end = line.find("*/", 0 if in_block else 2)
            in_block = end < 0
            line = "" if in_block else line[end + 2:].strip()
        if line and not line.startswith("//"):
            kept.append(line)
    return "\n".join(kept)


@cache
def katex_assets() -> tuple[str, str]:
    """(KaTeX's CSS with the fonts of ``KATEX_FAMILIES`` as data: URIs, KaTeX's JS) from
    nnviz/vendor/katex.

    Read once and cached (functools.cache: two first exports at once may both read the
    files, but neither sees a half-filled cache)."""
    css = (VENDOR / "katex.min.css").read_text(encoding="utf-8")
    css = re.sub(r'@font-face\{[^}]*font-family:"?(\w+)[^}]*\}',
                 lambda m: m.group() if m.group(1) in KATEX_FAMILIES else "", css)

    def font(m: re.Match) -> str:
        data = base64.b64encode((VENDOR / "fonts" / f"{m.group(1)}.woff2").read_bytes())
        return f'src:url(data:font/woff2;base64,{data.decode()}) format("woff2")'

    css = re.sub(r'src:url\(fonts/([\w-]+)\.woff2\) format\("woff2"\)[^;}]*', font, css)
    if re.search(r"url\((?!data:)", css):
        raise ExportError("KaTeX's CSS still refers to a file after inlining its fonts.")
    return css, (VENDOR / "katex.min.js").read_text(encoding="utf-8")


@cache
def _template() -> jinja2.Template:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(player.HERE), autoescape=True,
                             undefined=jinja2.StrictUndefined)
    return env.get_template("page.html.j2")


@cache
def _plotly_js() -> str:
    return player.plotly_js_path().read_text(encoding="utf-8")


def walkthrough_html(trace: Trace, title: str = DEFAULT_TITLE, theme: str = "light") -> str:
    """The whole backprop call as one self-contained, offline HTML page (see module doc).

    Every step, then the update animation (with the table of every parameter before and
    after).  Step with ←/→, Page Up/Page Down (a presenter's clicker), Space, Home/End,
    the buttons, the scrubber or a swipe.  Text from outside is escaped by the template
    or inside the JSON; formulas are typeset in the page by the inlined KaTeX.
    """
    css, katex_js = katex_assets()
    data = walkthrough(trace, theme=theme, title=title, phone=False)  # the file stays under 6 MB
    return _template().render(
        csp=CSP, title=title, meta=data["meta"],
        body_class="projector" if theme == "projector" else "light",
        katex_css=_raw(css, "KaTeX's CSS", "style"),
        player_css=_raw(compact(player.text("player.css")), "the player's CSS", "style"),
        plotly_js=_raw(_plotly_js(), "plotly.js", "script"),
        katex_js=_raw(katex_js, "KaTeX", "script"),
        data_json=Markup(script_json(json.dumps(data, ensure_ascii=False, separators=(",", ":")))),
        player_js=_raw(compact(player.text("player.js")), "the player", "script"),
        boot_js=_raw(compact(player.text("offline.js")), "the player's boot script", "script"))
