"""Office, CSV and JSON readers: files built from the seed rows read back identically."""

from __future__ import annotations

import datetime as dt
import io

import pytest

import builders as B
from indicatorqa.model import Finding, Indicator, Project, Suggestion
from indicatorqa.readers import read_bytes, read_file, read_paths, read_text
from indicatorqa.readers import docx as docx_reader
from indicatorqa.readers import grid
from indicatorqa.render.jsonout import build_report, report_to_json


@pytest.fixture(scope="module")
def seed_documents():
    result = read_paths(["corpus/seeds"])
    assert not result.errors
    return [d for d in result.documents if any(p.kind == "target" for p in d.projects)]


def _targets(document):
    return [p for p in document.projects if p.kind == "target"]


def assert_same(expected: list[Project], got: list[Project], **meta_options) -> None:
    assert len(got) == len(expected)
    for a, b in zip(expected, got):
        assert B.indicator_rows(b) == B.indicator_rows(a), a.name
        assert B.project_meta(b, **meta_options) == B.project_meta(a, **meta_options), a.name


FLAT_META = {"with_plan": False, "with_title": False, "with_use": False}


# ---------------------------------------------------------------------------
# .docx


def test_docx_form_tables_read_back_identically(seed_documents):
    total = 0
    for document in seed_documents:
        targets = _targets(document)
        doc = read_bytes(B.docx_bytes(targets), "绩效目标.docx")
        assert doc.format == "docx"
        assert_same(targets, doc.projects)
        total += sum(len(p.indicators) for p in doc.projects)
        for project in doc.projects:
            for ind in project.indicators:
                assert ind.source.file == "绩效目标.docx" and ind.source.table and ind.source.line
    assert total == 386


def test_docx_is_recognised_by_content_not_name(seed_documents, tmp_path):
    targets = _targets(seed_documents[0])[:2]
    path = tmp_path / "导出结果.txt"
    path.write_bytes(B.docx_bytes(targets, extra_tables=False))
    doc = read_file(path)
    assert doc.format == "docx"
    assert [p.name for p in doc.projects] == [p.name for p in targets]


def _docx_with(build) -> bytes:
    import docx

    document = docx.Document()
    build(document)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def test_docx_merged_cells_are_read_once_and_blank_below():
    def build(document):
        table = document.add_table(rows=3, cols=4)
        table.cell(0, 0).merge(table.cell(0, 3)).text = "项目名称 跨四列"
        table.cell(1, 0).merge(table.cell(2, 0)).text = "产出指标"
        table.cell(1, 1).merge(table.cell(1, 2)).text = "跨两列"
        table.cell(1, 3).text = "a"
        table.cell(2, 1).text = "b"

    from lxml import etree

    root = etree.fromstring(_unzip(_docx_with(build), "word/document.xml"))
    tbl = next(el for el in root.iter() if el.tag.endswith("}tbl"))
    g = docx_reader.table_grid(tbl)
    assert g.form_rows() == [["项目名称 跨四列"], ["产出指标", "跨两列", "a"], ["", "b", "", ""]]
    assert g.flat_rows() == [["项目名称 跨四列"] * 4, ["产出指标", "跨两列", "跨两列", "a"], ["产出指标", "b", "", ""]]


def _unzip(data: bytes, name: str) -> bytes:
    import zipfile

    return zipfile.ZipFile(io.BytesIO(data)).read(name)


def test_docx_nested_table_and_heading_inside_layout_cell(seed_documents):
    project = _targets(seed_documents[0])[0]
    inner = B.docx_bytes([project], extra_tables=False)

    from lxml import etree

    inner_root = etree.fromstring(_unzip(inner, "word/document.xml"))
    body = next(el for el in inner_root if el.tag.endswith("}body"))
    inner_tbl = next(el for el in body if el.tag.endswith("}tbl"))

    def build(document):
        outer = document.add_table(rows=1, cols=1)
        cell = outer.cell(0, 0)
        cell.text = B.heading(project, 1)
        cell._tc.append(inner_tbl)
        cell.add_paragraph("")  # a cell must end with a paragraph

    doc = read_bytes(_docx_with(build), "nested.docx")
    assert_same([project], doc.projects)


