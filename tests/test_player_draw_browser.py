"""Real browser: what the player draws is each step's whole figure, not a stale part of the
step before (the walk-through stores figures as patches, the player shares what did not
change with the step before and plotly.js redraws in place), and an edge's hover text
shows over it although the hover points are drawn as nothing.

Both ways a step reaches the page are checked: keys pressed at once (the chart shown is
redrawn) and keys after a pause (the player has drawn the neighbouring steps ahead into
hidden charts and typeset the next step's formulas into hidden layers, and shows those:
the chart element shown changes at every key), with the formulas shown (exactly one layer
each, the others hidden) being the step's own.

Checked in the SVG plotly drew (not in plotly's data): at every position of the seed's
walk-through, forward and back, the texts of the "labels" trace and of the node traces
are those of ``step_figure`` for that step, and the fill of each coloured node is
``palette.scale_color`` of the trace's value; the code panel (only its changed lines are
replaced) holds the step's whole panel text with the step's lines marked.
"""
from __future__ import annotations

import re

import pytest

from nnviz.draw import palette as pal
from nnviz.draw.figures import step_figure
from nnviz.draw.layout import SCREENS
from nnviz.draw.state import graph_state
from nnviz.engine.presets import PRESETS
from nnviz.export.html import walkthrough_html
from nnviz.export.walkthrough import walkthrough
from nnviz.trace.numfmt import fmt
from nnviz.trace.record import trace_backprop
from player_support import wait_step

pytestmark = pytest.mark.browser

CFG = PRESETS["seed"].config
TRACE = trace_backprop(CFG.network(), CFG.x_array, CFG.y_array, CFG.eta)
N = len(TRACE)
_, W, H = SCREENS["desktop"]
WT = walkthrough(TRACE, phone=False)
CODE_JS = """() => { const c = document.querySelector('.nnviz-player .nnp-code');
  return {text: c.textContent, hl: [...c.querySelectorAll('.hl .no')].map(e => Number(e.textContent))}; }"""

DRAWN_JS = """() => {
  const gd = document.querySelector('.nnviz-player .nnp-fig');
  const out = {};  // trace name -> [{texts, fills}] of each drawn trace group (d3 binds its trace)
  for (const g of gd.querySelectorAll('.scatterlayer > g.trace')) {
    const t = g.__data__[0].trace;
    out[t.name] = (out[t.name] || []).concat([{
      texts: [...g.querySelectorAll('g.text text')].map(e => e.textContent),
      fills: [...g.querySelectorAll('path.point')].map(e => e.style.fill)}]);
  }
  return out;
}"""


def _plain(html: str) -> str:
    """What an SVG <text> holds for plotly text: the lines' texts run together, no tags."""
    return re.sub(r"<[^>]+>", "", html.replace("<br>", ""))


def _want(i: int) -> dict:
    fig = step_figure(TRACE, i, width=W, height=H)
    return {t.name: sorted(_plain(x) for x in t.text) for t in fig.data
            if t.name in ("labels", "nodes", "nodes (other)", "nodes (not computed)") and t.text is not None}


def _rgb(css: str) -> tuple:
    return tuple(round(float(c)) for c in re.findall(r"[\d.]+", css)[:3])


@pytest.fixture
def page_at_file(browser, tmp_path):
    path = tmp_path / "walkthrough.html"
    path.write_text(walkthrough_html(TRACE), encoding="utf-8")
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.goto(path.as_uri())
    yield page
    context.close()


SHOWN_JS = """() => { const box = document.querySelector('.nnviz-player .nnp-figbox');
  const shown = box.querySelectorAll(':scope > .nnp-fig'), spares = box.querySelectorAll(':scope > .nnp-spare');
  box.querySelectorAll(':scope > div').forEach((e, n) => { if (!e.dataset.n) e.dataset.n = String(n); });
  const at = box.getBoundingClientRect(), hit = document.elementFromPoint(at.x + at.width / 2, at.y + at.height / 2);
  return {shown: shown.length, id: shown[0].dataset.n, spares: spares.length,
          hidden: [...spares].every(e => e.getAttribute('aria-hidden') === 'true' && getComputedStyle(e).opacity === '0'),
          on_top: !!hit && shown[0].contains(hit)}; }"""
