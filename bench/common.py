"""Shared pieces of the benchmark scripts: percentiles, load average, process memory,
starting/stopping ``streamlit run`` on a free loopback port, launching the system Chromium,
and what the page should show at each step (for the in-page MutationObserver).

Only 127.0.0.1 is ever contacted.  Chromium is Debian's /usr/bin/chromium (never a
downloaded browser).
"""
from __future__ import annotations

import math
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

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

CHROMIUM = os.environ.get("NNVIZ_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
VIEWPORT = {"width": 1400, "height": 900}


# ---- numbers ---------------------------------------------------------------------------
def pct(values, q: float) -> float:
    """The q-th percentile (0..100), nearest-rank (an observed value, no interpolation)."""
    xs = sorted(values)
    if not xs:
        return float("nan")
    return xs[max(0, min(len(xs) - 1, math.ceil(q / 100 * len(xs)) - 1))]


def loadavg() -> tuple[float, float, float]:
    return os.getloadavg()


def fmt_load(load) -> str:
    return " / ".join(f"{v:.2f}" for v in load)


def rss_bytes(pid: int) -> int:
    """Resident set size of one process (psutil if installed, else /proc)."""
    try:
        import psutil
        return psutil.Process(pid).memory_info().rss
    except ImportError:
        pass
    with open(f"/proc/{pid}/status", encoding="ascii") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return 0


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far, all its threads (from /proc)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return 0.0


def chromium_pids() -> list[int]:
    """The Chromium processes started (through Playwright's driver) by this process."""
    parent, exe = {}, {}
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                with open(f"/proc/{d}/stat", encoding="ascii", errors="replace") as f:
                    head, rest = f.read().rsplit(")", 1)
                parent[int(d)] = int(rest.split()[1])
                exe[int(d)] = head.split("(", 1)[1]
            except (OSError, IndexError, ValueError):
                pass
    me, out = os.getpid(), []
    for pid in parent:
        p, seen = pid, 0
        while p in parent and p != me and seen < 50:
            p, seen = parent[p], seen + 1
        if p == me and "chrom" in exe.get(pid, "").lower():
            out.append(pid)
    return out


def established(port: int) -> int:
    """How many established TCP connections have local port ``port`` (from /proc/net)."""
    n = 0
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            with open(table, encoding="ascii") as f:
                next(f)
                for line in f:
                    parts = line.split()
                    if int(parts[1].rsplit(":", 1)[1], 16) == port and parts[3] == "01":
                        n += 1
        except OSError:
            pass
    return n


def write_section(text: str, mark: tuple[str, str]) -> None:
    """Put ``text`` (which starts with mark[0] and ends with mark[1]) into RESULTS.md: in
    place of the section between those markers, else at the end."""
    path = HERE / "RESULTS.md"
    res = path.read_text(encoding="utf-8")
    if mark[0] in res:
        import re
        res = re.sub(re.escape(mark[0]) + ".*?" + re.escape(mark[1]), lambda _: text, res, flags=re.S)
    else:
        res = res.rstrip() + "\n\n" + text + "\n"
    path.write_text(res, encoding="utf-8")


# ---- the app's server ------------------------------------------------------------------
def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def health_ok(base_url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{base_url}/_stcore/health", timeout=2) as r:
            return r.status == 200 and r.read().strip() == b"ok"
    except (urllib.error.URLError, OSError, ValueError):
        return False


def streamlit_cmd(port: int, app: Path = REPO / "app.py", extra: tuple[str, ...] = ()) -> list[str]:
    return [sys.executable, "-m", "streamlit", "run", str(app),
            "--server.headless", "true", "--server.port", str(port),
            "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false",
            # the tree is edited while benchmarks run: never rerun on file changes
            "--server.fileWatcherType", "none", "--server.runOnSave", "false", *extra]


class Server:
    """``streamlit run app.py`` on a free loopback port, in its own process group."""

    def __init__(self, port: int | None = None, extra: tuple[str, ...] = ()):
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = tempfile.NamedTemporaryFile(prefix="nnviz-bench-", suffix=".log", delete=False)
        env = dict(os.environ, PYTHONPATH=str(REPO), PYTHONUNBUFFERED="1",
                   STREAMLIT_BROWSER_GATHER_USAGE_STATS="false")
        self.started = time.perf_counter()
        self.proc = subprocess.Popen(streamlit_cmd(self.port, extra=extra), cwd=str(REPO), env=env,
                                     stdin=subprocess.DEVNULL, stdout=self.log,
                                     stderr=subprocess.STDOUT, start_new_session=True)

    def wait_healthy(self, timeout: float = 60.0) -> float:
        """Seconds from start until /_stcore/health answers ok."""
        deadline = time.perf_counter() + timeout
        while not health_ok(self.url):
            if self.proc.poll() is not None:
                raise RuntimeError(f"streamlit exited with {self.proc.returncode}:\n{self.output()}")
            if time.perf_counter() > deadline:
                raise RuntimeError(f"streamlit not healthy after {timeout:.0f} s:\n{self.output()}")
            time.sleep(0.02)
        return time.perf_counter() - self.started

    def output(self) -> str:
        self.log.flush()
        return Path(self.log.name).read_text(errors="replace")[-4000:]

    def rss(self) -> int:
        return rss_bytes(self.proc.pid)

    def stop(self) -> None:
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)
                self.proc.wait(timeout=10)
            except ProcessLookupError:
                pass
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=10)
        self.log.close()
        try:
            os.unlink(self.log.name)
        except OSError:
            pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


