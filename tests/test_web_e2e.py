"""The drafting page in a real browser: Debian's headless Chromium driven by Playwright.

A uvicorn server runs the app in a subprocess on a free loopback port; the tests type,
paste, click and upload as an author would. They need the ``playwright`` Python package
(its browser download is never used: we launch ``/usr/bin/chromium``) and Debian's
``chromium`` with ``fonts-noto-cjk``. When either is missing the tests FAIL with the
install command; they never skip.

To refresh the screenshot in the docs::

    IQA_WEB_SCREENSHOT_OUT=docs/web-screenshot.png pytest tests/test_web_e2e.py
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import openpyxl
import pytest

import builders as B
from indicatorqa.readers import read_paths

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "corpus" / "seeds" / "002_13db869fc1a32b4a.txt"
CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "chromium", "chromium-browser")
LAUNCH_ARGS = [
    "--no-sandbox",  # CI runs as root in a container, where the sandbox cannot start
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
APT_HINT = "apt-get update && apt-get install -y chromium fonts-noto-cjk"
SERVER_START_TIMEOUT = 120  # loading the models and the corpus index takes ~10–20 s on 2 cores
DEBOUNCE_S = 0.3


def chromium_path() -> str:
    for name in CHROMIUM_CANDIDATES:
        path = name if os.path.isabs(name) and os.access(name, os.X_OK) else shutil.which(name)
        if path:
            return path
    pytest.fail(f"Chromium not found (looked for {', '.join(CHROMIUM_CANDIDATES)}): install it with `{APT_HINT}`",
                pytrace=False)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _serve(tmp_path_factory, app_kwargs: str = ""):
    """Start the app under uvicorn in a subprocess; yields the base URL; always stopped."""
    port = free_port()
    log = tmp_path_factory.mktemp("server") / "server.log"
    code = (
        "import uvicorn\n"
        "from indicatorqa.web.app import create_app\n"
        f"uvicorn.run(create_app({app_kwargs}), host='127.0.0.1', port={port}, log_level='warning')\n"
    )
    with log.open("wb") as out:
        proc = subprocess.Popen([sys.executable, "-c", code], stdout=out, stderr=subprocess.STDOUT, cwd=ROOT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + SERVER_START_TIMEOUT
    try:
        while True:
            if proc.poll() is not None:
                pytest.fail(f"the server exited with {proc.returncode}:\n{log.read_text(errors='replace')[-3000:]}", pytrace=False)
            try:
                with urllib.request.urlopen(base + "/healthz", timeout=2) as resp:
                    if resp.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"the server did not answer within {SERVER_START_TIMEOUT} s:\n{log.read_text(errors='replace')[-3000:]}",
                            pytrace=False)
            time.sleep(0.5)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=15)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    yield from _serve(tmp_path_factory)


@pytest.fixture(scope="module")
def store_server(tmp_path_factory):
    db = tmp_path_factory.mktemp("db") / "review.db"
    yield from _serve(tmp_path_factory, f"db_url={str(db)!r}")


@pytest.fixture(scope="module")
def browser():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail("the playwright Python package is missing: pip install playwright "
                    "(do not run `playwright install`: the tests use Debian's chromium)", pytrace=False)
    executable = chromium_path()
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=executable, args=LAUNCH_ARGS, timeout=60_000)
        try:
            yield b
        finally:
            b.close()


@pytest.fixture
def problems() -> list[str]:
    """Console errors and page errors of the test's page; a test may drop the ones it provoked."""
    return []


@pytest.fixture
def page(browser, server, problems):
    yield from _page(browser, server, problems)


def _page(browser, server, problems):
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True, locale="zh-CN")
    pg = context.new_page()
    pg.set_default_timeout(15_000)
    outside: list[str] = []
    pg.on("pageerror", lambda exc: problems.append(f"page error: {exc}"))
    pg.on("console", lambda msg: problems.append(f"console {msg.type}: {msg.text}") if msg.type == "error" else None)
    # Offline means offline: every request the page makes goes to our server.
    pg.on("request", lambda req: outside.append(req.url) if not req.url.startswith((server, "data:", "blob:")) else None)
    pg.goto(server + "/")
    pg.wait_for_selector("body[data-ready='1']")
    yield pg
    context.close()
    assert not outside, f"the page requested resources from elsewhere: {outside}"
    assert not problems, "\n".join(problems)


