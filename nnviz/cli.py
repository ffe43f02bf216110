"""The command line: ``python -m nnviz explain --preset mazur`` (see ``--help``).

Errors are one line on stderr and exit code 2; no traceback.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .config import MAX_JSON_BYTES, Config, ConfigError, excerpt
from .explain import explain_markdown
from .presets import PRESETS, load_preset
from .trace import trace_backprop


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # one line, exit 2 (argparse's own code for usage errors)
        self.exit(2, f"{self.prog}: error: {excerpt(message, 300)} (see --help)\n")


def load_config(preset: str | None, config: str | None) -> tuple[Config, str]:
    """The Config named by ``--preset`` or read from ``--config``; ConfigError otherwise."""
    if config:
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
        return Config.from_json(raw), path.name
    try:
        p = load_preset(preset or "seed")
    except ValueError as e:
        raise ConfigError(str(e)) from None
    return p.config, p.title


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m nnviz", description="nnviz: step through one backprop call.")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    ex = sub.add_parser("explain", help="print a worked example of one backprop call (Markdown + LaTeX)")
    src = ex.add_mutually_exclusive_group()
    src.add_argument("--preset", choices=sorted(PRESETS), help="a built-in network (default: seed)")
    src.add_argument("--config", metavar="FILE", help="a JSON config or nnviz trace file (≤ 64 KiB)")
    ex.add_argument("--json", action="store_true", help="print the trace as JSON instead")
    ex.add_argument("--digits", type=int, default=9, choices=range(2, 16), metavar="N",
                    help="significant digits shown (2-15, default 9)")
    ex.set_defaults(run=_explain)
    return parser


def _explain(args) -> str:
    cfg, title = load_config(args.preset, args.config)
    trace = trace_backprop(cfg.network(), cfg.x_array, cfg.y_array, cfg.eta)
    return trace.to_json(indent=1) + "\n" if args.json else explain_markdown(trace, title, args.digits)


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        text = args.run(args)
    except (ConfigError, ValueError) as e:
        print(f"{parser.prog} {args.command}: error: {e}", file=sys.stderr)
        return 2
    sys.stdout.write(text)
    return 0
