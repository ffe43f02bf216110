"""A hypothesis state machine that drives the whole app through Streamlit's AppTest.

It opens the app on a random or hostile URL (the fields of ``nnviz_app.state.FIELDS``) and then
acts on whatever widgets the current screen has — clicks buttons (form submits too), types
hostile or valid values into text and number inputs and data-editor cells, picks options
in selectboxes, segmented controls, toggles and sliders — in every mode.  After every
action it checks the invariants (``AppMachine.check``).  Used by tests/test_app_fuzz.py
(bounded, seeded) and by ``python3 tests/app_machine.py N`` (a long run; see --help).

Not covered here (AppTest cannot drive them): the file uploader and the download buttons;
tests/test_faults_browser.py uploads files in a real browser.
"""
from __future__ import annotations

import functools
import json
import math
import re
import sys
import time
from collections import Counter
from pathlib import Path

from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

sys.path[:0] = [str(Path(__file__).resolve().parent), str(Path(__file__).resolve().parent.parent)]

from apptest_support import make_app, report_position, reports_so_far  # noqa: E402
from nnviz.engine.config import random_config  # noqa: E402
from nnviz.engine.presets import PRESETS  # noqa: E402
from nnviz.export.files import load_trace  # noqa: E402
from nnviz_app import state as ui_state  # noqa: E402

# ---- values -----------------------------------------------------------------------------
LONG = "9" * 10_000
# Typed text no field may accept as a number (each must be refused with a message).
BAD_TEXT = ["", " ", "-", "nan", "NaN", "inf", "-inf", "1e999", "-1e999", LONG, "1" * 400,
            "\x00\x07\x1b[31m1", "<script>alert(1)</script>", "**1** $x$ [a](javascript:alert(1))",
            "1/2", "50 %", "0x10", "1e", "--1", "１e５ä", "\u202e1-2"]
# Typed text that may or may not be a valid value, depending on the field.
ODD_TEXT = ["-1e308", "1e-320", "-0", "0", "1,5", "1.5", "٣", "٣-٢-١", "３-２", "2-2", "3-8-8-8-1",
            "8-8-8-8-8", "1-1", "2-9-1", "2-2-2-2-2-2", "0.5", "-2.5e-3", "1e308", "5e-324", "-5e-324"]
BAD_NUMBERS = [float("nan"), float("inf"), float("-inf")]
ODD_NUMBERS = [-1e308, 1e308, 1e-320, -0.0, 0, -1, 1, 2**53, 1e6, 1e7, 101, 0.001, 5000, 5001, 3, None]
BAD_CELLS = [None, float("nan"), float("inf"), -1e308, 1e9, "abc", "-", "<b>1</b>", LONG]
ODD_CELLS = [0.0, -0.0, 1e-320, 1e6, -1e6, 0.5, -2.25, "1.5"]

# The values behind segmented controls (AppTest shows only their labels).
SEGMENTS = {"mode_choice": ["explore", "predict", "train"], "view_choice": ["matrix", "scalar"]}

URL_BAD = {
    "preset": ["", "nope", "SEED", "<script>", LONG],
    "cfg": ["", "!!!", "e30", "x" * 16_001, LONG[:15_000], "eyJzaXplcyI6WzFdfQ",
            "W1tbMV1dXQ", "eyJhIjog" * 40],
    "step": ["-1", "1e9", "nan", "", "99999999999999999999", "٣", "1.5", LONG],
    "view": ["", "tensor", LONG], "j": ["-1", "8", "x", ""], "k": ["9", "-0", "1e3"],
    "mode": ["", "checks", "projection", "minibatch", "<b>"], "projector": ["2", "maybe", ""],
    "batch": ["", "0,0", "x;y", "|".join(["1,1;0"] * 11), "<b>"],
    "zzz": ["1"], "\x00": ["x"],
}


def _valid_cfg(draw) -> str:
    sizes = draw(st.lists(st.integers(1, 8), min_size=2, max_size=5))
    act = draw(st.sampled_from(["sigmoid", "tanh", "relu"]))
    cost = "cross_entropy" if act == "sigmoid" and draw(st.booleans()) else "quadratic"
    return ui_state.encode_config(random_config(sizes, draw(st.integers(0, 99)), act, cost))


