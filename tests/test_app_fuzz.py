"""The whole app fuzzed: random and hostile URLs, then random actions on every widget of
the current screen, in every mode (tests/app_machine.py).  Bounded and seeded here; a long
run's figures are in bench/RELIABILITY.md."""
from __future__ import annotations

import pytest
from hypothesis import HealthCheck, Phase, settings

from app_machine import AppMachine
from nnviz.engine.gradcheck import gradient_check
from nnviz.engine.presets import PRESETS

TestAppMachine = AppMachine.TestCase
TestAppMachine.settings = settings(max_examples=8, stateful_step_count=25, deadline=None,
                                   derandomize=True, database=None,
                                   phases=[Phase.explicit, Phase.generate],  # no shrinking: it reruns the app for minutes
                                   suppress_health_check=list(HealthCheck))


# ---- what the long run found in the gradient check (fixed; it must stay fixed) ----------------

@pytest.mark.parametrize("name,y", [("seed", [[1e6]]), ("mazur", [[1e6], [0.99]])])
def test_the_gradient_check_passes_the_correct_backprop_for_a_large_target(name, y):
    cfg = PRESETS[name].config.replace(y=y)
    assert gradient_check(cfg.network(), cfg.x_array, cfg.y_array).passed
