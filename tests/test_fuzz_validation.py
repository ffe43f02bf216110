"""Property-based fuzzing of every parser/validator that user input reaches.

Covered: ``Config.parse`` (arbitrary JSON-like data and near-miss configs), ``Config.from_json``
(arbitrary text and bytes, > 64 KiB, deep nesting), ``nnviz_app.state.from_query`` and
``decode_config`` (URL parameters, random base64 / garbage in ``cfg``),
``nnviz_app.editing.parse_sizes`` and ``nnviz.cli.main`` (arbitrary argv, in-process).

Properties, for every generated input:
* only the documented exception escapes (ConfigError / ValueError; SystemExit(2) from argparse);
* every rejection has a non-empty, one-line, printable message of at most 500 characters that
  says what is wrong (a field name or "must" / "allowed" / "should" ...), and never repeats a
  long piece of the input (``<script>`` payloads appear at most as a bounded excerpt);
* whatever is accepted is valid and round-trips: Config -> JSON -> Config, Config -> cfg link
  -> Config, state -> to_query -> from_query.

Generated cases (``max_examples``), summed over the file:
  parse_arbitrary 1500 + parse_near_miss 2300 + valid_roundtrip 600 + from_json_text 1200
  + from_json_bytes 500 + from_json_deep_or_huge 60 + parse_deep 40 + from_query 1500
  + from_query_roundtrip 500 + decode_config 800 + parse_sizes_text 1000
  + parse_sizes_structured 500 + cli_main 400                              = 10,900.
"""
from __future__ import annotations

import base64
import json
import math
import re
import string

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nnviz import cli
from nnviz.engine.config import (MAX_ABS, MAX_ETA, MAX_JSON_BYTES, MAX_LAYERS, MAX_NEURONS, Config,
                          ConfigError, random_config)
from nnviz.engine.functions import ACTIVATIONS, COSTS
from nnviz.engine.presets import PRESETS
from nnviz_app import state as ui_state
from nnviz_app.editing import parse_sizes

MAX_MESSAGE = 500
CONFIG_FIELDS = ("sizes", "weights", "biases", "x", "y", "eta", "activation", "cost")
# A rejection names what is wrong (a field, the input or the argument at fault) ...
SUBJECTS = tuple(dict.fromkeys(CONFIG_FIELDS + ui_state.FIELD_NAMES + (
    "layer sizes", "json", "file", "link", "argument", "extra inputs", "config:", "--")))
# ... and says what is allowed or expected instead.
ALLOWED = ("must", "allowed", "should", "at most", "at least", "choose from", "one of", "expected",
           "required", "e.g.", "only", "need", "valid json", "whole number", "separated by",
           "not permitted", "see --help", "made by nnviz", "int value", "cannot read")


def names(message: str, word: str) -> bool:
    """``word`` in ``message`` as a word (``x`` is not the x of "expected"; "argument" matches
    "arguments")."""
    return re.search(rf"(?<![a-z0-9_]){re.escape(word)}", message.lower()) is not None

_HEALTH = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much]


def fuzz(max_examples: int, *more_health_checks):
    """Hypothesis settings for a cheap fuzz test: ``max_examples`` cases, no deadline."""
    return settings(deadline=None, max_examples=max_examples,
                    suppress_health_check=[*_HEALTH, *more_health_checks])

# ---- input material ---------------------------------------------------------------------
NASTY_TEXT = [
    "<script>alert(1)</script>", "<img src=x onerror=alert(1)>", '"><svg onload=alert(1)>',
    "</style><script>alert(document.cookie)</script>", "javascript:alert(1)",
    "[click](javascript:alert(1))", "![t](https://tracker.invalid/p.png)", "<b>bold</b>",
    "{{7*7}}", "${7*7}", "' OR 1=1 --", "../../etc/passwd", "\x00", "\u202e", "\ufeff", "\n\r\t",
    "", " ", "NaN", "nan", "inf", "-Infinity", "1e309", "-1e309", "1e6", "1000000.0001", "-0",
    "0x10", "1_000", "3.0", "٣", "３", "😀" * 30, "<script>alert(1)</script>" * 40, "A" * 5000,
    "sigmoid", "tanh", "relu", "quadratic", "cross_entropy", "seed", "mazur", "xor",
]
HUGE_NUMBERS = [10**400, -(10**400), 2**63, -(2**63) - 1, 2**1024, 1e308, -1e308,
                5e-324, MAX_ABS, -MAX_ABS, MAX_ABS * (1 + 1e-15), math.nan, math.inf, -math.inf,
                0, -0.0, 1, 8, 9, -1, MAX_ETA, MAX_ETA + 1e-9, 1e-300]