def row(pg, i: int):
    return pg.locator("tbody.ind").nth(i)


def test_typing_a_vague_value_shows_v001_inline_within_a_second(page):
    r = row(page, 0)
    r.locator("[data-field=name]").fill("培训人次")
    r.locator("[data-field=value]").press_sequentially("提升")
    typed = time.monotonic()
    finding = r.locator('.finding[data-code="V001"]')
    finding.wait_for(state="visible", timeout=5_000)
    elapsed = time.monotonic() - typed
    assert elapsed < DEBOUNCE_S + 1.0, f"V001 appeared {elapsed:.2f} s after typing (debounce {DEBOUNCE_S} s)"
    assert "提升" in finding.locator(".message").inner_text()
    assert "flag-error" in (r.locator("[data-field=value]").get_attribute("class") or "")


def test_applying_a_suggestion_removes_the_finding(page):
    r = row(page, 0)
    r.locator("[data-field=name]").fill("培训人次")
    r.locator("[data-field=value]").fill("提升")
    r.locator('.finding[data-code="V001"]').wait_for(state="visible")
    first = r.locator(".suggestion").first
    suggested_name = first.locator(".s-name").inner_text()
    suggested_value = first.locator(".s-value").inner_text()
    first.locator(".apply-suggestion").click()
    r.locator('.finding[data-code="V001"]').wait_for(state="detached", timeout=5_000)
    assert r.locator("[data-field=name]").input_value() == suggested_name
    assert r.locator("[data-field=value]").input_value() == suggested_value
    # The blank is selected for the author to type the number over it.
    if "【待填】" in suggested_value:
        page.keyboard.type("600")
        page.wait_for_function(
            "() => !document.querySelector('tbody.ind .row-findings .finding[data-code=\"V003\"]')", timeout=5_000
        )
        assert "600" in r.locator("[data-field=value]").input_value()


def test_a_suggestion_under_another_level_says_so_and_moves_the_row(page):
    """A vague 效益 claim's third suggestion is an output measure: it carries a note, and adopting
    it moves the row to that 二级指标 (otherwise the adopted row would be flagged N003)."""
    r = row(page, 0)
    r.locator("[data-field=level1]").fill("效益指标")
    r.locator("[data-field=level2]").fill("社会效益指标")
    r.locator("[data-field=name]").fill("全面提升干部队伍业务能力")
    r.locator("[data-field=value]").fill("显著提升")
    r.locator('.finding[data-code="V001"]').wait_for(state="visible")
    moved = r.locator(".suggestion").filter(has=page.locator(".s-note"))
    moved.first.wait_for(state="visible")
    assert moved.count() == 1
    assert "效益表述" in moved.first.locator(".s-note").inner_text()
    name = moved.first.locator(".s-name").inner_text()
    moved.first.locator(".apply-suggestion").click()
    page.wait_for_function("() => document.querySelector('tbody.ind [data-field=level2]').value !== '社会效益指标'", timeout=5_000)
    assert r.locator("[data-field=level2]").input_value() in ("数量指标", "质量指标", "时效指标")
    assert r.locator("[data-field=level1]").input_value() == "产出指标"
    assert r.locator("[data-field=name]").input_value() == name


def test_user_text_is_shown_as_text_never_as_html(page):
    r = row(page, 0)
    r.locator("[data-field=name]").fill("<img src=x onerror=alert(1)>培训")
    r.locator("[data-field=value]").fill("<b>提升</b>")
    finding = r.locator('.finding[data-code="V001"]')
    finding.wait_for(state="visible")
    assert "<b>提升</b>" in finding.locator(".message").inner_text()
    assert page.locator("main img, .findings b").count() == 0


def test_paste_rows_from_excel(page):
    block = "产出指标\t数量指标\t举办培训班期数\t年度内举办培训班的期数\t≥6期\n\t\t培训人次\t参训人次\t提升\n"
    target = row(page, 0).locator("[data-field=level1]")
    target.focus()
    page.evaluate(
        """(text) => {
            const dt = new DataTransfer();
            dt.setData('text/plain', text);
            document.activeElement.dispatchEvent(new ClipboardEvent('paste', {clipboardData: dt, bubbles: true, cancelable: true}));
        }""",
        block,
    )
    assert row(page, 0).locator("[data-field=name]").input_value() == "举办培训班期数"
    assert row(page, 1).locator("[data-field=name]").input_value() == "培训人次"
    # Merged 一级/二级 cells arrive blank and are filled down.
    assert row(page, 1).locator("[data-field=level2]").input_value() == "数量指标"
    row(page, 1).locator('.finding[data-code="V001"]').wait_for(state="visible")
    assert row(page, 0).locator('.finding[data-code="V001"]').count() == 0


