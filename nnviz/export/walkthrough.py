"""The walk-through contract: one backprop call as one JSON-ready dict, for the player.

``walkthrough(trace, theme=..., width=...)`` holds everything the client-side player
(``nnviz/player/player.js``) draws, so stepping needs no server:

* ``steps[i]``: ``figure_patch`` (the plotly JSON of ``step_figure`` as the patch from step
  i−1's, step 0's from ``{}``: ``nnviz.export.patch``; light theme: also
  ``figure_phone_patch``, laid out for a phone; ``step_figures(wt)`` puts them back),
  ``heading``, ``phase``,
  ``explanation``, ``code`` (an index into the top-level ``code`` list: the seed's source
  as HTML with the running lines marked, from ``nnviz.trace.codeview``, each distinct panel
  once, its ``<style>`` moved to the top-level ``code_css``, also once), ``tex`` (symbolic: ``{"matrix", "scalar"}``) and
  ``numbers`` (``{"matrix": str, "scalar": [[str per k] per j]}``: the one-neuron
  formula for neuron j of the step's layer and input k of the layer before; k has one
  entry except for weight steps), ``neurons`` ``{"j": n_j, "k": n_k}``;
* ``update``: the animation figure (``figure``, and ``figure_phone``: plotly JSON whose
  ``frame_patches`` are its frames, each the patch from the frame before;
  ``update_figure(wt)`` puts them back), its formula, words and the table of every
  parameter before/after (``nnviz.trace.table.update_rows``).

Version 2 (patches) holds the same figures as version 1 (every figure whole) in about a
fifth of the bytes for a 5 × 8 network.

Every number comes from the trace, formatted by ``nnviz.trace.numfmt.fmt``.
"""
from __future__ import annotations

import json
import re

import numpy as np

from nnviz.draw.animation import update_animation_figure
from nnviz.draw.figures import step_figure
from nnviz.draw.layout import SCREENS
from nnviz.export.patch import chain, unchain
from nnviz.trace.codeview import code_html
from nnviz.trace.numfmt import fmt
from nnviz.trace.record import Step, Trace
from nnviz.trace.table import update_rows

FORMAT = "nnviz-walkthrough"
VERSION = 2
DEFAULT_TITLE = "nnviz — one backprop call, step by step"
PHASE_NAMES = {"forward": "Forward", "backward": "Backward", "update": "Update"}
VIEWS = ("matrix", "scalar")
# the graph is laid out in px for the space it gets (nnviz.draw.layout.SCREENS): the desktop
# column, the projector's column (over half of 1024 × 768) and, for the light theme, a phone
# (the player draws "figure_phone" in a page narrower than PHONE_PX)
SCREEN = {"light": "desktop", "projector": "projected"}
FIG_WIDTH = {theme: SCREENS[screen][1] for theme, screen in SCREEN.items()}
PHONE_PX = 640
PHONE = SCREENS["phone"]  # (theme, width, height)
CODE_PX = {"light": 13, "projector": 20}

UPDATE_TEX = (r"w^{l} \leftarrow w^{l} - \frac{\eta}{m} \sum_x \frac{\partial C_x}{\partial w^{l}},"
              r"\qquad b^{l} \leftarrow b^{l} - \frac{\eta}{m} \sum_x \frac{\partial C_x}{\partial b^{l}}")
UPDATE_TEXT = ("Gradient descent moves every weight and bias against its gradient summed over "
               "the mini-batch, Σₓ ∂Cₓ/∂p, times η/m. The animation slides each parameter from its old value to its new "
               "one; the table lists them all.")


def _figure_json(fig) -> dict:
    return json.loads(fig.to_json())


def _packed(fig) -> dict:
    """An animation's figure with its frames as ``frame_patches`` (each from the one before)."""
    out = _figure_json(fig)
    out["frame_patches"] = chain(out.pop("frames", []))
    return out


def step_figures(wt: dict, phone: bool = False) -> list[dict]:
    """Every step's whole figure (plotly JSON) from a walk-through's patches; ``phone``: the
    figures laid out for a phone."""
    key = "figure_phone_patch" if phone else "figure_patch"
    if any(key not in s for s in wt["steps"]):
        raise ValueError(f"This walk-through has no {'phone ' if phone else ''}figures.")
    return unchain([s[key] for s in wt["steps"]])


def update_figure(wt: dict, phone: bool = False) -> dict:
    """The update animation's whole figure (with its ``frames``) from a walk-through."""
    packed = wt["update"]["figure_phone" if phone else "figure"]
    out = {k: v for k, v in packed.items() if k != "frame_patches"}
    out["frames"] = unchain(packed["frame_patches"])
    return out


_STYLE = re.compile(r"\s*<style>(.*?)</style>", re.S)


