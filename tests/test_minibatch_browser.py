"""The mini-batch view in a real browser (issue 13, item 1): a link with four XOR examples
opens the player on trace_mini_batch; "Step into" and "Skip past" an example move the
player there; the running sums step shows Σ∇w so far on the graph; Apply update starts
the next mini-batch.  Expected values come from the test's own trace_mini_batch."""
from __future__ import annotations

import numpy as np
import pytest

from conftest import assert_no_streamlit_exception, wait_for_app_run
from player_support import assert_numbers_match, player_state, wait_step
from nnviz.engine.presets import PRESETS
from nnviz.trace.minibatch import call_steps, trace_mini_batch
from nnviz.trace.numfmt import fmt

pytestmark = pytest.mark.browser

XOR = "0,0;0|0,1;1|1,0;1|1,1;0"
CFG = PRESETS["xor"].config


EXAMPLES = [(np.array([[a], [b]], dtype=float), np.array([[c]], dtype=float))
            for a, b, c in ((0, 0, 0), (0, 1, 1), (1, 0, 1), (1, 1, 0))]
TRACE = trace_mini_batch(CFG.network(), EXAMPLES, CFG.eta)


def test_step_into_and_skip_past_examples_of_a_mini_batch(page, streamlit_server, tmp_path):
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(f"{streamlit_server}/?preset=xor&batch={XOR}", wait_until="domcontentloaded")
    wait_for_app_run(page, timeout_ms=90_000)
    st = wait_step(page, 0, timeout_ms=60_000)
    assert st["label"] == f"Step 1 of {len(TRACE)}"
    assert_no_streamlit_exception(page)
    page.get_by_text("Mini-batch of m = 4").wait_for(timeout=30_000)
    page.wait_for_timeout(1000)  # the player has taken its first data
    # Step into example 3: the player jumps to the first operation inside its call
    page.locator(".st-key-mb_into_2 button").first.click()
    wait_for_app_run(page, timeout_ms=60_000)
    i = call_steps(TRACE, 2)[1]
    assert_numbers_match(wait_step(page, i, timeout_ms=60_000), TRACE, i)
    # Skip past example 2: its running sums, with Σ∇w so far labelled on the graph
    page.locator(".st-key-mb_skip_1 button").first.click()
    wait_for_app_run(page, timeout_ms=60_000)
    i = next(s.index for s in TRACE.steps if s.example == 1 and s.kind.startswith("sum_nabla"))
    assert_numbers_match(wait_step(page, i, timeout_ms=60_000), TRACE, i)
    page.mouse.click(5, 400)  # focus the page: the player takes its keys there
    while TRACE[i].kind != "sum_nabla_w":  # on to Σ∇w^1, by the player's own keys
        i += 1
        page.keyboard.press("ArrowRight")
        assert_numbers_match(wait_step(page, i, timeout_ms=30_000), TRACE, i)
    running = TRACE[i].value  # Σ∇w^1 over examples 1 and 2, on the graph's edges
    text = page.locator(".nnviz-player .nnp-fig").inner_text().replace("−", "-")
    assert fmt(float(running[0, 0]), 3).replace("−", "-").lstrip("-") in text
    page.screenshot(path=str(tmp_path / "minibatch-running-sums.png"))
    # the update, then the next mini-batch starts at step 1
    page.get_by_role("button", name="Apply update → next mini-batch").click()
    wait_for_app_run(page, timeout_ms=60_000)
    wait_step(page, 0, timeout_ms=60_000)
    # ... and stays there once the run the new walk-through causes (the page says it holds
    # it) is over: that run once took the previous mini-batch's step from a stale address
    wait_for_app_run(page, timeout_ms=60_000)
    page.wait_for_timeout(1500)
    assert player_state(page)["label"] == f"Step 1 of {len(TRACE)}"
    assert "step=" not in page.url
    assert "cfg=" in page.url and "batch=" in page.url
    assert_no_streamlit_exception(page)
