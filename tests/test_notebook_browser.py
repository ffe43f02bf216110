"""Real kernel, real browser: the example notebook executed, exported and stepped offline.

``examples/backprop_3-2-1.ipynb`` is executed by nbclient on an ipykernel, exported by
nbconvert's HTML exporter and opened from a file in Chromium with every request but the
file aborted.  Its two players (``nnviz.show``'s and a ``Trace`` displayed as itself) are
stepped by keyboard and by their buttons; on every step the numbers on the graph and in the
formula are the trace's, as ``nnviz.trace.numfmt.fmt`` writes them.  The trace is rebuilt in
this process by running the notebook's own setup cells (not by retyping its numbers), and
checked against what the kernel printed.  Keys go only to the player that has focus.

With ``NNVIZ_WRITE_ASSETS=1`` the screenshot (re)writes ``assets/notebook.png``.
"""
from __future__ import annotations

import os
import re
from pathlib import Path

import numpy as np
import pytest

from conftest import REPO_ROOT
from nnviz.trace.numfmt import fmt
from notebook_support import check_numbers, notebook_traces, state, wait_step

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
nbconvert = pytest.importorskip("nbconvert")

pytestmark = pytest.mark.browser

NOTEBOOK = REPO_ROOT / "examples" / "backprop_3-2-1.ipynb"
def shot_path(tmp_path: Path, name: str) -> Path:
    if os.environ.get("NNVIZ_WRITE_ASSETS") == "1":
        return REPO_ROOT / "assets" / name
    return tmp_path / name


@pytest.fixture(scope="module")
def executed(tmp_path_factory):
    """(the executed notebook, its nbconvert HTML file, the first player's trace, the second's)."""
    nb = nbformat.read(NOTEBOOK, as_version=4)
    assert all(not c.get("outputs") and not c.get("execution_count")
               for c in nb.cells if c.cell_type == "code"), "outputs must be stripped in git"
    # the kernel runs in the checkout, so `import nnviz` finds it there (or installed)
    nbclient.NotebookClient(nb, timeout=180, kernel_name="python3",
                            resources={"metadata": {"path": str(REPO_ROOT)}}).execute()
    body, _ = nbconvert.HTMLExporter().from_notebook_node(nb)
    path = tmp_path_factory.mktemp("nb") / "backprop_3-2-1.html"
    path.write_text(body, encoding="utf-8")
    return (nb, path, *notebook_traces(nb))


def kernel_printed(nb, needle: str) -> str:
    for c in nb.cells:
        for o in c.get("outputs", []):
            if o.get("output_type") == "stream" and needle in o.get("text", ""):
                return o["text"]
    raise AssertionError(f"no output mentions {needle!r}")


def test_the_kernel_and_this_process_trace_the_same_call(executed):
    nb, _, trace, _ = executed
    text = kernel_printed(nb, "delta^1 =")
    printed = re.search(r"delta\^1 = \[([^\]]*)\]", text).group(1).split()
    np.testing.assert_allclose([float(v) for v in printed], trace[9].value.ravel(), rtol=0, atol=5e-9)  # printed to 8 decimals
    cell_html = [o["data"]["text/html"] for c in nb.cells for o in c.get("outputs", [])
                 if "data" in o and "text/html" in o["data"]]
    assert len(cell_html) == 2 and all("<iframe data-nnviz-frame" in h for h in cell_html)


@pytest.fixture
def notebook_page(browser, executed):
    _, path, _, _ = executed
    url = path.as_uri()
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    requests, problems = [], []
    page.on("request", lambda r: requests.append((r.frame.url, r.url)))
    page.on("console", lambda m: problems.append(m.text) if m.type in ("error", "warning")
            and m.location.get("url", "").startswith("about:srcdoc") else None)
    page.route("**/*", lambda r: r.continue_() if r.request.url.split("#")[0] == url else r.abort())
    page.goto(url)
    yield page, requests, problems, url, path.read_text(encoding="utf-8")
    context.close()


