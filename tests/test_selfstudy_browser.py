"""Real browser: predict-then-reveal, the check panels and the training view.

Screenshots at 1280×800 go to assets/ when NNVIZ_WRITE_ASSETS=1: predict.png (question + hint), predict_verdict.png,
gradcheck.png, reference.png, mistakes.png, training.png.
"""
from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

import pytest

from conftest import REPO_ROOT, assert_no_streamlit_exception, wait_for_app_run
from nnviz.trace.numfmt import fmt
from nnviz.lessons.predict import pick_target
from nnviz.engine.presets import PRESETS
from nnviz.trace.record import trace_backprop

ASSETS = REPO_ROOT / "assets"
VIEWPORT = {"width": 1280, "height": 800}
ALERT = '[data-testid="stAlert"]'
CHART = '[data-testid="stPlotlyChart"]'


def open_app(page, base_url: str, query: str) -> None:
    page.set_viewport_size(VIEWPORT)
    page.goto(f"{base_url}/?{query}", wait_until="domcontentloaded")
    wait_for_app_run(page, timeout_ms=60_000)
    assert_no_streamlit_exception(page)


def shot(page, name: str) -> None:
    """Screenshot into assets/ with NNVIZ_WRITE_ASSETS=1, else a temporary folder (an
    ordinary run never dirties the tree)."""
    folder = ASSETS if os.environ.get("NNVIZ_WRITE_ASSETS") == "1" else Path(tempfile.gettempdir())
    folder.mkdir(exist_ok=True)
    page.mouse.move(VIEWPORT["width"] - 2, VIEWPORT["height"] - 2)  # no hover tooltips
    page.wait_for_timeout(400)  # let charts and KaTeX settle
    page.screenshot(path=str(folder / name))


SCROLL_TO_TOP_JS = """(e, margin) => {
    e.scrollIntoView({block: 'start'});
    let p = e.parentElement;
    while (p && !(p.scrollHeight > p.clientHeight && /auto|scroll/.test(getComputedStyle(p).overflowY))) {
        p = p.parentElement;
    }
    (p || document.scrollingElement).scrollBy(0, -margin);
}"""


def scroll_to_top(locator, margin: int = 70) -> None:
    """Scroll ``locator`` to the top of the view, clear of Streamlit's header."""
    locator.evaluate(SCROLL_TO_TOP_JS, margin)


def open_expander(page, label: str):
    summary = page.locator('[data-testid="stExpander"] summary', has_text=label).first
    summary.scroll_into_view_if_needed()
    summary.click()
    wait_for_app_run(page)
    return summary


@pytest.mark.browser
def test_predict_mode_takes_a_prediction_and_shows_the_verdict(page, streamlit_server):
    cfg = PRESETS["seed"].config
    step = trace_backprop(cfg.network(), cfg.x_array, cfg.y_array, cfg.eta)[1]
    target = pick_target(step, rng=1)
    open_app(page, streamlit_server, "mode=predict&step=1")
    page.get_by_text("before revealing").first.wait_for(state="visible")
    box = page.get_by_label(f"Your value of {target.symbol}")
    box.fill("banana")
    for key in ("ArrowLeft", "ArrowRight", "Home", "End"):  # moving the cursor must not step
        box.press(key)
    wait_for_app_run(page)
    assert "step=1" in page.url and box.input_value() == "banana", page.url
    box.press("Enter")
    wait_for_app_run(page)
    page.locator(ALERT, has_text="Could not read").wait_for(state="visible")
    assert box.input_value() == "banana", "the text stays to be corrected"
    page.get_by_role("button", name="Hint: the formula").click()
    wait_for_app_run(page)
    page.locator(ALERT, has_text="Hint:").wait_for(state="visible")
    shot(page, "predict.png")
    box.fill(fmt(target.value, 5))
    page.get_by_role("button", name="Check").click()
    wait_for_app_run(page)
    verdict = page.locator(ALERT, has_text="Right:")
    verdict.wait_for(state="visible")
    assert "Counted as right within" in verdict.inner_text()
    assert page.locator('[data-testid="stMetricValue"]').first.inner_text().strip() == "1 / 1"
    assert_no_streamlit_exception(page)
    shot(page, "predict_verdict.png")
    # The next step asks again, with a fresh, empty box.
    page.get_by_role("button", name="Next").first.click()
    wait_for_app_run(page)
    assert page.get_by_placeholder("e.g. 0.123").input_value() == ""
    assert_no_streamlit_exception(page)


