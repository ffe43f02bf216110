"""Faults survived, nothing lost: real Streamlit processes and a real Chromium.

* the server killed (SIGKILL) and started again on the same port while the page is on
  step 9 of an edited network: the page reconnects and shows the same network and step
  (the URL carries them);
* uploads that must fail — a file cut short, 1 MB of garbage, JSON nested 10,000 deep:
  one message each, the network and the step kept;
* the image-export browser crashing: one message, and the app keeps working.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from common import Server  # noqa: E402
from conftest import EXCEPTION_SELECTOR, assert_no_streamlit_exception, wait_for_app_run  # noqa: E402
from nnviz.engine.presets import PRESETS  # noqa: E402
from nnviz_app.state import encode_config, from_query  # noqa: E402

pytestmark = pytest.mark.browser

EDITED = PRESETS["mazur"].config.replace(eta=0.75, weights=[[[0.15, -0.2], [0.25, 0.3]],
                                                            [[0.4, 0.45], [0.5, 0.55]]])


@pytest.fixture
def server():
    s = Server()
    s.wait_healthy(90)
    yield s
    s.stop()


@pytest.fixture
def page9(server, browser):
    """A page on step 9 of the edited network, on its own server."""
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    go_to_step_9(page, server.url)
    yield page
    page.close()


@pytest.fixture
def crashing_chromium(tmp_path, monkeypatch):
    """NNVIZ_CHROMIUM set to a 'Chromium' that crashes at once (for servers started after)."""
    fake = tmp_path / "chromium"
    fake.write_text("#!/bin/sh\necho 'crashed' >&2\nexit 139\n")
    fake.chmod(0o755)
    monkeypatch.setenv("NNVIZ_CHROMIUM", str(fake))


def url_state(page) -> dict:
    from urllib.parse import parse_qsl, urlsplit

    state, notices = from_query(dict(parse_qsl(urlsplit(page.url).query)))
    assert not notices, notices
    return state


def go_to_step_9(page, base: str) -> None:
    page.goto(f"{base}/?cfg={encode_config(EDITED)}", wait_until="domcontentloaded")
    wait_for_app_run(page, timeout_ms=90_000)
    for _ in range(16):  # → until step 9 (a key pressed before the page has focus is lost)
        if page.get_by_text("Step 9 of 16", exact=True).count():
            break
        page.keyboard.press("ArrowRight")
        wait_for_app_run(page)
    page.get_by_text("Step 9 of 16", exact=True).first.wait_for(timeout=30_000)


def assert_on_step_9_of_the_edited_network(page) -> None:
    page.get_by_text("Step 9 of 16", exact=True).first.wait_for(timeout=60_000)
    state = url_state(page)
    assert state["cfg"] == EDITED and state["step"] == 8
    assert page.locator(".js-plotly-plot").get_by_text("−0.2").count() >= 1  # the edited w^1_12
    assert_no_streamlit_exception(page)


def test_a_killed_and_restarted_server_reopens_the_same_network_and_step(browser):
    first = Server()
    first.wait_healthy(90)
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    try:
        go_to_step_9(page, first.url)
        assert_on_step_9_of_the_edited_network(page)
        first.proc.kill()  # SIGKILL: no goodbye to the browser
        first.proc.wait(10)
        page.wait_for_timeout(1500)  # the page notices the lost connection
        second = Server(port=first.port)
        try:
            second.wait_healthy(90)
            page.locator('[data-testid="stApp"][data-test-connection-state="CONNECTED"]').wait_for(
                state="attached", timeout=90_000)
            wait_for_app_run(page, timeout_ms=90_000)
            assert_on_step_9_of_the_edited_network(page)
            page.keyboard.press("ArrowRight")  # and it works on
            wait_for_app_run(page)
            page.get_by_text("Step 10 of 16", exact=True).first.wait_for(timeout=30_000)
        finally:
            second.stop()
    finally:
        page.close()
        first.stop()


def upload(page, name: str, data: bytes) -> None:
    page.locator('[data-testid="stSidebar"] input[type="file"]').set_input_files(
        {"name": name, "mimeType": "application/json", "buffer": data})
    wait_for_app_run(page, settle_ms=500)


def open_sidebar(page) -> None:
    if not page.locator('[data-testid="stSidebar"][aria-expanded="true"]').count():
        page.locator('[data-testid="stExpandSidebarButton"], [data-testid="stSidebarCollapsedControl"] button'
                     ).first.click()
    page.locator('[data-testid="stSidebar"] input[type="file"]').wait_for(state="attached")


CASES = {
    "cut short": ("net.json", EDITED.model_dump_json().encode()[:150], "not valid JSON"),
    "1 MB of garbage": ("big.json", os.urandom(1024 * 1024), "File must be 1.0MB or smaller"),
    "nested 10,000 deep": ("deep.json", b"[" * 10_000 + b"]" * 10_000, "not valid JSON"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_a_bad_upload_gets_one_message_and_keeps_the_state(page9, case):
    name, data, says = CASES[case]
    open_sidebar(page9)
    upload(page9, name, data)
    page9.get_by_text(says).first.wait_for(timeout=30_000)
    errors = page9.locator('[data-testid="stAlertContentError"]').all_inner_texts()
    uploader_errors = page9.locator('[data-testid="stFileUploader"] [role="alert"]').all_inner_texts()
    assert len(errors) + len(uploader_errors) == 1, (errors, uploader_errors)
    assert_on_step_9_of_the_edited_network(page9)


def test_a_crashing_export_browser_is_one_message_and_the_app_works_on(crashing_chromium, page9):
    open_sidebar(page9)
    page9.get_by_text("Download").first.click()
    page9.get_by_role("button", name="Steps GIF").click()  # drawn by kaleido on the server
    page9.wait_for_timeout(3000)
    wait_for_app_run(page9)
    assert page9.locator(EXCEPTION_SELECTOR).count() == 0
    texts = page9.locator('[data-testid="stAlertContentError"]').all_inner_texts()
    assert len(texts) == 1 and "Chromium" in texts[0], texts
    page9.keyboard.press("ArrowRight")
    wait_for_app_run(page9)
    page9.get_by_text("Step 10 of 16", exact=True).first.wait_for(timeout=30_000)
    assert_no_streamlit_exception(page9)