nasty_text = st.sampled_from(NASTY_TEXT) | st.text(max_size=40)
# (ints of more than 4300 digits are drawn with .map: Python cannot even repr them)
too_many_digits = st.integers(4290, 4400).map(lambda n: 10**n)
numbers = (st.integers() | st.floats() | st.sampled_from(HUGE_NUMBERS) | too_many_digits
           | st.integers(min_value=-(10**30), max_value=10**30))
scalars = st.none() | st.booleans() | numbers | nasty_text
keys = st.sampled_from(CONFIG_FIELDS) | nasty_text
json_like = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(keys, inner, max_size=5),
    max_leaves=20)

GOOD_PAIRS = [(a, c) for a in ACTIVATIONS for c in COSTS if c != "cross_entropy" or a == "sigmoid"]
finite = st.floats(-MAX_ABS, MAX_ABS, allow_nan=False, allow_infinity=False)


def dumps(data) -> str:
    """json.dumps, NaN/Infinity allowed; an int too long to print becomes a 4301-digit literal."""
    try:
        return json.dumps(data, allow_nan=True)
    except ValueError:  # "Exceeds the limit (4300 digits) for integer string conversion"
        return "[" + "9" * 4301 + "]"


def matrix(rows: int, cols: int, elem=finite):
    return st.lists(st.lists(elem, min_size=cols, max_size=cols), min_size=rows, max_size=rows)


@st.composite
def valid_dicts(draw) -> dict:
    sizes = draw(st.lists(st.integers(1, MAX_NEURONS), min_size=2, max_size=MAX_LAYERS))
    act, cost = draw(st.sampled_from(GOOD_PAIRS))
    return {
        "sizes": sizes,
        "weights": [draw(matrix(n, k)) for k, n in zip(sizes[:-1], sizes[1:])],
        "biases": [draw(matrix(n, 1)) for n in sizes[1:]],
        "x": draw(matrix(sizes[0], 1)), "y": draw(matrix(sizes[-1], 1)),
        "eta": draw(st.floats(0, MAX_ETA, exclude_min=True)), "activation": act, "cost": cost,
    }


@st.composite
def cheap_valid_dicts(draw) -> dict:
    """A valid config drawn quickly (numbers from a seeded generator), maybe with edge values."""
    sizes = draw(st.lists(st.integers(1, MAX_NEURONS), min_size=2, max_size=MAX_LAYERS))
    act, cost = draw(st.sampled_from(GOOD_PAIRS))
    eta = draw(st.sampled_from([5e-324, 1e-9, 0.5, 3.0, MAX_ETA]))
    d = random_config(sizes, draw(st.integers(0, 2**32 - 1)), act, cost, eta).model_dump()
    if draw(st.booleans()):
        field = draw(st.sampled_from(["weights", "biases"]))
        d[field][0][0][0] = draw(st.sampled_from([MAX_ABS, -MAX_ABS, 5e-324, -0.0]))
    return d


bad_number = st.sampled_from(HUGE_NUMBERS) | too_many_digits | nasty_text | st.none() | json_like
near_eta = st.floats() | bad_number | st.sampled_from([0, -0.0, 5e-324, MAX_ETA, 100.0000001, "3"])
near_sizes = st.lists(st.integers(-2, MAX_NEURONS + 2) | bad_number, max_size=MAX_LAYERS + 2)
MATRIX_BREAKS = ("element", "element", "drop_row", "add_row", "ragged", "transpose", "empty",
                 "oversized", "drop_matrix", "add_matrix", "flat")


def _break_matrices(draw, mats: list) -> list:
    """A list of correctly shaped matrices with one thing wrong (shape or one element)."""
    mats = [[list(row) for row in m] for m in mats]
    how = draw(st.sampled_from(MATRIX_BREAKS))
    m = mats[draw(st.integers(0, len(mats) - 1))]
    i, j = draw(st.integers(0, len(m) - 1)), draw(st.integers(0, len(m[0]) - 1))
    if how == "element":
        m[i][j] = draw(bad_number)
    elif how == "drop_row":
        del m[i]
    elif how == "add_row":
        m.append(list(m[i]))
    elif how == "ragged":
        m[i] = m[i][:j] if len(m[i]) > 1 else m[i] + [0.0]
    elif how == "transpose":
        m[:] = [list(col) for col in zip(*m)] if len(m) != len(m[0]) else m + [m[0]]
    elif how == "empty":
        m.clear() if draw(st.booleans()) else m.__setitem__(i, [])
    elif how == "oversized":
        m.extend([list(m[0])] * draw(st.integers(1, 20_000)))
    elif how == "drop_matrix":
        mats.remove(m)
    elif how == "add_matrix":
        mats.append(m)
    else:  # flat: a matrix given as a plain list of numbers
        mats[mats.index(m)] = [v for row in m for v in row]
    return mats


