"""Script-injection payloads in every URL parameter and in an uploaded JSON stay inert text."""
from __future__ import annotations

import json
from urllib.parse import urlencode

import pytest
from playwright.sync_api import expect

from conftest import assert_no_streamlit_exception, wait_for_app_run
from nnviz_app.state import FIELD_NAMES

pytestmark = pytest.mark.browser

PAYLOADS = ['<img src=x onerror="window.__xss=1">', "<script>window.__xss=1</script>",
            '"><svg onload="window.__xss=1">']
INJECTED = """() => {
  const bad = [];
  for (const el of document.querySelectorAll('img, script, svg, iframe')) {
    const attrs = [...el.attributes].map(a => a.name + '=' + a.value).join(' ');
    if ((attrs + ' ' + el.textContent).includes('__xss') || el.getAttribute('src') === 'x') bad.push(el.outerHTML.slice(0, 200));
  }
  return {flag: window.__xss === undefined ? null : String(window.__xss), bad};
}"""


def check_inert(page, dialogs) -> None:
    page.wait_for_timeout(300)  # an onerror/onload would fire at once
    got = page.evaluate(INJECTED)
    assert got == {"flag": None, "bad": []}, got
    assert not dialogs, dialogs
    assert_no_streamlit_exception(page)


@pytest.mark.parametrize("payload", PAYLOADS, ids=["img", "script", "svg"])
def test_payloads_in_every_url_parameter_render_as_text(page, streamlit_server, payload):
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    params = {name: payload for name in FIELD_NAMES}
    params[payload] = payload  # an unknown parameter whose name is the payload too
    page.goto(f"{streamlit_server}/?{urlencode(params)}", wait_until="domcontentloaded")
    wait_for_app_run(page, timeout_ms=60_000)
    alerts = page.locator('[data-testid="stAlert"]')
    expect(alerts.first).to_be_visible(timeout=30_000)
    expect(page.locator('[data-testid="stMain"] strong').filter(has_text="Step 1 of")).to_be_visible(
        timeout=30_000)
    text = " ".join(alerts.all_inner_texts())
    for name in FIELD_NAMES:
        assert f"({name}=" in text, (name, text)
    assert payload[:12] in text  # the payload is shown, as plain text
    check_inert(page, dialogs)


def test_uploaded_json_with_payloads_renders_as_text(app_page):
    page, dialogs = app_page, []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.locator('[data-testid="stExpandSidebarButton"]').click()
    uploader = page.locator('[data-testid="stSidebar"] [data-testid="stFileUploaderDropzoneInput"]')
    docs = [{p: p for p in PAYLOADS},
            {"sizes": PAYLOADS[0], "weights": PAYLOADS[1], "eta": PAYLOADS[2], "x": [[1]], "y": [[1]]},
            {"sizes": [3, 2, 1], "activation": PAYLOADS[0], "cost": PAYLOADS[1]}]
    for n, doc in enumerate(docs):
        uploader.set_input_files({"name": f"{PAYLOADS[n % 3]}.json", "mimeType": "application/json",
                                  "buffer": json.dumps(doc).encode()})
        msg = page.locator('[data-testid="stSidebar"] [data-testid="stAlert"]').filter(
            has_text="Could not load")
        expect(msg).to_be_visible(timeout=30_000)
        wait_for_app_run(page)
        assert "The current network is unchanged" in msg.inner_text()
        check_inert(page, dialogs)
    # the network did not change: still the seed preset, step 1
    expect(page.locator('[data-testid="stMain"] strong').filter(has_text="Step 1 of 16")).to_be_visible()
