"""Shared pytest fixtures and helpers for the nnviz test suite.

Browser tests (``@pytest.mark.browser``) use pytest-playwright's ``page``
fixture, driving the system Chromium at /usr/bin/chromium (no Playwright
managed browser is ever downloaded), against a Streamlit server started once
per session by the ``streamlit_server`` fixture.

Helpers importable from tests (``from conftest import ...``):
    wait_for_app_run(page, timeout_ms=30_000, settle_ms=100) -> None
    assert_no_streamlit_exception(page) -> None
    free_port() -> int; health_ok(url) -> bool; stop_process_group(proc) -> None
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any, Dict, Iterator

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
CHROMIUM_PATH = os.environ.get("NNVIZ_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SERVER_START_TIMEOUT_S = 60.0


# --------------------------------------------------------------------------
# pytest-playwright configuration
# --------------------------------------------------------------------------
@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: Dict[str, Any]) -> Dict[str, Any]:
    """Override pytest-playwright (0.10) launch args: use the system Chromium.

    Builds on the plugin's own value (keeps --slowmo, --browser-channel,
    indirect parametrisation), then forces the executable and flags.
    ``--headed`` on the command line still wins over headless.
    """
    args = dict(browser_type_launch_args)
    headed = args.get("headless") is False
    args["executable_path"] = CHROMIUM_PATH
    args["args"] = list(CHROMIUM_ARGS) if not headed else [
        a for a in CHROMIUM_ARGS if a != "--headless"
    ]
    args["headless"] = not headed
    return args


# --------------------------------------------------------------------------
# Streamlit server
# --------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _app_path() -> Path:
    env = os.environ.get("NNVIZ_APP")
    return Path(env).resolve() if env else REPO_ROOT / "app.py"


def health_ok(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as resp:
            return resp.status == 200 and resp.read().strip() == b"ok"
    except (urllib.error.URLError, OSError, ValueError):
        return False


def stop_process_group(proc: subprocess.Popen) -> None:
    if proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait(timeout=10)


@pytest.fixture(scope="session")
def streamlit_server() -> Iterator[str]:
    """Start ``streamlit run <app>`` once per session; yield its base URL.

    The app is $NNVIZ_APP if set, else <repo root>/app.py. The server runs
    from the repo root in its own process group, which is killed on teardown.
    Yields e.g. ``"http://127.0.0.1:8765"`` (no trailing slash).
    """
    app = _app_path()
    if not app.is_file():
        pytest.fail(f"Streamlit app not found: {app} (set NNVIZ_APP to override)")

    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    cmd = [
        sys.executable, "-m", "streamlit", "run", str(app),
        "--server.headless", "true",
        "--server.port", str(port),
        "--server.address", "127.0.0.1",
        "--browser.gatherUsageStats", "false",
        # The tree is edited while tests run; never auto-rerun on file changes.
        "--server.fileWatcherType", "none",
        "--server.runOnSave", "false",
    ]
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(
        p for p in (str(REPO_ROOT), env.get("PYTHONPATH", "")) if p
    )
    env["PYTHONUNBUFFERED"] = "1"
    env["STREAMLIT_BROWSER_GATHER_USAGE_STATS"] = "false"

    # Log to a file, not a pipe: a full pipe would block the server.
    log = tempfile.NamedTemporaryFile(
        mode="w+b", prefix="nnviz-streamlit-", suffix=".log", delete=False
    )
    proc = subprocess.Popen(
        cmd,
        cwd=str(REPO_ROOT),
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )

    def server_output() -> str:
        log.flush()
        return Path(log.name).read_text(errors="replace")[-8000:]

    try:
        deadline = time.monotonic() + SERVER_START_TIMEOUT_S
        health = f"{base_url}/_stcore/health"
        while True:
            if proc.poll() is not None:
                pytest.fail(
                    f"Streamlit server exited early with code {proc.returncode}.\n"
                    f"Command: {' '.join(cmd)}\n--- server output ---\n{server_output()}",
                    pytrace=False,
                )
            if health_ok(health):
                break
            if time.monotonic() > deadline:
                pytest.fail(
                    f"Streamlit server did not become healthy at {health} within "
                    f"{SERVER_START_TIMEOUT_S:.0f}s.\n--- server output ---\n{server_output()}",
                    pytrace=False,
                )
            time.sleep(0.25)
        yield base_url
    finally:
        stop_process_group(proc)
        log.close()
        try:
            os.unlink(log.name)
        except OSError:
            pass


# --------------------------------------------------------------------------
# Page helpers
# --------------------------------------------------------------------------
APP_SELECTOR = '[data-testid="stApp"]'
RUNNING_ICON_SELECTOR = (
    '[data-testid="stStatusWidgetRunningIcon"], '
    '[data-testid="stStatusWidgetRunningManIcon"]'
)
EXCEPTION_SELECTOR = '[data-testid="stException"]'


def wait_for_app_run(page: Any, timeout_ms: float = 30_000, settle_ms: float = 100) -> None:
    """Block until the Streamlit app is connected and its script run finished.

    Waits for ``stApp`` with ``data-test-connection-state="CONNECTED"`` and
    ``data-test-script-state="notRunning"`` and for the status-widget running
    icon to be gone. After a widget interaction call it right away; the
    ``settle_ms`` pause first lets the rerun start so it is not missed.
    """
    if settle_ms:
        page.wait_for_timeout(settle_ms)
    page.locator(f'{APP_SELECTOR}[data-test-connection-state="CONNECTED"]').wait_for(
        state="attached", timeout=timeout_ms
    )
    page.locator(f'{APP_SELECTOR}[data-test-script-state="notRunning"]').wait_for(
        state="attached", timeout=timeout_ms
    )
    page.locator(RUNNING_ICON_SELECTOR).first.wait_for(state="detached", timeout=timeout_ms)


def assert_no_streamlit_exception(page: Any) -> None:
    """Fail if the page shows any Streamlit exception box (``stException``)."""
    boxes = page.locator(EXCEPTION_SELECTOR)
    n = boxes.count()
    if n:
        texts = [boxes.nth(i).inner_text() for i in range(n)]
        pytest.fail(
            f"{n} Streamlit exception(s) on the page:\n" + "\n----\n".join(texts),
            pytrace=False,
        )


@pytest.fixture
def app_page(page: Any, streamlit_server: str) -> Any:
    """A Playwright page with the app loaded and its first run finished."""
    page.goto(streamlit_server, wait_until="domcontentloaded")
    wait_for_app_run(page, timeout_ms=60_000)
    return page


# --------------------------------------------------------------------------
# A missing seed notebook is never a quiet skip
# --------------------------------------------------------------------------
def pytest_terminal_summary(terminalreporter) -> None:
    """A banner at the end of the run when seed-oracle tests were skipped for want of the file."""
    from seed_reference import SKIP_TAG

    skipped = [r for r in terminalreporter.stats.get("skipped", []) if SKIP_TAG in str(r.longrepr)]
    if skipped:
        reason = next(str(r.longrepr) for r in skipped)
        terminalreporter.write_sep("!", f"{len(skipped)} seed-oracle tests SKIPPED: the seed notebook is missing",
                                   red=True, bold=True)
        terminalreporter.write_line(reason[reason.index(SKIP_TAG):].rstrip("')"))
