"""Every position of the player on a mini-batch link runs without an exception — including the
update animation after the last step (?step=len(trace): the player's End), where the
mini-batch panel once indexed past the trace — and the panel says where the stepper is in
predict mode (the server's step), and names no step in explore mode (the page steps unseen)."""
from __future__ import annotations

import numpy as np
import pytest

from apptest_support import make_app
from nnviz.engine.presets import PRESETS
from nnviz.trace.minibatch import trace_mini_batch

XOR = "0,0;0|0,1;1|1,0;1|1,1;0"
EXAMPLES = [(np.array([[a], [b]], dtype=float), np.array([[c]], dtype=float))
            for a, b, c in ((0, 0, 0), (0, 1, 1), (1, 0, 1), (1, 1, 0))]
TRACE = trace_mini_batch(PRESETS["xor"].config.network(), EXAMPLES, PRESETS["xor"].config.eta)
FIRST_SUM = next(s.index for s in TRACE.steps if s.kind.startswith("sum"))
INSIDE = next(s.index for s in TRACE.steps if s.kind == "delta" and s.example == 2)


@pytest.mark.parametrize("mode", ["explore", "predict"])
@pytest.mark.parametrize("i, says", [
    (0, "step 1 is in example 1: the call backprop(x, y)"),
    (INSIDE, f"step {INSIDE + 1} is in example 3: inside its backprop call"),
    (FIRST_SUM, f"step {FIRST_SUM + 1} is in example 1: its running sums"),
    (len(TRACE) - 1, f"step {len(TRACE)} is in the update"),
    (len(TRACE), "the player is at the update animation"),
])
def test_each_position_of_a_mini_batch(mode, i, says):
    at = make_app(preset="xor", batch=XOR, step=str(i), mode=mode)
    assert not at.exception, [e.message for e in at.exception]
    text = " ".join(m.value for m in at.markdown).replace("\\", "")
    if mode == "explore":  # the player steps in the page, unseen by the server: no step is named
        assert "Mini-batch of m = 4: each example's backprop call" in text and "is in" not in text, text
    elif i < len(TRACE):  # predict mode has no animation position: it stops at the last step
        assert says in text, text