def test_docx_tracked_changes_and_content_controls():
    """Inserted text counts, deleted text does not; rows inside content controls are read."""
    from docx.oxml import parse_xml

    w = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'

    def row(*cells):
        return "<w:tr>" + "".join(f"<w:tc><w:p><w:r><w:t>{c}</w:t></w:r></w:p></w:tc>" for c in cells) + "</w:tr>"

    tracked = (
        "<w:tr><w:tc><w:p><w:r><w:t>满意度</w:t></w:r></w:p></w:tc>"
        "<w:tc><w:p><w:ins><w:r><w:t>≥95%</w:t></w:r></w:ins><w:del><w:r><w:delText>提升</w:delText></w:r></w:del></w:p></w:tc></w:tr>"
    )
    xml = (
        f"<w:tbl {w}><w:tblGrid><w:gridCol/><w:gridCol/></w:tblGrid>"
        + row("三级指标", "指标值")
        + tracked
        + f"<w:sdt><w:sdtContent>{row('培训人次', '≥500人次')}</w:sdtContent></w:sdt></w:tbl>"
    )

    def build(document):
        document.add_paragraph("培训项目绩效目标表")
        document.element.body.insert(1, parse_xml(xml))

    doc = read_bytes(_docx_with(build), "tracked.docx")
    (project,) = doc.projects
    assert [(i.name, i.value) for i in project.indicators] == [("满意度", "≥95%"), ("培训人次", "≥500人次")]
    assert project.name == "培训项目"


# ---------------------------------------------------------------------------
# .xlsx


def test_xlsx_form_sheet_with_stacked_forms_reads_back(seed_documents):
    for document in seed_documents:
        targets = _targets(document)

        def build(wb):
            ws = wb.active
            ws.title = "绩效目标表"
            B.write_form_sheet(ws, targets)

        doc = read_bytes(B.xlsx_bytes(build), "form.xlsx")
        assert doc.format == "xlsx"
        assert_same(targets, doc.projects)
        for project in doc.projects:
            for ind in project.indicators:
                assert ind.source.sheet == "绩效目标表" and ind.source.line


@pytest.mark.parametrize("merge_projects", [False, True])
def test_xlsx_flat_sheet_reads_back(seed_documents, merge_projects):
    targets = [p for d in seed_documents for p in _targets(d)]

    def build(wb):
        ws = wb.active
        ws.title = "汇总"
        B.write_flat_sheet(ws, targets, merge_projects=merge_projects)

    doc = read_bytes(B.xlsx_bytes(build), "flat.xlsx")
    assert_same(targets, doc.projects, **FLAT_META)
    first = doc.projects[0].indicators[0].source
    assert (first.sheet, first.line, first.row) == ("汇总", 2, 1)
    last = doc.projects[-1].indicators[-1].source
    assert last.line == 1 + sum(len(p.indicators) for p in targets)


def test_xlsx_sheets_hold_different_layouts(seed_documents):
    forms = _targets(seed_documents[0])[:2]
    flats = _targets(seed_documents[1])[:3]

    def build(wb):
        wb.active.title = "说明"
        wb.active["A1"] = "填报说明：本工作簿包含项目绩效目标。"
        B.write_form_sheet(wb.create_sheet("表单"), forms)
        B.write_flat_sheet(wb.create_sheet("清单"), flats)

    doc = read_bytes(B.xlsx_bytes(build), "mixed.xlsx")
    assert [p.name for p in doc.projects] == [p.name for p in forms + flats]
    assert {p.source.sheet for p in doc.projects} == {"表单", "清单"}
    assert [p.source.table for p in doc.projects] == [1, 2, 3, 3, 3]


