"""``nnviz.export`` and ``python -m nnviz export``: images, GIFs, JSON round trip, offline HTML.

Image tests drive kaleido with the system Chromium (/usr/bin/chromium); one browser is
started for the whole module and shared (``nnviz.export.images`` keeps it).
"""
from __future__ import annotations

import io
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from nnviz.draw.layout import SCREENS
from PIL import Image, ImageSequence

from nnviz.export import files as export_files
from nnviz.export import html as export_html
from nnviz.export import images as render
from nnviz.export.walkthrough import step_figures
from cli_support import assert_one_line_error, run_main
from oracles import steps_of_one_call
from nnviz.engine.config import MAX_JSON_BYTES, Config, ConfigError, random_config
from nnviz.engine.presets import PRESETS
from nnviz.trace.record import Trace, trace_backprop

REPO_ROOT = Path(__file__).resolve().parent.parent
needs_chromium = pytest.mark.skipif(not render.images_available(), reason="no Chromium for kaleido")


def preset_trace(name: str = "seed") -> Trace:
    cfg = PRESETS[name].config
    return trace_backprop(cfg.network(), cfg.x_array, cfg.y_array, cfg.eta)


@pytest.fixture(scope="module")
def seed():
    return preset_trace("seed")


@pytest.fixture(scope="module", autouse=True)
def _close_browser():
    yield
    render.shutdown_renderer()


def colours(img: Image.Image) -> int:
    return len(img.convert("RGB").getcolors(maxcolors=1 << 20) or [])


def assert_not_blank(img: Image.Image) -> None:
    """A real drawing: many colours, and ink (dark pixels) as well as white background."""
    rgb = np.asarray(img.convert("RGB"), dtype=int)
    assert colours(img) > 50
    assert (rgb.sum(axis=2) < 200).mean() > 0.002  # dark text and lines
    assert (rgb.min(axis=2) > 245).mean() > 0.3    # mostly white background


def gif_frames(data: bytes) -> list[Image.Image]:
    return [f.copy() for f in ImageSequence.Iterator(Image.open(io.BytesIO(data)))]


# ---- JSON ------------------------------------------------------------------------------------
def assert_same_trace(a: Trace, b: Trace) -> None:
    assert a.sizes == b.sizes and a.activation == b.activation and a.cost == b.cost
    assert a.eta == b.eta and a.m == b.m
    assert [(s.index, s.kind, s.layer, s.writes) for s in a.steps] == \
           [(s.index, s.kind, s.layer, s.writes) for s in b.steps]
    for s, t in zip(a.steps, b.steps, strict=True):
        np.testing.assert_array_equal(s.value, t.value)  # exactly the same numbers
        assert s.reads.keys() == t.reads.keys()
        for k in s.reads:
            np.testing.assert_array_equal(s.reads[k], t.reads[k])
    for w, v in zip(a.weights + a.biases, b.weights + b.biases, strict=True):
        np.testing.assert_array_equal(w, v)
    np.testing.assert_array_equal(a.x, b.x)
    np.testing.assert_array_equal(a.y, b.y)
    # (titles, formulas and code references are not compared: from_dict recomputes them
    # from kind and layer, so they would match whatever the file held)


def test_trace_json_round_trips(seed):
    text = export_files.trace_json(seed)
    assert len(text.encode()) <= MAX_JSON_BYTES
    assert json.loads(text)["format"] == "nnviz-trace"
    assert_same_trace(Trace.from_json(text), seed)
    assert_same_trace(export_files.load_trace(text), seed)
    assert Config.from_json(text) == PRESETS["seed"].config


def test_the_largest_network_at_full_precision_still_loads_back():
    cfg = random_config([8, 8, 8, 8, 8], 3)
    cfg = cfg.replace(weights=[(np.array(w) * np.pi).tolist() for w in cfg.weights],
                      biases=[(np.array(b) / 7).tolist() for b in cfg.biases],
                      x=(np.array(cfg.x) * np.e).tolist())
    trace = trace_backprop(cfg.network(), cfg.x_array, cfg.y_array, cfg.eta)
    assert len(trace.to_json()) > MAX_JSON_BYTES  # the full text would not fit...
    text = export_files.trace_json(trace)
    assert len(text.encode()) <= MAX_JSON_BYTES   # ...so the derived text fields are left out
    assert_same_trace(export_files.load_trace(text), trace)
    assert_same_trace(Trace.from_json(text), trace)


