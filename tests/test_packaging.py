"""nnviz as a package: pyproject.toml agrees with the requirements files, and ``pip install``
of the checkout into a fresh virtual environment gives a working ``nnviz`` command (explain,
export, app) from any directory, with every package-data file (KaTeX, templates) installed.

The install tests are slow (a wheel build and a pip install each, ≈ 30 s): marked ``install``.
"""
from __future__ import annotations

import base64
import json
import os
import re
import shutil
import subprocess
import sys
import time
import tomllib
from pathlib import Path

import pytest

from conftest import free_port, health_ok, stop_process_group
from nnviz.export.html import KATEX_FAMILIES

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
REQUIREMENT = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)\s*(>=\s*[0-9][0-9.]*)$")


def _name(req: str) -> str:
    return re.split(r"[<>=!~\[ ;]", req, maxsplit=1)[0].lower().replace("_", "-")


def requirement_lines(path: Path) -> dict[str, str]:
    """name -> ``name>=floor`` for each requirement line (comments, ``-r`` lines skipped)."""
    out = {}
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line or line.startswith("-r"):
            continue
        m = REQUIREMENT.match(line)
        assert m, f"{path.name}: {raw!r} is not `name>=floor` (every requirement needs a tested floor)"
        out[_name(m[1])] = m[1] + m[2].replace(" ", "")
    return out


def pyproject_floors(*groups: str) -> dict[str, str]:
    """name -> requirement for ``dependencies`` (group "") or the named optional extras."""
    project = PYPROJECT["project"]
    reqs = [r for g in groups for r in (project["dependencies"] if g == "" else
                                        project["optional-dependencies"][g])]
    return {_name(r): r.replace(" ", "") for r in reqs if not r.startswith("nnviz[")}


@pytest.mark.parametrize("path, groups", [("requirements.txt", ("",)),
                                          ("requirements-dev.txt", ("test", "notebook"))])
def test_requirements_match_pyproject(path, groups):
    """Each requirement line is a pyproject dependency with the same floor, and back."""
    lines, floors = requirement_lines(ROOT / path), pyproject_floors(*groups)
    assert lines, f"{path} lists no requirement"
    assert lines == floors, (f"{path} and pyproject.toml {groups} differ: only in {path}: "
                             f"{sorted(set(lines.items()) - set(floors.items()))}; only in pyproject: "
                             f"{sorted(set(floors.items()) - set(lines.items()))}")


def test_console_command_and_packages_declared():
    assert PYPROJECT["project"]["scripts"]["nnviz"] == "nnviz.cli:main"
    found = PYPROJECT["tool"]["setuptools"]["packages"]["find"]["include"]
    for package in ("nnviz", "nnviz_app"):
        assert package in found and f"{package}.*" in found


# ---- a real install into a fresh virtual environment ---------------------------------------
DATA_SUFFIXES = {".html", ".css", ".js", ".j2"}


def package_data_in_checkout() -> list[str]:
    """Files pip must install besides the modules: KaTeX and every template/asset file."""
    files = [p for p in (ROOT / "nnviz" / "vendor" / "katex").rglob("*") if p.is_file()]
    for package in ("nnviz", "nnviz_app"):
        files += [p for p in (ROOT / package).rglob("*") if p.suffix in DATA_SUFFIXES]
    return sorted({str(p.relative_to(ROOT)) for p in files if "__pycache__" not in p.parts})


