"""deploy/ as a public link: nginx started by deploy/start.sh on loopback ports, in its
own temp run dir (bench/bench_sessions.py ``Deployment``), in front of one backend.

Checks: the security headers on every kind of response, a link as long as the app allows
(16,000 characters of cfg=) opens, a flood from one address is cut to the burst allowed,
the websocket's compression (.streamlit/config.toml) is negotiated through nginx, and (in Chromium) Streamlit's page works under the Content-Security-Policy with no
violation.  Skips, saying why, only when nginx is not installed
(scripts/install-test-deps.sh installs it).
"""
from __future__ import annotations

import base64
import json
import sys
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from bench_sessions import Deployment, nginx_available  # noqa: E402
from nnviz.engine.config import random_config  # noqa: E402
from nnviz_app.state import MAX_CFG_CHARS, decode_config  # noqa: E402

pytestmark = pytest.mark.skipif(not nginx_available(),
                                reason="nginx is not installed (scripts/install-test-deps.sh installs it)")

HEADERS = {"X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer", "X-Frame-Options": "DENY"}
BURST = 200  # deploy/start.sh's default NNVIZ_BURST


@pytest.fixture(scope="module")
def deployment():
    d = Deployment(1)
    try:
        yield d
    finally:
        d.stop()


def get(url: str, body: bytes | None = None) -> tuple[int, dict]:
    try:
        with urllib.request.urlopen(urllib.request.Request(url, data=body), timeout=60) as r:
            r.read()
            return r.status, dict(r.headers)
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers)


def maximal_cfg() -> str:
    """A valid cfg= value of exactly MAX_CFG_CHARS characters: the largest network (5 layers
    of 8) at full precision, its JSON padded with spaces to the limit."""
    cfg = random_config([8] * 5, seed=3)
    data = json.loads(cfg.model_dump_json())
    data["weights"] = [[[w + 1e-9 / 3 for w in row] for row in m] for m in data["weights"]]  # 17 digits
    text = json.dumps(data)
    raw_len = MAX_CFG_CHARS * 3 // 4  # base64: 4 characters per 3 bytes, unpadded
    assert len(text) <= raw_len, len(text)
    link = base64.urlsafe_b64encode((text + " " * (raw_len - len(text))).encode()).decode().rstrip("=")
    assert len(link) == MAX_CFG_CHARS and decode_config(link).sizes == [8] * 5
    return link


def csp_of(headers: dict) -> dict[str, str]:
    policy = headers.get("Content-Security-Policy", "")
    return {p.split()[0]: p for p in (d.strip() for d in policy.split(";")) if p}


def test_security_headers_on_pages_static_files_and_errors(deployment):
    # the page, one of its scripts, and an upload larger than nginx takes (2 MB)
    page = urllib.request.urlopen(deployment.url + "/", timeout=60).read().decode()
    script = page.split('src="./static/js/', 1)[1].split('"', 1)[0]
    for url, body, want in ((deployment.url + "/", None, 200), (deployment.url + "/static/js/" + script, None, 200),
                            (deployment.url + "/_stcore/upload_file/x/y", b"x" * 3_000_000, 413)):
        code, headers = get(url, body)
        assert code == want, url
        for name, value in HEADERS.items():
            assert headers.get(name) == value, (url, name, headers.get(name))
        csp = csp_of(headers)
        assert csp["frame-ancestors"] == "frame-ancestors 'none'" and csp["object-src"] == "object-src 'none'"
        assert "'unsafe-eval'" not in csp["script-src"] and "'unsafe-inline'" not in csp["script-src"]


def test_a_link_as_long_as_the_app_allows_passes_nginx(deployment):
    link = maximal_cfg()
    query = f"cfg={link}&step=9&view=scalar&j=7&k=7&mode=predict&projector=0&preset=mazur"
    code, _ = get(f"{deployment.url}/?{query}")
    assert code == 200  # nginx's default 8 KiB request line answered 414


def test_the_websocket_is_compressed_through_nginx(deployment):
    # permessage-deflate is agreed between the browser and Streamlit: nginx must pass the
    # extension both ways; the first run (the walk-through) then crosses compressed
    from test_websocket_compression import open_session
    r, extensions, wire = open_session(deployment.url, "deflate")
    assert extensions.startswith("permessage-deflate"), extensions
    assert r["wt_bytes"] > 100_000 and wire < r["first_payload"] / 3, (wire, r["first_payload"])


def test_a_flood_from_one_address_is_limited(deployment):
    n = 3 * BURST
    with ThreadPoolExecutor(16) as pool:
        codes = list(pool.map(lambda _: get(deployment.url + "/_stcore/health")[0], range(n)))
    ok, limited = codes.count(200), codes.count(429)
    assert ok + limited == n, set(codes)
    assert limited > 0 and ok >= BURST // 2, (ok, limited)
    # the limit is a rate, not a ban: after a pause the address is served again
    # (one request at a time: a health check served first may take the one refilled token)
    for _ in range(50):
        code, headers = get(deployment.url + "/")
        if code == 200:
            break
        time.sleep(0.2)
    else:
        pytest.fail("still refused 10 s after the flood")
    assert headers.get("X-Content-Type-Options") == "nosniff"


@pytest.mark.browser
def test_streamlit_works_under_the_csp_with_no_violation(deployment, browser):
    from conftest import assert_no_streamlit_exception, wait_for_app_run

    page = browser.new_page(viewport={"width": 1280, "height": 800})
    reports = []
    page.on("console", lambda m: reports.append(m.text) if m.type == "error" else None)
    page.add_init_script("document.addEventListener('securitypolicyviolation', e => "
                         "console.error('CSP violation: ' + e.violatedDirective + ' ' + e.blockedURI))")
    page.goto(f"{deployment.url}/?cfg={maximal_cfg()}&step=9", wait_until="domcontentloaded")
    wait_for_app_run(page, timeout_ms=90_000)
    assert_no_streamlit_exception(page)
    # the link's step on the link's network: 8-8-8-8-8 has 32 steps (the presets 16 or fewer)
    page.get_by_text("Step 10 of 32", exact=True).first.wait_for(timeout=30_000)
    page.keyboard.press("ArrowRight")
    wait_for_app_run(page)
    assert page.locator(".js-plotly-plot").count() >= 1 and page.locator(".katex").count() >= 1
    violations = [r for r in reports if "Content Security Policy" in r or r.startswith("CSP violation")]
    assert not violations, violations
    page.close()
