"""A learner's own CSV data (issue 13, item 3): every bad row is named, nothing is lost,
a good file trains — in nnviz.lessons.csvdata and in the app's training view."""
from __future__ import annotations

import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from apptest_support import make_app
from nnviz.lessons.csvdata import MAX_ABS, MAX_ROWS, parse_csv, to_csv

finite = st.floats(-MAX_ABS, MAX_ABS, allow_nan=False, allow_infinity=False)
good_rows = st.lists(st.tuples(finite, finite, st.sampled_from([0, 1])), min_size=2, max_size=40)

# (a bad cell or line, the words its message must hold)
CORRUPTIONS = {
    "too_few": (lambda r: f"{r[0]!r},{r[1]!r}", "has 2 values; each row needs 3"),
    "too_many": (lambda r: f"{r[0]!r},{r[1]!r},{r[2]},7", "has 4 values; each row needs 3"),
    "word": (lambda r: f"{r[0]!r},abc,{r[2]}", "x2 = 'abc' is not a number"),
    "nan": (lambda r: f"nan,{r[1]!r},{r[2]}", "x1 = 'nan' is not a finite number"),
    "inf": (lambda r: f"{r[0]!r},-inf,{r[2]}", "x2 = '-inf' is not a finite number"),
    "huge": (lambda r: f"1e9,{r[1]!r},{r[2]}", "x1 = 1e9 is outside"),
    "label": (lambda r: f"{r[0]!r},{r[1]!r},2", "label = '2' must be 0 or 1"),
    "label_word": (lambda r: f"{r[0]!r},{r[1]!r},yes", "label = 'yes' must be 0 or 1"),
}


@settings(max_examples=40, deadline=None)
@given(rows=good_rows, data=st.data())
def test_every_bad_row_is_named_with_what_is_wrong(rows, data):
    bad = data.draw(st.sets(st.integers(0, len(rows) - 1), min_size=1, max_size=3))
    kinds = {i: data.draw(st.sampled_from(sorted(CORRUPTIONS))) for i in sorted(bad)}
    header = data.draw(st.booleans())
    lines = ["x1,x2,label"] if header else []
    for i, r in enumerate(rows):
        lines.append(CORRUPTIONS[kinds[i]][0](r) if i in kinds else f"{r[0]!r},{r[1]!r},{r[2]}")
    parsed = parse_csv("\n".join(lines))
    assert not parsed.ok and len(parsed.rows) == len(rows) - len(bad)
    assert len(parsed.errors) == len(bad)  # one message per bad row, no more
    for (i, kind), message in zip(sorted(kinds.items()), parsed.errors, strict=True):
        line = i + 1 + header  # the row's line in the file
        assert message.startswith(f"Line {line}: "), message
        assert CORRUPTIONS[kind][1] in message, message


@settings(max_examples=50, deadline=None)
@given(rows=good_rows)
def test_good_rows_round_trip_exactly(rows):
    parsed = parse_csv(to_csv(rows).encode())
    assert parsed.ok and not parsed.errors
    assert parsed.rows == tuple(rows)
    for (x, y), (a, b, c) in zip(parsed.pairs(), rows, strict=True):
        assert x.shape == (2, 1) and y.shape == (1, 1) and (x[0, 0], x[1, 0], y[0, 0]) == (a, b, c)


def test_limits_are_named():
    too_many = "\n".join("0,0,1" for _ in range(MAX_ROWS + 1))
    assert parse_csv(too_many).errors == (f"The data has {MAX_ROWS + 1:,} rows; at most {MAX_ROWS:,} are allowed.",)
    assert "at least 2 are needed" in parse_csv("x1,x2,label\n0.5,0.5,1\n").errors[0]
    assert "not UTF-8" in parse_csv(b"0,0,1\n\xff\xfe,1,0\n").errors[0]
    assert "Every row has label 1" in parse_csv("0,0,1\n1,1,1\n").notes[0]


GOOD = "x1,x2,label\n" + "\n".join(
    f"{a:.3f},{b:.3f},{int(a * b < 0)}" for a, b in np.random.default_rng(0).uniform(-1, 1, (120, 2)))


def paste(at, text):
    at.text_area(key="ss_tr_csv_text").set_value(text)
    return at.button(key="ss_tr_csv_use").click().run()


def test_app_pasted_data_trains_and_steps_into_one_of_its_rows():
    at = make_app(mode="train")
    paste(at, GOOD)
    assert not at.exception and not at.error
    assert at.session_state["ss_tr_dataset"] == "own"
    assert at.number_input(key="ss_tr_n").value == 120
    at.number_input(key="ss_tr_epochs").set_value(300).run()
    at.button(key="ss_tr_train").click().run()
    assert not at.exception
    run = at.session_state["ss_train"]
    assert run["dataset"] == "own" and run["epochs_done"] == 300 and len(run["rows"]) == 120
    assert run["history"][-1]["accuracy"] >= 0.9  # XOR-like quadrants: learnable
    at.number_input(key="ss_tr_example").set_value(7).run()
    at.button(key="ss_tr_step_into").click().run()
    assert not at.exception
    cfg = at.session_state.ui["cfg"]
    row = GOOD.splitlines()[7].split(",")  # example 7 is the 7th data row
    assert cfg.x == [[float(row[0])], [float(row[1])]] and cfg.y == [[float(row[2])]]


def test_app_bad_rows_are_listed_and_the_last_good_data_stays():
    at = make_app(mode="train")
    paste(at, GOOD)
    bad = GOOD.splitlines()
    bad[3], bad[10] = "0.1,zzz,1", "0.2,0.3,5"
    paste(at, "\n".join(bad))
    assert not at.exception
    shown = " ".join(e.value for e in at.error)
    assert re.search(r"Line 4: x2 = 'zzz' is not a number", shown)
    assert "Line 11: label = '5' must be 0 or 1" in shown
    assert at.text_area(key="ss_tr_csv_text").value == "\n".join(bad)  # the text stays, to fix
    assert len(at.session_state["ss_tr_own"]["rows"]) == 120  # the last good data set stays
    assert any("unchanged (120 rows)" in c.value for c in at.caption)
