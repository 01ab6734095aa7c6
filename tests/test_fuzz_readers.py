"""Fuzzing the readers: whatever the bytes, only InputError may come out of read_bytes.

Random bytes and text exercise the dispatch and the text readers; mutations of real
files (the seeds, a .docx and an .xlsx built from them) get past the first checks
and into the zip, XML, grid and interpreter code. Mutating the XML inside a valid
package (rather than the compressed bytes, which mostly just fail the CRC) is what
reaches the table code. Examples are bounded so that the suite stays fast.
"""

from __future__ import annotations

import io
import zipfile
from functools import cache
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import builders as B
from indicatorqa.errors import InputError
from indicatorqa.readers import read_bytes, read_paths
from indicatorqa.readers.csvfile import read_csv
from indicatorqa.readers.jsonfile import read_json
from indicatorqa.render.jsonout import build_report, report_to_json

FUZZ = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
FUZZ_SLOW = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def only_input_error(data: bytes, name: str = "fuzz") -> None:
    try:
        read_bytes(data, name)
    except InputError as exc:
        assert str(exc), "an InputError must say what is wrong"


@cache
def seed_projects():
    return read_paths(["corpus/seeds"]).projects


@cache
def samples() -> dict[str, bytes]:
    targets = [p for p in seed_projects() if p.kind == "target"][:3]
    return {
        "seed": Path("corpus/seeds/000_cab285404ad495ca.txt").read_bytes()[:6000],
        "selfeval": Path("corpus/seeds/003_a3cb9191b7c11910.txt").read_bytes()[:6000],
        "docx": B.docx_bytes(targets[:2]),
        "xlsx_form": B.xlsx_bytes(lambda wb: B.write_form_sheet(wb.active, targets[:2])),
        "xlsx_flat": B.xlsx_bytes(lambda wb: B.write_flat_sheet(wb.active, targets, merge_projects=True)),
        "csv": B.csv_text(targets).encode("gbk"),
        "json": report_to_json(build_report(targets[:2]), with_analysis=False).encode("utf-8"),
        "html": B.html_text(targets[:2]).encode("utf-8"),
    }


@st.composite
def mutated(draw, name: str) -> bytes:
    """Flip, truncate, insert, delete or duplicate bytes of the sample ``name``."""
    data = bytearray(samples()[name])
    for _ in range(draw(st.integers(1, 4))):
        if not data:
            break
        op = draw(st.sampled_from(["flip", "truncate", "insert", "delete", "duplicate"]))
        pos = draw(st.integers(0, len(data) - 1))
        if op == "flip":
            data[pos] ^= draw(st.integers(1, 255))
        elif op == "truncate":
            del data[pos:]
        elif op == "insert":
            data[pos:pos] = draw(st.binary(min_size=1, max_size=16))
        elif op == "delete":
            del data[pos : pos + draw(st.integers(1, 64))]
        else:
            end = min(len(data), pos + draw(st.integers(1, 200)))
            data[pos:pos] = data[pos:end]
    return bytes(data)


def _replace_member(package: bytes, name: str, content: bytes) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(package))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            target.writestr(info.filename, content if info.filename == name else source.read(info.filename))
    return out.getvalue()


_XML_NOISE = [b"<w:tc>", b"</w:tc>", b"<w:tr>", b"</w:tr>", b'<w:gridSpan w:val="9999"/>', b'<w:vMerge/>',
              b'<w:vMerge w:val="restart"/>', b"<w:tbl>", b"</w:tbl>", b'<w:gridBefore w:val="-3"/>',
              b'<mergeCell ref="A1:XFD1048576"/>', b'<c r="ZZZ99999999" t="s"><v>999</v></c>', b'<row r="0">',
              b"<v>1e308</v>", b'<c t="n"><v>nan</v></c>', b"&amp;", b"\xe4\xb8\x89\xe7\xba\xa7\xe6\x8c\x87\xe6\xa0\x87"]


def _member(name: str, part: str) -> bytes | None:
    members = zipfile.ZipFile(io.BytesIO(samples()[name]))
    return members.read(part) if part in members.namelist() else None


@st.composite
def xml_mutated(draw, name: str, part: str) -> bytes:
    """Byte-level mutations of an XML part: cut, duplicate, or splice in markup."""
    data = bytearray(_member(name, part))
    for _ in range(draw(st.integers(1, 3))):
        pos = draw(st.integers(0, len(data)))
        op = draw(st.sampled_from(["noise", "cut", "duplicate"]))
        if op == "noise":
            data[pos:pos] = draw(st.sampled_from(_XML_NOISE))
        elif op == "cut":
            del data[pos : pos + draw(st.integers(1, 400))]
        else:
            data[pos:pos] = data[pos : pos + draw(st.integers(1, 2000))]
    return bytes(data)


