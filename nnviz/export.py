"""Exports of one backprop call: an offline HTML walk-through, images, GIFs and the trace.

* ``walkthrough_html(trace)`` — one self-contained HTML file: every step (graph, formula
  symbolic and with numbers, explanation, highlighted seed code), then the update
  animation.  plotly.js and KaTeX (vendored in ``nnviz/vendor/katex``, fonts as data: URIs)
  are inlined and a Content-Security-Policy forbids every request, so the page works
  offline and nothing leaves it.  Formulas are typeset in the page by KaTeX
  (``nnviz.export_html``).
* ``step_image``, ``walkthrough_gif``, ``update_gif`` — the figures the app shows, drawn
  by kaleido (>= 1.0) in the system Chromium: never downloaded, MathJax disabled, pages
  loaded from local files only (``nnviz.render``).
* ``trace_json`` / ``load_trace`` — the trace as JSON (at most 64 KiB) and back, and
  ``check_writable`` / ``write_file`` (``nnviz.export_files``).

Pure Python (no streamlit).  Failures raise ``ExportError`` with one readable sentence.
This module gathers the public names of those three modules.
"""

from .export_files import MIME, ExportError, Progress, check_writable, load_trace, trace_json, write_file
from .export_html import DEFAULT_TITLE, PHASE_NAMES, VENDOR, katex_assets, walkthrough_html
from .render import (IMAGE_FORMATS, RENDER_TIMEOUT_S, START_TIMEOUT_S, chromium_path, images_available,
                     render_figures, shutdown_renderer, step_image, update_frames, update_gif,
                     walkthrough_gif)

__all__ = ["DEFAULT_TITLE", "IMAGE_FORMATS", "MIME", "PHASE_NAMES", "RENDER_TIMEOUT_S",
           "START_TIMEOUT_S", "VENDOR", "ExportError", "Progress", "check_writable", "chromium_path",
           "images_available", "katex_assets", "load_trace", "render_figures", "shutdown_renderer",
           "step_image", "trace_json", "update_frames", "update_gif", "walkthrough_gif",
           "walkthrough_html", "write_file"]