@pytest.mark.parametrize("text", ["{", "[1, 2]", '{"format": "nnviz-trace"}', " " * (MAX_JSON_BYTES + 1)])
def test_load_trace_rejects_bad_files(text):
    with pytest.raises(ConfigError):
        export_files.load_trace(text)


# ---- the HTML walk-through (static checks; the browser test steps through it) ----------------
def test_walkthrough_html_is_self_contained(seed):
    page = export_html.walkthrough_html(seed)
    assert len(page.encode()) < 6_000_000  # plotly.js and KaTeX inlined; no larger than before the player
    data = json.loads(re.search(r'<script type="application/json" id="nnviz-data">(.*?)</script>', page, re.S).group(1))
    assert data["format"] == "nnviz-walkthrough" and len(data["steps"]) == len(seed)
    assert 'http-equiv="Content-Security-Policy"' in page and "default-src &#39;none&#39;" in page
    # no external resource of any kind: every script inline, no link/img/iframe, fonts as data:
    markup = re.sub(r"(<script[^>]*>).*?</script>", r"\1</script>", page, flags=re.S)
    assert not re.search(r"<(script|img|iframe|link|embed|object|audio|video|source)\b[^>]*\s(src|href)=",
                         markup, re.I)
    styles = "".join(re.findall(r"<style>(.*?)</style>", page, re.S))
    assert "url(" in styles and not re.search(r"url\((?!data:)", styles)
    vendor_css = (export_html.VENDOR / "katex.min.css").read_text()
    kept = [f for f in re.findall(r'@font-face\{[^}]*font-family:"?(\w+)', vendor_css)
            if f in export_html.KATEX_FAMILIES]
    assert styles.count("data:font/woff2;base64,") == len(kept) > 0
    # each inline script is closed exactly once: nothing inside breaks out early
    assert page.lower().count("<script") == page.lower().count("</script>") == 4
    assert "Plotly" in page and "katex" in page and 'type="module"' in page


def test_walkthrough_html_escapes_what_it_inserts(seed):
    evil = '</title><script>alert("x")</script><img src=x onerror=alert(1)>'
    page = export_html.walkthrough_html(seed, title=evil)
    assert evil not in page and "<img src=x" not in page
    assert html_unescape_title(page) == evil
    data = re.search(r'<script type="application/json" id="nnviz-data">(.*?)</script>', page, re.S).group(1)
    assert "<" not in data and ">" not in data  # JSON inside <script> has < and > escaped
    assert json.loads(data)["title"] == evil and len(json.loads(data)["steps"]) == len(seed)


def test_inlined_code_that_could_close_its_element_is_refused(monkeypatch, seed):
    monkeypatch.setattr(export_html, "_plotly_js", lambda: "var a = '</script><script>alert(1)';")
    with pytest.raises(export_files.ExportError, match="plotly.js cannot be inlined"):
        export_html.walkthrough_html(seed)


def html_unescape_title(page: str) -> str:
    import html
    return html.unescape(re.search(r"<title>(.*?)</title>", page, re.S).group(1))


def test_projector_theme_page(seed):
    page = export_html.walkthrough_html(seed, theme="projector")
    assert '<body class="projector">' in page
    data = json.loads(re.search(r'id="nnviz-data">(.*?)</script>', page, re.S).group(1))
    assert data["theme"] == "projector" and step_figures(data)[0]["layout"]["width"] == SCREENS["projected"][1]


# ---- images ------------------------------------------------------------------------------------
@needs_chromium
def test_step_png_has_the_asked_size_and_a_drawing(seed):
    data = render.step_image(seed, 4, "png", width=1280, height=720)
    img = Image.open(io.BytesIO(data))
    assert img.format == "PNG" and img.size == (1280, 720)
    assert_not_blank(img)
    small = Image.open(io.BytesIO(render.step_image(seed, -1, "png", width=800, height=450)))
    assert small.size == (800, 450)


@needs_chromium
def test_step_svg_is_the_steps_figure(seed):
    svg = render.step_image(seed, 9, "svg").decode()
    assert svg.lstrip().startswith("<svg") and 'width="1280"' in svg and 'height="720"' in svg
    assert f"Step 10/{len(seed)}" in svg and "error δ" in svg
    assert "http://" not in svg.replace("http://www.w3.org/", "")  # no external reference


