"""nnviz.export.patch: a JSON value rebuilt from its predecessor and the patch between them
(the walk-through's figures, step to step), checked on random JSON and by hand."""
from __future__ import annotations

import copy
import json

import pytest
from hypothesis import given, settings, strategies as st

from nnviz.export.patch import apply, chain, diff, unchain

SCALARS = st.none() | st.booleans() | st.integers(-5, 5) | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=4)
JSON = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=3), inner, max_size=4),
                    max_leaves=25)


@settings(max_examples=300, deadline=None)
@given(old=JSON, new=JSON)
def test_apply_diff_gives_the_new_value_and_leaves_the_old_alone(old, new):
    before = copy.deepcopy(old)
    out = apply(old, diff(old, new))
    assert json.dumps(out, sort_keys=True) == json.dumps(new, sort_keys=True)
    assert json.dumps(old, sort_keys=True) == json.dumps(before, sort_keys=True)


@settings(max_examples=100, deadline=None)
@given(values=st.lists(st.dictionaries(st.text(max_size=3), JSON, max_size=4), min_size=1, max_size=5))
def test_chain_round_trips_through_json(values):
    patches = json.loads(json.dumps(chain(values)))  # as the page receives them
    assert json.dumps(unchain(patches), sort_keys=True) == json.dumps(values, sort_keys=True)


def test_patches_by_hand_and_what_is_shared():
    old = {"data": [{"x": [1, 2], "name": "a"}, {"x": [3], "name": "b"}], "title": "one", "gone": 1}
    new = {"data": [{"x": [1, 2], "name": "a"}, {"x": [3], "name": "c"}], "title": "two"}
    p = diff(old, new)
    assert p == {"gone": [], "data": {"1": {"name": ["c"]}}, "title": ["two"]}
    out = apply(old, p)
    assert out == new
    assert out["data"][0] is old["data"][0]  # unchanged parts are the old objects (plotly skips them)
    assert diff(old, copy.deepcopy(old)) is None
    assert diff(1, 1.0) == [1.0] and diff(True, 1) == [1]  # JSON keeps the difference
    assert diff({"a": [1]}, {"a": [True]}) == {"a": [[True]]}  # a short list: whole
    assert diff([1, 2, 3], [1, 2]) == [[1, 2]]  # another length: whole
    with pytest.raises(ValueError):
        apply(5, {"a": [1]})
    with pytest.raises(ValueError):
        apply({"a": 1}, [])