@st.composite
def near_miss_dicts(draw) -> dict:
    """A valid config with one to three fields broken, and maybe an extra (hostile) key."""
    d = draw(cheap_valid_dicts())
    for field in draw(st.lists(st.sampled_from(CONFIG_FIELDS), min_size=1, max_size=3, unique=True)):
        choice = draw(st.integers(0, 9))
        if choice == 0:
            del d[field]
        elif choice == 1:
            d[field] = draw(json_like)
        elif field in ("weights", "biases"):
            d[field] = _break_matrices(draw, d[field])
        elif field in ("x", "y"):
            broken = _break_matrices(draw, [d[field]])
            d[field] = broken[0] if broken and draw(st.booleans()) else draw(bad_number)
        elif field == "sizes":
            d[field] = draw(near_sizes)
        elif field == "eta":
            d[field] = draw(near_eta)
        else:  # activation, cost
            d[field] = draw(nasty_text)
    if draw(st.integers(0, 5)) == 0:
        d[draw(nasty_text)] = draw(json_like)
    return d


# ---- shared checks ------------------------------------------------------------------------
def _long_strings(data, longer_than: int) -> set[str]:
    """Every string longer than ``longer_than`` anywhere in ``data``, keys too (no recursion)."""
    found, todo = set(), [data]
    while todo:
        item = todo.pop()
        if isinstance(item, bytes):
            item = item.decode("utf-8", "replace")
        if isinstance(item, str):
            if len(item) > longer_than:
                found.add(item)
        elif isinstance(item, dict):
            todo.extend(item)
            todo.extend(item.values())
        elif isinstance(item, (list, tuple)):
            todo.extend(item)
    return found


def check_message(msg: str, data=None, excerpt_limit: int = 60) -> None:
    """A rejection: one short printable line that says what is wrong, no long input echoed.

    Input text may appear only as an excerpt of at most ``excerpt_limit`` characters
    (40 in the app's messages; the CLI echoes up to 300 of the user's own arguments).
    """
    assert isinstance(msg, str) and msg.strip(), "empty error message"
    assert len(msg) <= MAX_MESSAGE, f"message of {len(msg)} characters: {msg[:200]!r}…"
    assert msg.isprintable(), f"control characters in message: {msg!r}"
    low = msg.lower()
    assert any(names(msg, w) for w in SUBJECTS), f"message does not name what is wrong: {msg!r}"
    assert any(w in low for w in ALLOWED), f"message does not say what is allowed: {msg!r}"
    for s in _long_strings(data, excerpt_limit):  # excerpts are prefixes: check the longest allowed
        assert s[:excerpt_limit + 1] not in msg, "the message repeats more than an excerpt of the input"


def check_valid(cfg: Config) -> None:
    """An accepted config obeys every limit and round-trips through JSON and the cfg link."""
    assert isinstance(cfg, Config)
    assert 2 <= len(cfg.sizes) <= MAX_LAYERS and all(1 <= s <= MAX_NEURONS for s in cfg.sizes)
    assert 0 < cfg.eta <= MAX_ETA and math.isfinite(cfg.eta)
    assert (cfg.activation, cfg.cost) in GOOD_PAIRS
    for arr in [*cfg.weights, *cfg.biases, cfg.x, cfg.y]:
        assert all(math.isfinite(v) and abs(v) <= MAX_ABS for row in arr for v in row)
    assert [len(w) for w in cfg.weights] == cfg.sizes[1:]
    assert Config.from_json(cfg.model_dump_json()) == cfg
    assert Config.parse(json.loads(cfg.model_dump_json())) == cfg
    assert ui_state.decode_config(ui_state.encode_config(cfg)) == cfg


def run_parse(data) -> None:
    try:
        cfg = Config.parse(data)
    except ConfigError as e:
        check_message(str(e), data)
    else:
        check_valid(cfg)