def test_xlsx_cell_values_read_as_people_see_them():
    def build(wb):
        ws = wb.active
        ws.append(["三级指标", "指标值", "指标值确定依据"])
        ws.append(["完成率", 0.95, 1.0])
        ws.append(["完成时间", dt.datetime(2025, 12, 31), 0.1 + 0.2])
        ws.append(["培训人数", 500, True])
        ws.append(["金额", 12.5, "=1+1"])
        ws["B2"].number_format = "0%"
        ws["B3"].number_format = "yyyy-mm-dd"

    doc = read_bytes(B.xlsx_bytes(build), "values.xlsx")
    values = [(i.name, i.value, i.value_basis) for i in doc.projects[0].indicators]
    # A formula without a cached result (written by a library, never opened in Excel) reads blank.
    assert values == [
        ("完成率", "95%", "1"),
        ("完成时间", "2025年12月31日", "0.3"),
        ("培训人数", "500", "是"),
        ("金额", "12.5", ""),
    ]


def test_xlsx_split_value_columns_under_a_two_row_header():
    def build(wb):
        ws = wb.active
        ws.append(["项目名称", "一级指标", "二级指标", "三级指标", "指标值", None, None])
        ws.append([None, None, None, None, "计算符号", "指标值", "计量单位"])
        ws.merge_cells("E1:G1")
        for c in "ABCD":
            ws.merge_cells(f"{c}1:{c}2")
        ws.append(["科普项目", "产出指标", "数量指标", "科普活动场次", "≥", 20, "场"])
        ws.append([None, None, "质量指标", "活动覆盖率", ">=", 0.9, None])
        ws["F4"].number_format = "0%"
        ws.append([None, "满意度指标", "服务对象满意度指标", "参与者满意度", "正向", 90, "%"])

    doc = read_bytes(B.xlsx_bytes(build), "split.xlsx")
    (project,) = doc.projects
    assert project.name == "科普项目"
    got = [(i.level1, i.level2, i.name, i.value) for i in project.indicators]
    assert got == [
        ("产出指标", "数量指标", "科普活动场次", "≥20场"),
        ("产出指标", "质量指标", "活动覆盖率", ">=90%"),
        ("满意度指标", "服务对象满意度指标", "参与者满意度", "≥90%"),
    ]


def test_xlsx_large_flat_sheet_is_streamed_within_row_limit(monkeypatch):
    def build(wb):
        ws = wb.active
        ws.append(["项目名称", "三级指标", "指标值"])
        for i in range(3000):
            ws.append([f"项目{i // 10}", f"指标{i}", f"≥{i}次"])

    data = B.xlsx_bytes(build)
    doc = read_bytes(data, "big.xlsx")
    assert len(doc.projects) == 300 and sum(len(p.indicators) for p in doc.projects) == 3000
    monkeypatch.setattr(grid, "MAX_ROWS", 1000)
    from indicatorqa.errors import InputError

    with pytest.raises(InputError, match="1000 行"):
        read_bytes(data, "big.xlsx")


# ---------------------------------------------------------------------------
# .xls


