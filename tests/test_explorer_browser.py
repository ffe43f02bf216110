"""The explorer in a real browser: the client-side player (keys, buttons, scrubber, swipe),
the URL, the update animation, numbers, code, screenshots; a step sends nothing to the server.

Every expected number comes from the test's own trace (``nnviz.engine.presets`` +
``nnviz.trace_backprop``, written by ``nnviz.trace.numfmt.fmt``), never from the app's session.
The graph is read from the plotly element (``_fullData``/``layout``: what plotly draws),
the equations from KaTeX's ``<annotation>`` (the TeX it rendered).

Screenshots go to ``tmp_path``; with ``NNVIZ_WRITE_ASSETS=1`` they (re)write the README's
images in ``assets/`` instead (so an ordinary test run never dirties the tree).
"""
from __future__ import annotations

import os
import re
from pathlib import Path

import numpy as np
import pytest
from playwright.sync_api import expect

from conftest import REPO_ROOT, assert_no_streamlit_exception, wait_for_app_run
from player_support import assert_numbers_match, player_state, swipe, wait_step
from nnviz.trace.numfmt import fmt
from nnviz.engine.presets import PRESETS
from nnviz.trace.seed_source import SOURCES
from nnviz.trace.record import trace_backprop
from nnviz_app.state import encode_config

pytestmark = pytest.mark.browser

CFG = PRESETS["seed"].config  # the app opens on the seed preset
TRACE = trace_backprop(CFG.network(), CFG.x_array, CFG.y_array, CFG.eta)
N = len(TRACE)
STEP_RE = re.compile(r"^Step \d+ of \d+$")
WIDE, SMALL = {"width": 1280, "height": 800}, {"width": 1024, "height": 768}

# The player's plotly chart (the element plotly draws into).
FIGURE = '[data-testid="stMain"] .nnviz-player .nnp-fig'
_FIG_JS = f"const FIG = '{FIGURE}';"
# The explorer's plotly figure, as plotly holds it (data after defaults, layout, frames).
READ_FIGURE = "() => {" + _FIG_JS + """
  const g = document.querySelector(FIG);
  if (!g || !g._fullData) return null;
  return {
    title: g._fullLayout.title.text,
    data: g._fullData.map(d => ({name: d.name, text: d.text ?? null, line: d.line ? d.line : null,
                                 customdata: d.customdata ?? null,
                                 hovertext: d.hovertext ?? null,
                                 width: d.line ? d.line.width : null})),
    annotations: (g.layout.annotations || []).map(a => ({name: a.name ?? '', text: a.text})),
    active: g.layout.sliders ? g.layout.sliders[0].active : null,
    frames: g._transitionData ? g._transitionData._frames.length : 0,
  };
}"""
FIGURE_TITLE_IS = "(t) => {" + _FIG_JS + """
  const g = document.querySelector(FIG);
  return !!(g && g._fullLayout && g._fullLayout.title.text.includes(t));
}"""
SLIDER_AT_LEAST = "(n) => {" + _FIG_JS + """
  const g = document.querySelector(FIG);
  return !!(g && g.layout.sliders && g.layout.sliders[0].active >= n);
}"""


# ---- helpers -------------------------------------------------------------------------
def ready(page, i: int = 0) -> None:
    """Wait until the player shows step i drawn; focus stays on the page body (the player
    takes keys there, as on a lecture's first click)."""
    wait_for_app_run(page, timeout_ms=60_000)
    expect_step(page, i, timeout_ms=30_000)


def expect_step(page, i: int, timeout_ms: float = 10_000) -> None:
    """The player shows position i (0-based; N = the update animation) drawn, its numbers
    the trace's; no exception box."""
    st = wait_step(page, i, timeout_ms=timeout_ms)
    if i < N:
        assert_numbers_match(st, TRACE, i)
    assert_no_streamlit_exception(page)


def press(page, key: str, expect_i: int, settle_ms: float = 0) -> None:
    page.keyboard.press(key)
    if settle_ms:  # the step should not change: give a (wrong) move time to show
        page.wait_for_timeout(settle_ms)
    expect_step(page, expect_i)


def goto_step(page, base_url: str, i: int) -> None:
    page.goto(f"{base_url}/?step={i}", wait_until="domcontentloaded")
    ready(page, i)


def count_frames(page) -> dict:
    """Websocket frames the page sends and receives from now on (the app's only channel)."""
    frames = {"sent": 0, "received": 0}

    def count(ws):
        ws.on("framesent", lambda _: frames.__setitem__("sent", frames["sent"] + 1))
        ws.on("framereceived", lambda _: frames.__setitem__("received", frames["received"] + 1))
    page.on("websocket", count)
    return frames


