"""``nnviz export --batch N`` (issue 13): every format exports the mini-batch that
``nnviz explain --batch N`` explains — the preset's own data in turn — and the app's download
buttons export the mini-batch in use.

Oracles: an independent ``trace_mini_batch`` of the examples written out here, and the seed's
own ``backprop`` / ``update_mini_batch`` (tests/seed_reference.py)."""
from __future__ import annotations

import io
import json
import re

import numpy as np
import pytest
from PIL import Image, ImageSequence

from cli_support import assert_one_line_error, run_main
from nnviz import trace_mini_batch
from nnviz.engine.presets import PRESETS
from nnviz.export import images as render
from nnviz.export.walkthrough import walkthrough
from nnviz.trace.record import Trace
from seed_reference import seed_namespace, seed_network

XOR = PRESETS["xor"]
needs_chromium = pytest.mark.skipif(not render.images_available(), reason="no Chromium for kaleido")


def xor_batch(n: int) -> list:
    """XOR's four examples in turn, n of them (written out, not read from the CLI)."""
    four = [([[0.0], [0.0]], [[0.0]]), ([[0.0], [1.0]], [[1.0]]), ([[1.0], [0.0]], [[1.0]]),
            ([[1.0], [1.0]], [[0.0]])]
    return [(np.array(four[e % 4][0]), np.array(four[e % 4][1])) for e in range(n)]


def oracle(n: int) -> Trace:
    return trace_mini_batch(XOR.config.network(), xor_batch(n), XOR.config.eta)


def seed_after(batch):
    """(Σ backprop, new weights and biases) from the seed's own code, per parameter name."""
    cfg = XOR.config
    net = cfg.network()
    seed = seed_network(cfg.sizes, net.weights, net.biases, seed_namespace())
    sums = {}
    for x, y in batch:
        nb, nw = seed.backprop(x, y)
        for p, grads in (("w", nw), ("b", nb)):
            for l, g in enumerate(grads, start=1):
                sums[(p, l)] = sums.get((p, l), 0.0) + g
    seed.update_mini_batch(batch, cfg.eta)
    new = {("w", l): w for l, w in enumerate(seed.weights, start=1)}
    new.update({("b", l): b for l, b in enumerate(seed.biases, start=1)})
    return sums, new


@pytest.mark.parametrize("n", [2, 4, 6])
def test_json_export_is_the_mini_batch_trace(n, tmp_path, capsys):
    out = tmp_path / "t.json"
    code, said, err = run_main(["export", "--preset", "xor", "--batch", str(n), "--format", "json",
                                "--out", str(out)], capsys)
    assert code == 0, err
    got, want = Trace.from_json(out.read_text()), oracle(n)
    assert got.m == want.m == n and len(got) == len(want)
    for a, b in zip(got.examples, want.examples, strict=True):
        np.testing.assert_array_equal(a[0], b[0])
        np.testing.assert_array_equal(a[1], b[1])
    for s, r in zip(got.steps, want.steps, strict=True):
        assert (s.kind, s.layer, s.example) == (r.kind, r.layer, r.example)
        np.testing.assert_array_equal(s.value, r.value)
    _, new = seed_after(xor_batch(n))
    for l, (w, b) in enumerate(zip(got.new_weights, got.new_biases, strict=True), start=1):
        np.testing.assert_allclose(w, new[("w", l)], rtol=1e-12, atol=1e-14)
        np.testing.assert_allclose(b, new[("b", l)], rtol=1e-12, atol=1e-14)


def page_data(page: str) -> dict:
    return json.loads(re.search(r'<script type="application/json" id="nnviz-data">(.*?)</script>', page,
                                re.S).group(1))


def test_html_export_walks_through_the_mini_batch(tmp_path, capsys):
    out = tmp_path / "w.html"
    code, _, err = run_main(["export", "--preset", "xor", "--batch", "4", "--format", "html", "--out", str(out)],
                            capsys)
    assert code == 0, err
    page = out.read_text()
    data, want = page_data(page), walkthrough(oracle(4), phone=False)
    assert "a mini-batch of 4" in data["title"] and "mini-batch of m = 4" in data["meta"]
    assert len(data["steps"]) == len(oracle(4))
    for got, ref in zip(data["steps"], want["steps"], strict=True):
        assert (got["kind"], got["layer"], got["label"]) == (ref["kind"], ref["layer"], ref["label"])
        assert got["numbers"] == ref["numbers"]
    # the update table's numbers against the seed's own code (6 significant digits shown)
    sums, new = seed_after(xor_batch(4))
    rows = data["update"]["rows"]
    assert len(rows) == sum(v.size for v in new.values())
    for r in rows:
        idx = (r["j"] - 1, r.get("k", 1) - 1) if r["p"] == "w" else (r["j"] - 1, 0)
        value = lambda text: float(text.replace("−", "-"))  # noqa: E731
        assert value(r["gradient"]) == pytest.approx(sums[(r["p"], r["l"])][idx], rel=1e-5, abs=1e-9)
        assert value(r["after"]) == pytest.approx(new[(r["p"], r["l"])][idx], rel=1e-5, abs=1e-9)


