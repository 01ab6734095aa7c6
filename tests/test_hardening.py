"""Hardening: the bounded fuzz run, very large inputs, batch resilience, output injection.

Complements test_bad_input.py (one case per error), test_fuzz_readers.py (hypothesis,
in-process) and test_report.py (HTML escaping, formula injection in the report
workbook, report names): here the fuzzing runs out of process with a time and memory
limit per input (fuzz/run.py), and the limits on size are checked on files as large
as the ones they are there for.
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

import builders as B
from indicatorqa.cli import main
from indicatorqa.errors import InputError
from indicatorqa.model import Indicator, Project
from indicatorqa.readers import DEFAULT_MAX_BYTES, grid, read_file
from indicatorqa.readers import xlsx as xlsx_reader

ROOT = Path(__file__).resolve().parent.parent
HEADER = "一级指标,二级指标,三级指标,绩效指标描述,指标值\n"


# --- the fuzz script, short form -------------------------------------------------------------


def test_fuzz_script_short_run_finds_no_crash_hang_or_blowup(tmp_path):
    out = tmp_path / "fuzz.json"
    proc = subprocess.run(
        [sys.executable, str(ROOT / "fuzz" / "run.py"), "--seconds", "20", "--max-per-file-seconds", "10",
         "--save-dir", str(tmp_path / "found"), "--json", str(out), "-q"],
        capture_output=True, text=True, timeout=240, cwd=str(ROOT),
    )
    assert out.exists(), proc.stderr[-3000:]
    figures = json.loads(out.read_text(encoding="utf-8"))
    assert proc.returncode == 0, json.dumps(figures["problems"], ensure_ascii=False)[:3000]
    assert figures["crashes"] == figures["hangs"] == figures["memory_blowups"] == 0
    assert figures["inputs"] >= 15
    assert set(figures["by_family"]) >= {"bomb", "huge"}  # the hostile inputs come early
    if figures["atheris"] and figures["atheris"].get("available"):
        assert not figures["atheris"]["crash"] and figures["atheris"]["executions"] > 0


# --- very large CSV / XLSX ---------------------------------------------------------------------


def _write_rows(path: Path, row: str, n: int) -> None:
    with path.open("w", encoding="utf-8") as fh:
        fh.write(HEADER)
        block = row * 10_000
        for _ in range(n // 10_000):
            fh.write(block)


def _rejected(path: Path, **kwargs) -> tuple[InputError, float]:
    start = time.perf_counter()
    with pytest.raises(InputError) as info:
        read_file(path, **kwargs)
    return info.value, time.perf_counter() - start


def test_million_row_csv_of_real_rows_is_refused_by_size_at_once(tmp_path):
    path = tmp_path / "million.csv"
    _write_rows(path, "产出指标,数量指标,培训人次,全年开展业务培训的人次数,≥500人次\n", 1_000_000)
    assert path.stat().st_size > DEFAULT_MAX_BYTES
    error, seconds = _rejected(path)
    assert "超过上限 50.0 MB" in error.message and "--max-size" in error.message
    assert str(error).startswith(f"文件 {path}")
    assert seconds < 1


def test_million_short_rows_under_the_size_limit_are_refused_by_the_row_limit(tmp_path):
    path = tmp_path / "million-short.csv"
    _write_rows(path, "产出指标,数量指标,a,b,1\n", 1_000_000)
    assert path.stat().st_size < DEFAULT_MAX_BYTES
    error, seconds = _rejected(path)
    assert f"超过 {grid.MAX_ROWS} 行的上限" in error.message
    assert seconds < 15  # about 4 s on 2 cores; reading stops at the limit


def _million_row_xlsx(rows: int) -> bytes:
    """A minimal workbook whose one sheet has ``rows`` identical data rows (row numbers omitted, as OOXML allows)."""
    strings = ["一级指标", "二级指标", "三级指标", "绩效指标描述", "指标值", "产出指标", "数量指标", "培训人次", "全年培训人次", "≥500人次"]

    data_row = "".join(f'<c t="s"><v>{5 + j}</v></c>' for j in range(4)).encode()

    ns = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                   '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
                   '<Default Extension="xml" ContentType="application/xml"/>'
                   '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
                   '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
                   '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>')
        z.writestr("_rels/.rels", '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                   f'<Relationship Id="rId1" Type="{rel}/officeDocument" Target="xl/workbook.xml"/></Relationships>')
        z.writestr("xl/workbook.xml", f'<workbook {ns} xmlns:r="{rel}"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>')
        z.writestr("xl/_rels/workbook.xml.rels", '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                   f'<Relationship Id="rId1" Type="{rel}/worksheet" Target="worksheets/sheet1.xml"/>'
                   f'<Relationship Id="rId2" Type="{rel}/sharedStrings" Target="sharedStrings.xml"/></Relationships>')
        z.writestr("xl/sharedStrings.xml", f'<sst {ns}>' + "".join(f"<si><t>{s}</t></si>" for s in strings) + "</sst>")
        with z.open("xl/worksheets/sheet1.xml", "w") as fh:
            header = "".join(f'<c t="s"><v>{j}</v></c>' for j in range(5)).encode()
            fh.write(f"<worksheet {ns}><sheetData>".encode() + b'<row r="1">' + header + b"</row>")
            # Real row numbers and a number cell that differs per row: identical rows would
            # compress beyond the zip-bomb ratio and be refused for that instead.
            for start in range(2, rows + 2, 10_000):
                fh.write(b"".join(b'<row r="%d">%s<c><v>%d</v></c></row>' % (i, data_row, i * 7919 % 100_003)
                                  for i in range(start, min(start + 10_000, rows + 2))))
            fh.write(b"</sheetData></worksheet>")
    return out.getvalue()


def test_million_row_xlsx_is_refused_in_seconds_not_minutes(tmp_path):
    path = tmp_path / "million.xlsx"
    path.write_bytes(_million_row_xlsx(1_000_000))
    assert path.stat().st_size < DEFAULT_MAX_BYTES  # ~10 MB: the size limit does not catch it
    error, seconds = _rejected(path)
    assert f"工作簿超过 {grid.MAX_ROWS} 行的上限" in error.message
    # Streaming it through openpyxl to the limit took ~58 s; the pre-scan of the XML takes ~1 s.
    assert seconds < 8


def test_small_xlsx_of_the_same_shape_is_read(tmp_path):
    path = tmp_path / "small.xlsx"
    path.write_bytes(_million_row_xlsx(10_000))
    doc = read_file(path)
    assert sum(len(p.indicators) for p in doc.projects) == 10_000


@pytest.mark.parametrize("chunk", [7, 13, 64, 1 << 20])
def test_row_prescan_counts_the_same_whatever_the_chunk_boundaries(monkeypatch, chunk):
    rows = [
        b'<row r="1"><c r="A1" t="s"><v>0</v></c></row>',
        b'<row r="2"/>',  # empty
        b'<row r="3"><c r="A3"><v></v></c></row>',  # an empty value is not a value
        b'<x:row r="4"><x:c t="inlineStr"><x:is><x:t xml:space="preserve"> a</x:t></x:is></x:c></x:row>',
        b'<row r="5" spans="1:3"><c r="B5"><f>1+1</f><v>2</v></c><c r="C5"><v>3</v></c></row>',
        b"<row><c><v>" + b"9" * 200 + b"</v></c></row>",
        b'<row r="7"><c r="A7" s="3"/></row>',  # styled, empty
    ]
    xml = b"<worksheet><sheetData>" + b"".join(rows) * 3 + b"</sheetData><tableParts/></worksheet>"
    monkeypatch.setattr(xlsx_reader, "_CHUNK", chunk)
    assert xlsx_reader._value_rows(io.BytesIO(xml), 10_000) == 4 * 3


def test_prescan_limit_is_the_reader_limit(tmp_path, monkeypatch):
    monkeypatch.setattr(grid, "MAX_ROWS", 50)
    path = tmp_path / "fifty.xlsx"
    path.write_bytes(_million_row_xlsx(10_000))
    assert "50 行的上限" in _rejected(path)[0].message


# --- batch resilience (CLI) --------------------------------------------------------------------

SMALL = [
    Project(unit="甲单位", name="网络运维", budget=493.0, indicators=[
        Indicator(level1="产出指标", level2="数量指标", name="安全检测次数", description="全年安全检测次数", value="≥4次"),
        Indicator(level1="满意度指标", level2="服务对象满意度指标", name="使用人员满意度", description="问卷", value="≥99%"),
    ]),
]


def _project(name: str) -> list[Project]:
    return [p.model_copy(update={"name": name}) for p in SMALL]


def test_batch_with_bad_files_in_the_middle_reports_every_good_file(tmp_path, capsys):
    files = [
        ("01-good.csv", B.csv_text(_project("项目一")).encode("gbk")),
        ("02-cut.xlsx", B.xlsx_bytes(lambda wb: B.write_flat_sheet(wb.active, _project("坏")))[:700]),
        ("03-good.docx", B.docx_bytes(_project("项目三"), extra_tables=False)),
        ("04-binary.txt", b"\x00\x01\x02\xff" * 300),
        ("05-bomb.docx", b"PK\x03\x04" + b"\x00" * 100),
        ("06-good.xlsx", B.xlsx_bytes(lambda wb: B.write_flat_sheet(wb.active, _project("项目六")))),
        ("07-notable.csv", "名称,数量\n甲,1\n".encode()),
    ]
    for name, data in files:
        (tmp_path / name).write_bytes(data)
    out = tmp_path / "out.json"

    code = main(["check", str(tmp_path), "--format", "json", "--no-progress", "--no-suggest", "-o", str(out)])

    assert code == 2
    report = json.loads(out.read_text(encoding="utf-8"))
    assert sorted(p["name"] for p in report["projects"]) == ["项目一", "项目三", "项目六"]
    assert all(p["indicators"] and "score" in p for p in report["projects"])
    err = capsys.readouterr().err
    for bad, why in (("02-cut.xlsx", "损坏"), ("04-binary.txt", "不是文本文件"), ("05-bomb.docx", "损坏"), ("07-notable.csv", "没有找到")):
        lines = [line for line in err.splitlines() if bad in line]
        assert len(lines) == 1 and why in lines[0], err
    for good in ("01-good.csv", "03-good.docx", "06-good.xlsx"):
        assert good not in err
    listed = report.get("errors")
    if listed is not None:  # the JSON contract lists them too
        assert sorted(Path(e["file"]).name for e in listed) == ["02-cut.xlsx", "04-binary.txt", "05-bomb.docx", "07-notable.csv"]


# --- output injection --------------------------------------------------------------------------


def test_the_cli_writes_no_csv():
    """No CSV output exists to inject into: check/parse write table, JSON or Markdown, report writes .xlsx/.html."""
    import argparse

    from indicatorqa import cli

    parser = cli.build_parser() if hasattr(cli, "build_parser") else None
    if parser is None:
        pytest.skip("no build_parser to introspect")
    formats = set()
    for action in parser._subparsers._group_actions[0].choices.values():
        for a in action._actions:
            if a.dest == "format" and a.choices:
                formats |= set(a.choices)
    assert "csv" not in formats and "tsv" not in formats


web = pytest.importorskip("indicatorqa.web.app")


@pytest.fixture(scope="module")
def client():
    from fastapi.testclient import TestClient

    with TestClient(web.create_app()) as c:
        yield c


def _payload(unit: str, name: str, value: str = "≥4次") -> dict:
    return {"schema": "indicatorqa/1", "projects": [{"unit": unit, "name": name, "budget": 10, "indicators": [
        {"level1": "产出指标", "level2": "数量指标", "name": name, "description": "说明", "value": value},
        {"level1": "满意度指标", "level2": "服务对象满意度指标", "name": "满意度", "description": "问卷", "value": "≥90%"}]}]}


@pytest.mark.parametrize("unit", [
    'evil"\r\nSet-Cookie: a=b\r\nX: "',
    "../../../etc/passwd",
    "..\\..\\windows\\system32\\x",
    "\x00\x1b[31m单位\u202e",
])
def test_download_name_cannot_inject_headers_or_paths(client, unit):
    resp = client.post("/v1/xlsx", json=_payload(unit, "项目"))
    assert resp.status_code == 200, resp.text
    disposition = resp.headers["content-disposition"]
    assert "\r" not in disposition and "\n" not in disposition and "set-cookie" not in {k.lower() for k in resp.headers}
    from urllib.parse import unquote

    shown = unquote(disposition.split("filename*=UTF-8''", 1)[-1])
    # No separator or control character survives (leading dots may: browsers strip them when saving).
    assert "/" not in shown and "\\" not in shown and not any(ord(ch) < 32 for ch in shown)
    assert "..\\" not in shown and "../" not in shown


@pytest.mark.parametrize("text", ["=HYPERLINK(\"http://x\",\"点击\")", "+1+1", "-2+3", "@SUM(A1)", "\t=1", "=cmd|' /C calc'!A0"])
def test_formula_like_text_stays_text_in_the_downloaded_workbook(client, text):
    import openpyxl

    resp = client.post("/v1/xlsx", json=_payload(text, text, value=text))
    assert resp.status_code == 200, resp.text
    wb = openpyxl.load_workbook(io.BytesIO(resp.content))
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.coordinate, cell.value)


# --- encodings found by the fuzzer ----------------------------------------------------------


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_utf16_without_bom_reads_like_utf8(encoding):
    """Was refused as "不是文本文件": UTF-16 saved without a byte-order mark is full of NUL bytes."""
    from indicatorqa.readers import read_bytes

    text = (ROOT / "corpus/seeds/000_cab285404ad495ca.txt").read_text(encoding="utf-8")
    ref = read_bytes(text.encode("utf-8"), "t.txt")
    doc = read_bytes(text.encode(encoding), "t.txt")
    assert doc.encoding == encoding
    assert [p.model_dump() for p in doc.projects] == [p.model_dump() for p in ref.projects]


@pytest.mark.parametrize("data", [b"\x00\x01\x02binary" * 100, b"a\x00" * 10 + b"\x01\x00", b"\x00" * 100, b"a\x00b" * 50])
def test_nul_bytes_that_are_not_utf16_stay_binary(data):
    from indicatorqa.readers import read_bytes

    with pytest.raises(InputError, match="不是文本文件"):
        read_bytes(data, "x")


def test_utf8_with_gbk_inserts_is_refused_with_the_encoding_message():
    from indicatorqa.readers import read_bytes

    raw = (ROOT / "corpus/seeds/000_cab285404ad495ca.txt").read_bytes()
    with pytest.raises(InputError, match="无法识别文本编码|不是有效的 UTF-8"):
        read_bytes(raw[:3000] + "指标值".encode("gbk") + raw[3000:], "mixed.txt")


def test_damaged_cache_files_are_rebuilt_not_trusted(tmp_path):
    """Every cache file (jieba's dictionary, the BM25 index, the corpus embeddings) truncated or
    overwritten: ``check`` still answers, with the same output as with a fresh cache."""
    seed = Path(__file__).resolve().parent.parent / "corpus" / "seeds" / "000_cab285404ad495ca.txt"
    cmd = [sys.executable, "-m", "indicatorqa.cli", "check", str(seed), "--format", "json", "--exit-zero"]

    def run(cache: Path) -> subprocess.CompletedProcess:
        env = {**__import__("os").environ, "INDICATORQA_CACHE_DIR": str(cache)}
        return subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=300)

    fresh = run(tmp_path / "fresh")
    assert fresh.returncode == 0, fresh.stderr
    damaged_dir = tmp_path / "damaged"
    assert run(damaged_dir).returncode == 0  # fills the cache
    files = [f for f in damaged_dir.rglob("*") if f.is_file()]
    assert {f.parent.name for f in files} >= {"jieba", "index"}
    for n, f in enumerate(files):
        data = f.read_bytes()
        # Alternate the two ways a cache file goes bad: cut short (a full disk, a killed
        # process) and overwritten with something else.
        f.write_bytes(data[: len(data) // 3] if n % 2 == 0 else b"not a cache file" * 8)
    damaged = run(damaged_dir)
    assert damaged.returncode == 0, damaged.stderr[-2000:]
    assert "Traceback" not in damaged.stderr
    assert damaged.stdout == fresh.stdout