def value(kind: str, layer: int) -> np.ndarray:
    return next(s.value for s in TRACE.steps if s.kind == kind and s.layer == layer)


def plain_lines(html: str) -> list[str]:
    """Text lines of a plotly label ("<br>" between lines, <span> colouring dropped)."""
    return [re.sub(r"<[^>]+>", "", part).strip() for part in re.split(r"<br\s*/?>", html or "")]


def number(text: str) -> str:
    """A label's number as fmt writes it: U+2212 minus -> '-', no explicit '+'."""
    text = text.replace("\u2212", "-").strip()
    return text[1:] if text.startswith("+") else text


def node_labels(fig) -> dict:
    """(layer, j) -> (prefix, number) shown on the node: ("", "0.7613"), ("x", "0.5"),
    ("", "?"); from the node text (inside nodes) or the "node:l:j" labels (above them)."""
    out = {}
    for d in fig["data"]:
        if d["name"].startswith("nodes") and d["customdata"] and d["text"]:
            texts = d["text"] if isinstance(d["text"], list) else [d["text"]] * len(d["customdata"])
            for (l, j), t in zip(d["customdata"], texts, strict=True):
                out[(int(l), int(j))] = _prefix_number(plain_lines(t))
    for (l, j), t in _labels(fig, "node").items():
        out[(l, j)] = _prefix_number(plain_lines(t.replace("=", "<br>", 1)))
    return out


def _prefix_number(lines: list[str]) -> tuple[str, str]:
    assert 1 <= len(lines) <= 2, lines
    return ("", number(lines[0])) if len(lines) == 1 else (lines[0], number(lines[1]))


def _labels(fig, kind: str) -> dict:
    """(numbers of the name) -> text of each label "kind:..." of the "labels" text trace."""
    (labels,) = [d for d in fig["data"] if d["name"] == "labels"]
    return {tuple(int(v) for v in name.split(":")[1:]): text
            for name, text in zip(labels["customdata"], labels["text"], strict=True) if name.startswith(kind + ":")}


def edge_labels(fig) -> dict:
    """(l, j, k) -> label lines of the edge carrying w^l_jk."""
    return {e: plain_lines(t) for e, t in _labels(fig, "edge").items()}


def read_figure(page) -> dict:
    fig = page.evaluate(READ_FIGURE)
    assert fig is not None, "no plotly figure on the page"
    return fig


def katex_sources(page) -> list[str]:
    """The TeX source of every formula shown (KaTeX keeps it in a MathML <annotation>); the
    player's layers typeset ahead (hidden, .nnp-ahead) are not shown."""
    return [t.strip() for t in page.evaluate(
        "() => [...document.querySelectorAll('.katex annotation')].filter(a => !a.closest('.nnp-ahead'))"
        ".map(a => a.textContent)")]


def bmatrices(tex: str) -> list[list[list[str]]]:
    return [[[c.strip() for c in row.split("&")] for row in body.split(r"\\")]
            for body in re.findall(r"\\begin\{bmatrix\}(.*?)\\end\{bmatrix\}", tex)]


def as_rows(arr) -> list[list[str]]:
    return [[fmt(v) for v in row] for row in np.atleast_2d(np.asarray(arr, dtype=float))]


def check_equation(page, i: int) -> None:
    """The numeric formula's result is fmt(step value); every input it reads appears."""
    step = TRACE[i]
    numeric = [t for t in katex_sources(page) if r"\begin{bmatrix}" in t]
    assert len(numeric) == 1, f"expected one formula with numbers, got {numeric}"
    mats = bmatrices(numeric[0])
    assert mats[-1] == as_rows(step.value), (numeric[0], step.value)
    for name, arr in step.reads.items():
        if name in ("eta", "m"):
            continue
        assert as_rows(arr) in mats or as_rows(np.asarray(arr).T) in mats, (name, arr, numeric[0])


def check_code_highlight(page, i: int) -> None:
    """The highlighted lines are exactly the seed lines the step runs, in order."""
    step = TRACE[i]
    block = page.locator(".nnviz-code")
    expect(block).to_have_attribute("data-source", step.code.source)
    rows = page.evaluate("""() => [...document.querySelectorAll('.nnviz-code .hl')].map(
        d => [d.querySelector('.no').textContent, d.textContent])""")
    seed = SOURCES[step.code.source].splitlines()
    got = [(int(no), text[len(no) + 1:]) for no, text in rows]
    want = [(n, seed[n - 1]) for n in step.code.lines]
    assert got == want, f"step {i + 1} ({step.kind} {step.layer}): highlighted {got}, seed {want}"