@needs_chromium
def test_walkthrough_gif_has_one_frame_per_step(seed):
    calls = []
    data = render.walkthrough_gif(seed, width=640, height=360, progress=lambda d, n: calls.append((d, n)))
    frames = gif_frames(data)
    assert Image.open(io.BytesIO(data)).format == "GIF"
    assert len(frames) == len(seed)
    assert all(f.size == (640, 360) for f in frames)
    for f in (frames[0], frames[len(frames) // 2], frames[-1]):
        assert_not_blank(f)
    assert calls == [(k, len(seed)) for k in range(1, len(seed) + 1)]


@needs_chromium
def test_update_gif_plays_the_update(seed):
    data = render.update_gif(seed, width=640, height=360, n_frames=8)
    frames = gif_frames(data)
    assert len(frames) == 8
    assert frames[0].info["duration"] == 1500 and frames[1].info["duration"] == 120
    first, last = (np.asarray(f.convert("RGB"), dtype=int) for f in (frames[0], frames[-1]))
    assert np.abs(first - last).sum() > 0  # the weights moved
    assert_not_blank(frames[-1])


@needs_chromium
def test_update_frames_end_at_the_new_weights(seed):
    frames = render.update_frames(seed, 800, 450, n_frames=5)
    assert len(frames) == 5 and all("updatemenus" not in f["layout"] for f in frames)
    assert [f["layout"]["sliders"][0]["active"] for f in frames] == list(range(5))
    texts = " ".join(next(d for d in frames[-1]["data"] if d.get("name") == "labels")["text"])
    new_w = seed.new_weights[0][0, 0]
    assert f"{new_w:+.4f}".replace("-", "−")[:6] in texts


def test_bad_step_and_size_are_one_sentence(seed):
    with pytest.raises(export_files.ExportError, match=f"steps 1 to {SEED_STEPS}"):
        render.step_image(seed, SEED_STEPS)
    with pytest.raises(export_files.ExportError, match="200 to 4000"):
        render.step_image(seed, 0, width=50)
    with pytest.raises(export_files.ExportError, match="png or svg"):
        render.render_figures([], "bmp")


def test_missing_chromium_is_one_sentence(monkeypatch, seed):
    monkeypatch.setattr(render, "chromium_path", lambda: None)
    monkeypatch.setattr(render, "_RENDERER", None)
    with pytest.raises(export_files.ExportError, match="needs Chromium"):
        render.step_image(seed, 0)


# ---- CLI -----------------------------------------------------------------------------------------




def test_cli_exports_json_and_html(tmp_path, capsys):
    code, out, err = run_main(["export", "--preset", "mazur", "--format", "json", "--out", str(tmp_path / "t.json")], capsys)
    assert code == 0 and "t.json" in out
    assert_same_trace(Trace.from_json((tmp_path / "t.json").read_text()), preset_trace("mazur"))
    code, out, _ = run_main(["export", "--format", "html", "--out", str(tmp_path / "w.html")], capsys)
    page = (tmp_path / "w.html").read_text()
    assert code == 0 and page.startswith("<!DOCTYPE html>") and "nnviz — Seed 3-2-1" in page


def test_cli_config_file_in_and_stdout_out(tmp_path, capsys):
    path = tmp_path / "net.json"
    path.write_text(PRESETS["xor"].config.model_dump_json())
    code, out, err = run_main(["export", "--config", str(path), "--format", "json", "--out", "-"], capsys)
    assert code == 0 and Config.from_json(out) == PRESETS["xor"].config


@needs_chromium
def test_cli_exports_images(tmp_path, capsys):
    code, out, err = run_main(["export", "--format", "png", "--step", "6", "--out", str(tmp_path / "s.png")], capsys)
    assert code == 0, err
    assert Image.open(tmp_path / "s.png").size == (1280, 720)
    code, out, err = run_main(["export", "--format", "svg", "--width", "900", "--height", "500",
                               "--out", str(tmp_path / "s.svg")], capsys)
    assert code == 0 and 'width="900"' in (tmp_path / "s.svg").read_text()
    code, out, err = run_main(["export", "--format", "gif", "--width", "480", "--height", "270",
                               "--out", str(tmp_path / "w.gif")], capsys)
    assert code == 0 and len(gif_frames((tmp_path / "w.gif").read_bytes())) == len(preset_trace())
    assert f"{SEED_STEPS}/{SEED_STEPS} frames" in err  # the progress bar, on stderr
    code, out, err = run_main(["export", "--format", "gif", "--update", "--quiet", "--width", "480",
                               "--height", "270", "--out", str(tmp_path / "u.gif")], capsys)
    assert code == 0 and err == "" and len(gif_frames((tmp_path / "u.gif").read_bytes())) == 20


@pytest.mark.parametrize("content, needle", [
    (b'{"sizes": [2, 1], "weights": ', "not valid JSON"),
    (b'{"sizes": [2, 9]}', "Invalid network configuration"),
    (b"[" * 20000 + b"]" * 20000, "JSON"),
    (b'{"a": "' + b"x" * (64 * 1024) + b'"}', "64 KiB"),
])
def test_cli_bad_or_oversized_config(content, needle, tmp_path, capsys):
    path = tmp_path / "bad.json"
    path.write_bytes(content)
    err = assert_one_line_error(*run_main(["export", "--config", str(path), "--format", "html",
                                           "--out", str(tmp_path / "x.html")], capsys))
    assert needle in err
    assert not (tmp_path / "x.html").exists()


def test_cli_unwritable_paths(tmp_path, capsys):
    for out, needle in ((tmp_path / "no" / "such" / "dir" / "x.png", "does not exist"),
                        (tmp_path, "is a folder"),
                        ("bad\0name.png", "Cannot write")):
        err = assert_one_line_error(*run_main(["export", "--format", "png", "--out", str(out)], capsys))
        assert needle in err


def test_cli_write_failure_is_one_line(tmp_path, capsys, monkeypatch):
    def refuse(*args, **kwargs):
        raise OSError(28, "No space left on device")
    monkeypatch.setattr(export_files, "open", refuse, raising=False)  # shadows the builtin in nnviz.export.files
    err = assert_one_line_error(*run_main(["export", "--format", "json", "--out", str(tmp_path / "t.json")], capsys))
    assert "No space left on device" in err


SEED_STEPS = steps_of_one_call(PRESETS["seed"].config.sizes)  # the CLI's default network


@pytest.mark.parametrize("argv, needle", [
    (["export", "--out", "x.html"], "--format"),
    (["export", "--format", "pdf", "--out", "x.pdf"], "pdf"),
    (["export", "--format", "html"], "--out"),
    (["export", "--format", "html", "--step", "2", "--out", "x.html"], "--step applies"),
    (["export", "--format", "json", "--update", "--out", "x.json"], "--update applies"),
    (["export", "--format", "png", "--step", str(SEED_STEPS + 1), "--out", "x.png"], f"steps 1 to {SEED_STEPS}"),
    (["export", "--format", "png", "--width", "wide", "--out", "x.png"], "--width"),
    (["export", "--format", "png", "--height", "99999", "--out", "x.png"], "--height"),
    (["export", "--preset", "nope", "--format", "png", "--out", "x.png"], "nope"),
])
def test_cli_bad_arguments(argv, needle, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    err = assert_one_line_error(*run_main(argv, capsys))
    assert needle in err


def run_module(*args: str, prefix=()) -> subprocess.CompletedProcess:
    return subprocess.run([*prefix, sys.executable, "-m", "nnviz", *args], cwd=REPO_ROOT,
                          capture_output=True, text=True, timeout=120)


def test_real_process_error_is_one_line(tmp_path):
    (tmp_path / "big.json").write_bytes(b" " * (MAX_JSON_BYTES + 10))
    r = run_module("export", "--config", str(tmp_path / "big.json"), "--format", "png", "--out", str(tmp_path / "x.png"))
    assert_one_line_error(r.returncode, r.stdout, r.stderr)
    assert "64 KiB" in r.stderr


def _can_unshare() -> bool:
    return bool(shutil.which("unshare")) and subprocess.run(
        ["unshare", "-rn", "true"], capture_output=True).returncode == 0


@needs_chromium
@pytest.mark.skipif(not _can_unshare(), reason="needs unshare -rn (a user + network namespace)")
def test_images_render_with_no_network_at_all(tmp_path):
    """Rendering never needs the network: the same export in a namespace with no network."""
    r = run_module("export", "--format", "png", "--step", "3", "--quiet", "--out", str(tmp_path / "x.png"),
                   prefix=("unshare", "-rn"))
    assert r.returncode == 0, r.stderr
    assert_not_blank(Image.open(tmp_path / "x.png"))


def test_compact_drops_block_comments_over_several_lines():
    """A /* … */ comment over several lines leaves nothing behind (it used to leave its inner
    lines in the page's CSS, where they swallowed the rule after them)."""
    from nnviz.export.html import compact
    css = "a { color: red; }\n/* first line\n   second line\n*/\nb { color: blue; }\n/* one */ c { x: 1; }\n"
    assert compact(css) == "a { color: red; }\nb { color: blue; }\nc { x: 1; }"
    js = "// a note\nlet x = 1;\n/**\n * doc\n */\nf(x);\nconst s = '*/*';\n"
    assert compact(js) == "let x = 1;\nf(x);\nconst s = '*/*';"