def test_xls_flat_and_form_read_back(seed_documents):
    pytest.importorskip("xlwt")
    targets = _targets(seed_documents[2])
    rows = B.flat_rows(targets)
    doc = read_bytes(B.xls_bytes(rows, sheet="汇总"), "flat.xls")
    assert doc.format == "xls"
    assert_same(targets, doc.projects, **FLAT_META)
    assert doc.projects[0].indicators[0].source.sheet == "汇总"
    assert doc.projects[0].indicators[0].source.line == 2

    # A form with merged cells: 一级指标 merged down, the project name across.
    form = [
        ["XX项目绩效目标表", "", "", "", ""],
        ["项目名称", "科普讲座", "", "", ""],
        ["预算数", "12.00", "", "", ""],
        ["一级指标", "二级指标", "三级指标", "绩效指标描述", "指标值"],
        ["产出指标", "数量指标", "讲座场次", "全年举办讲座场次", "≥12场"],
        ["", "时效指标", "完成时间", "全部讲座完成时间", "2025年12月31日前"],
    ]
    merges = [(0, 0, 0, 4), (1, 1, 1, 4), (2, 2, 1, 4), (4, 5, 0, 0)]
    doc = read_bytes(B.xls_bytes(form, merges, sheet="表1"), "form.xls")
    (project,) = doc.projects
    assert (project.name, project.budget, project.title) == ("科普讲座", 12.0, "XX项目绩效目标表")
    assert [(i.level1, i.level2, i.name, i.value) for i in project.indicators] == [
        ("产出指标", "数量指标", "讲座场次", "≥12场"),
        ("产出指标", "时效指标", "完成时间", "2025年12月31日前"),
    ]
    assert [i.source.line for i in project.indicators] == [5, 6]


def test_xls_number_formats():
    xlwt = pytest.importorskip("xlwt")
    wb = xlwt.Workbook(encoding="utf-8")
    ws = wb.add_sheet("S")
    for c, text in enumerate(["三级指标", "指标值"]):
        ws.write(0, c, text)
    ws.write(1, 0, "完成率")
    ws.write(1, 1, 0.98, xlwt.easyxf(num_format_str="0%"))
    ws.write(2, 0, "完成时间")
    ws.write(2, 1, dt.datetime(2024, 6, 30), xlwt.easyxf(num_format_str="yyyy-mm-dd"))
    ws.write(3, 0, "场次")
    ws.write(3, 1, 12.0)
    buffer = io.BytesIO()
    wb.save(buffer)
    doc = read_bytes(buffer.getvalue(), "v.xls")
    assert [i.value for i in doc.projects[0].indicators] == ["98%", "2024年6月30日", "12"]


# ---------------------------------------------------------------------------
# CSV / TSV


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
@pytest.mark.parametrize("delimiter", [",", "\t"])
def test_csv_and_tsv_in_any_encoding_read_back(seed_documents, encoding, delimiter):
    targets = [p for d in seed_documents for p in _targets(d)]
    data = B.csv_text(targets, delimiter).encode(encoding)
    doc = read_bytes(data, "flat.txt")
    assert doc.format == ("tsv" if delimiter == "\t" else "csv")
    assert_same(targets, doc.projects, **FLAT_META)


def test_csv_quoted_multiline_cells_keep_their_start_line():
    text = (
        "项目名称,三级指标,绩效指标描述,指标值\n"
        '培训,培训人次,"全年培训\n覆盖全体职工",≥500人次\n'
        "培训,满意度,学员满意度,≥90%\n"
    )
    doc = read_text(text, "t.csv")
    first, second = doc.projects[0].indicators
    assert first.description == "全年培训\n覆盖全体职工"
    assert (first.source.line, second.source.line) == (2, 4)


def test_csv_header_synonyms_and_direction_columns():
    text = (
        "单位名称,项目,指标名称,指标解释,指标方向,目标值,计量单位\n"
        "市科技局,科普周,活动场次,全市举办活动场次,正向,20,场\n"
        ",,投诉次数,群众投诉次数,反向,3,次\n"
        "区科技局,创新券,支持企业数,获券企业数,正向,100,家\n"
    )
    doc = read_text(text, "s.csv")
    assert [(p.unit, p.name) for p in doc.projects] == [("市科技局", "科普周"), ("区科技局", "创新券")]
    first = doc.projects[0]
    assert [(i.name, i.description, i.value) for i in first.indicators] == [
        ("活动场次", "全市举办活动场次", "≥20场"),
        ("投诉次数", "群众投诉次数", "≤3次"),
    ]


