"""``nnviz explain`` (``python -m nnviz explain``): published figures, JSON round trip, one-line errors (exit 2)."""
from __future__ import annotations

import json
import re
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import numpy as np
import pytest

from nnviz import Trace, trace_backprop
from cli_support import assert_one_line_error, run_main
from nnviz.engine.presets import MAZUR_PUBLISHED, PRESETS

REPO_ROOT = Path(__file__).resolve().parent.parent
NUMBER = re.compile(r"-?\d+\.\d+")


def run_module(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "nnviz", *args], cwd=REPO_ROOT, capture_output=True,
                          text=True, timeout=60)


NAME_SHOWN = 80  # the CLI quotes at most this many characters of a file name it cannot read


def name_shown(path: str) -> str:
    """How an unreadable file's name appears in the message: whole, or its start and '…'."""
    return f"'{path}'" if len(path) <= NAME_SHOWN else f"'{path[:NAME_SHOWN]}…'"



def contains_published(text: str, value: float) -> bool:
    """Some number printed in ``text`` equals ``value`` to the published precision."""
    decimals = -Decimal(repr(value)).as_tuple().exponent
    tol = Decimal(5) * Decimal(10) ** (-decimals - 1)
    return any(abs(Decimal(n) - Decimal(repr(value))) <= tol for n in NUMBER.findall(text))


# ---- the real command (a few subprocess calls) ----------------------------------------
def test_explain_mazur_prints_the_published_figures():
    r = run_module("explain", "--preset", "mazur")
    assert r.returncode == 0, r.stderr
    assert r.stderr == ""
    for name, value in MAZUR_PUBLISHED.items():
        assert contains_published(r.stdout, value), (name, value)
    # and w5's line in the before/after table carries the published figure
    row = next(line for line in r.stdout.splitlines() if "| w5 |" in line)
    assert contains_published(row, MAZUR_PUBLISHED["w5"])


def test_explain_json_parses_and_round_trips():
    r = run_module("explain", "--preset", "mazur", "--json")
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    assert data["format"] == "nnviz-trace"
    t = Trace.from_json(r.stdout)
    cfg = PRESETS["mazur"].config
    want = trace_backprop(cfg.network(), cfg.x_array, cfg.y_array, cfg.eta)
    # what the file stores (not what from_dict recomputes from kind and layer): the numbers,
    # exactly, and the texts as written
    assert [(s.kind, s.layer) for s in t.steps] == [(s.kind, s.layer) for s in want.steps]
    for a, b, stored in zip(t.steps, want.steps, data["steps"], strict=True):
        np.testing.assert_array_equal(a.value, b.value)
        assert a.reads.keys() == b.reads.keys()
        for k in a.reads:
            np.testing.assert_array_equal(a.reads[k], b.reads[k])
        assert (stored["title"], stored["latex"]) == (b.title, b.latex())
    # independently: Mazur's published outputs and updated weights are in the file's numbers
    output = [s for s in data["steps"] if s["kind"] == "a"][-1]["value"]
    assert contains_published(str(output), MAZUR_PUBLISHED["out_o1"])
    assert contains_published(str(output), MAZUR_PUBLISHED["out_o2"])
    new_w1 = [s for s in data["steps"] if s["kind"] == "update_w" and s["layer"] == 1][0]["value"]
    assert contains_published(str(new_w1), MAZUR_PUBLISHED["w1"])


def test_error_from_the_real_process_is_one_line(tmp_path):
    path = str(tmp_path / "missing.json")  # its length depends on pytest's temporary folder
    r = run_module("explain", "--config", path)
    assert_one_line_error(r.returncode, r.stdout, r.stderr)
    assert name_shown(path) in r.stderr and "No such file" in r.stderr


# ---- in-process ---------------------------------------------------------------------------
@pytest.mark.parametrize("preset", sorted(PRESETS))
def test_explain_each_preset(preset, capsys):
    code, out, err = run_main(["explain", "--preset", preset], capsys)
    assert code == 0 and err == ""
    cfg = PRESETS[preset].config
    t = trace_backprop(cfg.network(), cfg.x_array, cfg.y_array, cfg.eta)
    assert out.count("### Step ") == len(t)


