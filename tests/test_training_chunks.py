"""Training in the app is cut into chunks of work, not of epochs, so Stop is heard soon
(issue 14: n = 5,000 at batch 1 was 625,000 backprop calls per chunk)."""
from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from nnviz.lessons.datasets import MAX_N
from nnviz.lessons.training import MAX_EPOCHS, RECIPES
from nnviz_app import training_ui


@settings(max_examples=200, deadline=None)
@given(dataset=st.sampled_from(sorted(RECIPES)), epochs=st.integers(1, MAX_EPOCHS),
       n=st.integers(2, MAX_N), batch=st.integers(1, 64), more_n=st.integers(2, MAX_N))
def test_a_chunk_is_a_bounded_number_of_examples(dataset, epochs, n, batch, more_n):
    ss = {}
    settings_ = {"epochs": epochs, "eta": 1.0, "batch": min(batch, n), "n": n, "seed": 0}
    training_ui._on_train(ss, dataset, settings_)
    job = ss["ss_tr_job"]
    bound = max(training_ui.MAX_CHUNK_EXAMPLES, n)  # one epoch is the least a chunk holds
    assert job["chunk"] >= 1
    assert job["chunk"] * n <= bound
    # Continue (with a dataset size typed for a new run) trains the run's own n points
    training_ui._on_continue(ss, {**settings_, "n": more_n})
    assert ss["ss_tr_job"]["chunk"] * n <= bound


def test_the_issue_case_hears_stop_within_one_epoch():
    ss = {}
    training_ui._on_train(ss, "xor", {"epochs": MAX_EPOCHS, "eta": 0.1, "batch": 1, "n": MAX_N, "seed": 0})
    assert ss["ss_tr_job"]["chunk"] == 1  # 5,000 backprop calls, not 625,000