def test_csv_bare_unit_column_after_value_is_the_measure_unit():
    text = "三级指标,指标值,单位\n培训人次,500,人次\n满意度,90,%\n"
    doc = read_text(text, "u.csv")
    assert [i.value for i in doc.projects[0].indicators] == ["500人次", "90%"]
    assert doc.projects[0].unit == ""


def test_csv_unit_named_above_a_flat_table():
    text = "填报单位：天津市科学技术局,,,\n单位：万元,,,\n项目名称,预算数,三级指标,指标值\n培训,12,培训人次,≥500人次\n科普,8,活动场次,≥10场\n"
    doc = read_text(text, "u.csv")
    assert [(p.unit, p.name, p.budget) for p in doc.projects] == [("天津市科学技术局", "培训", 12.0), ("天津市科学技术局", "科普", 8.0)]


def test_csv_budget_in_yuan_is_converted_to_wan_yuan():
    text = "项目名称,预算数（元）,三级指标,指标值\n培训,150000,培训人次,≥500人次\n"
    assert read_text(text, "b.csv").projects[0].budget == pytest.approx(15.0)


# ---------------------------------------------------------------------------
# JSON


def _analysed(projects: list[Project]) -> list[Project]:
    out = []
    for p in projects:
        p = p.model_copy(deep=True)
        p.score, p.grade, p.score_parts = 71.5, "良", {"完整性": 20.0}
        p.findings = [Finding(code="P001", slug="missing-category", severity="warning", message="缺少满意度指标")]
        for ind in p.indicators:
            ind.score = 40
            ind.findings = [Finding(code="V001", slug="vague-value", severity="error", message="…", evidence=["提升"], confidence=0.9)]
            ind.suggestions = [Suggestion(name="培训人次", value="≥【待填】人次")]
        out.append(p)
    return out


def _without_analysis(p: Project) -> Project:
    p = p.model_copy(deep=True)
    p.score = p.grade = p.score_parts = None
    p.findings = []
    for ind in p.indicators:
        ind.score, ind.findings, ind.suggestions = None, [], []
    for row in p.evaluation:
        row.findings = []
    return p


def test_json_round_trip_of_every_seed_project():
    projects = read_paths(["corpus/seeds"]).projects
    text = report_to_json(build_report(projects), with_analysis=False)
    doc = read_text(text, "parse.json")
    assert doc.format == "json"
    assert doc.projects == projects


def test_json_analysis_fields_are_dropped_on_reading():
    projects = read_paths(["corpus/seeds"]).projects[:3]
    text = report_to_json(build_report(_analysed(projects)))
    assert '"findings"' in text
    doc = read_bytes(text.encode("utf-8"), "check.json")
    assert doc.projects == [_without_analysis(p) for p in projects]


def test_json_list_and_single_project_shapes():
    p = Project(name="培训", indicators=[Indicator(name="培训人次", value="≥500人次")])
    single = p.model_dump_json()
    assert read_text(single, "one.json").projects == [p]
    assert read_text(f"[{single}, {single}]", "list.json").projects == [p, p]


def test_self_evaluation_sheet_reads_like_the_seed():
    """Seed 003's rows laid on a sheet read to the same self-evaluation as the seed text."""
    seed = next(p for p in read_paths(["corpus/seeds"]).projects if p.kind == "self_evaluation")
    lines = open("corpus/seeds/003_a3cb9191b7c11910.txt", encoding="utf-8").read().split("\n")

    def build(wb):
        ws = wb.active
        for r, line in enumerate(lines, start=1):
            for c, value in enumerate(line.split("\t"), start=1):
                if value:
                    B.set_text(ws, r, c, value)

    (project,) = read_bytes(B.xlsx_bytes(build), "自评.xlsx").projects
    assert project.kind == "self_evaluation"
    assert (project.title, project.unit, project.total_score, project.budget_year) == (
        seed.title, seed.unit, seed.total_score, seed.budget_year,
    )
    assert project.execution == seed.execution and project.goals == seed.goals

    def rows(p):
        return [r.model_dump(exclude={"source"}) for r in p.evaluation]

    assert rows(project) == rows(seed)
    assert all(r.source.sheet == "Sheet" and r.source.line for r in project.evaluation)