def test_digits_option_rounds(capsys):
    code, out, _ = run_main(["explain", "--preset", "mazur", "--digits", "4"], capsys)
    assert code == 0
    assert "0.7514" in out and "0.75136507" not in out


def test_config_file_and_trace_file_are_accepted(tmp_path, capsys):
    cfg = PRESETS["mazur"].config
    path = tmp_path / "net.json"
    path.write_text(cfg.model_dump_json())
    code, out, _ = run_main(["explain", "--config", str(path)], capsys)
    assert code == 0 and contains_published(out, MAZUR_PUBLISHED["w1"])
    code, trace_json, _ = run_main(["explain", "--preset", "mazur", "--json"], capsys)
    path.write_text(trace_json)
    code, out, _ = run_main(["explain", "--config", str(path)], capsys)
    assert code == 0 and contains_published(out, MAZUR_PUBLISHED["w8"])


@pytest.mark.parametrize("argv, needle", [
    ([], "command"),
    (["frobnicate"], "frobnicate"),
    (["explain", "--preset", "nope"], "nope"),
    (["explain", "--digits", "99"], "digits"),
    (["explain", "--digits", "many"], "digits"),
    (["explain", "--preset", "mazur", "--config", "x.json"], "not allowed"),
    (["explain", "--bogus"], "--bogus"),
])
def test_bad_arguments(argv, needle, capsys):
    err = assert_one_line_error(*run_main(argv, capsys))
    assert needle in err


GOOD = {"sizes": [2, 1], "weights": [[[0.1, 0.2]]], "biases": [[[0.0]]], "x": [[1.0], [0.5]],
        "y": [[1.0]], "eta": 1.0}


@pytest.mark.parametrize("content, needle", [
    ({**GOOD, "weights": [[[0.1, 0.2, 0.3]]]}, "w^1"),             # wrong shape
    ({**GOOD, "weights": [[[0.1, 0.2], [0.3]]]}, "w^1"),           # ragged rows
    ({**GOOD, "sizes": [2, 0]}, "layer size"),
    ({**GOOD, "eta": -1}, "eta"),
    ({**GOOD, "activation": "tanh", "cost": "cross_entropy"}, "cross-entropy"),
    ({**GOOD, "activation": "softmax"}, "activation"),
    ({**GOOD, "surprise": 1}, "surprise"),
    ({**GOOD, "x": [[1e300], [0.5]]}, "x"),
    ([1, 2, 3], "configuration"),
    ('{"sizes": [2, 1], "weights": [[[NaN, 0.2]]], "biases": [[[0.0]]], '
     '"x": [[1.0], [0.5]], "y": [[1.0]], "eta": 1.0}', "finite"),
])
def test_bad_config_file(content, needle, tmp_path, capsys):
    path = tmp_path / "bad.json"
    path.write_text(content if isinstance(content, str) else json.dumps(content))
    err = assert_one_line_error(*run_main(["explain", "--config", str(path)], capsys))
    assert needle in err


@pytest.mark.parametrize("data, needle", [
    (b'{"sizes": [2, 1], "weights": ', "JSON"),
    (b"", "JSON"),
    (b'{"sizes": "\xff\xfe"}', "JSON"),                       # not UTF-8
    (b"[" * 20000 + b"]" * 20000, "JSON"),                     # nests too deep for the parser
    (json.dumps(GOOD).encode() + b" " * (64 * 1024), "64 KiB"),  # valid JSON, but > 64 KiB
])
def test_invalid_or_oversized_file(data, needle, tmp_path, capsys):
    path = tmp_path / "bad.json"
    path.write_bytes(data)
    err = assert_one_line_error(*run_main(["explain", "--config", str(path)], capsys))
    assert needle in err


def test_missing_file_and_directory(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    long_name = "n" * (2 * NAME_SHOWN) + ".json"
    for path in ("nope.json", long_name, str(tmp_path / "nope.json")):  # short, long, either
        err = assert_one_line_error(*run_main(["explain", "--config", path], capsys))
        assert name_shown(path) in err, err
    assert "…" in name_shown(long_name) and "'nope.json'" in name_shown("nope.json")
    assert "directory" in assert_one_line_error(*run_main(["explain", "--config", str(tmp_path)], capsys))
