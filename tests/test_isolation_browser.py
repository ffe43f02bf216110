"""Session isolation: 10+ concurrent browser contexts on one server, each on its own network.

Each context opens a different edited network (the seed preset with its own η and its own
w^1_11, sent as ``?cfg=``) at a different step, then steps to the end.  Every page must show
its own numbers (KaTeX's <annotation>, the TeX it rendered) and none of the other sessions'.
"""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from conftest import assert_no_streamlit_exception, wait_for_app_run
from nnviz.engine.presets import PRESETS
from nnviz.trace.record import trace_backprop
from nnviz_app.state import encode_config

pytestmark = pytest.mark.browser

SESSIONS = 10
BASE = PRESETS["seed"].config


def config(i: int):
    w1 = [row[:] for row in BASE.weights[0]]
    w1[0][0] = round(0.21 + 0.02 * i, 2)
    return BASE.replace(eta=round(1.05 + 0.1 * i, 2), weights=[w1, BASE.weights[1]])


CFGS = [config(i) for i in range(SESSIONS)]
TRACES = [trace_backprop(c.network(), c.x_array, c.y_array, c.eta) for c in CFGS]
N = len(TRACES[0])
STEPS = [(7 * i + 1) % (N - 1) for i in range(SESSIONS)]  # distinct, none the last
assert len(set(STEPS)) == SESSIONS


def numbers(i: int, step: int) -> str:
    return TRACES[i][step].latex_numbers("matrix")


def eta_tex(i: int) -> str:
    tex = TRACES[i][N - 1].latex_numbers("matrix")
    return re.search(r"\\frac\{[^}]*\}\{1\}", tex).group(0)


def heading(page):
    """The player's "Step N of M"."""
    return page.locator(".nnviz-player .nnp-label")


def sources(page) -> list[str]:
    return [t.strip() for t in page.locator(".katex annotation").all_text_contents()]


def wait_for_numbers(page, tex: str, timeout_ms: float = 30_000) -> None:
    page.wait_for_function(
        "(t) => [...document.querySelectorAll('.katex annotation')].some(a => a.textContent.trim() === t)",
        arg=tex, timeout=timeout_ms)


def test_concurrent_sessions_each_see_only_their_own_network(browser, streamlit_server):
    assert len({eta_tex(i) for i in range(SESSIONS)}) == SESSIONS
    contexts = [browser.new_context(viewport={"width": 1280, "height": 800}) for _ in range(SESSIONS)]
    try:
        pages = [c.new_page() for c in contexts]
        for i, page in enumerate(pages):  # all open before any is checked: concurrent sessions
            page.goto(f"{streamlit_server}/?cfg={encode_config(CFGS[i])}&step={STEPS[i]}",
                      wait_until="commit", timeout=60_000)
        for i, page in enumerate(pages):
            expect(heading(page)).to_have_text(f"Step {STEPS[i] + 1} of {N}", timeout=90_000)
            wait_for_app_run(page, timeout_ms=60_000, settle_ms=0)
            wait_for_numbers(page, numbers(i, STEPS[i]))
            assert_no_streamlit_exception(page)
        # every page, loaded side by side: its own formula, no other session's
        for i, page in enumerate(pages):
            shown = sources(page)
            assert numbers(i, STEPS[i]) in shown
            for j in range(SESSIONS):
                if j != i and numbers(j, STEPS[i]) != numbers(i, STEPS[i]):
                    assert numbers(j, STEPS[i]) not in shown, (i, j)
        # each steps (one → and End), all before any is checked
        for i, page in enumerate(pages):
            heading(page).click()
            page.keyboard.press("ArrowRight")
        for i, page in enumerate(pages):
            expect(heading(page)).to_have_text(f"Step {STEPS[i] + 2} of {N}", timeout=30_000)
            wait_for_numbers(page, numbers(i, STEPS[i] + 1))
            page.keyboard.press("End")  # the update animation, then back to the last step
            page.keyboard.press("ArrowLeft")
        for i, page in enumerate(pages):
            expect(heading(page)).to_have_text(f"Step {N} of {N}", timeout=30_000)
            wait_for_numbers(page, numbers(i, N - 1))
            text = " ".join(sources(page))
            assert eta_tex(i) in text
            others = [eta_tex(j) for j in range(SESSIONS) if j != i and eta_tex(j) in text]
            assert not others, f"session {i} shows other sessions' η: {others}"
            assert_no_streamlit_exception(page)
            assert f"cfg={encode_config(CFGS[i])}" in page.url
    finally:
        for c in contexts:
            c.close()