def assert_note_clear_of_legend(page) -> None:
    """The "some edge labels hidden" note, when shown, overlaps no legend entry."""
    boxes = page.evaluate("""(sel) => {
      const g = document.querySelector(sel);
      const box = e => { const r = e.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; };
      const note = [...g.querySelectorAll('.annotation')].filter(a => a.textContent.includes('labels hidden'));
      return {note: note.map(box), legend: [...g.querySelectorAll('.legend .traces')].map(box)};
    }""", FIGURE)
    for n in boxes["note"]:
        for item in boxes["legend"]:
            apart = n[2] <= item[0] or item[2] <= n[0] or n[3] <= item[1] or item[3] <= n[1]
            assert apart, f"the note {n} overlaps the legend entry {item}"


def shot_path(tmp_path: Path, name: str) -> Path:
    if os.environ.get("NNVIZ_WRITE_ASSETS") == "1":
        (REPO_ROOT / "assets").mkdir(exist_ok=True)
        return REPO_ROOT / "assets" / name
    return tmp_path / name


def screenshot(page, path: Path) -> None:
    page.mouse.move(0, 0)  # no hover label in the picture
    page.evaluate("() => document.activeElement && document.activeElement.blur()")  # no focus ring
    page.wait_for_timeout(250)
    page.screenshot(path=str(path))
    assert path.stat().st_size > 20_000, f"{path} looks empty"


# ---- tests ---------------------------------------------------------------------------
def test_every_step_by_keys_buttons_scrubber_and_swipe_sends_nothing(browser, streamlit_server):
    """→ to the update animation and ← back, one step per key, each step's numbers and seed
    lines the trace's; the ends stay put; End / Home / Page Down / Page Up / Space; the
    buttons, the scrubber and a swipe; and not one websocket frame sent for any of it."""
    context = browser.new_context(viewport=WIDE, has_touch=True)
    page = context.new_page()
    try:
        frames = count_frames(page)
        page.goto(streamlit_server, wait_until="domcontentloaded")
        ready(page)
        page.wait_for_timeout(500)  # the first run's last messages
        sent = frames["sent"]
        assert sent > 0, "the websocket was not observed"
        for i in range(1, N + 1):
            press(page, "ArrowRight", i)
            if i < N:
                check_code_highlight(page, i)
        press(page, "ArrowRight", N, settle_ms=300)  # past the end: stays
        for i in range(N - 1, -1, -1):
            press(page, "ArrowLeft", i)
        press(page, "ArrowLeft", 0, settle_ms=300)
        for key, i in (("End", N), ("Home", 0), ("PageDown", 1), ("Space", 2), ("PageUp", 1)):
            press(page, key, i)
        for name, i in (("Next", 2), ("Last", N), ("Previous", N - 1), ("First", 0)):
            page.get_by_role("button", name=name, exact=True).click()
            expect_step(page, i)
        expect(page.get_by_role("button", name="Previous", exact=True)).to_be_disabled()
        page.get_by_role("slider", name="Step").fill("12")
        expect_step(page, 11)
        swipe(page, -150)
        expect_step(page, 12)
        swipe(page, 150)
        expect_step(page, 11)
        page.wait_for_timeout(300)
        assert frames["sent"] == sent, f"stepping sent {frames['sent'] - sent} websocket frames"
    finally:
        context.close()


def test_url_carries_the_step_and_reopens_it(app_page, streamlit_server):
    page = app_page
    ready(page)
    for i in range(1, 6):
        press(page, "ArrowRight", i)
    page.wait_for_url(re.compile(r"[?&]step=5(&|$)"))
    tex = katex_sources(page)
    other = page.context.new_page()
    try:
        other.goto(page.url, wait_until="domcontentloaded")
        ready(other, 5)
        assert katex_sources(other) == tex
        assert re.search(r"[?&]step=5(&|$)", other.url), other.url
    finally:
        other.close()
    press(page, "ArrowLeft", 4)
    page.wait_for_url(re.compile(r"[?&]step=4(&|$)"))
    press(page, "Home", 0)
    page.wait_for_url(lambda url: "step=" not in url)  # the default step leaves the URL bare
    # the server reads the page's step on its next run, and its own moves win: "Apply
    # update" starts the next call at step 1
    for i in range(1, 4):
        press(page, "ArrowRight", i)
    page.get_by_role("button", name="Apply update → next example").click()
    wait_for_app_run(page, timeout_ms=30_000)
    page.wait_for_url(re.compile(r"cfg="))
    st = wait_step(page, 0, timeout_ms=30_000)
    assert st["label"] == f"Step 1 of {N}" and "step=" not in page.url
    assert_no_streamlit_exception(page)


