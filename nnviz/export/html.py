"""The offline HTML walk-through of one backprop call: ``walkthrough_html(trace)``.

One self-contained HTML file: every step (graph, formula symbolic and with numbers,
explanation, highlighted seed code), then the update animation.  plotly.js and KaTeX
(vendored in ``nnviz/vendor/katex``, fonts as data: URIs) are inlined and a
Content-Security-Policy forbids every request, so the page works offline and nothing
leaves it.  Formulas are typeset in the page by KaTeX.
"""
from __future__ import annotations

import base64
import functools
import html
import re
from pathlib import Path

import numpy as np

from nnviz.trace.codeview import code_html
from nnviz.export.files import ExportError
from nnviz.draw.figures import step_figure, update_animation_figure
from nnviz.trace.numfmt import fmt
from nnviz.trace.record import Trace

VENDOR = Path(__file__).resolve().parent.parent / "vendor" / "katex"
DEFAULT_TITLE = "nnviz — one backprop call, step by step"


_SCRIPT_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028",
                   "\u2029": "\\u2029"}


def _script_json(text: str) -> str:
    """JSON text made safe inside <script>: no '<', '>' or '&' (escaped as \\uXXXX)."""
    return re.sub("[<>&\u2028\u2029]", lambda m: _SCRIPT_ESCAPES[m.group()], text)


def _inline_script(code: str, what: str) -> str:
    if re.search(r"</script|<!--", code, re.IGNORECASE):
        raise ExportError(f"{what} cannot be inlined safely (it contains '</script' or '<!--').")
    return f"<script>{code}</script>"


@functools.cache
def katex_assets() -> tuple[str, str]:
    """(KaTeX's CSS with every font as a data: URI, KaTeX's JS) from nnviz/vendor/katex.

    Read once and cached (functools.cache: two first exports at once may both read the
    files, but neither sees a half-filled cache)."""
    css = (VENDOR / "katex.min.css").read_text(encoding="utf-8")

    def font(m: re.Match) -> str:
        data = base64.b64encode((VENDOR / "fonts" / f"{m.group(1)}.woff2").read_bytes())
        return f'src:url(data:font/woff2;base64,{data.decode()}) format("woff2")'

    css = re.sub(r'src:url\(fonts/([\w-]+)\.woff2\) format\("woff2"\)[^;}]*', font, css)
    if re.search(r"url\((?!data:)", css):
        raise ExportError("KaTeX's CSS still refers to a file after inlining its fonts.")
    return css, (VENDOR / "katex.min.js").read_text(encoding="utf-8")


def _plotly_js() -> str:
    from plotly.offline import get_plotlyjs
    return get_plotlyjs()


PHASE_NAMES = {"forward": "Forward", "backward": "Backward", "update": "Update"}

PAGE_CSS = """
:root{--ink:#111;--muted:#555;--line:#ddd;--fwd:#1c5fa8;--bwd:#b35806;--upd:#1b7837;--fs:17px}
body.projector{--fs:24px}
*{box-sizing:border-box}
html,body{margin:0;background:#fff;color:var(--ink);font:var(--fs)/1.45 Arial,'Liberation Sans',Helvetica,sans-serif}
header{position:sticky;top:0;z-index:5;background:#fff;border-bottom:1px solid var(--line);
 display:flex;flex-wrap:wrap;align-items:center;gap:.3em 1em;padding:.45em 1em}
header h1{font-size:1.05em;margin:0;flex:1 1 20em}
header .meta{color:var(--muted);font-size:.85em;flex:1 1 20em}
nav{display:flex;align-items:center;gap:.35em}
nav button{font:inherit;font-size:.9em;padding:.3em .8em;border:1px solid #999;border-radius:6px;
 background:#f6f6f6;cursor:pointer;color:var(--ink)}
nav button.primary{background:var(--fwd);border-color:var(--fwd);color:#fff}
nav button:disabled{opacity:.4;cursor:default}
#counter{min-width:9.5em;text-align:center;font-weight:700}
.slide{padding:.6em 1em 1.2em}
.slide[hidden]{display:none}
.slide h2{font-size:1.15em;margin:.1em 0 .5em}
.badge{display:inline-block;border-radius:4px;padding:0 .45em;margin-right:.4em;color:#fff;font-size:.85em}
.badge.forward{background:var(--fwd)}.badge.backward{background:var(--bwd)}.badge.update{background:var(--upd)}
.cols{display:flex;gap:1.2em;align-items:flex-start}
.fig{flex:0 0 auto;min-height:300px;max-width:100%;overflow-x:auto}
.side{flex:1 1 0;min-width:0}
@media (max-width:1100px){body.light .cols{flex-direction:column}.side{width:100%}}
@media (max-width:940px){body.projector .cols{flex-direction:column}}
body.projector .slide .nnviz-code .ln{display:none}
.slide .nnviz-code div{white-space:pre-wrap;overflow-wrap:anywhere;padding-left:calc(8px + 3ch);text-indent:-3ch}
.tex .katex-display>.katex{white-space:normal}
body.projector .slide h2{font-size:1.05em}
body.projector header{padding:.2em .6em}body.projector header h1{font-size:.75em;flex:0 1 auto}
body.projector header .meta{display:none}body.projector nav button{font-size:.7em}
body.projector .slide{padding:.3em .6em}body.projector .cols{gap:.8em}
body.projector .tex .katex{font-size:1.3em}
.tex{overflow-x:auto;overflow-y:hidden;padding:2px 0;margin:.2em 0 .5em}
.tex .katex{font-size:1.12em}
.tex.numbers{border-left:4px solid var(--line);padding-left:.5em}
.expl{margin:.4em 0 .7em}
.hint{color:var(--muted);font-size:.8em;padding:.3em 1em}
table.upd{border-collapse:collapse;font-size:.9em;margin-top:.8em}
table.upd th,table.upd td{border-bottom:1px solid var(--line);padding:.15em .8em;text-align:right}
table.upd th:first-child,table.upd td:first-child{text-align:left}
@media print{header nav,.hint{display:none}.slide,.slide[hidden]{display:block;break-after:page}}
"""

