"""Images of the figures: PNG/SVG stills and animated GIFs, drawn by kaleido in Chromium.

``step_image``, ``walkthrough_gif``, ``update_gif`` — the figures the app shows, drawn by
kaleido (>= 1.0) in the system Chromium: never downloaded, MathJax disabled, pages loaded
from local files only.  One browser is started on first use and kept; a
failure retires it (closed once no other export uses it).  Failures raise ``ExportError`` with one sentence.
"""
from __future__ import annotations

import asyncio
import atexit
import concurrent.futures
import copy
import io
import json
import os
import shutil
import threading
from typing import Iterable

import numpy as np
import plotly.graph_objects as go

from nnviz.engine.text import excerpt
from nnviz.export.files import ExportError, Progress
from nnviz.draw.animation import update_animation_figure
from nnviz.draw.figures import step_figure
from nnviz.trace.record import Trace

IMAGE_FORMATS = ("png", "svg")
RENDER_TIMEOUT_S = 90.0
START_TIMEOUT_S = 60.0


def chromium_path() -> str | None:
    """The Chromium kaleido drives: $NNVIZ_CHROMIUM, $BROWSER_PATH, /usr/bin/chromium or one
    on PATH.  Never downloaded."""
    for cand in (os.environ.get("NNVIZ_CHROMIUM"), os.environ.get("BROWSER_PATH"),
                 "/usr/bin/chromium", shutil.which("chromium"), shutil.which("chromium-browser"),
                 shutil.which("google-chrome")):
        if cand and os.path.isfile(cand) and os.access(cand, os.X_OK):
            return cand
    return None


def images_available() -> bool:
    """Whether PNG/SVG/GIF export can run here (kaleido importable and a Chromium found)."""
    try:
        import kaleido  # noqa: F401
    except ImportError:
        return False
    return chromium_path() is not None


class _Renderer:
    """One kaleido browser (two tabs) on its own event-loop thread, started once.

    Not ``kaleido.start_sync_server``: when Chromium fails to start, its queue waits
    forever; here every call has a timeout and a failure closes the renderer, so the next
    call starts a fresh one.
    """

    def __init__(self, path: str):
        import kaleido

        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name="nnviz-kaleido", daemon=True)
        self.thread.start()

        async def open_browser():
            # mathjax=False: the page never loads MathJax from a CDN; plotly.js comes from
            # plotly.py's own file (kaleido's default).  A dead proxy makes any http(s)
            # request fail at once instead of reaching the network (file: pages skip it).
            k = kaleido.Kaleido(n=2, timeout=RENDER_TIMEOUT_S, mathjax=False, path=path,
                                enable_extensions=False, proxy_server="http://127.0.0.1:9")
            await k.open()
            return k

        try:
            self.k = self.submit(open_browser()).result(START_TIMEOUT_S)
        except BaseException:
            self.loop.call_soon_threadsafe(self.loop.stop)
            raise

    def submit(self, coro) -> concurrent.futures.Future:
        return asyncio.run_coroutine_threadsafe(coro, self.loop)

    def render(self, fig: go.Figure | dict, fmt_: str, width: int, height: int) -> concurrent.futures.Future:
        opts = {"format": fmt_, "width": int(width), "height": int(height), "scale": 1}
        spec = fig.to_plotly_json() if isinstance(fig, go.Figure) else fig
        return self.submit(self.k.calc_fig(spec, opts=opts))

    def close(self) -> None:
        try:
            self.submit(self.k.close()).result(15)
        except BaseException:  # noqa: BLE001 - best effort on the way out
            pass
        self.loop.call_soon_threadsafe(self.loop.stop)


_RENDERER: _Renderer | None = None  # the browser new exports use; guarded by _RENDERER_LOCK
_RENDERER_LOCK = threading.Lock()


def _acquire() -> _Renderer:
    """The current renderer (started if need be), counted as in use until ``_release``."""
    global _RENDERER
    with _RENDERER_LOCK:
        if _RENDERER is None:
            path = chromium_path()
            if path is None:
                raise ExportError("Image export needs Chromium (e.g. the Debian package 'chromium' "
                                  "at /usr/bin/chromium, or set NNVIZ_CHROMIUM); none was found.")
            try:
                import kaleido  # noqa: F401
            except ImportError:
                raise ExportError("Image export needs the kaleido package (version 1.0 or later).") from None
            try:
                _RENDERER = _Renderer(path)
            except Exception as e:  # noqa: BLE001 - any start failure is one message
                raise ExportError(f"Could not start Chromium for image export ({type(e).__name__}: "
                                  f"{excerpt(e, 120)}).") from None
            _RENDERER.users, _RENDERER.retired = 0, False
            atexit.register(shutdown_renderer)
        _RENDERER.users += 1
        return _RENDERER


def _retire(r: _Renderer) -> bool:
    """Stop handing ``r`` out; True when nobody uses it any more (the caller closes it).
    Call with _RENDERER_LOCK held."""
    global _RENDERER
    if _RENDERER is r:
        _RENDERER = None
    r.retired = True
    return r.users == 0


def _release(r: _Renderer, failed: bool) -> None:
    """One export is done with ``r``.  After a failure ``r`` is retired: new exports get a
    fresh browser, and ``r`` is closed once the last export still using it is done (so one
    session's timeout never breaks another session's export in flight)."""
    with _RENDERER_LOCK:
        r.users -= 1
        close = (_retire(r) if failed else False) or (r.retired and r.users == 0)
    if close:
        r.close()


def shutdown_renderer() -> None:
    """Retire the export browser: it is closed as soon as no export uses it (at once when
    idle); the next export starts a fresh one."""
    with _RENDERER_LOCK:
        r = _RENDERER
        close = r is not None and _retire(r)
    if close:
        r.close()


