"""The HTML report renders in a real browser: headless Chromium takes a screenshot.

This needs Debian's ``chromium`` and CJK fonts (``apt-get install -y chromium
fonts-noto-cjk``). It fails, not skips, when Chromium is missing: a report that nobody
has seen rendered is not tested.

To refresh the screenshot in the docs::

    IQA_SCREENSHOT_OUT=docs/report-screenshot.png pytest tests/test_report_browser.py
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import struct
import subprocess
from pathlib import Path

import pytest

from indicatorqa import cli
from indicatorqa.analyse import Analyzer
from indicatorqa.config import Config
from indicatorqa.readers import read_paths
from indicatorqa.report import build_reports

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "corpus" / "seeds"
BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
APT_HINT = "apt-get update && apt-get install -y chromium fonts-noto-cjk"


def find_browser() -> str:
    for name in BROWSERS:
        path = shutil.which(name)
        if path:
            return path
    pytest.fail(f"Chromium not found (looked for {', '.join(BROWSERS)}): install it with `{APT_HINT}`", pytrace=False)


def require_cjk_font() -> None:
    """Without a Chinese font the page renders as boxes and the screenshot proves nothing."""
    if shutil.which("fc-list") is None:
        return  # not a fontconfig system; trust the browser's own fonts
    fonts = subprocess.run(["fc-list", ":lang=zh", "family"], capture_output=True, text=True, timeout=60).stdout
    if not fonts.strip():
        pytest.fail(f"no Chinese font installed (fc-list :lang=zh is empty): install one with `{APT_HINT}`", pytrace=False)


def screenshot(html: Path, png: Path, profile: Path, width: int = 1280, height: int = 2000) -> subprocess.CompletedProcess:
    cmd = [
        find_browser(),
        "--headless",
        "--no-sandbox",  # CI runs as root in a container, where the sandbox cannot start
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--hide-scrollbars",
        f"--user-data-dir={profile}",
        f"--screenshot={png}",
        f"--window-size={width},{height}",
        html.resolve().as_uri(),
    ]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=180)


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()[:24]
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG file"
    return struct.unpack(">II", data[16:24])


def test_unit_report_renders_in_headless_chromium(tmp_path):
    browser = find_browser()
    require_cjk_font()
    result = read_paths([SEEDS / "002_13db869fc1a32b4a.txt"])
    projects = cli.check_projects(result.projects, Analyzer(Config()))
    out = tmp_path / "report"
    build_reports(projects, out, generated=dt.datetime(2025, 1, 2, 3, 4))
    page = out / "天津市科学技术发展战略研究院.html"
    png = tmp_path / "report.png"

    run = screenshot(page, png, tmp_path / "profile")
    assert png.is_file(), f"{browser} wrote no screenshot (exit {run.returncode}):\n{run.stderr[-2000:]}"
    assert png_size(png) == (1280, 2000)
    # A blank or unstyled page compresses to a few KB; charts, tables and CJK text do not.
    assert png.stat().st_size > 20_000, f"screenshot is only {png.stat().st_size} bytes: the page looks empty"

    target = os.environ.get("IQA_SCREENSHOT_OUT")
    if target:
        Path(target).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(png, target)


def test_index_renders_in_headless_chromium(tmp_path):
    result = read_paths([SEEDS])
    projects = cli.check_projects(result.projects, Analyzer(Config()))
    out = tmp_path / "report"
    build_reports(projects, out, generated=dt.datetime(2025, 1, 2, 3, 4))
    png = tmp_path / "index.png"
    run = screenshot(out / "index.html", png, tmp_path / "profile", height=1100)
    assert png.is_file(), run.stderr[-2000:]
    assert png_size(png) == (1280, 1100) and png.stat().st_size > 20_000
