"""The mini-batch view as a reader sees it (issue 13, README): XOR's four examples, the player
at the running sums after the last example (Σ∇w¹ over all four on the graph's edges), at
1280×800, projected at 1024×768 and on a 390×844 phone.

Screenshots go to ``tmp_path``; with ``NNVIZ_WRITE_ASSETS=1`` they (re)write the README's
``assets/minibatch*.png``.  Expected values come from the test's own trace_mini_batch."""
from __future__ import annotations

import os
import re
from pathlib import Path

import numpy as np
import pytest

from conftest import assert_no_streamlit_exception, wait_for_app_run
from player_support import assert_numbers_match, wait_step
from nnviz.engine.presets import PRESETS
from nnviz.trace.minibatch import trace_mini_batch
from nnviz.trace.numfmt import fmt

pytestmark = pytest.mark.browser

REPO_ROOT = Path(__file__).resolve().parent.parent
XOR = "0,0;0|0,1;1|1,0;1|1,1;0"
CFG = PRESETS["xor"].config
EXAMPLES = [(np.array([[a], [b]], dtype=float), np.array([[c]], dtype=float))
            for a, b, c in ((0, 0, 0), (0, 1, 1), (1, 0, 1), (1, 1, 0))]
TRACE = trace_mini_batch(CFG.network(), EXAMPLES, CFG.eta)
# the running sum Σ∇w¹ after the fourth example: the last sum_nabla_w step of layer 1
SUMS = max(s.index for s in TRACE.steps if s.kind == "sum_nabla_w" and s.layer == 1)


def shot(page, tmp_path: Path, name: str) -> Path:
    path = (REPO_ROOT / "assets" / name) if os.environ.get("NNVIZ_WRITE_ASSETS") == "1" else tmp_path / name
    page.mouse.move(0, 0)  # no hover label in the picture
    page.evaluate("() => document.activeElement && document.activeElement.blur()")
    page.wait_for_timeout(300)
    page.screenshot(path=str(path))
    assert path.stat().st_size > 20_000, f"{path} looks empty"
    return path


def open_at_sums(page, url: str, extra: str = "") -> dict:
    page.goto(f"{url}/?preset=xor&batch={XOR}&step={SUMS}{extra}", wait_until="domcontentloaded")
    wait_for_app_run(page, timeout_ms=90_000)
    state = wait_step(page, SUMS, timeout_ms=60_000)
    assert_numbers_match(state, TRACE, SUMS)
    assert_no_streamlit_exception(page)
    return state


def edge_sums(page) -> list[str]:
    """The numbers after "Σ∇" in the graph's labels, as fmt writes them (U+2212 → '-', no '+')."""
    text = page.locator(".nnviz-player .nnp-fig").first.inner_text().replace("\u2212", "-")
    return [v.lstrip("+") for v in re.findall(r"Σ∇ ([-+][0-9.e-]+)", text)]


# every formula of the player inside its box: the .katex (it wraps at operators) and its box
FITS_JS = """() => [...document.querySelectorAll('.nnviz-player .nnp-tex:not(.nnp-ahead)')].filter(t => t.offsetParent).map(t => ({
    box: t.clientWidth, wide: Math.max(t.scrollWidth, ...[...t.querySelectorAll('.katex')].map(k => k.scrollWidth)),
    font: Math.min(...[...t.querySelectorAll('.katex')].map(k => parseFloat(getComputedStyle(k).fontSize)))}))"""


def test_minibatch_view_at_the_running_sums(page, streamlit_server, tmp_path):
    running = TRACE[SUMS].value  # Σ∇w¹ over the four examples, shape (2, 2)
    page.set_viewport_size({"width": 1280, "height": 800})
    open_at_sums(page, streamlit_server)
    shown = edge_sums(page)
    for v in running.ravel():  # every entry of Σ∇w¹ (the four examples' sum) on its edge
        assert fmt(float(v)).replace("\u2212", "-") in shown, (fmt(float(v)), shown)
    assert page.get_by_text("Mini-batch of m = 4").count() == 1
    shot(page, tmp_path, "minibatch.png")
    panel = page.locator('[data-testid="stExpander"]').filter(has_text="Mini-batch: step through")
    panel.evaluate("e => e.scrollIntoView({block: 'center'})")
    for e in range(len(EXAMPLES)):  # a row per example: Step into, Skip past
        assert panel.locator(f".st-key-mb_into_{e} button").first.is_visible()
        assert panel.locator(f".st-key-mb_skip_{e} button").first.is_visible()
    shot(page, tmp_path, "minibatch-panel.png")

    page.set_viewport_size({"width": 1024, "height": 768})
    open_at_sums(page, streamlit_server, "&projector=1")
    assert page.evaluate("document.documentElement.scrollWidth") <= 1024 + 1
    formulas = page.evaluate(FITS_JS)
    assert len(formulas) == 2  # the formula and the one with numbers: whole, in projector type
    for tex in formulas:
        assert tex["wide"] <= tex["box"] + 1 and tex["font"] >= 16, tex
    shot(page, tmp_path, "minibatch-projected-1024x768.png")

    page.set_viewport_size({"width": 390, "height": 844})
    open_at_sums(page, streamlit_server)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390 + 1
    shot(page, tmp_path, "minibatch-phone-390x844.png")


def test_the_update_of_the_mini_batch_is_the_seeds(page, streamlit_server):
    """The player's last position (the update, after the 4 examples): its table's gradient
    column is Σₓ ∂Cₓ/∂p and its "after" column the seed's own update_mini_batch."""
    from seed_reference import seed_namespace, seed_network
    net = CFG.network()
    seed = seed_network(CFG.sizes, net.weights, net.biases, seed_namespace())
    sums = [np.zeros(w.shape) for w in net.weights] + [np.zeros(b.shape) for b in net.biases]
    for x, y in EXAMPLES:
        nb, nw = seed.backprop(x, y)
        sums = [s + g for s, g in zip(sums, [*nw, *nb], strict=True)]
    seed.update_mini_batch(EXAMPLES, CFG.eta)
    after = [*seed.weights, *seed.biases]
    L = len(CFG.sizes) - 1
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(f"{streamlit_server}/?preset=xor&batch={XOR}&step={len(TRACE)}", wait_until="domcontentloaded")
    wait_for_app_run(page, timeout_ms=90_000)
    wait_step(page, len(TRACE), timeout_ms=60_000)
    assert_no_streamlit_exception(page)
    rows = page.evaluate("""() => [...document.querySelectorAll('.nnviz-player .nnp-upd tbody tr')].map(
        tr => [...tr.querySelectorAll('td')].map(td => td.textContent))""")
    assert len(rows) == sum(a.size for a in after)
    value = lambda text: float(text.replace("\u2212", "-"))  # noqa: E731
    for name, before, gradient, new in rows:
        p, l, j, k = re.fullmatch(r"([wb])(\d)(\d)(\d?)", name).groups()
        at = (int(l) - 1) + (L if p == "b" else 0)
        idx = (int(j) - 1, int(k) - 1 if k else 0)
        assert value(gradient) == pytest.approx(sums[at][idx], rel=1e-5, abs=1e-9), name
        assert value(new) == pytest.approx(after[at][idx], rel=1e-5, abs=1e-9), name