def players(page):
    frames = page.locator("iframe[data-nnviz-frame]")
    assert frames.count() == 2
    return [page.frame_locator("iframe[data-nnviz-frame]").nth(i) for i in range(2)], frames


def test_executed_notebook_players_step_offline_with_the_traces_numbers(notebook_page, executed, tmp_path):
    page, requests, problems, url, html = notebook_page
    _, _, trace, _ = executed
    n = len(trace)
    (first, second), frames = players(page)
    st = wait_step(page, 0, f"Step 1 of {n}")
    check_numbers(st, trace[0], 0)
    frames.nth(0).scroll_into_view_if_needed()
    first.locator("body").click(position={"x": 3, "y": 3})  # focus the first player
    for i in range(1, n):
        page.keyboard.press(("ArrowRight", "PageDown", " ")[i % 3])
        check_numbers(wait_step(page, 0, f"Step {i + 1} of {n}"), trace[i], i)
        if i == 9:  # the cell that calls nnviz.show, and its output
            frames.nth(0).evaluate("e => e.closest('.jp-Cell').scrollIntoView()")
            page.screenshot(path=str(shot_path(tmp_path, "notebook.png")))
    for key, i in (("ArrowLeft", n - 2), ("PageUp", n - 3), ("Home", 0)):
        page.keyboard.press(key)
        check_numbers(wait_step(page, 0, f"Step {i + 1} of {n}"), trace[i], i)
    # ...and the player's own buttons
    first.locator("button", has_text="Next").click()
    check_numbers(wait_step(page, 0, f"Step 2 of {n}"), trace[1], 1)
    first.locator("button", has_text="Last").click()
    first.locator("button", has_text="Prev").click()
    check_numbers(wait_step(page, 0, f"Step {n} of {n}"), trace[n - 1], n - 1)
    first.locator("button", has_text="First").click()
    check_numbers(wait_step(page, 0, f"Step 1 of {n}"), trace[0], 0)
    # "Save this graph" works from inside the sandboxed frame (it allows downloads)
    with page.expect_download(timeout=15_000) as download:
        first.get_by_text("PNG", exact=True).click()
    assert download.value.suggested_filename.endswith(".png")
    # no player asked for anything; the only requests beside the file are nbconvert's own
    # template (its MathJax and require.js), written in the page outside the players
    assert not [r for r in requests if r[0].startswith("about:srcdoc")], requests
    others = [u for f, u in requests if u.split("#")[0] != url]
    srcdoc_free = re.sub(r'srcdoc="[^"]*"', "", html)
    assert all(u in srcdoc_free for u in others), others
    assert problems == [], problems


def test_keys_go_only_to_the_player_that_has_focus(notebook_page, executed):
    page, _, _, _, _ = notebook_page
    _, _, trace, trace2 = executed
    n = len(trace)
    (first, second), frames = players(page)
    wait_step(page, 0, f"Step 1 of {n}")
    frames.nth(1).scroll_into_view_if_needed()
    second.locator("body").click(position={"x": 3, "y": 3})
    for _ in range(3):
        page.keyboard.press("ArrowRight")
    check_numbers(wait_step(page, 1, f"Step 4 of {n}"), trace2[3], 3)
    assert "Step 1 of" in state(page, 0)["label"]
    frames.nth(0).scroll_into_view_if_needed()
    first.locator("body").click(position={"x": 3, "y": 3})
    page.keyboard.press("End")
    page.keyboard.press("ArrowLeft")
    check_numbers(wait_step(page, 0, f"Step {n} of {n}"), trace[n - 1], n - 1)
    st2 = state(page, 1)
    assert "Step 4 of" in st2["label"] and st2["drawn"]
    # the two players show different examples (y = 1 and y = 0): their numbers differ
    assert fmt(trace[5].value[0, 0]) != fmt(trace2[5].value[0, 0])
