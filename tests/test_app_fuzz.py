"""The whole app fuzzed: random and hostile URLs, then random actions on every widget of
the current screen, in every mode (tests/app_machine.py).  Bounded and seeded here; a long
run's figures are in bench/RELIABILITY.md."""
from __future__ import annotations

from hypothesis import HealthCheck, Phase, settings

from app_machine import AppMachine

TestAppMachine = AppMachine.TestCase
TestAppMachine.settings = settings(max_examples=8, stateful_step_count=25, deadline=None,
                                   derandomize=True, database=None,
                                   phases=[Phase.explicit, Phase.generate],  # no shrinking: it reruns the app for minutes
                                   suppress_health_check=list(HealthCheck))