def _render_once(figs: list, fmt: str, width: int, height: int, progress: Progress | None) -> list:
    r = _acquire()
    futures = [r.render(f, fmt, width, height) for f in figs]
    try:
        for done, _ in enumerate(concurrent.futures.as_completed(futures, RENDER_TIMEOUT_S * len(figs)), 1):
            if progress:
                progress(done, len(figs))
        out = [f.result() for f in futures]
    except BaseException:
        for f in futures:
            f.cancel()
        _release(r, failed=True)
        raise
    _release(r, failed=False)
    return out


def render_figures(figs: Iterable[go.Figure | dict], fmt: str = "png", width: int = 1280,
                   height: int = 720, progress: Progress | None = None) -> list[bytes]:
    """Each figure (a plotly Figure or its JSON dict) as PNG or SVG bytes, in order; two
    are drawn at a time; ``progress(done, total)`` after each.  A browser that fails
    (crashed, closed) is replaced and the figures are drawn once more; a timeout is not
    retried."""
    if fmt not in IMAGE_FORMATS:
        raise ExportError(f"Unknown image format {excerpt(fmt, 20)!r}; choose png or svg.")
    figs = list(figs)
    for attempt in (1, 2):
        try:
            out = _render_once(figs, fmt, width, height, progress)
            break
        except ExportError:
            raise
        except Exception as e:  # noqa: BLE001 - timeouts, a crashed browser, a JS error
            if attempt == 2 or isinstance(e, TimeoutError):
                raise ExportError(f"Chromium could not draw the figure ({type(e).__name__}: "
                                  f"{excerpt(e, 120)}).") from None
    return [b.encode() if isinstance(b, str) else bytes(b) for b in out]


def _check_step(trace: Trace, i: int) -> int:
    if not isinstance(i, (int, np.integer)) or not -len(trace) <= i < len(trace):
        raise ExportError(f"Step {excerpt(i, 20)} does not exist: this trace has steps 1 to {len(trace)}.")
    return int(i) % len(trace)


def _check_size(width, height) -> tuple[int, int]:
    w, h = int(width), int(height)
    if not (200 <= w <= 4000 and 200 <= h <= 4000):
        raise ExportError(f"Image size {w}×{h} is not allowed: width and height must be 200 to 4000 pixels.")
    return w, h


def step_image(trace: Trace, i: int, fmt: str = "png", width: int = 1280, height: int = 720,
               theme: str = "light") -> bytes:
    """Step ``i`` (0-based; negative counts from the end) as PNG or SVG bytes: the app's
    figure (``step_figure``) laid out for ``width``×``height`` px."""
    i, (width, height) = _check_step(trace, i), _check_size(width, height)
    fig = step_figure(trace, i, theme=theme, width=width, height=height)
    return render_figures([fig], fmt, width, height)[0]


def _gif(pngs: list[bytes], durations: list[int], shared_palette: bool) -> bytes:
    from PIL import Image

    frames = [Image.open(io.BytesIO(b)).convert("RGB") for b in pngs]
    quant = lambda im: im.quantize(255, Image.Quantize.MAXCOVERAGE, dither=Image.Dither.NONE)  # noqa: E731
    first = quant(frames[0])
    pal = [first] + [f.quantize(palette=first, dither=Image.Dither.NONE) if shared_palette else quant(f)
                     for f in frames[1:]]
    buf = io.BytesIO()
    pal[0].save(buf, format="GIF", save_all=True, append_images=pal[1:], duration=durations,
                loop=0, optimize=False, disposal=1)
    return buf.getvalue()


def walkthrough_gif(trace: Trace, width: int = 1280, height: int = 720, theme: str = "light",
                    frame_ms: int = 2500, progress: Progress | None = None) -> bytes:
    """An animated GIF with one frame per step (the app's step figures)."""
    width, height = _check_size(width, height)
    figs = [step_figure(trace, i, theme=theme, width=width, height=height) for i in range(len(trace))]
    pngs = render_figures(figs, "png", width, height, progress)
    return _gif(pngs, [int(frame_ms)] * len(pngs), shared_palette=False)


def update_frames(trace: Trace, width: int, height: int, theme: str = "light",
                  n_frames: int = 20) -> list[dict]:
    """The update animation's frames as still figures (plotly JSON dicts): each frame's
    traces and annotations applied, the slider at that frame, no Play/Pause buttons."""
    anim = update_animation_figure(trace, n_frames=n_frames, theme=theme, width=width, height=height)
    base = json.loads(anim.to_json())
    frames = base.pop("frames", [])
    base["layout"].pop("updatemenus", None)
    out = []
    for f, frame in enumerate(frames):
        fig = copy.deepcopy(base)
        for idx, patch in zip(frame.get("traces", range(len(frame["data"]))), frame["data"]):
            fig["data"][idx].update({k: v for k, v in patch.items() if k != "type"})
        fig["layout"].update(frame.get("layout", {}))
        fig["layout"]["sliders"][0]["active"] = f
        out.append(fig)
    return out


def update_gif(trace: Trace, width: int = 1280, height: int = 720, theme: str = "light",
               n_frames: int = 20, frame_ms: int = 120, hold_ms: int = 1500,
               progress: Progress | None = None) -> bytes:
    """The update animation (``update_animation_figure``'s frames) as an animated GIF; the
    first and last frames are held ``hold_ms``."""
    width, height = _check_size(width, height)
    pngs = render_figures(update_frames(trace, width, height, theme, n_frames), "png", width, height,
                          progress)
    durations = [int(frame_ms)] * len(pngs)
    durations[0] = durations[-1] = int(hold_ms)
    return _gif(pngs, durations, shared_palette=True)