def test_upload_seed_xlsx_review_and_download_annotated(page, tmp_path):
    projects = read_paths([SEED]).projects
    assert len(projects) > 3
    data = B.xlsx_bytes(lambda wb: B.write_flat_sheet(wb.active, projects))
    upload = tmp_path / "种子表格.xlsx"
    upload.write_bytes(data)

    page.set_input_files("#upload", str(upload))
    note = page.locator("#upload-note")
    note.wait_for(state="visible")
    assert f"{len(projects)} 个项目" in note.inner_text()
    assert page.locator("#project-select option").count() == len(projects)
    assert row(page, 0).locator("[data-field=name]").input_value() == projects[0].indicators[0].name
    page.locator("tbody.ind .finding").first.wait_for(state="visible")

    # The reviewer view: a score, four parts and a grade per project.
    page.click("#tab-review")
    page.wait_for_function(f"() => document.querySelectorAll('#review-body tr').length === {len(projects)}")
    first = page.locator("#review-body tr").first
    assert first.locator(".grade").inner_text() in ("优", "良", "中", "差")
    assert first.locator("meter").count() == 4
    page.locator("#status.ok").wait_for(state="visible")
    review_png = tmp_path / "review.png"
    page.screenshot(path=str(review_png))
    page.click("#tab-author")

    with page.expect_download(timeout=30_000) as info:
        page.click("#download")
    download = info.value
    assert download.suggested_filename.endswith(".xlsx")
    saved = tmp_path / "annotated.xlsx"
    download.save_as(str(saved))
    wb = openpyxl.load_workbook(saved)
    assert wb.sheetnames[:2] == ["汇总", "问题清单"]
    assert len(wb.sheetnames) == 2 + len(projects)
    assert wb["问题清单"].max_row > 1, "the findings sheet lists no finding"

    # The screenshot for the docs: a project with findings and suggestions inline.
    page.locator("tbody.ind .suggestion").first.wait_for(state="visible")
    png = tmp_path / "web.png"
    page.screenshot(path=str(png))
    assert png.stat().st_size > 20_000, "the screenshot looks empty"
    target = os.environ.get("IQA_WEB_SCREENSHOT_OUT")
    if target:
        Path(target).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(png, target)


def test_a_bad_upload_shows_the_reason(page, problems, tmp_path):
    bad = tmp_path / "坏文件.xlsx"
    bad.write_bytes(b"PK\x03\x04 not really a zip")
    page.set_input_files("#upload", str(bad))
    status = page.locator("#status.error")
    status.wait_for(state="visible")
    assert "坏文件.xlsx" in status.inner_text()
    # The browser logs the 400 answer itself; that one was expected.
    problems[:] = [p for p in problems if "status of 400" not in p]


def test_reviewer_saves_a_submission_and_decides_findings(browser, store_server, problems):
    for page in _page(browser, store_server, problems):
        page.fill("#f-name", "2025年基层干部培训")
        r = row(page, 0)
        r.locator("[data-field=name]").fill("培训人次")
        r.locator("[data-field=value]").fill("提升")
        r.locator('.finding[data-code="V001"]').wait_for(state="visible")
        page.click("#tab-review")
        page.locator("#storage").wait_for(state="visible")
        page.locator("#status.ok").wait_for(state="visible")
        page.click("#store-submit")
        item = page.locator(".review-findings > li", has=page.locator('.finding[data-code="V001"]'))
        item.wait_for(state="visible")
        item.locator("button", has_text="驳回").click()
        page.locator("#status.error").wait_for(state="visible")
        assert "理由" in page.inner_text("#status")
        item.locator(".reason").fill("本项目以提升为目标，已在描述中量化")
        item.locator("button", has_text="驳回").click()
        item.locator(".decision", has_text="已驳回").wait_for(state="visible")
        problems[:] = [p for p in problems if "status of 422" not in p]
