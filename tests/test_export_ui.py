"""The sidebar's downloads and upload (``nnviz_app.export_ui``): AppTest and the callbacks directly."""
from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from PIL import Image
from streamlit.testing.v1 import AppTest

from nnviz.export import files as export_files
from nnviz.export import html as export_html
from nnviz.export import images as render
from nnviz.engine.config import MAX_JSON_BYTES, Config
from nnviz.engine.presets import PRESETS
from nnviz.trace.record import Trace, trace_backprop
from nnviz_app import export_ui

APP = Path(__file__).resolve().parent.parent / "app.py"
LABELS = ["Walk-through (HTML, offline)", "Step PNG", "Step SVG", "Steps GIF", "Update GIF", "Trace (JSON)"]


def downloads(at) -> dict:
    return {d.proto.label: d.proto for d in at.get("download_button")}


STEP_IMAGES = ["Step PNG", "Step SVG"]


@pytest.mark.parametrize("mode", ["explore", "predict"])
def test_sidebar_offers_every_download_made_only_on_click(mode):
    at = AppTest.from_file(str(APP), default_timeout=30)
    at.query_params["mode"] = mode
    at.run()
    assert not at.exception
    dl = downloads(at)
    # explore mode steps in the page: the step's images come from the player (it knows the step)
    want = LABELS if mode == "predict" else [x for x in LABELS if x not in STEP_IMAGES]
    assert list(dl) == want
    for proto in dl.values():
        assert proto.deferred_file_id and not proto.url  # generated when clicked, not per step
        assert not proto.ignore_rerun  # a click reruns the app: the rerun reports a failed export
        assert proto.disabled is (not render.images_available() and proto.label not in (LABELS[0], LABELS[-1]))
    at.query_params["step"] = "3"   # a step (the address), then any run
    at.run()
    assert not at.exception and list(downloads(at)) == want
    assert len(at.get("file_uploader")) == 1


def test_cached_downloads_are_the_exports():
    cfg_json = PRESETS["mazur"].config.model_dump_json()
    data = export_ui.json_bytes(cfg_json)
    cfg = PRESETS["mazur"].config
    want = trace_backprop(cfg.network(), cfg.x_array, cfg.y_array, cfg.eta)
    assert json.loads(Trace.from_json(data).to_json()) == json.loads(want.to_json())
    page = export_ui.html_bytes(cfg_json, "nnviz — Mazur 2-2-2").decode()
    assert page.startswith("<!DOCTYPE html>") and "<title>nnviz — Mazur 2-2-2</title>" in page


@pytest.mark.skipif(not render.images_available(), reason="no Chromium for kaleido")
def test_cached_step_image():
    cfg_json = PRESETS["seed"].config.model_dump_json()
    img = Image.open(io.BytesIO(export_ui.step_image_bytes(cfg_json, 3, "png", "light")))
    assert img.size == (1280, 720)
    render.shutdown_renderer()


# ---- upload (the callback, with a stand-in session state and uploaded file) --------------------
class FakeState(dict):
    """Attribute and item access, like st.session_state."""

    def __getattr__(self, name):
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None

    def __setattr__(self, name, value):
        self[name] = value


class FakeUpload:
    def __init__(self, name: str, data: bytes):
        self.name, self._data, self.size = name, data, len(data)

    def getvalue(self) -> bytes:
        return self._data


def fresh_state(**ui) -> FakeState:
    return FakeState(ui={"preset": "seed", "cfg": None, "step": 7, **ui}, edit_error=None,
                     editor_version=0, history=[{"step": 0, "cost": 1.0}], example_index=2)


def upload(ss, name, data: bytes) -> tuple[str, str]:
    ss.upload = FakeUpload(name, data)
    export_ui._on_upload(ss)
    return ss.upload_msg[:2]  # (kind, text); [2]: the network it speaks of


def test_upload_a_trace_file_makes_it_the_network():
    ss = fresh_state()
    cfg = PRESETS["xor"].config.replace(eta=0.75)
    trace = trace_backprop(cfg.network(), cfg.x_array, cfg.y_array, cfg.eta)
    kind, text = upload(ss, "run.json", export_files.trace_json(trace).encode())
    assert kind == "ok" and "run.json" in text and "2-2-1" in text
    assert ss.ui["cfg"] == cfg and ss.ui["step"] == 0
    assert ss.editor_version == 1 and ss.history == [] and ss.example_index == 0


def test_upload_a_config_file():
    ss = fresh_state()
    cfg = PRESETS["mazur"].config.replace(eta=0.25)
    kind, _ = upload(ss, "net.json", cfg.model_dump_json().encode())
    assert kind == "ok" and ss.ui["cfg"] == cfg


@pytest.mark.parametrize("data, needle", [
    (b"\x80\x04\x95 not json, a pickle", "not valid JSON"),
    (b'{"sizes": [2, 9]}', "Invalid network configuration"),
    (b'{"format": "nnviz-trace", "sizes": [2, 1]}', "Invalid network configuration"),
    (b" " * (MAX_JSON_BYTES + 1), "64 KiB"),
])
def test_a_bad_upload_leaves_the_network_and_says_why(data, needle):
    cfg = PRESETS["xor"].config
    ss = fresh_state(cfg=cfg)
    kind, text = upload(ss, "bad.json", data)
    assert kind == "error" and needle in text and "unchanged" in text
    assert ss.ui["cfg"] == cfg and ss.ui["step"] == 7 and ss.editor_version == 0


def test_upload_messages_escape_markdown():
    ss = fresh_state()
    data = json.dumps({**json.loads(PRESETS["seed"].config.model_dump_json()),
                       "![x](http://example.invalid/t.png)": 1}).encode()
    kind, text = upload(ss, "[click](http://example.invalid).json", data)
    assert kind == "error"
    assert "](" not in text.replace("\\](", "")  # every link/image bracket escaped
    assert "\\[click\\]" in text


def test_removing_the_file_clears_the_message():
    ss = fresh_state()
    upload(ss, "net.json", PRESETS["mazur"].config.model_dump_json().encode())
    ss.upload = None
    export_ui._on_upload(ss)
    assert "upload_msg" not in ss
    assert Config.from_json(PRESETS["mazur"].config.model_dump_json()) == ss.ui["cfg"]


def test_an_upload_message_stays_while_its_network_is_shown():
    """Other runs (the page reporting its step, a check) keep the message; a new network ends it."""
    from apptest_support import make_app, page_steps_to
    from nnviz_app import state as ui_state
    at = make_app(preset="mazur")
    at.session_state["upload_msg"] = ("error", "Could not load bad.json: not valid JSON. The current network "
                                      "is unchanged.", ui_state.trace_key(at.session_state["ui"]))
    at.run()
    page_steps_to(at, 4)
    at.run()
    assert [e.value for e in at.error if "Could not load" in e.value], "the message went with a later run"
    at.selectbox(key="preset_select").set_value("xor").run()
    assert not at.exception and not [e for e in at.error if "Could not load" in e.value]