def test_numbers_on_the_graph_and_in_the_equation_are_the_trace_values(app_page):
    page = app_page
    x, a1, z2 = TRACE.x[:, 0], value("a", 1)[:, 0], value("z", 2)[:, 0]
    w = TRACE.weights
    ready(page)
    for i in range(1, 4):
        press(page, "ArrowRight", i)

    # Forward, step 4: z^2 = w^2 a^1 + b^2.
    assert (TRACE[3].kind, TRACE[3].layer) == ("z", 2)
    fig = read_figure(page)
    assert node_labels(fig) == {**{(0, j): ("", fmt(v)) for j, v in enumerate(x)},
                                **{(1, j): ("", fmt(v)) for j, v in enumerate(a1)},
                                **{(2, j): ("z", fmt(v)) for j, v in enumerate(z2)}}
    edges = edge_labels(fig)
    assert set(edges) == {(l + 1, j, k) for l, m in enumerate(w) for j, k in np.ndindex(m.shape)}
    for (l, j, k), lines in edges.items():
        assert [number(t) for t in lines] == [fmt(w[l - 1][j, k])], (l, j, k, lines)
    check_equation(page, 3)

    # Backward, step 8: dC/dw^2 = delta^2 (a^1)^T.  Nodes show delta once computed, x on the
    # input; edges of layer 2 add their gradient.
    for i in range(4, 8):
        press(page, "ArrowRight", i)
    assert (TRACE[7].kind, TRACE[7].layer) == ("nabla_w", 2)
    fig = read_figure(page)
    d2, nw2 = value("delta", 2)[:, 0], value("nabla_w", 2)
    assert node_labels(fig) == {**{(0, j): ("x", fmt(v)) for j, v in enumerate(x)},
                                **{(1, j): ("", "?") for j in range(2)},
                                **{(2, j): ("", fmt(v)) for j, v in enumerate(d2)}}
    edges = edge_labels(fig)
    assert {e for e in edges if e[0] == 2} == {(2, 0, 0), (2, 0, 1)}, "layer 2 edge labels hidden"
    for (l, j, k), lines in edges.items():
        want = [fmt(w[l - 1][j, k])] + ([fmt(nw2[j, k])] if l == 2 else [])
        assert [number(t.removeprefix("∇")) for t in lines] == want, (l, j, k, lines)
    check_equation(page, 7)


def test_update_animation_plays_in_the_browser_without_the_server(page, streamlit_server,
                                                                 tmp_path):
    """End shows the update; Play moves every edge from w to the new w, in the browser only."""
    frames = count_frames(page)
    page.set_viewport_size(WIDE)
    page.goto(streamlit_server, wait_until="domcontentloaded")
    ready(page)
    press(page, "End", N)  # after the last step: the update animation
    page.wait_for_function(SLIDER_AT_LEAST, arg=0, timeout=10_000)
    before = read_figure(page)
    assert before["frames"] == 20 and before["active"] == 0
    old, new = TRACE.weights, TRACE.new_weights

    def edge_numbers(fig):
        """Edge -> (weight in its hover text, full precision; its label, if shown)."""
        hover = next(d for d in fig["data"] if d["name"] == "edge hover")
        labels = edge_labels(fig)
        out = {}
        for (l, j, k), tip in zip(hover["customdata"], hover["hovertext"], strict=True):
            now = re.search(r"now (\S+)", tip).group(1)
            out[(l, j, k)] = (now, number(labels[(l, j, k)][0]) if (l, j, k) in labels else None)
        return out

    def expected(params, fig):
        shown = edge_labels(fig)
        return {(l, j, k): (fmt(m[j, k], 9), fmt(m[j, k]) if (l, j, k) in shown else None)
                for l, m in enumerate(params, start=1) for j, k in np.ndindex(m.shape)}

    assert edge_labels(before), "no edge labels on the update figure"
    assert edge_numbers(before) == expected(old, before)

    page.wait_for_timeout(300)  # let any message still in flight arrive before counting
    sent, received = frames["sent"], frames["received"]
    assert sent > 0, "the websocket was not observed"
    figure = page.locator(FIGURE).first
    figure.locator(".updatemenu-button", has_text="Play").click()
    page.wait_for_function(SLIDER_AT_LEAST, arg=6, timeout=10_000)
    figure.locator(".updatemenu-button", has_text="Pause").click()
    page.wait_for_timeout(200)
    mid = read_figure(page)
    assert 0 < mid["active"] < 19
    assert edge_numbers(mid) != edge_numbers(before)
    def widths(fig):  # edge -> its line's width (edges share one trace per style)
        return {tuple(c): d["line"]["width"] for d in fig["data"] if d["name"] == "edges"
                for c in d["customdata"] if c is not None}
    assert widths(mid) != widths(before)
    screenshot(page, shot_path(tmp_path, "update.png"))

    figure.locator(".updatemenu-button", has_text="Play").click()
    page.wait_for_function(SLIDER_AT_LEAST, arg=19, timeout=15_000)
    page.wait_for_timeout(200)
    after = read_figure(page)
    assert edge_numbers(after) == expected(new, after)
    bias = {n: shown for n, shown in node_labels(after).items() if n[0] > 0}
    assert bias == {(l, j): ("b", fmt(b[j, 0])) for l, b in enumerate(TRACE.new_biases, start=1)
                    for j in range(b.shape[0])}
    assert (frames["sent"], frames["received"]) == (sent, received), \
        "playing the animation talked to the server"
    assert_no_streamlit_exception(page)