TEX_JS = """() => { const r = document.querySelector('.nnviz-player');
  const ann = e => { const a = e.querySelector('annotation'); return a ? a.textContent : null; };
  const sym = r.querySelectorAll('.nnp-sym'), num = r.querySelectorAll('.nnp-num');
  const ahead = [...r.querySelectorAll('.nnp-texbox > .nnp-ahead')], table = r.querySelector('.nnp-table');
  return {layers: [sym.length, num.length, ahead.length], sym: ann(sym[0]), num: num[0].hidden ? null : ann(num[0]),
          table: table.classList.contains('nnp-ahead') || table.getAttribute('aria-hidden') === 'true' ? null
                 : table.querySelectorAll('tbody tr').length,
          hidden: ahead.every(e => e.getAttribute('aria-hidden') === 'true' && getComputedStyle(e).opacity === '0'
                                   && !e.classList.contains('nnp-sym') && !e.classList.contains('nnp-num'))}; }"""


@pytest.mark.parametrize("pause_ms", [0, 400], ids=["at-once", "after-a-pause"])
def test_every_position_draws_its_own_figure_both_ways(page_at_file, pause_ms):
    page = page_at_file
    order = list(range(N)) + list(range(N - 2, -1, -1))  # → to the last step, then ← back
    shown = None
    for n, i in enumerate(order):
        if n:
            page.wait_for_timeout(pause_ms)
            page.keyboard.press("ArrowRight" if i > order[n - 1] else "ArrowLeft")
        wait_step(page, i)
        now = page.evaluate(SHOWN_JS)
        assert now["shown"] == 1 and now["spares"] == 2 and now["hidden"] and now["on_top"], (i, now)
        if pause_ms and n:  # drawn ahead: another chart element is shown, holding this step's figure
            assert now["id"] != shown["id"], i
        shown = now
        tex = page.evaluate(TEX_JS)
        want = ((WT["steps"][i]["tex"]["matrix"], WT["steps"][i]["numbers"]["matrix"], None) if i < N
                else (WT["update"]["tex"], None, len(WT["update"]["rows"])))  # the update: its table shown
        assert tex["layers"] == [1, 1, 2] and tex["hidden"] and (tex["sym"], tex["num"], tex["table"]) == want, (i, tex)
        drawn = page.evaluate(DRAWN_JS)
        for name, texts in _want(i).items():
            got = drawn.get(name, [{"texts": []}])
            assert len(got) == 1 and sorted(got[0]["texts"]) == texts, (i, name)
        if i < N:  # the code panel: its whole text (only changed lines are replaced) and marked lines
            code = page.evaluate(CODE_JS)
            tmpl = page.evaluate("(h) => { const t = document.createElement('template'); t.innerHTML = h;"
                                 " return t.content.textContent; }", WT["code"][WT["steps"][i]["code"]])
            assert code == {"text": tmpl, "hl": list(TRACE[i].code.lines)}, i
        st = graph_state(TRACE, i)
        coloured = sorted((s.layer, s.index) for s in st.nodes.values() if s.colored)
        if coloured:
            (nodes,) = drawn["nodes"]
            fig = step_figure(TRACE, i, width=W, height=H)
            order_ = [tuple(c) for c in next(t for t in fig.data if t.name == "nodes").customdata]
            want = [_rgb(pal.scale_color(st.nodes[("n", l, j)].value, st.color_range)) for l, j in order_]
            got = [_rgb(f) for f in nodes["fills"]]
            assert all(max(abs(a - b) for a, b in zip(g, w, strict=True)) <= 1 for g, w in zip(got, want, strict=True)), i


def test_an_edge_shows_its_hover_text(page_at_file):
    page = page_at_file
    wait_step(page, 0)
    page.keyboard.press("End")
    page.keyboard.press("Home")
    i = 7  # backward: ∂C/∂w² is known, in the hover text of layer 2's edges
    for _ in range(i):
        page.keyboard.press("ArrowRight")
    wait_step(page, i)
    fig = step_figure(TRACE, i, width=W, height=H)
    hover = next(t for t in fig.data if t.name == "edge hover")
    (l, j, k), x, y = hover.customdata[-1], hover.x[-1], hover.y[-1]
    box = page.evaluate("() => document.querySelector('.nnviz-player .nnp-fig .nsewdrag').getBoundingClientRect().toJSON()")
    page.mouse.move(box["x"] + x + 2, box["y"] + box["height"] - y + 1)  # plot px: y up from the bottom
    page.wait_for_function("() => document.querySelector('.nnviz-player .nnp-fig .hoverlayer text')", timeout=5000)
    tip = page.evaluate("() => document.querySelector('.nnviz-player .nnp-fig .hoverlayer').textContent")
    assert f"w{l}{j + 1}{k + 1} = {fmt(TRACE.weights[l - 1][j, k], 9)}" in tip.replace("^", "").replace("_", "")
    assert fmt(TRACE.nabla_w[l - 1][j, k], 9) in tip
