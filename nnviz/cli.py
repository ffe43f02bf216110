"""The command line: ``nnviz explain --preset mazur`` (or ``python -m nnviz ...``; see ``--help``).

``nnviz explain`` and ``nnviz export`` compute here; ``nnviz app`` starts the Streamlit app
(``streamlit run`` on the installed ``nnviz_app/app.py``, never importing streamlit here).
Errors are one line on stderr and exit code 2; no traceback.
"""
from __future__ import annotations

import argparse
import importlib.util
import itertools
import os
import subprocess
import sys
from pathlib import Path

import numpy as np

from nnviz.engine.config import MAX_JSON_BYTES, Config, ConfigError
from nnviz.engine.text import excerpt
from nnviz.trace.explain import explain_markdown
from nnviz.engine.presets import PRESETS, load_preset
from nnviz.trace.minibatch import MAX_EXAMPLES
from nnviz.export.files import load_network, network_trace
from nnviz.trace.record import Trace


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # one line, exit 2 (argparse's own code for usage errors)
        self.exit(2, f"{self.prog}: error: {excerpt(message, 300)} (see --help)\n")


def read_config_file(config: str) -> bytes:
    """The bytes of ``--config FILE`` (at most the 64 KiB limit); ConfigError otherwise."""
    path = Path(config)
    try:  # never read more than the limit (a huge file, /dev/zero)
        with path.open("rb") as f:
            raw = f.read(MAX_JSON_BYTES + 1)
    except (OSError, ValueError) as e:  # ValueError: a NUL byte or lone surrogate in the name
        reason = e.strerror if isinstance(e, OSError) and e.strerror else e
        raise ConfigError(f"Cannot read config file {excerpt(config, 80)!r}: {excerpt(reason, 120)}.") from None
    if len(raw) > MAX_JSON_BYTES:
        raise ConfigError(f"Config file {excerpt(path.name, 80)!r} is larger than {MAX_JSON_BYTES:,} bytes "
                          "(64 KiB); at most that much is allowed.")
    return raw


def load_config(preset: str | None, config: str | None) -> tuple[Config, str]:
    """The Config named by ``--preset`` or read from ``--config``; ConfigError otherwise."""
    if config:
        return Config.from_json(read_config_file(config)), Path(config).name
    try:
        p = load_preset(preset or "seed")
    except ValueError as e:
        raise ConfigError(str(e)) from None
    return p.config, p.title


def make_trace(args) -> tuple[Trace, str]:
    """(trace, title) for ``--preset`` / ``--config`` and ``--batch N``: with N > 1 a mini-batch
    of ``batch_examples``; else a config's one backprop call, or a trace file's own call or
    mini-batch (its ``examples``, read by ``load_network``)."""
    saved = None  # a trace file's mini-batch
    if args.config:
        (cfg, saved), title = load_network(read_config_file(args.config)), Path(args.config).name
    else:
        cfg, title = load_config(args.preset, None)
    if args.batch > 1:
        return network_trace(cfg, batch_examples(cfg, args.preset, args.batch, saved or ())), title
    return network_trace(cfg, saved), title


def add_batch_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--batch", type=int, default=1, choices=range(1, MAX_EXAMPLES + 1), metavar="N",
                        help=f"a mini-batch of N examples (1-{MAX_EXAMPLES}, default 1), stepped as the seed's "
                             "update_mini_batch: the preset's own data in turn (XOR's four examples), else a "
                             "trace file's examples in turn, else the network's x, y repeated")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="nnviz", description="nnviz: step through one backprop call.")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    ex = sub.add_parser("explain", help="print a worked example of one backprop call (Markdown + LaTeX)")
    src = ex.add_mutually_exclusive_group()
    src.add_argument("--preset", choices=sorted(PRESETS), help="a built-in network (default: seed)")
    src.add_argument("--config", metavar="FILE", help="a JSON config or nnviz trace file (≤ 64 KiB)")
    ex.add_argument("--json", action="store_true", help="print the trace as JSON instead")
    ex.add_argument("--digits", type=int, default=9, choices=range(2, 16), metavar="N",
                    help="significant digits shown (2-15, default 9)")
    add_batch_option(ex)
    ex.set_defaults(run=_explain)
    _add_export(sub)
    app = sub.add_parser("app", help="start the Streamlit app (Ctrl+C stops it)",
                         description="Start the Streamlit app (streamlit run on the installed page); any "
                                     "further options go to streamlit run, e.g. --server.port 8502.")
    app.set_defaults(run=_app)
    return parser


def batch_examples(cfg: Config, preset: str | None, n: int, pool=()) -> list:
    """n (x, y) pairs: the preset's examples in turn when it has some, else ``pool``'s (a
    trace file's examples) in turn, else (x, y) repeated."""
    data = load_preset(preset).examples if preset else ()
    pairs = [(np.array(x, dtype=float), np.array(y, dtype=float)) for x, y in data]
    pairs = pairs or list(pool) or [(cfg.x_array, cfg.y_array)]
    return list(itertools.islice(itertools.cycle(pairs), n))


def _explain(args) -> str:
    trace, title = make_trace(args)
    return trace.to_json(indent=1) + "\n" if args.json else explain_markdown(trace, title, args.digits)


EXPORT_FORMATS = ("html", "png", "svg", "gif", "json")