@st.composite
def element_mutated(draw, name: str, part: str) -> bytes:
    """Well-formed mutations: remove, duplicate or move elements, rewrite attributes and text.

    Byte-level cuts mostly just break the XML; these keep it parseable, so the
    table code sees odd spans, merges, row numbers and texts.
    """
    from copy import deepcopy

    from lxml import etree

    root = etree.fromstring(_member(name, part))
    for _ in range(draw(st.integers(1, 6))):
        elements = [el for el in root.iter() if isinstance(el.tag, str)]
        el = elements[draw(st.integers(0, len(elements) - 1))]
        parent = el.getparent()
        op = draw(st.sampled_from(["remove", "duplicate", "move", "attribute", "text"]))
        if op == "remove" and parent is not None:
            parent.remove(el)
        elif op == "duplicate" and parent is not None:
            for _ in range(draw(st.integers(1, 3))):
                el.addnext(deepcopy(el))
        elif op == "move" and parent is not None:
            target = elements[draw(st.integers(0, len(elements) - 1))]
            if el not in target.iterancestors() and target is not el:
                parent.remove(el)
                target.append(el)
        elif op == "attribute" and el.attrib:
            key = draw(st.sampled_from(sorted(el.attrib)))
            el.set(key, draw(st.sampled_from(["0", "-1", "2", "9999", "restart", "continue", "", "A1:C3", "XFD1048576",
                                               "1e9", "B2", "s", "n", "d", "b", "e", "str", "inlineStr"])))
        else:
            el.text = draw(st.sampled_from(_TEXTS))
    return etree.tostring(root)


@FUZZ
@given(st.binary(max_size=4096))
def test_random_bytes(data):
    only_input_error(data)


@FUZZ
@given(st.binary(max_size=2048))
def test_random_bytes_behind_container_magic(data):
    only_input_error(b"PK\x03\x04" + data)
    only_input_error(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + data)


@FUZZ
@given(st.text(max_size=2000))
def test_random_text(text):
    for encoding in ("utf-8", "gb18030"):
        try:
            data = text.encode(encoding)
        except UnicodeEncodeError:
            continue
        only_input_error(data)


_TOKENS = ["一级指标", "二级指标", "三级指标", "绩效指标描述", "指标值", "指标值确定依据", "单位", "项目名称", "预算数",
           "绩效目标", "计算符号", "计量单位", "指标方向", "正向", "实际完成值", "得分", "分值", "≥", "20", "万元", "%",
           "产出指标", "数量指标", ",", ",", "\t", "\t", "\n", "\n", "\r\n", '"', '""', ";", "{", "}", "[", "]", ":",
           "1.", "（1）", "单位：万元", "项目名称：", "\x00", "\ufeff", "绩效目标表", "<table>", "<tr>", "<td>",
           "</td>", "<td rowspan='99999'>", "<td colspan='300'>", "<th>"]
_TEXTS = [t for t in _TOKENS if t.isprintable()] + ["", "1", "0.5", "-7", "2025-12-31", "45000", "#REF!"]


@FUZZ
@given(st.lists(st.sampled_from(_TOKENS), max_size=300))
def test_table_like_text(tokens):
    text = "".join(tokens)
    only_input_error(text.encode("utf-8"))
    try:
        read_csv(text, "fuzz.csv")
    except InputError:
        pass


@FUZZ
@given(st.data())
def test_mutated_seed_text_csv_and_json(data):
    name = data.draw(st.sampled_from(["seed", "selfeval", "csv", "json", "html"]))
    only_input_error(data.draw(mutated(name)), name)


@FUZZ_SLOW
@given(st.data())
def test_mutated_office_bytes(data):
    name = data.draw(st.sampled_from(["docx", "xlsx_form", "xlsx_flat"]))
    only_input_error(data.draw(mutated(name)), name)


@FUZZ_SLOW
@given(st.data())
def test_mutated_xml_inside_valid_packages(data):
    name, part = data.draw(
        st.sampled_from(
            [
                ("docx", "word/document.xml"),
                ("xlsx_form", "xl/worksheets/sheet1.xml"),
                ("xlsx_flat", "xl/worksheets/sheet1.xml"),
                ("xlsx_flat", "xl/sharedStrings.xml"),
                ("xlsx_form", "xl/workbook.xml"),
                ("docx", "_rels/.rels"),
            ]
        )
    )
    if _member(name, part) is None:
        return
    mutate = data.draw(st.sampled_from([xml_mutated, element_mutated]))
    only_input_error(_replace_member(samples()[name], part, data.draw(mutate(name, part))), name)


@FUZZ
@given(st.recursive(st.none() | st.booleans() | st.floats(allow_nan=False) | st.integers() | st.text(max_size=20),
                    lambda children: st.lists(children, max_size=5) | st.dictionaries(
                        st.sampled_from(["schema", "projects", "name", "indicators", "value", "budget", "goals",
                                         "number", "text", "source", "line", "kind", "evaluation", "findings", "x"]),
                        children, max_size=6),
                    max_leaves=30))
def test_random_json_structures(value):
    import json

    try:
        read_json(json.dumps(value, ensure_ascii=False), "fuzz.json")
    except InputError:
        pass
