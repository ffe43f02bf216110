"""Real browser: the exported HTML walk-through offline, and projection mode's keys.

* The walk-through (the player with its data inlined) is opened from a file with every
  request routed: anything but the file itself is aborted and counted (none may be
  attempted); every step is reached by keyboard, buttons, scrubber and swipe, and its graph
  and formulas show the trace's numbers.
* Projection mode at 1024×768 (the app's player): → / Page Down / ← / Page Up / Home / End
  step, the sidebar is hidden, the graph and the current equation are on screen in large type.

Screenshots go to ``tmp_path``; with ``NNVIZ_WRITE_ASSETS=1`` they (re)write
``assets/walkthrough.png`` and ``assets/projector.png``.
"""
from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from conftest import REPO_ROOT, assert_no_streamlit_exception, wait_for_app_run
from player_support import assert_numbers_match, player_state, swipe, wait_step
from test_walkthrough import close, result
from nnviz.export.html import KATEX_FAMILIES, walkthrough_html
from nnviz.engine.presets import PRESETS
from nnviz.trace.record import trace_backprop

pytestmark = pytest.mark.browser

CFG = PRESETS["seed"].config
TRACE = trace_backprop(CFG.network(), CFG.x_array, CFG.y_array, CFG.eta)
N = len(TRACE)
STEP_RE = re.compile(r"^Step \d+ of \d+$")


def shot_path(tmp_path: Path, name: str) -> Path:
    if os.environ.get("NNVIZ_WRITE_ASSETS") == "1":
        (REPO_ROOT / "assets").mkdir(exist_ok=True)
        return REPO_ROOT / "assets" / name
    return tmp_path / name


# ---- the offline walk-through ------------------------------------------------------------
@pytest.fixture
def walkthrough(browser, tmp_path):
    """(page, requests, problems, url): the exported page opened from a file (a touch
    screen), every other request aborted."""
    path = tmp_path / "walkthrough.html"
    path.write_text(walkthrough_html(TRACE), encoding="utf-8")
    url = path.as_uri()
    context = browser.new_context(viewport={"width": 1280, "height": 800}, has_touch=True)
    page = context.new_page()
    requests, problems = [], []
    page.on("request", lambda r: requests.append(r.url))
    page.on("console", lambda m: problems.append(m.text) if m.type in ("error", "warning") else None)
    page.on("pageerror", lambda e: problems.append(str(e)))

    def route(r):
        if r.request.url.split("#")[0] == url:
            r.continue_()
        else:
            r.abort()
    page.route("**/*", route)
    page.goto(url)
    yield page, requests, problems, url
    context.close()


def test_walkthrough_steps_by_keyboard_offline(walkthrough, tmp_path):
    page, requests, problems, url = walkthrough
    fonts = set()
    for i in range(N):
        st = wait_step(page, i)
        assert st["svg"] and st["traces"] > 5, st
        assert_numbers_match(st, TRACE, i)
        fonts |= set(st["fonts"])
        if i == 9:
            page.screenshot(path=str(shot_path(tmp_path, "walkthrough.png")))
        page.keyboard.press("ArrowRight" if i % 2 else "PageDown")
    st = wait_step(page, N)
    assert st["label"] == "Update animation" and st["frames"] == 20 and st["sym"]
    # every font the formulas used is one the page inlined (the others were left out)
    assert fonts and fonts <= set(KATEX_FAMILIES), fonts
    page.keyboard.press("ArrowRight")  # past the end: stays
    page.wait_for_timeout(100)
    assert player_state(page)["step"] == N + 1
    for key, i in (("PageUp", N - 1), ("ArrowLeft", N - 2), ("Home", 0), ("End", N), ("Space", N)):
        page.keyboard.press(key)
        wait_step(page, i)
    # the update animation plays in the page
    page.locator(".updatemenu-item-text", has_text="Play").click()
    page.wait_for_function("() => document.querySelector('.nnp-fig').layout.sliders[0].active >= 5",
                           timeout=10_000)
    # nothing was requested but the file itself; no error or CSP violation in the console
    assert requests == [url], requests
    assert problems == [], problems


