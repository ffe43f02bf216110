"""Shared helpers for tests of ``python -m nnviz`` run in-process."""
from __future__ import annotations

from nnviz.cli import main


def run_main(argv, capsys) -> tuple[int, str, str]:
    """``main(argv)`` in-process: its return code, or the code argparse exits with."""
    try:
        code = main(list(argv))
    except SystemExit as e:
        code = e.code
    out, err = capsys.readouterr()
    return code, out, err


def assert_one_line_error(code, out, err) -> str:
    """Exit code 2, nothing on stdout, exactly one line on stderr, no traceback."""
    assert code == 2, (code, out, err)
    assert out == ""
    assert err.endswith("\n") and err.count("\n") == 1, repr(err)
    assert "Traceback" not in err and "error" in err
    return err