def run_from_json(text) -> None:
    try:
        cfg = Config.from_json(text)
    except ConfigError as e:
        check_message(str(e), text if len(text) < 100_000 else None)
    else:
        check_valid(cfg)


# ---- Config.parse -----------------------------------------------------------------------
@fuzz(1500)
@given(json_like)
def test_parse_arbitrary(data):
    run_parse(data)


@fuzz(2300)
@given(near_miss_dicts())
def test_parse_near_miss(data):
    run_parse(data)


@fuzz(600)
@given(valid_dicts())
def test_valid_configs_roundtrip(data):
    cfg = Config.parse(data)
    check_valid(cfg)
    state = {**ui_state.defaults(), "cfg": cfg}
    assert ui_state.from_query(ui_state.to_query(state)) == (state, [])


@fuzz(40)
@given(st.integers(10, 50_000), st.sampled_from(["list", "dict", "field"]))
def test_parse_deeply_nested(depth, where):
    data: object = 0.5
    for _ in range(depth):
        data = [data] if where != "dict" else {"x": data}
    run_parse({**PRESETS["seed"].config.model_dump(), "weights": data} if where == "field" else data)


# ---- Config.from_json -------------------------------------------------------------------
json_texts = (st.text(max_size=300)
              | json_like.map(dumps) | near_miss_dicts().map(dumps)
              | cheap_valid_dicts().map(json.dumps)
              | cheap_valid_dicts().map(lambda d: json.dumps({**d, "format": "nnviz-trace", "steps": []}))
              | st.sampled_from(NASTY_TEXT) | st.sampled_from(["1" * 5000, "[" + "9" * 4301 + "]",
                                                            '"\ud800"', "\ud800", "\ufeff{}"]))


@fuzz(1200)
@given(json_texts)
def test_from_json_text(text):
    run_from_json(text)


@fuzz(500)
@given(st.binary(max_size=300) | json_texts.map(lambda t: t.encode("utf-16", "surrogatepass"))
       | json_texts.map(lambda t: t.encode("utf-8", "surrogatepass")))
def test_from_json_bytes(raw):
    run_from_json(raw)


@fuzz(60)
@given(st.sampled_from(["[", '{"a":', '{"sizes":[', "[[[[[[[[[["]), st.integers(1, 40_000),
       st.integers(0, 80_000), st.booleans())
def test_from_json_deep_or_huge(opener, depth, padding, as_bytes):
    closer = {"[": "]", '{"a":': "}", '{"sizes":[': "]}", "[[[[[[[[[[": "]" * 10}[opener]
    text = opener * depth + "0" + closer * depth + " " * padding
    big = len(text.encode()) > MAX_JSON_BYTES
    try:
        Config.from_json(text.encode() if as_bytes else text)
    except ConfigError as e:
        check_message(str(e))
        if big:
            assert "64 KiB" in str(e)
    else:  # pragma: no cover - none of these is a config
        pytest.fail("a nested array/object was accepted as a config")


def test_from_json_examples():
    """Specific inputs: a RecursionError and too-long integers become ConfigError; traces load."""
    for text in ("[" * 100_000, "[" * 30_000 + "]" * 30_000, "1" * 5000, "\ud800", b"\xff\xfe\x00",
                 " " * (MAX_JSON_BYTES + 1), "x" * (MAX_JSON_BYTES * 4)):
        with pytest.raises(ConfigError) as info:
            Config.from_json(text)
        check_message(str(info.value))
    from nnviz.trace.record import trace_backprop
    cfg = PRESETS["mazur"].config
    trace = trace_backprop(cfg.network(), cfg.x_array, cfg.y_array, cfg.eta)
    assert Config.from_json(trace.to_json()) == cfg


# ---- URL state ----------------------------------------------------------------------------
def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


cfg_values = (st.text(max_size=80)
              | st.text(alphabet=string.ascii_letters + string.digits + "-_=", max_size=400)
              | st.binary(max_size=300).map(_b64)
              | json_like.map(lambda d: _b64(dumps(d).encode()))
              | near_miss_dicts().map(lambda d: _b64(dumps(d).encode()))
              | cheap_valid_dicts().map(lambda d: _b64(json.dumps(d).encode()))
              | st.integers(ui_state.MAX_CFG_CHARS - 3, ui_state.MAX_CFG_CHARS + 50).map(lambda n: "A" * n)
              | st.sampled_from(NASTY_TEXT))