@st.composite
def urls(draw) -> dict:
    """URL parameters: each field absent, valid or hostile; sometimes unknown ones too."""
    valid = {"preset": st.sampled_from(sorted(PRESETS)), "cfg": st.builds(lambda: None),
             "step": st.integers(0, 40).map(str), "view": st.sampled_from(["matrix", "scalar"]),
             "j": st.integers(0, 7).map(str), "k": st.integers(0, 7).map(str),
             "mode": st.sampled_from(["explore", "predict", "train"]), "projector": st.sampled_from("01"),
             "batch": st.sampled_from(["0,0;0|0,1;1|1,0;1|1,1;0", "0.5,0.8,0.3;1|0,0,0;0"])}
    params = {}
    for name in [*ui_state.FIELD_NAMES, "zzz", "\x00"]:
        how = draw(st.sampled_from(["absent", "absent", "valid", "hostile"]))
        if how == "valid" and name in valid:
            params[name] = _valid_cfg(draw) if name == "cfg" else draw(valid[name])
        elif how == "hostile":
            params[name] = draw(st.sampled_from(URL_BAD[name]))
    return params


# ---- what a message must say --------------------------------------------------------------
# A message about bad input names what is allowed; other messages (a wrong prediction, a
# training note) say what happened.  Words that show one of those; a message with none is
# reported.
ALLOWED_WORDS = re.compile(
    r"must|allowed|at most|at least|between|choose|one of|accepted|needs?\b|only|type |use |"
    r"lower|default|kept|instead|whole number|from \d|not quite|right:|revealed|stopped|trained|"
    r"diverged|beyond|limits|resumes|"
    r"raises numpy's|"  # the common-mistakes panel showing a mistake's error
    r"gradient check", re.IGNORECASE)  # the gradient check's verdict (counted, see check)


def message_problems(at) -> list[str]:
    """Error and warning texts that leak a traceback or do not say what is allowed."""
    bad = []
    for e in [*at.error, *at.warning]:
        text = str(e.value)
        if "Traceback" in text or re.search(r'File ".*", line \d+', text):
            bad.append(f"traceback: {text[:200]}")
        elif not ALLOWED_WORDS.search(text):
            bad.append(f"does not say what is allowed: {text[:200]}")
        elif len(text) > 2000:
            bad.append(f"message of {len(text)} characters: {text[:100]}")
    for e in at.get("markdown") + at.get("caption") + at.get("info"):
        if "Traceback (most recent call last)" in str(getattr(e, "value", "")):
            bad.append(f"traceback in text: {str(e.value)[:200]}")
    return bad


# ---- the machine ---------------------------------------------------------------------------
@functools.lru_cache(maxsize=256)
def _steps(key: str) -> int:
    """Steps of the call a trace key names (``ui_state.trace_key``): one backprop call, or a
    mini-batch's whole update_mini_batch."""
    return len(load_trace(key))


def _editor_column(key: str) -> str:
    name = key.rsplit("-", 1)[0]
    return "k=1" if name.startswith("w") else f"b^{name[1:]}" if name.startswith("b") else name


