"""Real browser: random users of the offline player (keys at once and after pauses, the
formula view and neuron, a phone's width and a desktop's), and after every action the page
shows exactly the position the actions lead to.

The player keeps charts drawn ahead and formulas typeset ahead (nnviz/player/player.js);
this drives every path between them in random orders (seeded, so a failure replays) and
checks, against the walk-through computed in Python:

* the position (``current()``, the label) is where the keys lead (clamped at both ends);
* exactly one chart is shown, two are hidden under it, and the chart shown holds the
  figure of that position for the layout in use: its title, and each trace's name, point
  count, texts and hover texts.  Run on the offline file as shipped (desktop figures only,
  which a phone scrolls) and on the same page holding the app's walk-through, with figures
  laid out for a phone, which the player takes below 640 px;
* exactly one layer of each formula is shown: the step's TeX for the view chosen, and its
  numbers for the view and neuron chosen (hidden at the update animation).
"""
from __future__ import annotations

import json
import random

import pytest

from nnviz.engine.presets import PRESETS
from nnviz.export.html import script_json, walkthrough_html
from nnviz.export.walkthrough import step_figures, update_figure, walkthrough
from nnviz.trace.record import trace_backprop

pytestmark = pytest.mark.browser

CFG = PRESETS["seed"].config
TRACE = trace_backprop(CFG.network(), CFG.x_array, CFG.y_array, CFG.eta)
WT = walkthrough(TRACE)  # the app's: with every figure laid out for a phone too
N = len(WT["steps"])  # positions 0 .. N-1 are steps, N is the update animation
FIGURES = {phone: step_figures(WT, phone=phone) + [update_figure(WT, phone=phone)] for phone in (False, True)}
DESKTOP, PHONE = {"width": 1280, "height": 800}, {"width": 390, "height": 844}
KEYS = {"ArrowRight": 1, "PageDown": 1, " ": 1, "ArrowLeft": -1, "PageUp": -1}

SHOWN_JS = """() => {
  const r = document.querySelector('.nnviz-player'), box = r.querySelector('.nnp-figbox');
  const gd = box.querySelector(':scope > .nnp-fig');
  box.querySelectorAll(':scope > div').forEach((e, n) => { if (!e.dataset.n) e.dataset.n = String(n); });
  const ann = e => { const a = e && e.querySelector('annotation'); return a ? a.textContent : null; };
  const sym = r.querySelectorAll('.nnp-sym'), num = r.querySelectorAll('.nnp-num');
  return {at: window.nnvizPlayer.current(), chart: gd.dataset.n, label: r.querySelector('.nnp-label').textContent,
          charts: [box.querySelectorAll(':scope > .nnp-fig').length, box.querySelectorAll(':scope > .nnp-spare').length],
          title: gd.layout.title.text,
          traces: gd.data.map(t => [t.name, (t.x || []).length, t.text ?? null, t.hovertext ?? null]),
          layers: [sym.length, num.length], sym: ann(sym[0]), num: num[0].hidden ? null : ann(num[0])};
}"""


def expected(pos: int, view: str, j: int, k: int, phone: bool) -> dict:
    fig = FIGURES[phone][pos]
    traces = [[t.get("name"), len(t.get("x") or []), t.get("text"), t.get("hovertext")] for t in fig["data"]]
    if pos == N:
        return {"title": fig["layout"]["title"]["text"], "traces": traces, "sym": WT["update"]["tex"], "num": None}
    s = WT["steps"][pos]
    jj, kk = min(j, s["neurons"]["j"] - 1), min(k, s["neurons"]["k"] - 1)
    return {"title": fig["layout"]["title"]["text"], "traces": traces, "sym": s["tex"][view],
            "num": s["numbers"]["scalar"][jj][kk] if view == "scalar" else s["numbers"]["matrix"]}


def page_html(phone_figures: bool) -> str:
    """The offline file; with ``phone_figures``, holding the app's walk-through instead."""
    html = walkthrough_html(TRACE)
    if not phone_figures:
        return html
    start = html.index('id="nnviz-data">') + len('id="nnviz-data">')
    end = html.index("</script>", start)
    return html[:start] + script_json(json.dumps(WT, ensure_ascii=False, separators=(",", ":"))) + html[end:]


