"""The example notebook run in real JupyterLab and Notebook 7 (a local server, Chromium).

The live player (``nnviz.show(...).live()``, an anywidget) in JupyterLab: ``w.step = 7`` in
Python steps the page, keys in the page step ``w.step``.

A ``jupyter lab`` server (its Notebook 7 pages included) serves a copy of
``examples/backprop_3-2-1.ipynb``; the page runs every cell from the Run menu, as a user
would.  Both players appear; keys pressed in the first step it (the numbers on its graph
are the trace's) while the notebook's own shortcuts (↓, ↑, j, k move between cells in
command mode) never see them and the second player stays where it was.  Nothing outside
the local server is requested.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import expect

from conftest import REPO_ROOT, free_port, stop_process_group
from notebook_support import check_numbers, notebook_traces, state, wait_step

nbformat = pytest.importorskip("nbformat")
pytest.importorskip("jupyterlab")
pytest.importorskip("notebook")

pytestmark = pytest.mark.browser

NAME = "backprop_3-2-1.ipynb"
LIVE_SETUP = ("import nnviz\nw = nnviz.show(nnviz.Network([3, 2, 1], seed=1), [0.5, -1, 0.8], [1], eta=3.0).live()\nw")
# Records every kernel status the page shows (an aria text, "Kernel status: Idle"); the page
# says "Idle" once before it even connects, so a kernel is ready when, after another status,
# it says "Idle" again.
STATUS_RECORDER_JS = """window.nnvizKernel = []; setInterval(() => {
  const s = [...document.querySelectorAll('span')].find(e => /Kernel status:/.test(e.textContent));
  const t = s ? s.textContent.trim() : '';
  if (t && t !== window.nnvizKernel[window.nnvizKernel.length - 1]) window.nnvizKernel.push(t);
}, 20);"""
KERNEL_READY_JS = """() => { const k = window.nnvizKernel || [];
  return k.length > 1 && /Idle/.test(k[k.length - 1]) && k.some(t => !/Idle/.test(t)); }"""
STARTED_JS = """() => { const p = document.querySelector('.jp-CodeCell .jp-InputPrompt');
  return !!p && /\\[(\\*|\\d+)\\]/.test(p.textContent); }"""
ACTIVE_CELL_JS = """() => { const a = document.querySelector('.jp-Notebook .jp-Cell.jp-mod-active');
  return a ? [...a.parentElement.children].indexOf(a) : -1; }"""


@pytest.fixture(scope="module")
def jupyter_server(tmp_path_factory):
    """Base URL of a jupyter server (no token) whose root holds a copy of the notebook."""
    root = tmp_path_factory.mktemp("jupyter")
    shutil.copy(REPO_ROOT / "examples" / NAME, root / NAME)
    cell = nbformat.v4.new_code_cell
    live = nbformat.v4.new_notebook(cells=[cell(LIVE_SETUP), cell("w.step = 7"), cell("print('STEP', w.step)")])
    live.metadata = {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"}}
    nbformat.write(live, root / "live.ipynb")
    # a fresh user: start the notebook's own kernel without asking ("Select Kernel")
    settings = root / ".settings" / "@jupyterlab" / "docmanager-extension"
    settings.mkdir(parents=True)
    (settings / "plugin.jupyterlab-settings").write_text('{"autoStartDefaultKernel": true}')
    port = free_port()
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in (str(REPO_ROOT), os.environ.get("PYTHONPATH")) if p),
               JUPYTER_CONFIG_DIR=str(root / ".config"), JUPYTERLAB_SETTINGS_DIR=str(root / ".settings"),
               JUPYTERLAB_WORKSPACES_DIR=str(root / ".workspaces"))
    cmd = [sys.executable, "-m", "jupyterlab", "--no-browser", f"--port={port}", "--ip=127.0.0.1",
           "--ServerApp.token=", "--ServerApp.password=", f"--ServerApp.root_dir={root}",
           "--LabApp.news_url=None", "--ServerApp.disable_check_xsrf=True"] + (["--allow-root"] if os.geteuid() == 0 else [])
    log = tempfile.NamedTemporaryFile(prefix="nnviz-jupyter-", suffix=".log", delete=False)
    proc = subprocess.Popen(cmd, cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                with urllib.request.urlopen(f"{base}/api/status", timeout=2) as r:
                    if r.status == 200:
                        break
            except (urllib.error.URLError, OSError):
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail("jupyter server did not start:\n" + open(log.name, errors="replace").read()[-3000:])
            time.sleep(0.5)
        yield base
    finally:
        stop_process_group(proc)


def shut_kernels(base: str) -> None:
    """Stop every kernel the server runs (each test's notebook starts its own)."""
    with urllib.request.urlopen(f"{base}/api/kernels", timeout=10) as r:
        kernels = json.loads(r.read())
    for k in kernels:
        urllib.request.urlopen(urllib.request.Request(f"{base}/api/kernels/{k['id']}", method="DELETE"), timeout=30)


def run_all(browser, jupyter_server, path):
    """(context, page, requests outside the server): ``path`` opened, every cell run.
    (Lab paths end in ``?reset``: a fresh workspace, not the tabs an earlier test left open.)"""
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    outside = []

    def route(r):
        if r.request.url.startswith((jupyter_server, jupyter_server.replace("http", "ws", 1), "data:", "blob:")):
            r.continue_()
        else:
            outside.append(r.request.url)
            r.abort()
    page.route("**/*", route)
    page.add_init_script(STATUS_RECORDER_JS)
    page.goto(jupyter_server + path)
    page.locator(".jp-Notebook .jp-Cell").first.wait_for(timeout=60_000)
    page.wait_for_function(KERNEL_READY_JS, timeout=60_000)  # before, "Run All" is dropped
    for attempt in range(2):  # a "Run All" sent while the kernel still connects can be dropped
        page.get_by_role("menuitem", name="Run").first.click()
        page.get_by_text("Run All Cells", exact=True).first.click()
        try:
            page.wait_for_function(STARTED_JS, timeout=30_000)
            break
        except PlaywrightTimeout:
            if attempt:
                raise
    return context, page, outside


@pytest.mark.parametrize("ui,path", [("JupyterLab", f"/lab/tree/{NAME}?reset"), ("Notebook 7", f"/notebooks/{NAME}")])
def test_example_notebook_runs_and_steps_in_jupyter(browser, jupyter_server, ui, path):
    trace, trace2 = notebook_traces(nbformat.read(REPO_ROOT / "examples" / NAME, as_version=4))
    n = len(trace)
    context, page, outside = run_all(browser, jupyter_server, path)
    try:
        frames = page.locator("iframe[data-nnviz-frame]")
        frames.nth(1).wait_for(state="attached", timeout=90_000)  # Lab may not paint cells out of view
        assert frames.count() == 2
        frames.nth(1).scroll_into_view_if_needed()
        wait_step(page, 1, f"Step 1 of {n}")
        frames.nth(0).scroll_into_view_if_needed()
        wait_step(page, 0, f"Step 1 of {n}")
        cell = page.evaluate(ACTIVE_CELL_JS)
        page.frame_locator("iframe[data-nnviz-frame]").first.locator("body").click(position={"x": 3, "y": 3})
        for key in ["ArrowRight"] * 9 + ["ArrowDown", "ArrowUp", "j", "k"]:
            page.keyboard.press(key)
        check_numbers(wait_step(page, 0, f"Step 10 of {n}"), trace[9], 9)
        assert page.evaluate(ACTIVE_CELL_JS) == cell, "the notebook moved between cells"
        assert "Step 1 of" in state(page, 1)["label"]
        # the frame grew to its page's height (the output's script ran)
        assert frames.nth(0).evaluate("e => e.getBoundingClientRect().height") > 400
        assert outside == [], outside
    finally:
        context.close()
        shut_kernels(jupyter_server)


def test_live_player_shares_its_step_with_python_in_jupyterlab(browser, jupyter_server):
    """``.live()``: Python's ``w.step = 7`` steps the page; keys in the page step ``w.step``."""
    ns: dict = {}
    exec(LIVE_SETUP.rsplit("\n", 1)[0], ns)  # noqa: S102  (the same call, here: its trace)
    trace = ns["w"].trace
    n = len(trace)
    context, page, outside = run_all(browser, jupyter_server, "/lab/tree/live.ipynb?reset")
    try:
        page.locator("iframe[sandbox]").first.wait_for(state="attached", timeout=90_000)
        check_numbers(wait_step(page, 0, f"Step 8 of {n}"), trace[7], 7)  # set from Python
        page.frame_locator("iframe[sandbox]").first.locator("body").click(position={"x": 3, "y": 3})
        page.keyboard.press("ArrowRight")
        page.keyboard.press("ArrowRight")
        check_numbers(wait_step(page, 0, f"Step 10 of {n}"), trace[9], 9)
        last = page.locator(".jp-Notebook .jp-Cell").nth(2)
        last.locator(".jp-InputArea").click()
        page.keyboard.press("Shift+Enter")  # print('STEP', w.step), run again
        expect(last.locator(".jp-OutputArea")).to_contain_text("STEP 9", timeout=30_000)
        assert outside == [], outside
    finally:
        context.close()
        shut_kernels(jupyter_server)