field_values = {
    "preset": st.sampled_from(list(PRESETS)) | nasty_text,
    "cfg": cfg_values,
    "step": st.integers(-5, ui_state.MAX_STEP + 5).map(str) | st.sampled_from(HUGE_NUMBERS).map(str) | nasty_text,
    "view": st.sampled_from(["matrix", "scalar", "Matrix", ""]) | nasty_text,
    "j": st.integers(-2, 10).map(str) | nasty_text,
    "k": st.integers(-2, 10).map(str) | nasty_text,
    "mode": st.sampled_from(["explore", "predict", "train", "EXPLORE"]) | nasty_text,
    "projector": st.sampled_from(["1", "0", "true", "False", "yes", "off", "2"]) | nasty_text,
    "batch": st.sampled_from(["0,0;0|0,1;1", "1;1", "0,0;0|", "|", "0,0", "a;b", "1e400;0", "0;" + "1," * 8 + "1",
                              "|".join(["0,0;0"] * 11)]) | nasty_text,
}


@st.composite
def query_params(draw) -> dict[str, str]:
    params = {}
    for name in draw(st.lists(st.sampled_from(ui_state.FIELD_NAMES), unique=True)):
        params[name] = draw(field_values[name])
    params.update(draw(st.dictionaries(nasty_text, nasty_text, max_size=8)))
    return params


def check_state(state: dict) -> None:
    assert set(state) == set(ui_state.FIELD_NAMES)
    assert state["preset"] in PRESETS
    assert state["cfg"] is None or isinstance(state["cfg"], Config)
    assert 0 <= state["step"] <= ui_state.MAX_STEP and 0 <= state["j"] <= 7 and 0 <= state["k"] <= 7
    assert state["view"] in ("matrix", "scalar") and state["mode"] in ("explore", "predict", "train")
    assert isinstance(state["projector"], bool)
    assert state["batch"] is None or 1 <= len(state["batch"]) <= ui_state.MAX_BATCH
    ui_state.current_config(state)


@fuzz(1500)
@given(query_params())
def test_from_query(params):
    state, notices = ui_state.from_query(params)
    check_state(state)
    for note in notices:
        check_message(note, params)
    if state["cfg"] is not None:
        check_valid(state["cfg"])
    ignored = [re.match(r"Ignored the link's [^(]*\((\w+)=", n) for n in notices]
    ignored = [m.group(1) for m in ignored if m]
    unknown = set(params) - set(ui_state.FIELD_NAMES)
    assert len(notices) == len(ignored) + bool(unknown)
    assert bool(unknown) == any(n.startswith("Ignored unknown link parameters") for n in notices)
    for f in ui_state.FIELDS:  # each given field is either taken from the link or reported
        if f.name in params:
            if f.name in ignored:
                assert state[f.name] == f.default
            else:
                assert state[f.name] == f.parse(params[f.name])
    # The state that came out reopens itself exactly.
    assert ui_state.from_query(ui_state.to_query(state)) == (state, [])


@fuzz(500)
@given(st.fixed_dictionaries({}, optional={
    "preset": st.sampled_from(list(PRESETS)), "cfg": st.none() | valid_dicts().map(Config.parse),
    "step": st.integers(0, ui_state.MAX_STEP), "view": st.sampled_from(["matrix", "scalar"]),
    "j": st.integers(0, 7), "k": st.integers(0, 7),
    "mode": st.sampled_from(["explore", "predict", "train"]), "projector": st.booleans()}))
def test_to_query_from_query_identity(changes):
    state = {**ui_state.defaults(), **changes}
    query = ui_state.to_query(state)
    assert all(isinstance(k, str) and isinstance(v, str) for k, v in query.items())
    assert ui_state.from_query(query) == (state, [])


@fuzz(800)
@given(cfg_values)
def test_decode_config(text):
    try:
        cfg = ui_state.decode_config(text)
    except ValueError:
        state, notices = ui_state.from_query({"cfg": text})  # what the user reads
        assert state["cfg"] is None and len(notices) == 1
        check_message(notices[0], text)
    else:
        check_valid(cfg)


@pytest.mark.parametrize("vague", ["error: something went wrong", "Invalid input.", "not valid",
                                   "sizes: oops", "Must be smaller.", "x" * 30])
def test_message_check_rejects_vague_messages(vague):
    """The check can fail: a message must name the field and say what is allowed."""
    with pytest.raises(AssertionError):
        check_message(vague)


