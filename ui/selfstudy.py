"""Self-study panels: predict-then-reveal, gradient check, reference check, mistakes, training.

Everything computed comes from ``nnviz`` (predict, gradcheck, mistakes, training,
training_figures); the panels (``ui.predict_ui``, ``ui.checks_ui``, ``ui.training_ui``,
re-exported here for app.py) only lay out widgets and keep their own session keys, all
prefixed ``ss_`` and holding plain data (numbers, strings, lists, dicts):

* ``ss_score``    — {"attempted", "correct"}: the walk-through score (``nnviz.predict.Score``);
  ``ss_skipped`` counts the steps revealed without an answer (not scored).
* ``ss_pred``     — {"<trace fingerprint>:<step>": record}: each step's prediction, so a
  step is scored at most once per network (status None / "right" / "wrong" / "revealed").
* ``ss_train``    — the training run: settings, network parameters (nested lists), the
  shuffling generator's state and the per-epoch history.
* ``ss_tr_job``   — epochs still to train ({"remaining", "total", "eta", "batch", "chunk"}),
  or None; the Stop button clears it.  ``ss_tr_inputs`` keeps the training inputs as last
  seen; the other ``ss_tr_*`` keys name the training widgets (and ``ss_tr_note`` a message).
* ``ss_mistake_<name>`` — the common-mistake toggles.
"""
from .checks_ui import checks_ui
from .predict_ui import predict_ui
from .training_ui import training_ui

__all__ = ["checks_ui", "predict_ui", "training_ui"]
