"""A form drawn inside a Word text box: the table is found, read once (Word stores each
box twice, as a drawing and as a VML fallback), and takes the title above it."""

from __future__ import annotations

import copy

import docx
from lxml import etree

from indicatorqa.readers import read_file

_NS = {
    "w": "http://schemas.openxmlformats.org/wordprocessingml/2006/main",
    "mc": "http://schemas.openxmlformats.org/markup-compatibility/2006",
    "wp": "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing",
    "a": "http://schemas.openxmlformats.org/drawingml/2006/main",
    "wps": "http://schemas.microsoft.com/office/word/2010/wordprocessingShape",
    "v": "urn:schemas-microsoft-com:vml",
}
_ROWS = [
    ["项目名称", "社区居家养老服务补助", "", ""],
    ["一级指标", "二级指标", "三级指标", "指标值"],
    ["产出指标", "数量指标", "享受服务补贴老年人数", "≥3500人"],
    ["产出指标", "质量指标", "服务质量抽查合格率", "≥95%"],
    ["满意度指标", "服务对象满意度指标", "服务对象满意度", "≥90%"],
]


def _el(path: str):
    """Nested elements from 'w:r/mc:AlternateContent/...'; returns (outer, inner)."""
    outer = inner = None
    for step in path.split("/"):
        prefix, name = step.split(":")
        el = etree.Element(f"{{{_NS[prefix]}}}{name}", nsmap=_NS)
        if inner is not None:
            inner.append(el)
        outer = outer if outer is not None else el
        inner = el
    return outer, inner


def _titled_document_and_table():
    """A document with the title paragraph, and the form's table taken out of the body (to be
    put into a text box)."""
    document = docx.Document()
    document.add_paragraph("2025年项目支出绩效目标表")
    table = document.add_table(rows=len(_ROWS), cols=4)
    for r, values in enumerate(_ROWS):
        for c, value in enumerate(values):
            table.cell(r, c).text = value
    tbl = table._tbl
    tbl.getparent().remove(tbl)
    return document, tbl


def _document_with_boxed_table(tmp_path, with_fallback: bool = True):
    document, tbl = _titled_document_and_table()
    anchor = document.add_paragraph("")._p
    run, alternate = _el("w:r/mc:AlternateContent")
    anchor.append(run)
    choice, box = _el("mc:Choice/w:drawing/wp:anchor/a:graphic/a:graphicData/wps:wsp/wps:txbx/w:txbxContent")
    box.append(copy.deepcopy(tbl))
    alternate.append(choice)
    if with_fallback:
        fallback, vml_box = _el("mc:Fallback/w:pict/v:shape/v:textbox/w:txbxContent")
        vml_box.append(copy.deepcopy(tbl))
        alternate.append(fallback)
    path = tmp_path / "boxed.docx"
    document.save(path)
    return read_file(path)


def test_table_inside_a_text_box_is_read_once_with_its_project(tmp_path):
    (project,) = _document_with_boxed_table(tmp_path).projects
    assert project.name == "社区居家养老服务补助"
    assert [(i.name, i.value) for i in project.indicators] == [(r[2], r[3]) for r in _ROWS[2:]]


def test_text_box_without_fallback_is_read_too(tmp_path):
    (project,) = _document_with_boxed_table(tmp_path, with_fallback=False).projects
    assert len(project.indicators) == 3


def test_table_in_a_box_inside_another_box_is_read_once(tmp_path):
    document, tbl = _titled_document_and_table()
    inner_run, inner_box = _el("w:r/w:drawing/wp:anchor/a:graphic/a:graphicData/wps:wsp/wps:txbx/w:txbxContent")
    inner_box.append(tbl)
    inner_p, _ = _el("w:p")
    inner_p.append(inner_run)
    outer_run, outer_box = _el("w:r/w:drawing/wp:anchor/a:graphic/a:graphicData/wps:wsp/wps:txbx/w:txbxContent")
    outer_box.append(inner_p)
    document.add_paragraph("")._p.append(outer_run)
    path = tmp_path / "nested.docx"
    document.save(path)
    (project,) = read_file(path).projects
    assert len(project.indicators) == 3