# ---- layer sizes text -----------------------------------------------------------------------
def run_parse_sizes(text: str) -> None:
    try:
        sizes = parse_sizes(text)
    except ValueError as e:
        check_message(str(e), text)
        assert "layer sizes" in str(e)
    else:
        assert 2 <= len(sizes) <= MAX_LAYERS and all(1 <= s <= MAX_NEURONS for s in sizes)
        assert all(type(s) is int for s in sizes)
        assert parse_sizes("-".join(map(str, sizes))) == sizes == parse_sizes(", ".join(map(str, sizes)))


@fuzz(1000)
@given(st.text(max_size=60) | st.sampled_from(NASTY_TEXT)
       | st.text(alphabet="0123456789-, \t+_.٣３", max_size=30))
def test_parse_sizes_text(text):
    run_parse_sizes(text)


@fuzz(500)
@given(st.lists(st.integers(-3, 12) | st.just(10**30) | st.just(5000).map(lambda n: 10**n), max_size=8),
       st.sampled_from(["-", ",", ", ", " ", " - ", "--", ",,"]))
def test_parse_sizes_structured(values, sep):
    text = sep.join(map(str, values)) if all(abs(v) < 10**100 for v in values) else "1-" + "9" * 5000
    run_parse_sizes(text)
    ok = 2 <= len(values) <= MAX_LAYERS and all(1 <= v <= MAX_NEURONS for v in values)
    if ok and not any(v < 0 for v in values):
        assert parse_sizes(text) == values


# ---- command line -------------------------------------------------------------------------
@pytest.fixture(scope="module")
def cli_files(tmp_path_factory):
    d = tmp_path_factory.mktemp("cli")
    (d / "valid.json").write_text(PRESETS["xor"].config.model_dump_json())
    (d / "big.json").write_text(" " * (MAX_JSON_BYTES + 10) + "{}")
    (d / "bad.json").write_text('{"sizes": [3, 2, 1], "<script>alert(1)</script>": 1}')
    (d / "binary.json").write_bytes(bytes(range(256)))
    return {"@VALID": str(d / "valid.json"), "@BIG": str(d / "big.json"), "@BAD": str(d / "bad.json"),
            "@BINARY": str(d / "binary.json"), "@DIR": str(d)}


ARGV_TOKENS = ["explain", "explain", "--preset", "--config", "--json", "--digits", "-h", "--help",
               "seed", "mazur", "xor", "2", "15", "16", "1", "-1", "--", "-", "--preset=xor",
               "--digits=3", "--conf", "--pre", "@VALID", "@BIG", "@BAD", "@BINARY", "@DIR",
               "/dev/null", "/dev/zero", "/nonexistent/file.json", "a\x00b", "\ud800", "explain\n",
               "--config=\n"]


@fuzz(400, HealthCheck.function_scoped_fixture)
@given(st.lists(st.sampled_from(ARGV_TOKENS) | nasty_text, max_size=7))
def test_cli_main(capsys, cli_files, argv):
    argv = [cli_files.get(a, a) for a in argv]
    capsys.readouterr()  # drop the previous example's output
    try:
        code = cli.main(list(argv))
    except SystemExit as e:  # argparse: --help (0) or a usage error (2)
        code = e.code
    out, err = capsys.readouterr()
    if code == 0:
        assert err == "" and out
        return
    assert code == 2, f"exit code {code!r} for {argv!r}"
    assert err.endswith("\n") and err.count("\n") == 1, f"not one stderr line: {err!r}"
    line = err.rstrip("\n")
    assert line.startswith(cli.build_parser().prog + ":") or line.startswith(cli.build_parser().prog + " ")
    check_message(line, argv, excerpt_limit=300)


def test_cli_examples(capsys, cli_files):
    """The inputs that used to misbehave: unbounded reads, multi-line and endless messages."""
    cases = [["explain", "--config", "/dev/zero"], ["explain", "--config", cli_files["@BIG"]],
             ["explain", "--config", cli_files["@BAD"]], ["explain", "--config", "a\x00b"],
             ["explain", "a\nb"], ["explain", "--digits", "9" * 5000], ["explain", "--config", "\ud800"]]
    for argv in cases:
        capsys.readouterr()
        try:
            code = cli.main(argv)
        except SystemExit as e:
            code = e.code
        err = capsys.readouterr().err
        assert code == 2 and err.count("\n") == 1, (argv, err)
        check_message(err.rstrip("\n"), argv, excerpt_limit=300)
    assert cli.main(["explain", "--config", cli_files["@VALID"], "--json"]) == 0