def test_a_trace_files_mini_batch_is_kept_and_cycled(tmp_path, capsys):
    saved = tmp_path / "three.json"
    saved.write_text(oracle(3).to_json())
    out = tmp_path / "again.json"
    code, _, err = run_main(["export", "--config", str(saved), "--format", "json", "--out", str(out)], capsys)
    assert code == 0, err
    assert Trace.from_json(out.read_text()).m == 3  # the file's mini-batch, not its first example
    code, _, err = run_main(["export", "--config", str(saved), "--batch", "5", "--format", "json",
                             "--out", str(out)], capsys)
    five = Trace.from_json(out.read_text())
    ref = trace_mini_batch(XOR.config.network(), [*xor_batch(3), *xor_batch(2)], XOR.config.eta)
    assert five.m == 5
    for a, b in zip(five.new_weights + five.new_biases, ref.new_weights + ref.new_biases, strict=True):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("bad", ["0", "11", "-1", "x", "2.5"])
@pytest.mark.parametrize("command", [["export", "--format", "json", "--out", "-"], ["explain"]])
def test_bad_batch_size_is_one_argparse_line(bad, command, capsys):
    err = assert_one_line_error(*run_main([*command, "--preset", "xor", "--batch", bad], capsys))
    assert "--batch" in err and bad in err


@needs_chromium
def test_images_of_the_mini_batch(tmp_path, capsys):
    want = oracle(2)
    sums_step = next(s.index for s in want.steps if s.kind == "sum_nabla_w" and s.example == 1)
    svg = tmp_path / "s.svg"
    code, _, err = run_main(["export", "--preset", "xor", "--batch", "2", "--format", "svg",
                             "--step", str(sums_step + 1), "--out", str(svg)], capsys)
    assert code == 0, err
    text = svg.read_text()
    assert f"Step {sums_step + 1}/{len(want)}" in text
    png = tmp_path / "s.png"
    code, _, err = run_main(["export", "--preset", "xor", "--batch", "2", "--format", "png", "--width", "640",
                             "--height", "360", "--step", str(len(want)), "--out", str(png)], capsys)
    assert code == 0 and Image.open(png).size == (640, 360)
    gif = tmp_path / "w.gif"
    code, _, err = run_main(["export", "--preset", "xor", "--batch", "2", "--format", "gif", "--quiet",
                             "--width", "320", "--height", "200", "--out", str(gif)], capsys)
    frames = list(ImageSequence.Iterator(Image.open(io.BytesIO(gif.read_bytes()))))
    assert code == 0 and len(frames) == len(want)
    render.shutdown_renderer()


# ---- the app's download buttons with a mini-batch in use --------------------------------
def test_app_downloads_export_the_mini_batch(monkeypatch):
    """The buttons' own callables (what a click runs) make the mini-batch's HTML and JSON."""
    import streamlit as st
    from apptest_support import make_app
    made = {}
    real = st.download_button

    def spy(label, data=None, **kwargs):
        made[label] = data
        return real(label, data=data, **kwargs)

    monkeypatch.setattr(st, "download_button", spy)
    at = make_app(preset="xor", batch="0,0;0|0,1;1|1,0;1|1,1;0", mode="predict")
    assert not at.exception
    got = Trace.from_json(made["Trace (JSON)"]())
    want = oracle(4)
    assert got.m == 4
    for a, b in zip(got.steps, want.steps, strict=True):
        np.testing.assert_array_equal(a.value, b.value)
    data = page_data(made["Walk-through (HTML, offline)"]().decode())
    assert len(data["steps"]) == len(want) and "mini-batch of m = 4" in data["meta"]
    assert data["title"] == f"nnviz — {XOR.title}, a mini-batch of 4"
    helps = {b.proto.label: b.proto.help for b in at.get("download_button")}
    assert f"({len(want)} frames" in helps["Steps GIF"]


def test_uploading_a_saved_mini_batch_steps_through_it_again():
    """A trace saved from a mini-batch loads back as that mini-batch (not its first example)."""
    from nnviz_app import state as ui_state
    from test_export_ui import fresh_state, upload
    ss = fresh_state(batch=None)
    from nnviz.export.files import trace_json
    kind, text = upload(ss, "four.json", trace_json(oracle(4)).encode())
    assert kind == "ok" and "a mini-batch of 4 examples" in text
    again = Trace.from_json(export_ui_trace_key(ui_state, ss))
    want = oracle(4)
    assert again.m == 4
    for a, b in zip(again.new_weights + again.new_biases, want.new_weights + want.new_biases, strict=True):
        np.testing.assert_array_equal(a, b)
    kind, text = upload(ss, "one.json", XOR.config.model_dump_json().encode())  # a plain config: no batch
    assert kind == "ok" and "mini-batch" not in text and ss.ui["batch"] is None


def export_ui_trace_key(ui_state, ss) -> str:
    """The trace the explorer shows for this state, as JSON (recomputed from the key)."""
    from nnviz.export.files import load_trace
    return load_trace(ui_state.trace_key({**ui_state.defaults(), **ss.ui})).to_json()
