"""A seeded random monkey: 500+ actions on one page, then a clean walk through the seed trace.

Actions: step keys (→ ← Home End PageDown PageUp), the player's buttons, scrubber drags, the view
toggle, preset switches in the sidebar, good and bad layer sizes applied, and bad uploads
(random bytes, > 64 KiB JSON, JSON with <script> keys).  Every 25 actions: no exception box.
The sequence is fixed by random.Random(1234); each action waits only until the app is idle.
"""
from __future__ import annotations

import json
import random
import time

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
from playwright.sync_api import expect

from conftest import assert_no_streamlit_exception, wait_for_app_run
from nnviz.engine.presets import PRESETS
from nnviz.trace.record import trace_backprop

pytestmark = pytest.mark.browser

ACTIONS = 500
SEED = 1234
CFG = PRESETS["seed"].config
N = len(trace_backprop(CFG.network(), CFG.x_array, CFG.y_array, CFG.eta))
KEYS = ["ArrowRight", "ArrowLeft", "Home", "End", "PageDown", "PageUp"]
GOOD_SIZES = ["3-2-1", "2-2", "2-3-2", "4,4,2", "1-1", "8-8-8-8-8", "2 3 1"]
BAD_SIZES = ["0-2", "9-9-9", "abc", "3-2-1-1-1-1", "<script>alert(1)</script>", "", "-", "3--",
             "1e9-2", "2-2-" + "7" * 50]


def heading(page):
    """The player's "Step N of M" (or "Update animation" after the last step)."""
    return page.locator('[data-testid="stMain"] .nnviz-player .nnp-label')


HOST = '[data-testid="stMain"] .nnviz-host'  # the app's player component (streamlit_host.js)


def shown_walkthrough(page) -> str | None:
    """The id of the walk-through the app's player shows (set once its player is made)."""
    return page.locator(HOST).get_attribute("data-wt", timeout=30_000)


def idle(page) -> None:
    # 90 s: a new network's run builds its whole walk-through for the page's player (5 × 8:
    # 32 figures and the update animation, ≈ 4.5 s on an idle core; far more on a loaded one)
    wait_for_app_run(page, timeout_ms=90_000, settle_ms=30)


def focus_body(page) -> None:
    """Keys go to Streamlit's shortcuts only when no input has focus: click plain text."""
    heading(page).click(timeout=30_000)


def bad_files(rng: random.Random) -> list[dict]:
    big = json.dumps({"sizes": [3, 2, 1], "pad": "x" * (70 * 1024)}).encode()
    return [
        {"name": "noise.json", "mimeType": "application/json", "buffer": rng.randbytes(rng.randint(1, 4000))},
        {"name": "big.json", "mimeType": "application/json", "buffer": big},
        {"name": "<script>alert(1)</script>.json", "mimeType": "application/json",
         "buffer": json.dumps({"<script>alert(1)</script>": "<img src=x onerror=alert(1)>",
                               "sizes": "<script>"}).encode()},
    ]