def test_screenshots_of_forward_backward_and_a_small_screen(page, streamlit_server, tmp_path):
    page.set_viewport_size(WIDE)
    goto_step(page, streamlit_server, 2)  # forward: a^1 = sigma(z^1)
    screenshot(page, shot_path(tmp_path, "forward.png"))
    goto_step(page, streamlit_server, 11)  # backward: dC/dw^1, every delta and nabla_w known
    fig = read_figure(page)
    assert all(len(lines) == 2 for lines in edge_labels(fig).values()), "∇w labels missing"
    assert_note_clear_of_legend(page)
    screenshot(page, shot_path(tmp_path, "backward.png"))

    page.set_viewport_size(SMALL)
    goto_step(page, streamlit_server, 7)
    # First / Previous / Next / Last: one row, each label whole
    boxes = [page.get_by_role("button", name=n, exact=True).bounding_box()
             for n in ("First", "Previous", "Next", "Last")]
    assert max(b["y"] for b in boxes) - min(b["y"] for b in boxes) < 2, boxes
    for name in ("First", "Previous", "Next", "Last"):
        b = page.get_by_role("button", name=name, exact=True)
        assert b.evaluate("e => e.scrollWidth <= e.clientWidth + 1"), f"{name} label clipped"
    screenshot(page, shot_path(tmp_path, "explorer-1024x768.png"))
    page.set_viewport_size({"width": 390, "height": 844})  # a phone: the buttons stay one row
    goto_step(page, streamlit_server, 7)
    boxes = [page.get_by_role("button", name=n, exact=True).bounding_box()
             for n in ("First", "Previous", "Next", "Last")]
    assert max(b["y"] for b in boxes) - min(b["y"] for b in boxes) < 2, boxes
    assert page.evaluate("document.documentElement.scrollWidth") <= 390 + 1
    screenshot(page, shot_path(tmp_path, "explorer-phone.png"))


@pytest.mark.parametrize("link", ["", "?cfg=seed"])
def test_switching_to_predict_mode_keeps_the_step_and_lets_go_of_the_keys(page, streamlit_server, link):
    """The player is unmounted in predict mode: the server's step is the page's, and a key
    moves the step once (predict's own shortcut), not also through a stale player.  With a
    link the server has put into the address (cfg=…), Streamlit's rerun message carries
    that address, not the one the player keeps: the player's own report must bring the step."""
    link = link.replace("seed", encode_config(CFG))  # the seed network, written out in the link
    page.goto(streamlit_server + link, wait_until="domcontentloaded")
    ready(page)
    for i in range(1, 4):
        press(page, "ArrowRight", i)
    page.locator('[data-testid="stExpandSidebarButton"]').click()
    page.locator('[data-testid="stSidebar"] .st-key-mode_choice').get_by_text("Predict", exact=True).click()
    wait_for_app_run(page, timeout_ms=30_000)
    heading = page.locator('[data-testid="stMain"] [data-testid="stMarkdownContainer"] strong').filter(
        has_text=re.compile(r"^Step \d+ of \d+$"))
    expect(heading).to_have_text(f"Step 4 of {N}", timeout=30_000)
    expect(page.locator(".nnviz-player")).to_have_count(0)
    assert page.evaluate("() => window.nnvizPlayer") is None
    heading.click()
    page.keyboard.press("ArrowRight")
    expect(heading).to_have_text(f"Step 5 of {N}", timeout=30_000)
    wait_for_app_run(page, timeout_ms=30_000)
    assert re.search(r"[?&]step=4(&|$)", page.url), page.url
    assert_no_streamlit_exception(page)