class AppMachine(RuleBasedStateMachine):
    """One browser session: a URL, then actions on whatever the screen shows."""

    stats: Counter | None = None  # set by a long run to count actions, modes and findings

    def __init__(self):
        super().__init__()
        self.at = None

    # -- helpers --
    def snapshot(self) -> tuple:
        ss = self.at.session_state
        ui = ss["ui"]
        score = ss["ss_score"] if "ss_score" in ss else {"attempted": 0, "correct": 0}
        return (ui_state.current_config(ui).model_dump_json(), ui["step"],
                score["attempted"], score["correct"])

    def count(self, what: str) -> None:
        if AppMachine.stats is not None:
            AppMachine.stats[what] += 1

    def run_checked(self, label: str, must_refuse: bool, before: tuple | None) -> None:
        self.at.run()
        self.count(f"action:{label}")
        ui = self.at.session_state["ui"]
        self.count(f"mode:{ui['mode']}{' (projection)' if ui['projector'] else ''}")
        self.check(label, must_refuse, before)

    def check(self, label: str, must_refuse: bool, before: tuple | None) -> None:
        at = self.at
        assert not at.exception, (label, [(e.value, e.stack_trace[-3:]) for e in at.exception][:1])
        problems = message_problems(at)
        assert not problems, (label, problems)
        for e in at.error:  # not an input error, but a finding for whoever owns the check
            if str(e.value).startswith("Gradient check FAILED"):
                self.count("finding:gradient check FAILED on a correct backprop")
        now = self.snapshot()
        cfg_json, step, attempted, correct = now
        # explore mode's player has one more position after the steps: the update animation
        explore = at.session_state["ui"]["mode"] == "explore"
        assert 0 <= step < _steps(ui_state.trace_key(at.session_state["ui"])) + explore, (label, step)
        assert 0 <= correct <= attempted, (label, now)
        if before is not None:
            assert attempted >= before[2] and correct >= before[3], ("the score went down", label)
            if must_refuse:
                assert now == before, ("a refused value changed the network, step or score", label)
        # the URL carries the network, the step and the mode (a reload reopens the same view)
        state, _ = ui_state.from_query({k: at.query_params[k][0] if isinstance(at.query_params[k], list)
                                        else at.query_params[k] for k in at.query_params})
        assert ui_state.current_config(state).model_dump_json() == cfg_json, ("URL network", label)
        assert state["step"] == step and state["mode"] == at.session_state["ui"]["mode"], ("URL step/mode", label)

    def form_holds_bad_value(self, form: str) -> bool:
        """Whether a field of ``form`` now holds a value that must be refused on submit."""
        return (any(w.proto.form_id == form and w.value in BAD_TEXT for w in self.at.text_input)
                or any(w.proto.form_id == form and isinstance(w.value, float) and not math.isfinite(w.value)
                       for w in self.at.number_input))

    def widgets(self) -> list[tuple[str, object]]:
        out = []
        for kind in ("button", "text_input", "number_input", "selectbox", "radio", "toggle",
                     "checkbox", "slider", "button_group"):
            out += [(kind, w) for w in self.at.get(kind) if not getattr(w.proto, "disabled", False)]
        out += [("data_editor", e) for e in self.at.get("data_editor") if getattr(e, "key", None)]
        return out

    # -- rules --
    @initialize(params=urls())
    def open_url(self, params):
        self.count("urls")
        self.at = make_app(**params)
        self.check(f"open {sorted(params)}", False, None)
        self.count(f"mode:{self.at.session_state['ui']['mode']}")

    @precondition(lambda self: self.at is not None)
    @rule(pick=st.integers(0, 2**16), choice=st.integers(0, 2**16), text=st.text(max_size=30),
          number=st.floats(-1e3, 1e3) | st.integers(-10, 10_000))
    def act(self, pick, choice, text, number):
        """One action on the widget ``pick`` (modulo the widgets shown).  Every action draws
        the same values, whatever the screen shows, so hypothesis sees a stable shape."""
        widgets = self.widgets()
        kind, w = widgets[pick % len(widgets)]
        key = getattr(w, "key", None) or getattr(w, "label", "?")
        form = getattr(w.proto, "form_id", "")
        before, must_refuse = self.snapshot(), False

        def one_of(options):
            return options[choice % len(options)]

        if kind == "button":
            must_refuse = bool(form) and self.form_holds_bad_value(form)
            w.click()
        elif kind == "text_input":
            value = one_of(BAD_TEXT + ODD_TEXT + [text])
            w.set_value(value)
            must_refuse = value in BAD_TEXT and not form
        elif kind == "number_input":
            value = one_of(BAD_NUMBERS + ODD_NUMBERS + [number])
            if w.proto.data_type == w.proto.INT and isinstance(value, float) and not math.isfinite(value):
                # Streamlit's front end sends only whole numbers for a whole-number input, and
                # Streamlit itself (not nnviz) fails to read NaN/inf there: int(nan), before the
                # script runs.  Only a hand-made protocol message could send it.
                value = number
            if key in ("ss_tr_epochs", "ss_tr_n") and isinstance(value, (int, float)) and 100 < value <= 5000:
                # a valid but long training run: AppTest cannot click Stop while it trains
                # (a browser can), so one action would take minutes; keep it short
                value = 2 + int(value) % 100
            w.set_value(value)
            bad = isinstance(value, float) and not math.isfinite(value)
            must_refuse = bad and not form and not str(key).startswith("ss_tr_")
        elif kind == "data_editor":
            value = one_of(BAD_CELLS + ODD_CELLS)
            self.at.session_state[key] = {"edited_rows": {0: {_editor_column(key): value}},
                                          "added_rows": [], "deleted_rows": []}
            must_refuse = value in BAD_CELLS or (isinstance(value, float) and math.isnan(value))
        elif kind in ("toggle", "checkbox"):
            w.set_value(not w.value)
        elif kind == "slider":
            lo, hi = int(w.proto.min), int(w.proto.max)
            w.set_value(lo + choice % (hi - lo + 1))
        elif kind in ("selectbox", "radio"):
            w.set_value(one_of(list(w.options)))
        elif kind == "button_group":
            options = SEGMENTS.get(key) or [o.content for o in w.proto.options]
            w.set_value(one_of(options + [None]))
        self.run_checked(f"{kind}:{re.sub(r'[0-9a-f]{12}', '#', str(key))}", must_refuse, before)

    @precondition(lambda self: self.at is not None and self.at.get("bidi_component"))
    @rule(step=st.integers(-3, 80) | st.sampled_from(["", "nan", "1.5", None, True, [1]]),
          view=st.sampled_from(["matrix", "scalar", "tensor", 3]), j=st.integers(-1, 9), k=st.integers(-1, 9),
          stale=st.booleans())
    def page_reports(self, step, view, j, k, stale):
        """The page's player reports where it is (nnviz/player/streamlit_host.js: its state
        ``at``, with the user's next action): any position, or one for a walk-through the
        server no longer shows, or a hand-made message's values."""
        sent = json.loads(self.at.get("bidi_component")[0].proto.json)
        report_position(self.at, id="0" * 16 if stale else sent["id"], step=step, view=view, j=j, k=k,
                        n=reports_so_far(self.at) + 1)
        before = self.snapshot()
        self.run_checked("page position", False, None)
        valid = isinstance(step, int) and not isinstance(step, bool) and step >= 0
        if stale or not valid:  # nothing to take: the step stays
            assert self.snapshot()[1] == before[1], ("an unusable report moved the step", step, stale)

    @invariant()
    def alive(self):
        if self.at is not None:
            mode = self.at.session_state["ui"]["mode"]
            assert not ui_state.from_query({"mode": mode})[1], mode  # a mode of the state table


