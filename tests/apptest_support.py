"""Shared helpers for the Streamlit AppTest files."""
from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

APP = Path(__file__).resolve().parent.parent / "app.py"
TIMEOUT = 60


def make_app(**params) -> AppTest:
    """Run app.py once with ``params`` as its URL query parameters."""
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    for k, v in params.items():
        at.query_params[k] = v
    return at.run()


def latex_shown(at) -> list[str]:
    """The LaTeX of every st.latex element, without the $$ fences AppTest keeps."""
    return [e.value.strip().removeprefix("$$").removesuffix("$$").strip() for e in at.latex]


def player_data(at) -> dict:
    """What the server sent to the page's player (explore mode): step, view, the walk-through."""
    import json
    players = [e for e in at.get("bidi_component") if e.proto.component_name == "nnviz_player"]
    assert len(players) == 1, f"{len(players)} players on the page"
    return json.loads(players[0].proto.json)


def report_position(at, **position) -> None:
    """The page's player component state ``at`` (nnviz/player/streamlit_host.js) set to
    ``position`` ({id, step, view, j, k, n}, any values), for the next run to carry."""
    state = dict(at.session_state["player"])
    state["at"] = position
    at.session_state["player"] = state


def reports_so_far(at) -> int:
    """The count ``n`` of the page's last report (each report carries the next)."""
    last = at.session_state["player"].get("at")
    return last.get("n", 0) if isinstance(last, dict) else 0


def page_steps_to(at, i: int, **fields):
    """What the page's player does: it steps to position ``i`` (and ``fields``: view, j, k)
    sending nothing, then the user's next action that reaches the server carries its state
    ``at`` (nnviz/player/streamlit_host.js); here that action is a plain rerun."""
    sent = player_data(at)
    report_position(at, id=sent["id"], step=i, view=fields.get("view", sent["view"]),
                    j=fields.get("j", sent["j"]), k=fields.get("k", sent["k"]), n=reports_so_far(at) + 1)
    return at.run()


def step_forward(at):
    """One step forward, the way the mode on screen does it: the player's address in explore
    mode, the Next button (a server run) in predict mode."""
    ui = at.session_state["ui"]
    if ui["mode"] == "explore":
        return page_steps_to(at, ui["step"] + 1)
    return at.button(key="next").click().run()
