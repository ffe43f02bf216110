"""Smoke test for the browser test infrastructure: the app loads cleanly."""

import pytest

from conftest import assert_no_streamlit_exception, wait_for_app_run


@pytest.mark.browser
def test_app_loads_without_exception(page, streamlit_server):
    response = page.goto(streamlit_server, wait_until="domcontentloaded")
    assert response is not None and response.ok, response
    wait_for_app_run(page, timeout_ms=60_000)

    assert page.title().strip(), "page has no title"
    page.locator('[data-testid="stMain"], [data-testid="stAppViewContainer"]').first.wait_for(
        state="visible"
    )
    assert page.locator("body").inner_text().strip(), "page body is empty"
    assert_no_streamlit_exception(page)