def _clean_env() -> dict[str, str]:
    """The environment without anything that would put the checkout on sys.path."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")}
    env["PYTHONNOUSERSITE"] = "1"
    return env


def _run(args, cwd: Path, timeout: float = 600) -> subprocess.CompletedProcess:
    proc = subprocess.run([str(a) for a in args], cwd=cwd, env=_clean_env(), capture_output=True,
                          text=True, timeout=timeout, stdin=subprocess.DEVNULL)
    assert proc.returncode == 0, f"{args} exited {proc.returncode}\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    return proc


@pytest.fixture(scope="module", params=["regular", "editable"])
def installed(request, tmp_path_factory):
    """A fresh venv (system site-packages for the dependencies) with nnviz pip-installed from
    the checkout, and an empty working directory outside the checkout."""
    base = tmp_path_factory.mktemp(f"install-{request.param}")
    venv, elsewhere = base / "venv", base / "elsewhere"
    elsewhere.mkdir()
    _run([sys.executable, "-m", "venv", "--system-site-packages", venv], cwd=elsewhere)
    if request.param == "editable":
        target = ["-e", ROOT]
    else:  # a clean copy: a build/ folder left in the checkout could put stale files in the wheel
        source = base / "source"
        shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(
            "build", "dist", "*.egg-info", ".git", "__pycache__", ".hypothesis", "test-results", "assets"))
        target = [source]
    _run([venv / "bin" / "python", "-m", "pip", "install", "--disable-pip-version-check", "-q", *target],
         cwd=elsewhere)
    return venv, elsewhere, request.param


@pytest.mark.install
def test_installed_package_has_its_data(installed):
    venv, elsewhere, kind = installed
    code = ("import json, nnviz, nnviz_app; from pathlib import Path; "
            "print(json.dumps([str(Path(m.__file__).parent.parent) for m in (nnviz, nnviz_app)]))")
    roots = {Path(p) for p in json.loads(_run([venv / "bin" / "python", "-c", code],
                                                             cwd=elsewhere).stdout)}
    assert len(roots) == 1, roots
    (site,) = roots
    if kind == "editable":
        assert site == ROOT, f"an editable install runs the checkout, not {site}"
        return
    assert site != ROOT and venv in site.parents, f"nnviz imported from {site}, not the venv"
    expected = package_data_in_checkout()
    assert any(p.endswith(".woff2") for p in expected) and any(p.endswith(".css") for p in expected)
    missing = [p for p in expected if not (site / p).is_file()]
    assert not missing, f"package data not installed: {missing}"


@pytest.mark.install
def test_installed_command_explains_and_exports(installed):
    venv, elsewhere, _ = installed
    nnviz = venv / "bin" / "nnviz"
    out = _run([nnviz, "explain", "--preset", "mazur"], cwd=elsewhere).stdout
    assert "0.75136507" in out and "0.772928465" in out, out[:2000]  # Mazur's published outputs
    page = elsewhere / "x.html"
    _run([nnviz, "export", "--preset", "seed", "--format", "html", "--out", page, "--quiet"], cwd=elsewhere)
    text = page.read_text(encoding="utf-8")
    fonts = [f for f in sorted((ROOT / "nnviz" / "vendor" / "katex" / "fonts").glob("*.woff2"))
             if f.stem.split("-")[0] in KATEX_FAMILIES]  # the families the page keeps
    assert fonts and text.startswith("<!DOCTYPE html>")
    for font in fonts:  # read from the installed package data and inlined as data: URIs
        assert base64.b64encode(font.read_bytes()).decode() in text, f"{font.name} not inlined"
    bad = subprocess.run([str(nnviz), "explain", "--preset", "nope"], cwd=elsewhere, env=_clean_env(),
                         capture_output=True, text=True, timeout=120)
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1 and "nope" in bad.stderr


@pytest.mark.install
def test_installed_app_starts_and_runs(installed):
    """``nnviz app`` serves the page; the installed page runs without an exception."""
    venv, elsewhere, _ = installed
    check = ("import nnviz.cli; from streamlit.testing.v1 import AppTest; "
             "at = AppTest.from_file(str(nnviz.cli.app_script()), default_timeout=60).run(); "
             "assert not at.exception, at.exception; print(len(at.markdown))")
    assert int(_run([venv / "bin" / "python", "-c", check], cwd=elsewhere).stdout) > 0
    port = free_port()
    proc = subprocess.Popen([str(venv / "bin" / "nnviz"), "app", "--server.headless", "true",
                             "--server.port", str(port), "--server.address", "127.0.0.1",
                             "--browser.gatherUsageStats", "false"],
                            cwd=elsewhere, env=_clean_env(), stdin=subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while not health_ok(f"http://127.0.0.1:{port}/_stcore/health"):
            assert proc.poll() is None, f"nnviz app exited with code {proc.returncode}"
            assert time.monotonic() < deadline, "nnviz app did not serve within 60 s"
            time.sleep(0.25)
    finally:
        stop_process_group(proc)
