"""Bounded fuzzing of every reader and the value grammar, with hangs and blow-ups detected.

    python fuzz/run.py --seconds 20                 # CI (tests/test_hardening.py)
    python fuzz/run.py --seconds 1800 --json out.json  # at length, on demand

Each input is read in a forked worker process whose address space is capped with
``resource.setrlimit(RLIMIT_AS)`` and whose answer is awaited for at most
``--max-per-file-seconds``: a hang is killed and counted, a blow-up shows as a
MemoryError or a dead worker, and the worker is restarted. The promise being tested
is the one in :mod:`indicatorqa.errors`: whatever the bytes, ``read_bytes`` and the
value grammar raise nothing but :class:`InputError`, return within the time limit
and stay within the memory limit.

Input families (round-robin, weighted):
  random     random bytes, some behind zip/OLE magic
  mutate     seed text, CSV (GBK), JSON, HTML, .docx, .xlsx, .xls with bytes flipped/cut/spliced
  zipxml     a valid .docx/.xlsx with one XML part mangled inside the zip (reaches the table code)
  bomb       zip bombs: high-ratio member, nested zips, many members, lying sizes, overlapping entries
  huge       very large or deeply nested tables: 5,000-row docx, nested docx tables, wide CSV,
             a 10 MB cell, an xlsx whose dimension claims 1,048,576 rows, deep JSON
  encoding   UTF-8 with GBK inserts, UTF-16 without BOM, GB18030, a BOM followed by GBK, stray bytes
  value      random value strings and cells through parse_value / from_cell / join_value_columns

With ``--atheris`` (default when atheris is importable) a share of the time goes to a
coverage-guided atheris/libFuzzer run over the same ``read_bytes`` target, in its own
subprocess with libFuzzer's own -timeout and -rss_limit_mb.

Exit code: 0 when no crash, hang or memory blow-up was seen, 1 otherwise.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import re
import resource
import struct
import subprocess
import sys
import tempfile
import time
import traceback
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

import multiprocessing as mp  # noqa: E402

from indicatorqa.errors import InputError  # noqa: E402

FAMILIES = {"random": 2, "mutate": 5, "zipxml": 5, "bomb": 1, "huge": 1, "encoding": 3, "value": 2}


# ---------------------------------------------------------------------------
# Samples


def build_samples() -> dict[str, bytes]:
    import builders as B
    from indicatorqa.readers import read_paths
    from indicatorqa.render.jsonout import build_report, report_to_json

    projects = read_paths([ROOT / "corpus" / "seeds"]).projects
    targets = [p for p in projects if p.kind == "target"]
    evals = [p for p in projects if p.kind != "target"]
    few = targets[:3]
    samples = {
        "seed": (ROOT / "corpus/seeds/000_cab285404ad495ca.txt").read_bytes()[:8000],
        "selfeval": (ROOT / "corpus/seeds/003_a3cb9191b7c11910.txt").read_bytes()[:8000],
        "csv": B.csv_text(few).encode("gbk"),
        "tsv": B.csv_text(few, delimiter="\t").encode("utf-8"),
        "json": report_to_json(build_report(few[:2]), with_analysis=False).encode("utf-8"),
        "html": B.html_text(few[:2]).encode("utf-8"),
        "docx": B.docx_bytes(few[:2]),
        "xlsx_form": B.xlsx_bytes(lambda wb: B.write_form_sheet(wb.active, few[:2])),
        "xlsx_flat": B.xlsx_bytes(lambda wb: B.write_flat_sheet(wb.active, few, merge_projects=True)),
        "xls": B.xls_bytes(B.flat_rows(few)),
    }
    if evals:
        samples["json_eval"] = report_to_json(build_report(evals[:1]), with_analysis=False).encode("utf-8")
    return samples


# ---------------------------------------------------------------------------
# Mutators


def mutate_bytes(rng: random.Random, data: bytes, pool: list[bytes]) -> bytes:
    b = bytearray(data)
    for _ in range(rng.randint(1, 8)):
        op = rng.randrange(8)
        n = len(b)
        i = rng.randrange(n + 1) if n else 0
        if op == 0 and n:  # flip bits
            b[min(i, n - 1)] ^= 1 << rng.randrange(8)
        elif op == 1:  # truncate
            del b[i:]
        elif op == 2:  # insert random bytes
            b[i:i] = os.urandom(rng.randint(1, 64))
        elif op == 3 and n:  # delete a run
            del b[i : i + rng.randint(1, 256)]
        elif op == 4 and n:  # duplicate a run (many times)
            j = rng.randrange(n)
            chunk = b[j : j + rng.randint(1, 512)]
            b[i:i] = chunk * rng.choice((1, 2, 50, 500))
        elif op == 5 and pool:  # splice from another sample
            other = rng.choice(pool)
            j = rng.randrange(len(other) + 1)
            b[i:i] = other[j : j + rng.randint(1, 2048)]
        elif op == 6:  # interesting tokens
            b[i:i] = rng.choice(INTERESTING)
        elif op == 7 and n:  # overwrite with interesting integers
            b[min(i, n - 1) : min(i, n - 1) + 4] = struct.pack("<I", rng.choice((0, 1, 0x7FFFFFFF, 0xFFFFFFFF, 65535, 1 << 20)))
    return bytes(b)


INTERESTING = [
    "≥".encode(), "≤".encode(), "%".encode(), "万元".encode(), "指标值".encode(), "三级指标".encode(),
    "一级指标,二级指标,三级指标,绩效指标描述,指标值\n".encode(), "产出指标".encode(), "\r".encode(),
    b"\t", b",", b'"', b"\x00", b"\xff\xfe", b"\xef\xbb\xbf", "项目名称".encode("gbk"),
    b"{", b"[", b"]", b"}", b"1e308", b"-0", b"NaN", b"9" * 400, "１２３".encode(), "〇".encode(),
    b"=cmd|' /C calc'!A0", b"<table>", b"</td>", b"<td colspan=\"99999\">", b"&#x10FFFF;",
]

XML_TOKENS = [
    "<w:tbl>", "</w:tbl>", "<w:tr>", "</w:tr>", "<w:tc>", "</w:tc>", "<w:p><w:r><w:t>≥5次</w:t></w:r></w:p>",
    '<w:gridSpan w:val="99999999"/>', '<w:gridSpan w:val="-3"/>', '<w:vMerge w:val="restart"/>', "<w:vMerge/>",
    '<w:gridCol w:w="1"/>', "<row>", "</row>", '<c r="XFD1048576" t="s"><v>0</v></c>', '<c r="A1" t="s"><v>999999</v></c>',
    '<c r="ZZZZZZ9" t="inlineStr"><is><t>指标值</t></is></c>', '<c t="n"><v>1e400</v></c>', '<c t="d"><v>x</v></c>',
    '<mergeCell ref="A1:XFD1048576"/>', '<mergeCell ref="B:A"/>', '<dimension ref="A1:XFD1048576"/>',
    '<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>', "&b;", "&#0;", "&#xD800;",
    '<?xml version="1.0" encoding="gbk"?>', '<!DOCTYPE x SYSTEM "http://127.0.0.1:9/x.dtd">', "<![CDATA[",
    "<si><t>三级指标</t></si>", '<sheet name="x" r:id="rId999"/>', '<xi:include href="/etc/passwd"/>',
]


def mutate_xml(rng: random.Random, text: bytes) -> bytes:
    s = text.decode("utf-8", "replace")
    for _ in range(rng.randint(1, 6)):
        op = rng.randrange(7)
        i = rng.randrange(len(s) + 1) if s else 0
        if op == 0:
            s = s[:i]
        elif op == 1:
            s = s[:i] + rng.choice(XML_TOKENS) + s[i:]
        elif op == 2:  # drop a tag
            tags = [m.span() for m in re.finditer(r"<[^<>]{1,80}>", s)]
            if tags:
                a, b = rng.choice(tags)
                s = s[:a] + s[b:]
        elif op == 3:  # duplicate a table row/element many times
            m = None
            for pat in (r"<w:tr[ >].*?</w:tr>", r"<row[ >].*?</row>", r"<w:tc[ >].*?</w:tc>", r"<c [^>]*>.*?</c>"):
                found = list(re.finditer(pat, s, re.S))
                if found:
                    m = rng.choice(found)
                    break
            if m:
                s = s[: m.end()] + m.group(0) * rng.choice((2, 10, 300)) + s[m.end() :]
        elif op == 4:  # nest tables deeply
            depth = rng.choice((10, 100, 1000))
            s = s[:i] + "<w:tbl><w:tr><w:tc>" * depth + "<w:p/>" + "</w:tc></w:tr></w:tbl>" * depth + s[i:]
        elif op == 5:  # change numbers in attributes
            nums = list(re.finditer(r'="(\d+)"', s))
            if nums:
                m = rng.choice(nums)
                s = s[: m.start(1)] + rng.choice(("0", "-1", "4294967296", "99999999999999999999", "x")) + s[m.end(1) :]
        elif op == 6:  # non-UTF-8 bytes
            return mutate_bytes(rng, s.encode("utf-8"), [])
    return s.encode("utf-8")


def rezip(data: bytes, replace: dict[str, bytes | None], compression=zipfile.ZIP_DEFLATED) -> bytes:
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression) as dst:
        for info in src.infolist():
            if info.filename in replace:
                if replace[info.filename] is not None:
                    dst.writestr(info.filename, replace[info.filename])
            else:
                dst.writestr(info.filename, src.read(info.filename))
        for name, content in replace.items():
            if content is not None and name not in src.namelist():
                dst.writestr(name, content)
    return out.getvalue()


# ---------------------------------------------------------------------------
# Fixed hostile inputs (built once; they are expensive)


def _zip(members: dict[str, bytes], level: int = 9) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as z:
        for name, content in members.items():
            z.writestr(name, content)
    return out.getvalue()


def _lying_sizes(data: bytes, member: str, declared: int) -> bytes:
    """Rewrite the declared uncompressed size of ``member`` in both headers."""
    b = bytearray(data)
    name = member.encode()
    for sig, off in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        start = 0
        while True:
            i = b.find(sig, start)
            if i < 0:
                break
            nlen_off = 26 if sig == b"PK\x03\x04" else 28
            nlen = struct.unpack_from("<H", b, i + nlen_off)[0]
            hdr = 30 if sig == b"PK\x03\x04" else 46
            if bytes(b[i + hdr : i + hdr + nlen]) == name:
                struct.pack_into("<I", b, i + off, declared)
            start = i + 4
    return bytes(b)


def _overlapping(data: bytes, copies: int) -> bytes:
    """A central directory listing the same local entry ``copies`` times (an 'overlapped' bomb)."""
    eocd = data.rfind(b"PK\x05\x06")
    cd_size, cd_off = struct.unpack_from("<II", data, eocd + 12)
    cd = data[cd_off : cd_off + cd_size]
    first = cd[: 46 + sum(struct.unpack_from("<HHH", cd, 28))]
    new_cd = cd + first * copies
    n = struct.unpack_from("<H", data, eocd + 10)[0] + copies
    end = bytearray(data[eocd : eocd + 22])
    struct.pack_into("<HHII", end, 8, min(n, 65535), min(n, 65535), len(new_cd), cd_off)
    return data[:cd_off] + new_cd + bytes(end)


def hostile_inputs(samples: dict[str, bytes]) -> list[tuple[str, str, object]]:
    """(family, name, build) of the fixed hostile inputs; each is built only when it is run."""
    docx, xlsx = samples["docx"], samples["xlsx_flat"]
    doc_xml = zipfile.ZipFile(io.BytesIO(docx)).read("word/document.xml")
    sheet_xml = zipfile.ZipFile(io.BytesIO(xlsx)).read("xl/worksheets/sheet1.xml")
    out: list[tuple[str, str, object]] = []

    def add(fam, name):
        def deco(fn):
            out.append((fam, name, fn))
            return fn
        return deco

    # --- zip bombs
    @add("bomb", "ratio-300MB.docx")
    def _():
        return rezip(docx, {"word/document.xml": doc_xml.replace(b"<w:body>", b"<w:body>" + b" " * (300 << 20), 1)})

    @add("bomb", "ratio-48MB.docx")
    def _():
        return rezip(docx, {"word/document.xml": doc_xml.replace(b"<w:body>", b"<w:body>" + b"<w:p/>" * (8 << 20), 1)})

    @add("bomb", "nested-8.zip")
    def _():
        inner = docx
        for depth in range(1, 9):
            inner = _zip({f"level{depth}.docx": inner, "word/document.xml": b"<x/>" if depth % 2 else b"PK\x03\x04"})
        return inner

    add("bomb", "zip-in-docx.docx")(lambda: rezip(docx, {"word/embeddings/inner.docx": _zip({"a": b"0" * (50 << 20)})}))
    add("bomb", "members-20000.xlsx")(
        lambda: rezip(xlsx, {f"xl/media/m{i}.bin": b"" for i in range(20000)}, zipfile.ZIP_STORED))
    add("bomb", "lying-size-small.docx")(lambda: _lying_sizes(
        rezip(docx, {"word/document.xml": doc_xml + b"<!--" + b"x" * (40 << 20) + b"-->"}), "word/document.xml", len(doc_xml)))
    add("bomb", "lying-size-huge.docx")(lambda: _lying_sizes(docx, "word/document.xml", 0xFFFFFFF0))
    # The raw entry of a 20 MB zero member, listed 3,000 times in the central directory.
    add("bomb", "overlapping-3000.zip")(lambda: _overlapping(_zip({"a": b"\0" * (20 << 20)}), 3000))
    add("bomb", "overlapping-docx.docx")(lambda: _overlapping(rezip(docx, {}), 2000))

    # --- huge or deep tables
    row = re.search(rb"<w:tr[ >].*?</w:tr>", doc_xml, re.S)
    if row:
        add("huge", "rows-5000.docx")(lambda: rezip(
            docx, {"word/document.xml": doc_xml[: row.end()] + row.group(0) * 5000 + doc_xml[row.end() :]}))
    for depth in (50, 500, 5000):
        def nested(depth=depth):
            nest = b"<w:tbl><w:tr><w:tc>" * depth + b"<w:p><w:r><w:t>x</w:t></w:r></w:p>" + b"</w:tc></w:tr></w:tbl>" * depth
            return rezip(docx, {"word/document.xml": doc_xml.replace(b"<w:body>", b"<w:body>" + nest, 1)})
        add("huge", f"nested-tables-{depth}.docx")(nested)
    add("huge", "gridspan-16000.docx")(lambda: rezip(docx, {"word/document.xml": doc_xml.replace(
        b"<w:tc>", b'<w:tc><w:tcPr><w:gridSpan w:val="16000"/></w:tcPr>', 50)}))
    header = "一级指标,二级指标,三级指标,绩效指标描述,指标值"
    add("huge", "wide-100000-cols.csv")(lambda: (
        header + ",x" * 100_000 + "\n" + "产出指标,数量指标,a,b,≥1次" + ",1" * 100_000 + "\n").encode())
    add("huge", "cell-10MB.csv")(lambda: (header + "\n产出指标,数量指标,a," + "很" * ((10 << 20) // 3) + ",≥1次\n").encode())
    add("huge", "one-line-20MB.txt")(lambda: b"a" * (20 << 20))
    add("huge", "quote-unclosed.csv")(lambda: (header + '\n"' + "x," * 1_000_000).encode())
    add("huge", "deep-json-list.json")(lambda: b'{"projects":' + b"[" * 100_000 + b"]" * 100_000 + b"}")
    add("huge", "deep-json-obj.json")(lambda: b'{"a":' * 200_000 + b"1" + b"}" * 200_000)
    add("huge", "json-50000-projects.json")(lambda: json.dumps({"schema": "indicatorqa/1", "projects": [
        {"name": str(i), "indicators": [{"name": "a", "value": "≥1次"}]} for i in range(50_000)]}).encode())
    add("huge", "dimension-claims-1M.xlsx")(lambda: rezip(xlsx, {"xl/worksheets/sheet1.xml": re.sub(
        rb'<dimension ref="[^"]*"/>', b'<dimension ref="A1:XFD1048576"/>', sheet_xml)}))
    add("huge", "far-cell.xlsx")(lambda: rezip(xlsx, {"xl/worksheets/sheet1.xml": sheet_xml.replace(
        b"</sheetData>", b'<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row></sheetData>')}))
    add("huge", "merge-whole-sheet.xlsx")(lambda: rezip(xlsx, {"xl/worksheets/sheet1.xml": sheet_xml.replace(
        b"</worksheet>", b'<mergeCells count="1"><mergeCell ref="A1:XFD1048576"/></mergeCells></worksheet>')}))

    @add("huge", "rows-250000.xlsx")
    def _():
        many = b"".join(b'<row r="%d"><c r="A%d" t="inlineStr"><is><t>x</t></is></c></row>' % (i, i) for i in range(2, 250_002))
        return rezip(xlsx, {"xl/worksheets/sheet1.xml": sheet_xml.replace(b"</sheetData>", many + b"</sheetData>")})

    return out


# ---------------------------------------------------------------------------
# Generation


class Generator:
    def __init__(self, rng: random.Random, samples: dict[str, bytes]) -> None:
        self.rng = rng
        self.samples = samples
        self.pool = list(samples.values())
        self.hostile = hostile_inputs(samples)
        self.hostile_next = {"bomb": 0, "huge": 0}
        self.office = {k: v for k, v in samples.items() if v.startswith(b"PK")}
        self.text = {k: v for k, v in samples.items() if not v.startswith((b"PK", b"\xd0\xcf"))}
        self.weights = [(k, w) for k, w in FAMILIES.items()]

    def family(self) -> str:
        keys, weights = zip(*self.weights)
        return self.rng.choices(keys, weights)[0]

    def next(self) -> tuple[str, str, object]:
        fam = self.family()
        return (fam, *getattr(self, "gen_" + fam)())

    def gen_random(self):
        data = os.urandom(self.rng.randint(0, 4096))
        prefix = self.rng.choice((b"", b"", b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", b"\xef\xbb\xbf", b"{", b"<html><table>"))
        return "random", prefix + data

    def gen_mutate(self):
        name = self.rng.choice(list(self.samples))
        return f"mutate:{name}", mutate_bytes(self.rng, self.samples[name], self.pool)

    def gen_zipxml(self):
        name = self.rng.choice(list(self.office))
        data = self.office[name]
        zf = zipfile.ZipFile(io.BytesIO(data))
        names = [n for n in zf.namelist() if n.endswith((".xml", ".rels"))]
        # Mostly the parts that carry the table.
        main = [n for n in names if n in ("word/document.xml", "xl/worksheets/sheet1.xml", "xl/sharedStrings.xml", "xl/workbook.xml")]
        member = self.rng.choice(main if main and self.rng.random() < 0.7 else names)
        replace = {member: mutate_xml(self.rng, zf.read(member))}
        if self.rng.random() < 0.1:
            replace[self.rng.choice(names)] = None  # and drop a part
        return f"zipxml:{name}:{member}", rezip(data, replace)

    def _fixed(self, fam):
        items = [h for h in self.hostile if h[0] == fam]
        i = self.hostile_next[fam] % len(items)
        self.hostile_next[fam] += 1
        _, name, build = items[i]
        return name, build

    def gen_bomb(self):
        return self._fixed("bomb")

    def gen_huge(self):
        return self._fixed("huge")

    def gen_encoding(self):
        rng = self.rng
        name = rng.choice([k for k in self.text if k not in ("json", "json_eval")] + ["json"])
        raw = self.samples[name]
        try:
            text = raw.decode("utf-8", "ignore")  # the samples are cut at 8,000 bytes
        except UnicodeDecodeError:
            text = raw.decode("gb18030", "ignore")
        if name == "csv":
            text = raw.decode("gb18030", "ignore")
        op = rng.randrange(7)
        if op == 0:  # UTF-8 with GBK inserts
            enc = text.encode("utf-8")
            for _ in range(rng.randint(1, 5)):
                i = rng.randrange(len(enc) + 1)
                enc = enc[:i] + rng.choice(("指标值", "万元", "满意度≥90%", "项目")).encode("gbk") + enc[i:]
            return f"enc:utf8+gbk:{name}", enc
        if op == 1:
            return f"enc:utf16le-nobom:{name}", text.encode("utf-16-le")
        if op == 2:
            return f"enc:utf16be-nobom:{name}", text.encode("utf-16-be")
        if op == 3:
            return f"enc:bom+gbk:{name}", b"\xef\xbb\xbf" + text.encode("gb18030")
        if op == 4:
            return f"enc:gb18030+4byte:{name}", (text + "𠀀𪚥€").encode("gb18030")
        if op == 5:
            return f"enc:utf16-bom+odd:{name}", b"\xff\xfe" + text.encode("utf-16-le")[:-1]
        enc = bytearray(text.encode("utf-8"))
        for _ in range(rng.randint(1, 20)):
            enc.insert(rng.randrange(len(enc) + 1), rng.choice((0x80, 0xC0, 0xFE, 0xFF, 0xED, 0xA0, 0x1B, 0x0B)))
        return f"enc:stray-bytes:{name}", bytes(enc)

    def gen_value(self):
        rng = self.rng
        parts = ["≥", "≤", ">=", "<", "＞", "不少于", "不低于", "及以上", "以内", "大于等于", "约", "-", "~", "至", "±",
                 "1", "0", "95", "100", "1.5", "1e9", "１２", "三", "二十", "〇", "亿", "万", "%", "百分比", "‰",
                 "次", "人次", "万元", "元/人·月", "家", "篇", "年", "月", "日", "2025年12月31日前", "前", "底",
                 "优", "良", "是", "否", "提升", "满意", "(", ")", "（", "）", " ", "\u3000", "\u200b", "\n",
                 "..", "。", "，", "、", "/", "×", "*", "9" * 50, "\x00"]
        if rng.random() < 0.2:
            text = "".join(chr(rng.randrange(0x20, 0x3100)) for _ in range(rng.randint(0, 60)))
        else:
            text = "".join(rng.choice(parts) for _ in range(rng.randint(0, 25)))
        cell = rng.choice((text, rng.random() * 10 ** rng.randint(-5, 12), rng.randint(-10, 60000), None, True, float("nan"), float("inf")))
        fmt = rng.choice((None, "0%", "0.00%", "yyyy-mm-dd", "General", "@", '0.0"万元"', "[$-804]yyyy年m月d日"))
        return "value", ("value", text, cell, fmt)


# ---------------------------------------------------------------------------
# Worker


def _warm_imports() -> None:
    import indicatorqa.readers as r
    from indicatorqa import values  # noqa: F401
    from indicatorqa.readers import csvfile, docx, jsonfile, markup, officezip, seedtext, selfeval, xls, xlsx  # noqa: F401
    from indicatorqa.render import jsonout  # noqa: F401

    values.parse_value("≥1次")
    r.read_bytes("一级指标,二级指标,三级指标,绩效指标描述,指标值\n产出指标,数量指标,a,b,≥1次\n".encode(), "warm.csv")


def _vmsize_bytes() -> int:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmSize:"):
                return int(line.split()[1]) * 1024
    return 0


def _worker(conn, mem_limit: int) -> None:
    # Cap the address space: what the process already maps plus the allowed growth.
    limit = _vmsize_bytes() + mem_limit
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    from indicatorqa import values
    from indicatorqa.readers import read_bytes
    from indicatorqa.render.jsonout import build_report, report_to_json

    base_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    conn.send(("ready", base_rss))
    while True:
        try:
            msg = conn.recv()
        except EOFError:
            return
        if msg is None:
            return
        name, payload = msg
        t0 = time.perf_counter()
        status, detail = "ok", ""
        try:
            if isinstance(payload, tuple):
                _, text, cell, fmt = payload
                values.parse_value(text)
                values.from_cell(cell, fmt)
                values.join_value_columns(text[:3], text, text[-2:], None)
                status = "ok"
            else:
                doc = read_bytes(payload, name)
                # Whatever a reader returns must also render as the JSON contract.
                report_to_json(build_report(doc.projects, []), with_analysis=False)
        except InputError as exc:
            status, detail = "input_error", str(exc)[:200]
            if not exc.message:
                status, detail = "crash", "InputError without a message"
        except MemoryError:
            status, detail = "memory", "MemoryError"
        except RecursionError:
            status, detail = "crash", "RecursionError"
        except BaseException as exc:  # noqa: BLE001 - this is what we are looking for
            tb = traceback.extract_tb(exc.__traceback__)
            where = next((f"{Path(f.filename).name}:{f.lineno}" for f in reversed(tb) if "indicatorqa" in f.filename), "?")
            status, detail = "crash", f"{type(exc).__name__} at {where}: {str(exc)[:160]}"
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        try:
            conn.send((status, detail, time.perf_counter() - t0, rss))
        except MemoryError:
            os._exit(3)


class Pool:
    """One forked worker at a time; killed and replaced after a hang or death."""

    def __init__(self, mem_limit: int, recycle: int = 200) -> None:
        self.ctx = mp.get_context("fork")
        self.mem_limit = mem_limit
        self.recycle = recycle
        self.proc = None
        self.peak_rss_kb = 0
        self.base_rss_kb = 0
        self.restarts = 0

    def _start(self):
        parent, child = self.ctx.Pipe()
        self.proc = self.ctx.Process(target=_worker, args=(child, self.mem_limit), daemon=True)
        self.proc.start()
        child.close()
        self.conn = parent
        tag, base = self.conn.recv()
        self.base_rss_kb = max(self.base_rss_kb, base)
        self.served = 0

    def _stop(self, kill=False):
        if self.proc is None:
            return
        if kill:
            self.proc.kill()
        else:
            try:
                self.conn.send(None)
            except OSError:
                pass
        self.proc.join(5)
        if self.proc.is_alive():
            self.proc.kill()
            self.proc.join()
        self.conn.close()
        self.proc = None

    def run(self, name: str, payload, timeout: float):
        if self.proc is None or self.served >= self.recycle:
            self._stop()
            self._start()
            self.restarts += 1
        self.served += 1
        t0 = time.perf_counter()
        try:
            self.conn.send((name, payload))
        except (BrokenPipeError, OSError):
            self._stop(kill=True)
            return "died", "worker gone before input was sent", 0.0
        if not self.conn.poll(timeout):
            self._stop(kill=True)
            return "hang", f"no answer within {timeout:g} s", time.perf_counter() - t0
        try:
            status, detail, elapsed, rss = self.conn.recv()
        except (EOFError, OSError):
            code = self.proc.exitcode if self.proc else None
            self._stop(kill=True)
            return "died", f"worker died (exit {code})", time.perf_counter() - t0
        self.peak_rss_kb = max(self.peak_rss_kb, rss)
        if rss > self.base_rss_kb + 300 * 1024:
            self.served = self.recycle  # a big input: start fresh so peaks are not inherited
        return status, detail, elapsed

    def close(self):
        self._stop()


# ---------------------------------------------------------------------------
# atheris


ATHERIS_TARGET = r'''
import sys
sys.path.insert(0, {root!r})
import atheris
with atheris.instrument_imports(include=["indicatorqa"]):
    from indicatorqa.readers import read_bytes
    from indicatorqa.readers import csvfile, docx, jsonfile, markup, officezip, seedtext, selfeval, xls, xlsx, grid, flat, form
    from indicatorqa import values
from indicatorqa.errors import InputError

def one(data):
    try:
        read_bytes(data, "atheris")
    except InputError:
        pass
    if len(data) < 400:
        fdp = atheris.FuzzedDataProvider(data)
        try:
            values.parse_value(fdp.ConsumeUnicodeNoSurrogates(200))
        except InputError:
            pass

atheris.Setup(sys.argv, one)
atheris.Fuzz()
'''


def run_atheris(seconds: int, timeout: int, rss_mb: int, samples: dict[str, bytes], workdir: Path) -> dict:
    try:
        import atheris  # noqa: F401
    except ImportError as exc:
        return {"available": False, "note": f"atheris not importable: {exc}"}
    corpus = workdir / "atheris-corpus"
    corpus.mkdir(parents=True, exist_ok=True)
    for name, data in samples.items():
        (corpus / name).write_bytes(data)
    target = workdir / "atheris_target.py"
    target.write_text(ATHERIS_TARGET.format(root=str(ROOT)))
    artifacts = workdir / "atheris-artifacts"
    artifacts.mkdir(exist_ok=True)
    cmd = [sys.executable, str(target), f"-max_total_time={seconds}", f"-timeout={timeout}", f"-rss_limit_mb={rss_mb}",
           f"-artifact_prefix={artifacts}/", "-max_len=65536", "-print_final_stats=1", str(corpus)]
    t0 = time.time()
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + 120, cwd=str(ROOT))
    log = proc.stderr
    execs = re.findall(r"stat::number_of_executed_units:\s*(\d+)", log)
    peak = re.findall(r"stat::peak_rss_mb:\s*(\d+)", log)
    cov = re.findall(r"cov: (\d+)", log)
    crashed = proc.returncode != 0
    result = {
        "available": True,
        "seconds": round(time.time() - t0, 1),
        "executions": int(execs[-1]) if execs else None,
        "peak_rss_mb": int(peak[-1]) if peak else None,
        "coverage_edges": int(cov[-1]) if cov else None,
        "returncode": proc.returncode,
        "crash": crashed,
    }
    if crashed:
        tail = [l for l in log.splitlines() if "Error" in l or "Traceback" in l or "ERROR" in l or "File " in l]
        result["log_tail"] = tail[-20:]
        result["artifacts"] = [str(p) for p in artifacts.iterdir()]
    return result


# ---------------------------------------------------------------------------


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seconds", type=float, default=60, help="total time budget")
    ap.add_argument("--max-per-file-seconds", type=float, default=10, help="per-input timeout (a hang)")
    ap.add_argument("--mem-mb", type=int, default=1024, help="address-space growth allowed per worker (RLIMIT_AS)")
    ap.add_argument("--seed", type=int, default=None)
    ap.add_argument("--atheris", choices=["auto", "on", "off"], default="auto")
    ap.add_argument("--atheris-share", type=float, default=0.3, help="share of --seconds given to atheris")
    ap.add_argument("--save-dir", default=None, help="keep crashing/hanging inputs here")
    ap.add_argument("--json", default=None, help="write the figures as JSON")
    ap.add_argument("-q", "--quiet", action="store_true")
    args = ap.parse_args(argv)

    seed = args.seed if args.seed is not None else random.randrange(1 << 30)
    rng = random.Random(seed)
    start = time.time()
    log = (lambda *a: None) if args.quiet else (lambda *a: print(*a, file=sys.stderr, flush=True))

    samples = build_samples()
    _warm_imports()
    gen = Generator(rng, samples)
    log(f"fuzz: seed {seed}, {len(samples)} samples, {len(gen.hostile)} hostile inputs built in {time.time() - start:.1f}s")

    use_atheris = args.atheris == "on"
    if args.atheris == "auto":
        try:
            import atheris  # noqa: F401

            use_atheris = True
        except ImportError:
            use_atheris = False
    atheris_seconds = int(args.seconds * args.atheris_share) if use_atheris else 0
    own_deadline = start + args.seconds - atheris_seconds

    pool = Pool(args.mem_mb * 1024 * 1024)
    counts: dict[str, dict[str, int]] = {}
    problems: list[dict] = []
    slowest = (0.0, "")
    save = Path(args.save_dir) if args.save_dir else None
    tried = 0
    # Every hostile input once first, then the weighted mix.
    queue = [(fam, name, data) for fam, name, data in gen.hostile]
    try:
        while time.time() < own_deadline:
            # Hostile inputs interleaved with the mix (one in three), so that a short run sees both.
            fam, name, payload = queue.pop(0) if queue and tried % 3 == 0 else gen.next()
            remaining = own_deadline - time.time()
            # Bombs and huge tables are allowed 3x the time: they are meant to be slow to refuse.
            timeout = args.max_per_file_seconds * (3 if fam in ("bomb", "huge") else 1)
            if callable(payload):
                payload = payload()
            status, detail, elapsed = pool.run(name, payload, timeout)
            tried += 1
            c = counts.setdefault(fam, {})
            c[status] = c.get(status, 0) + 1
            if elapsed > slowest[0]:
                slowest = (elapsed, name)
            if status not in ("ok", "input_error"):
                problems.append({"family": fam, "input": name, "status": status, "detail": detail})
                log(f"  {status}: {name}: {detail}")
                if save is not None and not isinstance(payload, tuple):
                    save.mkdir(parents=True, exist_ok=True)
                    (save / f"{len(problems):04d}-{status}-{re.sub(r'[^A-Za-z0-9._-]', '_', name)[:60]}").write_bytes(payload)
            if remaining < 0:
                break
    finally:
        pool.close()

    atheris_result = None
    if use_atheris:
        with tempfile.TemporaryDirectory() as tmp:
            left = max(5, int(start + args.seconds - time.time()) - 3)  # libFuzzer start-up and exit
            atheris_result = run_atheris(left, int(args.max_per_file_seconds), 2048, samples, Path(tmp))
            if atheris_result.get("crash"):
                problems.append({"family": "atheris", "input": "-", "status": "crash", "detail": atheris_result.get("log_tail")})

    kinds = {"crash", "hang", "memory", "died"}
    summary = {
        "seed": seed,
        "seconds": round(time.time() - start, 1),
        "inputs": tried,
        "by_family": counts,
        "crashes": sum(1 for p in problems if p["status"] in ("crash", "died")),
        "hangs": sum(1 for p in problems if p["status"] == "hang"),
        "memory_blowups": sum(1 for p in problems if p["status"] == "memory"),
        "worker_baseline_rss_mb": round(pool.base_rss_kb / 1024, 1),
        "worker_peak_rss_mb": round(pool.peak_rss_kb / 1024, 1),
        "address_space_limit_growth_mb": args.mem_mb,
        "per_input_timeout_s": args.max_per_file_seconds,
        "slowest_input": {"name": slowest[1], "seconds": round(slowest[0], 2)},
        "problems": problems[:50],
        "atheris": atheris_result,
    }
    if args.json:
        Path(args.json).write_text(json.dumps(summary, ensure_ascii=False, indent=2), encoding="utf-8")
    print(json.dumps(summary, ensure_ascii=False, indent=None if args.quiet else 2))
    return 1 if any(p["status"] in kinds for p in problems) else 0


if __name__ == "__main__":
    sys.exit(main())