PAGE_JS = r"""
(function () {
  "use strict";
  var slides = Array.prototype.slice.call(document.querySelectorAll(".slide"));
  var figs = JSON.parse(document.getElementById("nnviz-figures").textContent);
  var counter = document.getElementById("counter");
  var buttons = {first: document.getElementById("first"), prev: document.getElementById("prev"),
                 next: document.getElementById("next"), last: document.getElementById("last")};
  var cur = -1;
  document.querySelectorAll("[data-tex]").forEach(function (el) {
    try {
      katex.render(el.getAttribute("data-tex"), el,
                   {displayMode: true, throwOnError: false, trust: false, strict: "ignore"});
    } catch (e) { el.textContent = el.getAttribute("data-tex"); }
  });
  function plot(slide) {
    var box = slide.querySelector(".fig");
    if (!box || box.getAttribute("data-plotted")) return;
    box.setAttribute("data-plotted", "1");
    var f = figs[+box.getAttribute("data-fig")];
    Plotly.newPlot(box, {data: f.data, layout: f.layout, frames: f.frames || [],
                         config: {displayModeBar: false, responsive: true}});
  }
  function show(i) {
    i = Math.max(0, Math.min(slides.length - 1, i));
    if (i === cur) return;
    slides.forEach(function (s, k) { s.hidden = k !== i; });
    cur = i;
    plot(slides[i]);
    counter.textContent = slides[i].getAttribute("data-label");
    document.body.setAttribute("data-slide", String(i + 1));
    buttons.first.disabled = buttons.prev.disabled = i === 0;
    buttons.next.disabled = buttons.last.disabled = i === slides.length - 1;
    try { history.replaceState(null, "", "#" + (i + 1)); } catch (e) { /* file: URLs */ }
  }
  buttons.first.onclick = function () { show(0); };
  buttons.prev.onclick = function () { show(cur - 1); };
  buttons.next.onclick = function () { show(cur + 1); };
  buttons.last.onclick = function () { show(slides.length - 1); };
  document.addEventListener("keydown", function (e) {
    if (e.altKey || e.ctrlKey || e.metaKey) return;
    var k = e.key, to = null;
    if (k === "ArrowRight" || k === "PageDown" || k === " ") to = cur + 1;
    else if (k === "ArrowLeft" || k === "PageUp") to = cur - 1;
    else if (k === "Home") to = 0;
    else if (k === "End") to = slides.length - 1;
    if (to === null) return;
    e.preventDefault();
    show(to);
  });
  window.addEventListener("beforeprint", function () { slides.forEach(plot); });
  function fromHash() {
    var n = parseInt((location.hash || "").slice(1), 10);
    return isNaN(n) ? 0 : n - 1;
  }
  window.addEventListener("hashchange", function () { show(fromHash()); });
  show(fromHash());
})();
"""


def _csp() -> str:
    # Nothing may be fetched: scripts/styles are inline, fonts and images data: URIs.
    return ("default-src 'none'; script-src 'unsafe-inline' 'unsafe-eval'; "
            "style-src 'unsafe-inline'; font-src data:; img-src data: blob:; "
            "connect-src 'none'; form-action 'none'; base-uri 'none'")


def _update_table(trace: Trace) -> str:
    """Every weight and bias before the update, its gradient and after (escaped HTML)."""
    rows = []
    for s in (s for s in trace.steps if s.phase == "update"):
        p = "w" if s.kind == "update_w" else "b"
        old, grad = s.reads[f"{p}^{s.layer}"], s.reads[f"sum_nabla_{p}^{s.layer}"]
        for idx in np.ndindex(old.shape):
            name = f"{p}<sup>{s.layer}</sup><sub>{idx[0] + 1}{idx[1] + 1 if p == 'w' else ''}</sub>"
            cells = "".join(f"<td>{html.escape(fmt(v[idx], 6))}</td>" for v in (old, grad, s.value))
            rows.append(f"<tr><td>{name}</td>{cells}</tr>")
    return ('<table class="upd"><thead><tr><th>parameter</th><th>before</th>'
            '<th>gradient Σ∂C/∂·</th><th>after</th></tr></thead><tbody>'
            + "".join(rows) + "</tbody></table>")