def _pixels(text: str) -> int:
    try:
        v = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{excerpt(text, 20)!r} is not a whole number of pixels") from None
    if not 200 <= v <= 4000:
        raise argparse.ArgumentTypeError(f"{v} is outside 200-4000 pixels")
    return v


def _add_export(sub) -> None:
    ex = sub.add_parser("export", help="write the walk-through (HTML), a step (PNG/SVG), a GIF or the trace (JSON)",
                        description="Export one backprop call (with --batch N: a mini-batch of N, as update_mini_batch "
                                    "runs it): --format html is one offline page of every step "
                                    "(open it in a browser, step with arrow keys / Page Up / Page Down); png/svg "
                                    "one step; gif every step (or --update: the update animation); json the trace.")
    src = ex.add_mutually_exclusive_group()
    src.add_argument("--preset", choices=sorted(PRESETS), help="a built-in network (default: seed)")
    src.add_argument("--config", metavar="FILE", help="a JSON config or nnviz trace file (≤ 64 KiB)")
    ex.add_argument("--format", required=True, choices=EXPORT_FORMATS, help="what to write")
    ex.add_argument("--out", required=True, metavar="PATH", help="the file to write ('-': standard output)")
    ex.add_argument("--step", type=int, metavar="N", help="png/svg: which step, 1 to the number of steps (default 1)")
    ex.add_argument("--update", action="store_true", help="gif: the update animation instead of one frame per step")
    ex.add_argument("--theme", choices=("light", "projector"), default="light",
                    help="figure sizes: light (default) or projector (large type)")
    ex.add_argument("--width", type=_pixels, default=1280, metavar="PX", help="png/svg/gif width (default 1280)")
    ex.add_argument("--height", type=_pixels, default=720, metavar="PX", help="png/svg/gif height (default 720)")
    ex.add_argument("--quiet", action="store_true", help="no progress bar")
    add_batch_option(ex)
    ex.set_defaults(run=_export)


def _progress_bar(quiet: bool):
    """A one-line text progress bar on stderr (redrawn in place), or None."""
    if quiet:
        return None

    def show(done: int, total: int) -> None:
        filled = round(30 * done / total)
        end = "\n" if done == total else ""
        sys.stderr.write(f"\r[{'#' * filled}{'.' * (30 - filled)}] {done}/{total} frames{end}")
        sys.stderr.flush()
    return show


def _export(args) -> str:
    from nnviz.export import files as export_files, html as export_html, images as render  # kaleido and plotly load only when exporting

    if args.step is not None and args.format not in ("png", "svg"):
        raise export_files.ExportError("--step applies to --format png or svg only.")
    if args.update and args.format != "gif":
        raise export_files.ExportError("--update applies to --format gif only.")
    out = None if args.out == "-" else export_files.check_writable(args.out)
    trace, title = make_trace(args)
    size, bar = {"width": args.width, "height": args.height, "theme": args.theme}, _progress_bar(args.quiet)
    if args.format == "html":
        name = f"nnviz — {title}" + (f", a mini-batch of {trace.m}" if trace.m > 1 else "")
        data = export_html.walkthrough_html(trace, name, theme=args.theme).encode()
    elif args.format == "json":
        data = export_files.trace_json(trace).encode()
    elif args.format == "gif":
        data = (render.update_gif if args.update else render.walkthrough_gif)(trace, progress=bar, **size)
    else:
        step = 1 if args.step is None else args.step
        what = "this network's call" if trace.m == 1 else f"this mini-batch of {trace.m}"
        if not 1 <= step <= len(trace):
            raise export_files.ExportError(f"--step {step} does not exist: {what} has steps 1 to {len(trace)}.")
        data = render.step_image(trace, step - 1, args.format, **size)
    if out is None:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        return ""
    export_files.write_file(out, data)
    return f"Wrote {out} ({len(data):,} bytes, {args.format}).\n"


def app_script() -> Path:
    """The Streamlit page of the installed ``nnviz_app`` package (found without importing it)."""
    for package in ("nnviz_app", "streamlit"):
        if importlib.util.find_spec(package) is None:
            raise ConfigError(f"The app needs the {package} package, which is not installed: "
                              "pip install nnviz (or this checkout) installs it.")
    return Path(importlib.util.find_spec("nnviz_app").origin).parent / "app.py"


def _app(args) -> int:
    # static files on: the page's player loads plotly.js and KaTeX from app/static/ (cached)
    command = [sys.executable, "-m", "streamlit", "run", str(app_script()),
               "--server.enableStaticServing", "true", *args.streamlit_args]
    if os.name == "posix":  # become the server: signals (Ctrl+C, SIGTERM) reach it directly
        os.execv(sys.executable, command)
    try:
        return subprocess.call(command)
    except KeyboardInterrupt:  # Ctrl+C: streamlit got it too and stops
        return 0


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args, extra = parser.parse_known_args(argv)
    if args.command != "app" and extra:
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    args.streamlit_args = extra  # `nnviz app --server.port 8502`: for streamlit run
    try:
        text = args.run(args)
    except (ConfigError, ValueError) as e:
        print(f"{parser.prog} {args.command}: error: {e}", file=sys.stderr)
        return 2
    if isinstance(text, int):  # `nnviz app`: streamlit's exit code
        return text
    sys.stdout.write(text)
    return 0