@pytest.mark.browser
def test_check_panels_open_and_pass(page, streamlit_server):
    open_app(page, streamlit_server, "preset=mazur&step=11")
    open_expander(page, "Gradient check")
    page.locator(ALERT, has_text="Gradient check passed").wait_for(state="visible")
    summary = open_expander(page, "Reference check")
    page.locator(ALERT, has_text="All 11 published figures reproduced").wait_for(state="visible")
    assert_no_streamlit_exception(page)
    scroll_to_top(page.locator('[data-testid="stExpander"]', has_text="Gradient check").first)
    shot(page, "gradcheck.png")
    scroll_to_top(summary)
    shot(page, "reference.png")
    open_expander(page, "Common mistakes")
    toggle = page.get_by_text("Stale weights: update w before sending δ back through it")
    toggle.scroll_into_view_if_needed()
    toggle.click()
    wait_for_app_run(page)
    wrong = page.get_by_text("The wrong way", exact=True)
    wrong.wait_for(state="visible")
    assert_no_streamlit_exception(page)
    scroll_to_top(toggle, 90)
    shot(page, "mistakes.png")


def chart_titles(page) -> list[str]:
    return [(t or "").strip() for t in page.locator(f"{CHART} .gtitle").all_text_contents()]


@pytest.mark.browser
def test_training_view_trains_and_updates_the_curve_and_the_boundary(page, streamlit_server):
    open_app(page, streamlit_server, "mode=train")
    page.locator(CHART).nth(1).wait_for(state="visible")
    before = chart_titles(page)
    assert any("Untrained" in t for t in before), before
    page.get_by_role("button", name="Train").click()
    # Live updates: the boundary's title counts the epochs while training runs.
    seen: set[int] = set()
    for _ in range(600):
        for title in chart_titles(page):
            seen.update(int(n) for n in re.findall(r"Epoch (\d+)", title))
        if 100 in seen:
            break
        page.wait_for_timeout(50)
    assert 100 in seen, seen
    assert any(n < 100 for n in seen), f"no intermediate update was drawn: {seen}"
    wait_for_app_run(page, timeout_ms=60_000)
    after = chart_titles(page)
    assert after != before and any("epoch 100" in t for t in after), after
    assert page.locator(CHART).count() == 2
    assert page.locator(f"{CHART} .scatterlayer .trace").count() >= 2, "curve and data points drawn"
    page.locator(ALERT, has_text="Trained 100 epochs").wait_for(state="visible")
    assert_no_streamlit_exception(page)
    shot(page, "training.png")
    # A bad value gets a message and no training.
    epochs = page.get_by_role("spinbutton", name="Epochs")
    epochs.fill("0")
    epochs.press("Enter")
    wait_for_app_run(page)
    page.locator(ALERT, has_text="Epochs must be a whole number").wait_for(state="visible")
    assert page.get_by_role("button", name="Train").is_disabled()
    assert_no_streamlit_exception(page)


@pytest.mark.browser
def test_stop_interrupts_a_long_training_run_and_continue_resumes_it(page, streamlit_server):
    open_app(page, streamlit_server, "mode=train")
    epochs = page.get_by_role("spinbutton", name="Epochs")
    epochs.fill("5000")
    epochs.press("Enter")
    wait_for_app_run(page)
    page.get_by_role("button", name="Train").click()
    page.locator(f"{CHART} .gtitle", has_text=re.compile(r"Epoch \d+")).first.wait_for(timeout=30_000)
    page.get_by_role("button", name="Stop").click()
    wait_for_app_run(page, timeout_ms=60_000)
    note = page.locator(ALERT, has_text="Stopped after epoch")
    note.wait_for(state="visible")
    stopped = int(re.search(r"Stopped after epoch (\d+)", note.inner_text()).group(1))
    assert 0 < stopped < 5000
    assert page.get_by_role("button", name="Stop").is_disabled()
    page.wait_for_timeout(1000)
    assert any(f"Epoch {stopped}" in t for t in chart_titles(page)), "training really stopped"
    epochs.fill("20")
    epochs.press("Enter")
    wait_for_app_run(page)
    page.get_by_role("button", name="Continue").click()
    page.locator(ALERT, has_text=f"epoch {stopped + 20} in all").wait_for(state="visible", timeout=30_000)
    assert_no_streamlit_exception(page)
