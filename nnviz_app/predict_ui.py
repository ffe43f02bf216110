"""Predict, then reveal: the walk-through asks for each step's result before showing it.

Session keys (see ``ui.selfstudy``): ``ss_score``, ``ss_skipped``, ``ss_pred`` and the
``ss_guess_*`` text inputs.  Scoring and hints come from ``nnviz.lessons.predict``.
"""
from __future__ import annotations

import hashlib
from dataclasses import asdict

import numpy as np
import streamlit as st

from nnviz.lessons.predict import Score, check_prediction, hints, pick_target, shown_value
from nnviz.trace.record import Trace

from .panels import md_escape



def trace_fingerprint(trace: Trace) -> str:
    """A short hash of the network, example and η the trace was made from."""
    h = hashlib.blake2b(digest_size=6)
    h.update(f"{trace.sizes}|{trace.activation}|{trace.cost}|{trace.eta!r}|{trace.m}".encode())
    for a in (trace.x, trace.y, *trace.weights, *trace.biases):
        h.update(np.ascontiguousarray(a, dtype=float).tobytes())
    return h.hexdigest()


def _score(ss) -> Score:
    return Score(**ss.get("ss_score", {"attempted": 0, "correct": 0}))


def _record(ss, key: str) -> dict:
    return dict(ss.get("ss_pred", {}).get(key, {"status": None, "hints": 0}))


def _save_record(ss, key: str, rec: dict) -> None:
    ss["ss_pred"] = {**ss.get("ss_pred", {}), key: rec}


def _on_check(ss, key: str, text_key: str, target) -> None:
    """The Check button: read the guess, score it once, keep the text either way."""
    text = ss.get(text_key, "")
    rec = _record(ss, key)
    rec["text"] = text if isinstance(text, str) else ""
    if rec.get("status") is not None:  # already answered or revealed: never scored twice
        _save_record(ss, key, rec)
        return
    verdict = check_prediction(target, text)
    if not verdict.valid:
        rec["problem"] = verdict.message  # not scored; the typed text stays in the box
    else:
        ss["ss_score"] = asdict(_score(ss).record(verdict))
        rec.update(status="right" if verdict.correct else "wrong", message=verdict.message,
                   tolerance=verdict.tolerance_text, problem=None)
    _save_record(ss, key, rec)


def _on_hint(ss, key: str) -> None:
    rec = _record(ss, key)
    rec["hints"] = min(int(rec.get("hints", 0)) + 1, 2)
    _save_record(ss, key, rec)


def _on_reveal(ss, key: str) -> None:
    rec = _record(ss, key)
    if rec.get("status") is None:
        rec.update(status="revealed", problem=None)
        ss["ss_skipped"] = int(ss.get("ss_skipped", 0)) + 1
    _save_record(ss, key, rec)


def _score_metric(ss) -> None:
    score = _score(ss)
    skipped = int(ss.get("ss_skipped", 0))
    st.metric("Score", f"{score.correct} / {score.attempted}",
              help="Predictions right / predictions made in this walk-through; each step counts "
                   f"once. Revealed without answering (not scored): {skipped}.")


def predict_ui(ss, trace: Trace, i: int) -> bool:
    """Ask for a prediction of step i's result; return True once it may be revealed."""
    if "ss_score" not in ss:
        ss["ss_score"] = {"attempted": 0, "correct": 0}
    step = trace[i]
    if step.op.given:
        c1, c2 = st.columns([3, 1], vertical_alignment="center")
        c1.caption("This step just passes x on: nothing to predict here. Press **Next**.")
        with c2:
            _score_metric(ss)
        return True
    target = pick_target(step, rng=i)  # the same entry on every rerun of this step
    key = f"{trace_fingerprint(trace)}:{i}"
    rec = _record(ss, key)
    c1, c2 = st.columns([3, 1], vertical_alignment="center")
    with c1:
        st.markdown(f"**Predict** ${target.latex}$ before revealing — {md_escape(target.description)}.")
    with c2:
        _score_metric(ss)
    status = rec.get("status")
    if status is None:
        text_key = f"ss_guess_{key.replace(':', '_')}"
        with st.form(f"ss_form_{key.replace(':', '_')}", border=False):
            f1, f2 = st.columns([3, 1], vertical_alignment="bottom")
            f1.text_input(f"Your value of {target.symbol}", value=rec.get("text", ""), key=text_key,
                          placeholder="e.g. 0.123 or -1.5e-3", max_chars=64)
            f2.form_submit_button("Check", type="primary", width="stretch", key=f"ss_check_{i}",
                                  on_click=_on_check, args=(ss, key, text_key, target))
        if rec.get("problem"):
            st.warning(md_escape(rec["problem"]), icon=":material/warning:")
        tips = hints(step, target)
        shown = int(rec.get("hints", 0))
        for hint in tips[:shown]:
            if hint.kind == "formula":
                st.info("Hint: " + md_escape(hint.text), icon=":material/lightbulb:")
            else:
                st.info(md_escape(hint.text), icon=":material/calculate:")
                st.latex(hint.latex + r" = \;?")
        b1, b2 = st.columns(2)
        b1.button("Hint: the formula" if shown == 0 else "Hint: the numbers", key=f"ss_hint_{i}",
                  icon=":material/lightbulb:", disabled=shown >= 2, width="stretch",
                  on_click=_on_hint, args=(ss, key))
        b2.button("Reveal without answering", key=f"ss_reveal_{i}", icon=":material/visibility:",
                  width="stretch", on_click=_on_reveal, args=(ss, key))
        return False
    computation = step.latex_numbers("scalar", target.j, target.k or 0)
    if status == "right":
        st.success(md_escape(f"{rec['message']} {rec['tolerance']}"), icon=":material/check_circle:")
    elif status == "wrong":
        st.error(md_escape(rec["message"]), icon=":material/cancel:")
        st.markdown("The correct computation:")
        st.latex(computation)
        st.caption(md_escape(rec["tolerance"]))
    else:
        st.info(md_escape(f"Revealed without answering (not scored): {target.symbol} "
                          f"{shown_value(target.value)}."), icon=":material/visibility:")
        st.latex(computation)
    return True