def _panel(html: str, styles: dict) -> str:
    """A code panel without its leading <style> (collected into ``styles``, once each)."""
    m = _STYLE.match(html)
    if not m:
        return html
    styles.setdefault(m.group(1), len(styles))
    return html[m.end():]


def neuron_counts(step: Step, sizes: list[int]) -> dict:
    """How many neurons j (the step's layer) and inputs k (weights only) the one-neuron view has."""
    n_j = sizes[step.layer] if step.layer < len(sizes) else 1
    n_k = sizes[step.layer - 1] if step.op.matrix else 1
    return {"j": n_j, "k": n_k}


def describe(trace: Trace) -> str:
    """One line: sizes, activation, cost, η, x and y (every example's, for a mini-batch)."""
    col = lambda a: "(" + ", ".join(fmt(v) for v in np.ravel(a)) + ")"  # noqa: E731
    head = f"network {'-'.join(map(str, trace.sizes))} · {trace.activation} · {trace.cost} cost · η = {fmt(trace.eta)}"
    if len(trace.examples) == 1:
        return f"{head} · x = {col(trace.x)} · y = {col(trace.y)}"
    pairs = "; ".join(f"x = {col(x)}, y = {col(y)}" for x, y in trace.examples)
    return f"{head} · mini-batch of m = {len(trace.examples)}: {pairs}"


def step_entry(trace: Trace, i: int, *, theme: str, width: int, height: int | None, sig: int,
               code: dict, styles: dict, phone: bool = False) -> dict:
    """Step ``i`` of ``trace`` as the player draws it (see module doc); ``code`` maps each
    code panel's HTML to its index and ``styles`` each panel style (new ones are added)."""
    s, n = trace[i], len(trace)
    # "phase_name" and "label" are words the player shows (a notebook host may translate them)
    counts = neuron_counts(s, trace.sizes)
    _, _, rest = s.title.partition(" · ")
    return {
        "index": i, "phase": s.phase, "phase_name": PHASE_NAMES.get(s.phase, s.phase),
        "kind": s.kind, "layer": s.layer, "heading": rest or s.title,
        "label": f"Step {i + 1} of {n}", "explanation": s.explanation,
        "figure": _figure_json(step_figure(trace, i, theme=theme, width=width, height=height)),
        **({"figure_phone": _figure_json(step_figure(trace, i, theme="phone", width=PHONE[1],
                                                     height=PHONE[2]))} if phone else {}),
        "tex": {v: s.latex(v) for v in VIEWS},
        "numbers": {"matrix": s.latex_numbers("matrix", sig=sig),
                    "scalar": [[s.latex_numbers("scalar", j, k, sig=sig) for k in range(counts["k"])]
                               for j in range(counts["j"])]},
        "neurons": counts,
        "code": code.setdefault(_panel(code_html(s.code.source, s.code.lines, s.code.note,
                                                 CODE_PX.get(theme, 13)), styles), len(code)),
    }


def walkthrough(trace: Trace, *, theme: str = "light", width: int | None = None,
                height: int | None = None, title: str = DEFAULT_TITLE, sig: int = 4,
                phone: bool | None = None) -> dict:
    """The whole call as a JSON-ready dict (see module doc); ``width``/``height`` (px) are the
    graph's size (default: the theme's screen in layout.SCREENS).  ``phone``: also every
    figure laid out for a phone (default: in the light theme; ~5 % more bytes)."""
    phone = theme == "light" if phone is None else phone
    _, w, h = SCREENS[SCREEN.get(theme, "desktop")]
    width, height = width or w, height or (h if not width else None)
    code: dict[str, int] = {}
    styles: dict[str, int] = {}
    steps = [step_entry(trace, i, theme=theme, width=width, height=height, sig=sig, code=code,
                        styles=styles, phone=phone)
             for i in range(len(trace))]
    for key in ("figure", "figure_phone")[:1 + phone]:  # each figure as the patch from the step before
        for s, p in zip(steps, chain([s.pop(key) for s in steps]), strict=True):
            s[key + "_patch"] = p
    return {
        "format": FORMAT, "version": VERSION, "title": title, "meta": describe(trace),
        "theme": theme, "sizes": list(trace.sizes), "views": list(VIEWS),
        "steps": steps, "code": list(code), "code_css": list(styles),
        "update": {
            "label": "Update animation", "heading": "The update, animated: press ▶ Play",
            "phase": "update", "phase_name": PHASE_NAMES["update"],
            "figure": _packed(update_animation_figure(trace, theme=theme, width=width, height=height)),
            **({"figure_phone": _packed(update_animation_figure(trace, theme="phone", width=PHONE[1],
                                                                height=PHONE[2]))}
               if phone else {}),
            "tex": UPDATE_TEX, "explanation": UPDATE_TEXT, "rows": update_rows(trace)},
    }