# ---- what the page shows at each step -------------------------------------------------
def app_url(base: str, cfg=None) -> str:
    """The app's address for a config (None: the seed preset)."""
    if cfg is None:
        return base + "/"
    from nnviz_app.state import encode_config
    return f"{base}/?cfg={encode_config(cfg)}"


def big_config():
    """The largest network the app allows: 5 layers of 8 neurons (fixed random seed)."""
    from nnviz.engine.config import MAX_LAYERS, MAX_NEURONS, random_config
    return random_config([MAX_NEURONS] * MAX_LAYERS, 0)


def expectations(cfg=None) -> list[dict]:
    """Per step (0-based index i): what the step heading, the numeric equation (LaTeX
    source without whitespace or line breaks) and the graph's title show once step i is on
    screen."""
    from nnviz.engine.presets import PRESETS
    from nnviz.trace.record import trace_backprop
    cfg = cfg or PRESETS["seed"].config
    tr = trace_backprop(cfg.network(), cfg.x_array, cfg.y_array, cfg.eta)
    n = len(tr)
    return [{"heading": f"Step {i + 1} of {n}",
             "tex": "".join(s.latex_numbers("matrix").split()).replace("\\\\", ""),
             "graph": "Update" if s.phase == "update" else f"Step {i + 1}/{n}"}
            for i, s in enumerate(tr.steps)]


# Installed in every page before Streamlit loads.  On each key press (capture phase) it
# notes performance.now(); a MutationObserver then notes when the step heading, the
# numeric equation (KaTeX annotation) and the graph title (plotly .gtitle) all show
# window.__nn.exp, and how long each took.
INIT_JS = r"""
(() => {
  const nn = window.__nn = {exp: null, t0: null, done: null, parts: null};
  // LaTeX source without whitespace, line breaks (\\) or the gathered wrapper that the app
  // puts around a long formula (nnviz_app.panels.two_lines): the same text however it is wrapped.
  const norm = s => s.replace(/\s+/g, '').replace(/\\(begin|end)\{gathered\}/g, '').split('\\\\').join('');
  const has = (sel, pred) => { for (const e of document.querySelectorAll(sel)) if (pred(e.textContent)) return true; return false; };
  const check = () => {
    if (!nn.exp || nn.t0 === null || nn.done !== null) return;
    const t = performance.now() - nn.t0, p = nn.parts;
    if (p.heading === null && has('[data-testid="stMarkdownContainer"]', s => s.includes(nn.exp.heading + ' ')))
      p.heading = t;
    if (p.tex === null && has('.katex annotation', s => norm(s) === nn.exp.tex)) p.tex = t;
    if (p.graph === null && has('.js-plotly-plot .gtitle', s => s.startsWith(nn.exp.graph))) p.graph = t;
    if (p.heading !== null && p.tex !== null && p.graph !== null) {
      nn.done = t;
      if (nn.resolve) { nn.resolve(t); nn.resolve = null; }
    }
  };
  nn.arm = exp => { nn.exp = exp; nn.t0 = null; nn.done = null; nn.resolve = null;
                    nn.parts = {heading: null, tex: null, graph: null}; };
  // Promises instead of polling (polling every animation frame in 50 pages costs CPU):
  // wait() resolves with the step time once all three show the step; idle() once the
  // script run has finished (stApp's data-test-script-state is "notRunning").
  const limit = (p, ms, what) => Promise.race([p, new Promise((_, no) =>
      setTimeout(() => no(new Error(what + ' not seen within ' + ms + ' ms')), ms))]);
  nn.wait = (ms = 30000) => limit(new Promise(r => { if (nn.done !== null) r(nn.done); else nn.resolve = r; }),
                                  ms, 'step ' + (nn.exp && nn.exp.heading));
  nn.idle = (ms = 30000) => limit(new Promise(r => {
    const app = () => document.querySelector('[data-testid="stApp"]');
    const ok = () => app() && app().getAttribute('data-test-script-state') === 'notRunning';
    if (ok()) return r(true);
    const mo = new MutationObserver(() => { if (ok()) { mo.disconnect(); r(true); } });
    mo.observe(document.documentElement, {subtree: true, attributes: true, attributeFilter: ['data-test-script-state']});
  }), ms, 'end of the script run');
  document.addEventListener('keydown', () => { if (nn.exp && nn.t0 === null) { nn.t0 = performance.now(); check(); } }, true);
  const start = () => new MutationObserver(check).observe(document.documentElement,
      {subtree: true, childList: true, characterData: true});
  if (document.documentElement) start(); else document.addEventListener('DOMContentLoaded', start);
})();
"""
# Python side: press, then WAIT_JS (resolves with the in-page step time), then IDLE_JS.
WAIT_JS = "() => window.__nn.wait()"
IDLE_JS = "() => window.__nn.idle()"
FIRST_GRAPH = ".js-plotly-plot .gtitle"
IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'


def launch_chromium(pw):
    """The system Chromium, headless, with the flags the project allows."""
    return pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