def long_run(actions: int, out: Path) -> None:
    """Run the machine until ``actions`` actions were taken; write the figures to ``out``."""
    from hypothesis import HealthCheck, Phase, settings
    from hypothesis.stateful import run_state_machine_as_test

    AppMachine.stats = Counter()
    failures, t0, rounds, done = [], time.time(), 0, 0
    while done < actions:
        rounds += 1
        try:
            run_state_machine_as_test(AppMachine, settings=settings(
                max_examples=2, stateful_step_count=50, deadline=None, database=None,
                phases=[Phase.generate],
                suppress_health_check=list(HealthCheck), print_blob=True))
        except Exception as e:  # noqa: BLE001 - record the finding and go on
            failures.append(f"{type(e).__name__}: {str(e)[:1500]}")
        done = sum(v for k, v in AppMachine.stats.items() if k.startswith("action:"))
        out.write_text(json.dumps({"actions": done, "urls": AppMachine.stats["urls"], "rounds": rounds,
                                   "seconds": round(time.time() - t0), "failures": failures,
                                   "counts": dict(AppMachine.stats.most_common())}, indent=1))


if __name__ == "__main__":
    import argparse

    p = argparse.ArgumentParser(description="Long run of the app state machine.")
    p.add_argument("actions", type=int)
    p.add_argument("--out", type=Path, default=Path("app_machine_run.json"))
    a = p.parse_args()
    long_run(a.actions, a.out)