def test_docx_table_split_by_a_page_break_is_joined(seed_documents):
    """The second part of a split table has no header; it continues the first."""
    project = _targets(seed_documents[1])[0]
    whole = B.docx_bytes([project], extra_tables=False)
    from copy import deepcopy

    from lxml import etree

    root = etree.fromstring(_unzip(whole, "word/document.xml"))
    body = next(el for el in root if el.tag.endswith("}body"))
    tbl = next(el for el in body if el.tag.endswith("}tbl"))
    rows = [el for el in tbl if el.tag.endswith("}tr")]
    second = deepcopy(tbl)
    for el in [el for el in second if el.tag.endswith("}tr")][: len(rows) - 3]:
        second.remove(el)
    for el in rows[len(rows) - 3 :]:
        tbl.remove(el)
    # The rows of the second part must not start inside a vertical merge.
    first_row = next(el for el in second if el.tag.endswith("}tr"))
    for v_merge in first_row.iter("{*}vMerge"):
        v_merge.set("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}val", "restart")
    empty_paragraph = etree.SubElement(body, "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}p")
    tbl.addnext(empty_paragraph)
    empty_paragraph.addnext(second)

    import zipfile

    source = zipfile.ZipFile(io.BytesIO(whole))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            data = etree.tostring(root) if info.filename == "word/document.xml" else source.read(info.filename)
            target.writestr(info.filename, data)
    doc = read_bytes(out.getvalue(), "split.docx")
    (got,) = doc.projects
    assert [r[2:] for r in B.indicator_rows(got)] == [r[2:] for r in B.indicator_rows(project)]
    assert len(got.indicators) == len(project.indicators)


@pytest.mark.parametrize("encoding", ["utf-8", "gbk"])
def test_html_report_xls_reads_back(seed_documents, encoding):
    """An HTML page saved as .xls (a common export) reads like the .docx."""
    for document in seed_documents:
        targets = _targets(document)
        doc = read_bytes(B.html_text(targets).encode(encoding, errors="strict"), "report.xls")
        assert doc.format == "html"
        assert_same(targets, doc.projects)


def test_excel_2003_xml_with_merged_cells():
    xml = """<?xml version="1.0"?>
<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet" xmlns:ss="urn:schemas-microsoft-com:office:spreadsheet">
<Styles><Style ss:ID="p"><NumberFormat ss:Format="Percent"/></Style></Styles>
<Worksheet ss:Name="指标"><Table>
<Row><Cell><Data ss:Type="String">单位</Data></Cell><Cell><Data ss:Type="String">项目名称</Data></Cell>
<Cell><Data ss:Type="String">三级指标</Data></Cell><Cell><Data ss:Type="String">指标值</Data></Cell></Row>
<Row><Cell ss:MergeDown="1"><Data ss:Type="String">市科技局</Data></Cell><Cell ss:MergeDown="1"><Data ss:Type="String">培训</Data></Cell>
<Cell><Data ss:Type="String">完成率</Data></Cell><Cell ss:StyleID="p"><Data ss:Type="Number">0.95</Data></Cell></Row>
<Row><Cell ss:Index="3"><Data ss:Type="String">完成时间</Data></Cell><Cell><Data ss:Type="DateTime">2025-06-30T00:00:00.000</Data></Cell></Row>
</Table></Worksheet></Workbook>"""
    doc = read_bytes(xml.encode("utf-8"), "report.xls")
    (project,) = doc.projects
    assert (doc.format, project.unit, project.name) == ("xml", "市科技局", "培训")
    assert [(i.name, i.value, i.source.sheet, i.source.line) for i in project.indicators] == [
        ("完成率", "95%", "指标", 2),
        ("完成时间", "2025年6月30日", "指标", 3),
    ]