def test_walkthrough_buttons_scrubber_and_swipe(walkthrough):
    page, requests, problems, url = walkthrough
    wait_step(page, 0)
    expect(page.get_by_role("button", name="Previous")).to_be_disabled()
    page.get_by_role("button", name="Next").click()
    wait_step(page, 1)
    page.get_by_role("button", name="Last").click()
    wait_step(page, N)
    expect(page.get_by_role("button", name="Next")).to_be_disabled()
    page.get_by_role("button", name="Previous").click()
    assert_numbers_match(wait_step(page, N - 1), TRACE, N - 1)
    page.get_by_role("button", name="First").click()
    wait_step(page, 0)
    # the buttons are one row, whatever the width
    ys = [page.get_by_role("button", name=n).bounding_box()["y"] for n in ("First", "Previous", "Next", "Last")]
    assert max(ys) - min(ys) < 2, ys
    scrub = page.get_by_role("slider", name="Step")
    scrub.fill("7")  # a range input: fill sets its value and fires input
    assert_numbers_match(wait_step(page, 6), TRACE, 6)
    scrub.focus()
    page.keyboard.press("ArrowRight")  # keys on the focused scrubber step once, not twice
    wait_step(page, 7)
    page.wait_for_timeout(100)
    assert player_state(page)["step"] == 8
    swipe(page, -120)   # finger to the left: next
    wait_step(page, 8)
    swipe(page, 150)    # to the right: previous
    wait_step(page, 7)
    swipe(page, 20)     # too short: nothing
    page.wait_for_timeout(100)
    assert player_state(page)["step"] == 8
    # the one-neuron view: neuron j = 2 of layer 1 (step 3: a¹)
    scrub.fill("3")
    wait_step(page, 2)
    page.locator(".nnp-view", has_text="One neuron").click()
    page.get_by_label("neuron j").select_option("1")
    page.wait_for_function("() => document.querySelector('.nnp-num annotation').textContent.includes('_{2}')")
    st = player_state(page)
    assert st["sym"] == TRACE[2].latex("scalar")
    assert close(result(st["num"])[-1], TRACE[2].value[1, 0])
    assert problems == [] and requests == [url]


def test_walkthrough_opens_at_the_step_in_its_address(walkthrough):
    page, requests, problems, url = walkthrough
    page.goto(url + "#7")
    assert_numbers_match(wait_step(page, 6), TRACE, 6)
    page.keyboard.press("ArrowRight")
    wait_step(page, 7)
    assert page.evaluate("location.hash") == "#8"
    page.goto(url + "#99")  # past the end: the last position (the update animation)
    wait_step(page, N)


# ---- projection mode in the app ------------------------------------------------------------
def in_view(page, locator) -> bool:
    box = locator.bounding_box()
    vw, vh = page.viewport_size["width"], page.viewport_size["height"]
    return box is not None and box["x"] >= 0 and box["y"] >= 0 and \
        box["x"] + box["width"] <= vw + 1 and box["y"] + box["height"] <= vh + 1


def test_projection_mode_steps_with_clicker_and_arrow_keys(page, streamlit_server, tmp_path):
    page.set_viewport_size({"width": 1024, "height": 768})
    page.goto(f"{streamlit_server}/?projector=1", wait_until="domcontentloaded")
    wait_for_app_run(page, timeout_ms=60_000)
    wait_step(page, 0, timeout_ms=30_000)
    assert page.locator(".nnviz-player.nnp-projector").count() == 1
    expect(page.locator('[data-testid="stSidebar"]')).to_be_hidden()
    expect(page.locator('header[data-testid="stHeader"]')).to_be_hidden()
    for key, i in (("PageDown", 1), ("PageDown", 2), ("ArrowRight", 3), ("PageUp", 2), ("ArrowLeft", 1),
                   ("PageUp", 0), ("PageUp", 0), ("End", N), ("Home", 0)):
        page.keyboard.press(key)
        assert_numbers_match(wait_step(page, i), TRACE, i) if i < N else wait_step(page, i)
    for i in range(1, 10):  # to δ¹ (a long numeric formula)
        page.keyboard.press("PageDown")
    assert_numbers_match(wait_step(page, 9), TRACE, 9)
    assert_no_streamlit_exception(page)
    page.wait_for_timeout(300)
    # the graph and the current equation (symbolic and numeric) are on screen, whole
    assert in_view(page, page.locator(".nnviz-player .nnp-fig"))
    formulas = page.locator(".nnviz-player .nnp-tex:not(.nnp-ahead) .katex-display")  # not the layers typeset ahead
    assert formulas.count() == 2 and all(in_view(page, formulas.nth(k)) for k in range(2))
    for k in range(2):  # nothing scrolled out of sight: every piece of the formula inside its box
        assert formulas.nth(k).evaluate("""e => { const r = e.getBoundingClientRect();
            return e.scrollLeft === 0 && [...e.querySelectorAll('.katex-html .base')].every(b => {
                const q = b.getBoundingClientRect(); return q.left >= r.left - 1 && q.right <= r.right + 1; }); }""")
    # large type: heading, explanation, formulas
    size = lambda loc: float(loc.evaluate("e => parseFloat(getComputedStyle(e).fontSize)"))  # noqa: E731
    assert size(page.locator(".nnviz-player .nnp-label")) >= 26
    assert size(page.locator(".nnviz-player .nnp-expl")) >= 22
    assert size(formulas.nth(0).locator(".katex").first) >= 30
    # the code panel shows just the running line(s)
    assert page.locator(".nnviz-code .hl").first.is_visible()
    assert not page.locator(".nnviz-code .ln").first.is_visible()
    page.mouse.move(0, 0)
    page.wait_for_timeout(500)
    page.screenshot(path=str(shot_path(tmp_path, "projector.png")))
    assert "projector=1" in page.url and "step=9" in page.url


