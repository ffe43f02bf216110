"""Measure the drawn network graph in Chromium: text boxes, overlaps, font sizes, share of
the screen, and whether the running seed line and the formula are in view.

Used by tests/test_graph_browser.py, and on its own for the before/after table of a change:

    python3 tests/graph_measure.py figure            # the figures alone, in a bare page
    python3 tests/graph_measure.py app [APP_DIR]     # the app (a server started from APP_DIR)

``figure`` draws each step's figure JSON with the installed plotly.js in a bare page of the
size the app gives the graph (fast); ``app`` steps the real app with the → key.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

import plotly

MEASURE_JS = (Path(__file__).with_name("graph_measure.js")).read_text()
PLOTLY_JS = Path(plotly.__file__).with_name("package_data") / "plotly.min.js"
# The three screens of the issue: (viewport width, height, projection mode)
SCREENS = {"desktop": (1280, 800, False), "projected": (1024, 768, True), "phone": (390, 844, False)}
APP_GRAPH = ".nnviz-player .nnp-fig.js-plotly-plot"  # explore mode: the client-side player
BARE_GRAPH = "#graph"
LAUNCH = dict(executable_path="/usr/bin/chromium", headless=True, args=[
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync"])


def measure(page, selector: str) -> dict:
    """MEASURE_JS on the graph at ``selector`` (None if no graph is drawn)."""
    return page.evaluate(MEASURE_JS, selector)


def bare_page(page, width: int, height: int) -> None:
    """An empty page of the given size with plotly.js and one div to draw into."""
    page.set_viewport_size({"width": width, "height": height})
    page.set_content('<html><body style="margin:0"><div id="graph"></div></body></html>')
    page.add_script_tag(path=str(PLOTLY_JS))


def draw(page, fig) -> dict:
    """Draw a plotly figure (a go.Figure) in the bare page, as the player will: Plotly.react."""
    page.evaluate("""(f) => Plotly.react('graph', f.data, f.layout, {displayModeBar: false})""",
                  json.loads(fig.to_json()))
    return measure(page, BARE_GRAPH)


def summary(rows: list[dict]) -> dict:
    """One line per screen: overlaps, smallest text, share, hover notes, lines out of view."""
    return {
        "steps": len(rows),
        "overlapping pairs": sum(len(r["overlaps"]) for r in rows),
        "steps with an overlap": sum(bool(r["overlaps"]) for r in rows),
        "texts cut": sum(len(r["cut"]) for r in rows),
        "steps with a hover note": sum(bool(r["hover_note"]) for r in rows),
        "smallest text px": round(min(r["min_px"] for r in rows), 1),
        "graph share of screen (min)": round(min(r["share"] for r in rows), 3),
        "running line out of view": sum(not r["code_in_view"] for r in rows if r["code_lines"]),
        "formula out of view": sum(not r["formula_in_view"] for r in rows if r["formulas"]),
        "page wider than screen": sum(r["page_w"] > r["vw"] for r in rows),
    }


def _main(argv) -> None:  # pragma: no cover - a command-line tool
    from playwright.sync_api import sync_playwright

    from nnviz.engine.presets import PRESETS
    from nnviz.trace.record import trace_backprop
    what, presets = argv[0], ("seed", "mazur", "xor")
    out = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(**LAUNCH)
        page = browser.new_page()
        for name in presets:
            cfg = PRESETS[name].config
            trace = trace_backprop(cfg.network(), cfg.x_array, cfg.y_array, cfg.eta)
            for screen in SCREENS:
                if what == "figure":
                    rows = figure_rows(page, trace, screen)
                else:
                    rows = app_rows(page, argv[1], name, screen, len(trace))
                out[f"{name} @ {screen}"] = summary(rows)
                print(f"{name} @ {screen}", json.dumps(out[f"{name} @ {screen}"]), flush=True)
                worst = max(rows, key=lambda r: len(r["overlaps"]))
                if worst["overlaps"]:
                    print("   e.g.", worst["overlaps"][:4], flush=True)
        browser.close()


def figure_rows(page, trace, screen: str) -> list[dict]:
    from nnviz.draw.figures import step_figure
    from nnviz.draw.layout import screen_figure_size
    theme, w, h = screen_figure_size(screen)
    bare_page(page, w, h)
    return [draw(page, step_figure(trace, i, theme=theme, width=w, height=h))
            for i in range(len(trace))]


def app_rows(page, base_url: str, preset: str, screen: str, n: int, graph: str = APP_GRAPH,
             shot: tuple[int, Path] | None = None) -> list[dict]:
    """Step the app through every step with → and measure each; ``shot`` = (i, path): a
    screenshot of the page at step i (0-based)."""
    import sys as _sys
    _sys.path.insert(0, str(Path(__file__).parent))
    from conftest import wait_for_app_run
    vw, vh, projector = SCREENS[screen]
    page.set_viewport_size({"width": vw, "height": vh})
    page.goto(f"{base_url}/?preset={preset}" + ("&projector=1" if projector else ""),
              wait_until="domcontentloaded")
    wait_for_app_run(page, timeout_ms=60_000)
    rows = []
    for i in range(n):
        if i:
            page.keyboard.press("ArrowRight")
        title = f"Step {i + 1}/{n}"
        page.wait_for_function("([sel, t]) => { const g = document.querySelector(sel);"
                               " return !!(g && g._fullLayout && (g._fullLayout.title.text.includes(t)"
                               " || g._fullLayout.sliders.length)); }", arg=[graph, title],
                               timeout=30_000)
        wait_for_app_run(page, settle_ms=50)
        page.wait_for_timeout(150)
        if i == 0:  # focus on the page, not an input: the step keys need it
            page.locator(graph).first.click(position={"x": 5, "y": 5})
        rows.append(measure(page, graph))
        if shot and shot[0] == i:
            page.mouse.move(0, 0)  # no hover label in the picture
            page.screenshot(path=str(shot[1]))
    return rows


if __name__ == "__main__":  # pragma: no cover
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    _main(sys.argv[1:])