@pytest.mark.parametrize("phone_figures", [False, True], ids=["offline-file", "app-walkthrough"])
@pytest.mark.parametrize("seed", [1, 2])
def test_random_users_see_the_position_their_actions_lead_to(browser, tmp_path, seed, phone_figures):
    rng = random.Random(seed)
    path = tmp_path / "walkthrough.html"
    path.write_text(page_html(phone_figures), encoding="utf-8")
    page = browser.new_page(viewport=DESKTOP)
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(path.as_uri())
    page.wait_for_function("() => window.nnvizPlayer && document.querySelector('.nnviz-player').dataset.drawn === '1'")
    pos, view, j, k, phone, done, charts = 0, "matrix", 0, 0, False, [], set()
    for _ in range(45):
        action = rng.choice(["key"] * 6 + ["home", "end", "pause", "pause", "view", "pick", "width", "go"])
        if action in ("key", "home", "end") and page.evaluate(
                "() => !!(document.activeElement && document.activeElement.closest('select, button, input'))"):
            page.focus(".nnviz-player")  # keys in a focused field or on a button are theirs, not the player's
        if action == "key":
            key = rng.choice(list(KEYS))
            page.keyboard.press(key)
            pos = max(0, min(N, pos + KEYS[key]))
        elif action in ("home", "end"):
            page.keyboard.press(action.title())
            pos = 0 if action == "home" else N
        elif action == "pause":  # the reader pauses: the player draws and typesets ahead
            page.wait_for_timeout(rng.choice([200, 400]))
        elif action == "view" and pos < N:
            view = "scalar" if view == "matrix" else "matrix"
            page.click(f".nnp-view[data-view='{view}']")
        elif action == "pick" and pos < N and view == "scalar":
            picks = page.locator(".nnp-pick:visible")
            if picks.count():
                n = rng.randrange(picks.count())
                v = rng.randrange(picks.nth(n).locator("option").count())
                picks.nth(n).select_option(str(v))
                j, k = (v, k) if n == 0 else (j, v)
        elif action == "go":  # a host's call, hostile or not: a number clamps, anything else keeps the step
            value = rng.choice([float("nan"), "abc", "", None, {}, [], -5, 10**9, "3", 2.6, N])
            page.evaluate("v => window.nnvizPlayer.go(v === 'NaN' ? NaN : v)", "NaN" if value != value else value)
            try:
                n = float(value) if isinstance(value, (int, float, str)) else float("nan")
            except ValueError:  # not a number: the step stays
                n = float("nan")
            if n == n:
                pos = max(0, min(N, round(n)))
        elif action == "width":
            phone = not phone
            page.set_viewport_size(PHONE if phone else DESKTOP)
        done.append(action if action != "go" else f"go({value!r})")
        try:
            page.wait_for_function(
                "n => { const r = document.querySelector('.nnviz-player'); return r.dataset.step === String(n)"
                " && r.dataset.drawn === String(n) && window.nnvizPlayer.current() === n - 1"
                " && (r.clientWidth < 640) === " + ("true" if phone else "false") + "; }", arg=pos + 1, timeout=10_000)
        except Exception as e:  # the replayable story of the run
            state = page.evaluate("() => [window.nnvizPlayer.current(), document.querySelector('.nnviz-player').dataset.drawn]")
            raise AssertionError(f"{done[-8:]}: want position {pos}, page at {state}") from e
        page.wait_for_timeout(30)  # a resize redraws at the next frame
        page.wait_for_function("n => document.querySelector('.nnviz-player').dataset.drawn === String(n)", arg=pos + 1)
        got = page.evaluate(SHOWN_JS)
        want = expected(pos, view, j, k, phone and phone_figures)
        where = (seed, done[-6:], pos, view, j, k, phone)
        assert got["at"] == pos and got["charts"] == [1, 2] and got["layers"] == [1, 1], where
        assert got["label"] == (f"Step {pos + 1} of {N}" if pos < N else WT["update"]["label"]), where
        assert got["title"] == want["title"] and got["traces"] == want["traces"], where
        assert (got["sym"], got["num"]) == (want["sym"], want["num"]), where
        charts.add(got["chart"])
    assert len(charts) >= 2, "no chart drawn ahead was ever shown: the run did not test that path"
    assert not errors, errors
    page.close()