FITS_JS = """() => [...document.querySelectorAll('.nnviz-player .nnp-tex:not(.nnp-ahead)')].filter(t => t.offsetParent).map(t => ({
    box: t.clientWidth, wide: t.scrollWidth, text: t.textContent.slice(0, 40),
    font: Math.min(...[...t.querySelectorAll('.katex')].map(k => parseFloat(getComputedStyle(k).fontSize)))}))"""


@pytest.mark.parametrize("name", ["seed", "mazur"])
def test_offline_projector_formulas_fit_their_column_at_1024x768(browser, tmp_path, name):
    """Every step of the offline file in projection mode: no formula wider than its box
    (nothing to scroll), and its type at least the projector floor of 16 px."""
    cfg = PRESETS[name].config
    trace = trace_backprop(cfg.network(), cfg.x_array, cfg.y_array, cfg.eta)
    path = tmp_path / f"{name}.html"
    path.write_text(walkthrough_html(trace, theme="projector"), encoding="utf-8")
    page = browser.new_page(viewport={"width": 1024, "height": 768})
    page.goto(path.as_uri())
    checked = 0
    for i in range(len(trace) + 1):
        wait_step(page, i)
        assert page.locator(".nnviz-player.nnp-projector").count() == 1
        for tex in page.evaluate(FITS_JS):
            assert tex["wide"] <= tex["box"] and tex["font"] >= 16, (name, i, tex)
            checked += 1
        if i == len(trace) - 4:  # the update of w^1: the widest matrices
            page.screenshot(path=str(tmp_path / f"projector-{name}-update.png"))
        page.keyboard.press("ArrowRight")
    assert checked >= 2 * len(trace)  # a symbolic and a numeric formula on every step
    page.close()


def test_two_players_on_one_page_take_keys_only_when_focused(browser, tmp_path):
    """Keys go to the player that has focus; the other stays where it is (a notebook with two
    cells).  Neither takes keys from the page when it is not focused (no ``globalKeys``)."""
    import json as _json
    from nnviz import player
    from nnviz.export.html import _plotly_js, katex_assets, script_json
    from nnviz.export.walkthrough import walkthrough
    css, katex_js = katex_assets()
    data = script_json(_json.dumps(walkthrough(TRACE)))
    page_html = (f"<!DOCTYPE html><html><head><meta charset='utf-8'><style>{css}</style>"
                 f"<style>{player.text('player.css')}</style><script>{_plotly_js()}</script>"
                 f"<script>{katex_js}</script></head><body><div id='a'></div><div id='b'></div>"
                 f"<input id='other'><script type='application/json' id='d'>{data}</script>"
                 f"<script type='module'>{player.text('player.js')}\n"
                 "const wt = JSON.parse(document.getElementById('d').textContent);"
                 "window.pa = render(document.getElementById('a'), wt, {});"
                 "window.pb = render(document.getElementById('b'), wt, {step: 3});</script></body></html>")
    path = tmp_path / "two.html"
    path.write_text(page_html, encoding="utf-8")
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    try:
        page.goto(path.as_uri())
        page.wait_for_function("() => window.pa && window.pb && document.querySelectorAll('.main-svg').length >= 2")
        players = page.locator(".nnviz-player")
        players.nth(1).locator(".nnp-label").click()  # focus the second player
        for _ in range(2):
            page.keyboard.press("ArrowRight")
        page.wait_for_function("() => window.pb.current() === 5")
        assert page.evaluate("() => window.pa.current()") == 0
        players.nth(0).locator(".nnp-label").click()
        page.keyboard.press("End")
        page.wait_for_function("() => window.pa.current() === window.pa.last")
        assert page.evaluate("() => window.pb.current()") == 5
        page.locator("#other").click()  # a text field elsewhere: no player steps
        page.keyboard.press("ArrowLeft")
        page.wait_for_timeout(200)
        assert page.evaluate("() => [window.pa.current(), window.pb.current()]") == [N, 5]
        # a step reports to onChange listeners (the notebook host's bridge)
        page.evaluate("() => { window.seen = []; window.pb.onChange(i => window.seen.push(i)); window.pb.step(-1); }")
        page.wait_for_function("() => window.seen.length === 1 && window.seen[0] === 4")
    finally:
        context.close()
