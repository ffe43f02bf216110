"""nnviz.lessons.datasets: seeded 2-D datasets, their shapes, labels, ranges and validation."""
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nnviz.lessons.datasets import DATASETS, MAX_N, as_arrays, make_arrays, make_dataset

NAMES = list(DATASETS)


def test_the_four_datasets_exist():
    assert NAMES == ["xor", "circles", "moons", "spiral"]


@pytest.mark.parametrize("name", NAMES)
def test_pairs_have_the_network_shapes_and_binary_labels(name):
    data = make_dataset(name, 101, seed=3)
    assert len(data) == 101
    for x, y in data:
        assert x.shape == (2, 1) and y.shape == (1, 1)
        assert x.dtype == float and y.dtype == float
        assert float(y[0, 0]) in (0.0, 1.0)
        assert np.all(np.isfinite(x)) and np.all(np.abs(x) <= 1.0)
    labels = [float(y[0, 0]) for _, y in data]
    assert abs(labels.count(1.0) - labels.count(0.0)) <= 1  # balanced


@pytest.mark.parametrize("name", NAMES)
def test_same_seed_same_data_other_seed_other_data(name):
    a, b, c = make_arrays(name, 50, 7), make_arrays(name, 50, 7), make_arrays(name, 50, 8)
    assert np.array_equal(a[0], b[0]) and np.array_equal(a[1], b[1])
    assert not np.array_equal(a[0], c[0])


def test_no_global_random_state_is_used():
    np.random.seed(1)
    first = make_arrays("moons", 20, 0)[0]
    np.random.seed(2)
    assert np.array_equal(first, make_arrays("moons", 20, 0)[0])


@pytest.mark.parametrize("name", NAMES)
def test_inputs_fill_roughly_the_unit_square(name):
    X, _ = make_arrays(name, 2000, 0)
    assert X.min() < -0.6 and X.max() > 0.6


def test_noise_free_geometry():
    X, Y = make_arrays("xor", 200, 0, noise=0)
    assert np.all(np.abs(X) == 0.5)
    assert np.array_equal(Y[0] == 1, X[0] * X[1] < 0)
    X, Y = make_arrays("circles", 200, 0, noise=0)
    r = np.hypot(X[0], X[1])
    assert np.allclose(r[Y[0] == 1], 0.35) and np.allclose(r[Y[0] == 0], 0.85)


def test_noise_spreads_the_points():
    quiet = make_arrays("circles", 500, 0, noise=0.0)[0]
    loud = make_arrays("circles", 500, 0, noise=0.3)[0]
    assert np.hypot(*quiet).std() < np.hypot(*loud).std()


@pytest.mark.parametrize("n", [0, -1, MAX_N + 1, 10**9])
def test_n_out_of_range_names_the_allowed_range(n):
    with pytest.raises(ValueError, match=r"from 1 to 5000.*got " + str(n)):
        make_dataset("xor", n)


@pytest.mark.parametrize("n", [2.5, "10", None, True, math.nan, math.inf])
def test_n_must_be_a_whole_number(n):
    with pytest.raises(ValueError, match="n .*1 to 5000"):
        make_dataset("xor", n)


def test_n_at_the_limits():
    assert len(make_dataset("spiral", 1)) == 1
    assert len(make_dataset("spiral", MAX_N)) == MAX_N
    assert len(make_dataset("xor", 12.0)) == 12  # a whole float is fine


@pytest.mark.parametrize("name", ["XOR", "blobs", "", None, 3])
def test_unknown_name_lists_the_known_ones(name):
    with pytest.raises(ValueError, match="xor, circles, moons, spiral"):
        make_dataset(name, 10)


@pytest.mark.parametrize("noise", [-0.01, 1.01, math.nan, math.inf, "0.1", True])
def test_bad_noise(noise):
    with pytest.raises(ValueError, match="noise must be a number from 0 to 1"):
        make_dataset("moons", 10, noise=noise)


@pytest.mark.parametrize("seed", [-1, 1.5, "a", None])
def test_bad_seed(seed):
    with pytest.raises(ValueError, match="seed"):
        make_dataset("moons", 10, seed=seed)


def test_as_arrays_round_trip():
    data = make_dataset("circles", 9, 1)
    X, Y = as_arrays(data)
    assert X.shape == (2, 9) and Y.shape == (1, 9)
    assert np.array_equal(X[:, 4:5], data[4][0])
    with pytest.raises(ValueError, match="empty"):
        as_arrays([])


@settings(max_examples=40, deadline=None)
@given(st.sampled_from(NAMES), st.integers(1, 300), st.integers(0, 2**32),
       st.floats(0, 1, allow_nan=False))
def test_invariants_hold_for_any_valid_arguments(name, n, seed, noise):
    X, Y = make_arrays(name, n, seed, noise)
    assert X.shape == (2, n) and Y.shape == (1, n)
    assert np.all(np.abs(X) <= 1) and set(np.unique(Y)) <= {0.0, 1.0}
    assert abs(int(Y.sum()) - (n - int(Y.sum()))) <= 1