class Monkey:
    def __init__(self, page, rng: random.Random):
        self.page, self.rng, self.counts, self.typing = page, rng, {}, False
        self.sidebar = page.locator('[data-testid="stSidebar"]')

    def _count(self, name: str) -> None:
        self.counts[name] = self.counts.get(name, 0) + 1

    def key(self):
        if self.typing:
            focus_body(self.page)
            self.typing = False
        self.page.keyboard.press(self.rng.choice(KEYS))
        self._count("key")

    def button(self):
        idle(self.page)
        btn = self.page.locator(".nnviz-player .nnp-nav").get_by_role(
            "button", name=self.rng.choice(["First", "Previous", "Next", "Last"]), exact=True)
        if btn.is_enabled():
            try:
                btn.click(timeout=10_000)
            except PlaywrightTimeoutError:
                if btn.is_enabled():  # enabled yet not clickable: a real problem
                    raise
                # else it became disabled (first/last step reached) between check and click
        self._count("button")

    def drag(self):
        track = self.page.locator(".nnviz-player .nnp-scrub").bounding_box()
        y = track["y"] + track["height"] / 2
        m = self.page.mouse
        m.move(track["x"] + self.rng.random() * track["width"], y)
        m.down()
        m.move(track["x"] + self.rng.random() * track["width"], y, steps=4)
        m.up()
        self._count("drag")

    def view(self):
        label = self.rng.choice(["Matrix (whole layer)", "One neuron"])
        button = self.page.locator(".nnviz-player .nnp-view").filter(has_text=label)
        if button.is_visible():  # hidden on the update animation (it has one formula)
            button.click()
        self._count("view")

    def preset(self, title: str | None = None):
        title = title or PRESETS[self.rng.choice(list(PRESETS))].title
        option = self.page.get_by_role("option", name=title, exact=True)
        for _ in range(3):  # a click on a just-focused select can toggle it shut: retry
            self.sidebar.locator(".st-key-preset_select").click()
            try:
                option.wait_for(state="visible", timeout=3_000)
                break
            except Exception:
                self.page.keyboard.press("Escape")
        option.click()
        self._count("preset")

    def sizes(self):
        box = self.sidebar.get_by_label("Layer sizes", exact=True)
        if not box.is_visible():
            self.sidebar.locator("summary").filter(has_text="Architecture").click()
        text = self.rng.choice(GOOD_SIZES if self.rng.random() < 0.4 else BAD_SIZES)
        box.fill(text)
        self.sidebar.get_by_role("button", name="Apply", exact=True).click()
        self.typing = True
        self._count("sizes")

    def upload(self):
        f = self.rng.choice(bad_files(self.rng))
        self.sidebar.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(f)
        msg = self.sidebar.locator('[data-testid="stAlert"]').filter(has_text="Could not load")
        expect(msg).to_be_visible(timeout=30_000)
        self._count("upload")

    def act(self):
        r = self.rng.random()
        action = (self.key if r < 0.45 else self.button if r < 0.62 else self.drag if r < 0.72
                  else self.view if r < 0.80 else self.preset if r < 0.87 else self.sizes if r < 0.95
                  else self.upload)
        self.last = action.__name__
        action()
        idle(self.page)


def test_random_monkey_then_a_clean_walk(app_page, tmp_path):
    page = app_page
    expect(heading(page)).to_have_text(f"Step 1 of {N}", timeout=30_000)
    seed_wt = shown_walkthrough(page)
    assert seed_wt, "the player's host names no walk-through"
    page.locator('[data-testid="stExpandSidebarButton"]').click()
    expect(page.locator('[data-testid="stSidebar"] .st-key-preset_select')).to_be_visible(timeout=30_000)
    focus_body(page)
    monkey, t0 = Monkey(page, random.Random(SEED)), time.monotonic()
    for n in range(1, ACTIONS + 1):
        try:
            monkey.act()
        except Exception:
            page.screenshot(path=str(tmp_path / "monkey_fail.png"))
            print(f"\naction {n} ({monkey.last}) failed; counts {monkey.counts}")
            raise
        if n % 25 == 0:
            assert_no_streamlit_exception(page)
            expect(heading(page)).to_be_visible(timeout=30_000)
    monkey_s = time.monotonic() - t0
    assert_no_streamlit_exception(page)
    assert sum(monkey.counts.values()) == ACTIONS and len(monkey.counts) == 7, monkey.counts

    # reset to the seed preset (via another preset: choosing the current one is no change)
    monkey.preset("Mazur 2-2-2")
    idle(page)
    monkey.preset(PRESETS["seed"].title)
    idle(page)
    # the run can end before the page has made the new network's player: a key pressed in
    # between goes to the old one, and the new one then starts at the server's step
    expect(page.locator(f'{HOST}[data-wt="{seed_wt}"] .nnp-label')
           ).to_be_visible(timeout=30_000)
    focus_body(page)
    page.keyboard.press("Home")
    expect(heading(page)).to_have_text(f"Step 1 of {N}", timeout=30_000)
    for i in range(2, N + 1):
        idle(page)  # as a person would: press once the page has finished its last update
        page.keyboard.press("ArrowRight")
        expect(heading(page)).to_have_text(f"Step {i} of {N}", timeout=30_000)
    page.keyboard.press("ArrowRight")  # after the last step: the update animation
    expect(heading(page)).to_have_text("Update animation")
    page.keyboard.press("ArrowRight")  # past the end: stays
    idle(page)
    expect(heading(page)).to_have_text("Update animation")
    assert "preset" not in page.url and "cfg=" not in page.url
    assert_no_streamlit_exception(page)
    print(f"\nmonkey: {ACTIONS} actions in {monkey_s:.1f} s: {monkey.counts}")