def _describe(trace: Trace) -> str:
    col = lambda a: "(" + ", ".join(fmt(v) for v in np.ravel(a)) + ")"  # noqa: E731
    return (f"network {'-'.join(map(str, trace.sizes))} · {trace.activation} · {trace.cost} cost · "
            f"η = {fmt(trace.eta)} · x = {col(trace.x)} · y = {col(trace.y)}")


def walkthrough_html(trace: Trace, title: str = DEFAULT_TITLE, theme: str = "light") -> str:
    """The whole backprop call as one self-contained, offline HTML page (see module doc).

    One slide per step, then the update animation (with the table of every parameter
    before and after).  Step with ←/→, Page Up/Page Down (a presenter's clicker), Space,
    Home/End or the buttons.  Every text from outside enters through ``html.escape`` or
    escaped JSON; formulas are typeset in the page by the inlined KaTeX.
    """
    css, katex_js = katex_assets()
    n, fig_width = len(trace), 560 if theme == "projector" else 760
    esc = html.escape
    figs, slides = [], []
    for i, s in enumerate(trace.steps):
        figs.append(step_figure(trace, i, theme=theme, width=fig_width))
        phase = PHASE_NAMES.get(s.phase, s.phase)
        _, _, rest = s.title.partition(" · ")
        code = code_html(s.code.source, s.code.lines, s.code.note, 20 if theme == "projector" else 14)
        slides.append(
            f'<section class="slide" id="step-{i + 1}" data-label="{esc(f"Step {i + 1} of {n}")}" '
            f'data-phase="{esc(s.phase)}" hidden>'
            f'<h2><span class="badge {esc(s.phase)}">{esc(phase)}</span>'
            f'Step {i + 1} of {n} · {esc(rest or s.title)}</h2>'
            f'<div class="cols"><div class="fig" data-fig="{i}" role="img" '
            f'aria-label="{esc(s.title)}"></div><div class="side">'
            f'<div class="tex" data-tex="{esc(s.latex())}"></div>'
            f'<div class="tex numbers" data-tex="{esc(s.latex_numbers())}"></div>'
            f'<p class="expl">{esc(s.explanation)}</p>{code}</div></div></section>')
    figs.append(update_animation_figure(trace, theme=theme, width=fig_width))
    slides.append(
        f'<section class="slide" id="update" data-label="Update animation" data-phase="update" hidden>'
        f'<h2><span class="badge update">Update</span>The update, animated: press ▶ Play</h2>'
        f'<div class="cols"><div class="fig" data-fig="{n}" role="img" '
        f'aria-label="The update of every weight and bias"></div>'
        f'<div class="side"><div class="tex" data-tex="{esc(_UPDATE_TEX)}"></div>'
        f'<p class="expl">{esc(_UPDATE_TEXT)}</p>{_update_table(trace)}</div></div></section>')
    fig_json = _script_json("[" + ",".join(f.to_json() for f in figs) + "]")
    return "".join([
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{esc(_csp())}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        '<meta name="generator" content="nnviz">',
        f"<title>{esc(title)}</title>",
        f"<style>{css}</style><style>{PAGE_CSS}</style>",
        _inline_script(_plotly_js(), "plotly.js"), _inline_script(katex_js, "KaTeX"),
        f'</head><body class="{"projector" if theme == "projector" else "light"}">',
        f'<header><h1>{esc(title)}</h1><div class="meta">{esc(_describe(trace))}</div>',
        '<nav aria-label="Steps"><button id="first" title="First step (Home)">First</button>',
        '<button id="prev" title="Previous (← or Page Up)">◀ Prev</button>',
        '<span id="counter" aria-live="polite"></span>',
        '<button id="next" class="primary" title="Next (→, Page Down or Space)">Next ▶</button>',
        '<button id="last" title="Last (End)">Last</button></nav></header><main>',
        *slides,
        '</main><div class="hint">Keys: → / Page Down / Space next · ← / Page Up previous · '
        'Home / End first / last. Made with nnviz; works offline.</div>',
        f'<script type="application/json" id="nnviz-figures">{fig_json}</script>',
        _inline_script(PAGE_JS, "page script"), "</body></html>\n"])


_UPDATE_TEX = (r"w^{l} \leftarrow w^{l} - \frac{\eta}{m} \sum_x \frac{\partial C_x}{\partial w^{l}},"
               r"\qquad b^{l} \leftarrow b^{l} - \frac{\eta}{m} \sum_x \frac{\partial C_x}{\partial b^{l}}")
_UPDATE_TEXT = ("Gradient descent moves every weight and bias a step of size η/m against its "
                "gradient. The animation slides each parameter from its old value to its new "
                "one; the table lists them all.")
