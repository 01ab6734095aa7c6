"""Word layouts of reports written as documents: a table broken at a page with a page
number between its parts and no header on the second part, and projects under their
own numbered headings with their unit and funds written as body text.

Each test builds a small .docx the way such a report lays it out and checks what the
user sees: how many projects, their names, budgets and units, and every indicator row
with its levels.
"""

from __future__ import annotations

import docx
from docx.enum.text import WD_BREAK

from indicatorqa.readers import read_file

_HEADER = ["一级指标", "二级指标", "三级指标", "指标值"]
_ROWS = [
    ["产出指标", "数量指标", "新建监测站", "12座"],
    ["产出指标", "质量指标", "监测数据有效率", "≥95%"],
    ["满意度指标", "服务对象满意度指标", "沿岸居民满意度", "≥90%"],
]
_INFO = [["项目名称", "水环境监测能力建设", "", ""], ["项目资金（万元）", "320", "", ""]]
PAGE = object()  # a page break, as Word and PDF converters write it between table parts


def _docx(tmp_path, blocks: list, name: str = "report.docx"):
    """A Word document of paragraphs (str), page breaks (PAGE) and tables (rows)."""
    document = docx.Document()
    for block in blocks:
        if block is PAGE:
            document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
        elif isinstance(block, str):
            document.add_paragraph(block)
        else:
            table = document.add_table(rows=len(block), cols=max(len(r) for r in block))
            for r, values in enumerate(block):
                for c, value in enumerate(values):
                    if value:
                        table.cell(r, c).text = value
    path = tmp_path / name
    document.save(path)
    return read_file(path)


def _rows(project) -> list[tuple[str, str, str, str]]:
    return [(i.level1, i.level2, i.name, i.value) for i in project.indicators]


# ---------------------------------------------------------------------------
# A table broken at a page: the second part has no header


_SECOND_PART = [
    # 一级 and 二级 left blank: they go on from the last row of the first part.
    ["", "", "监测数据上传及时率", "≥98%"],
    ["", "时效指标", "项目完成时间", "2025年10月底前"],
    ["效益指标", "生态效益指标", "重点河段水质达标率", "≥90%"],
    ["满意度指标", "服务对象满意度指标", "沿岸居民满意度", "≥90%"],
]


def test_second_part_without_header_after_a_page_number_continues_the_table(tmp_path):
    first = [*_INFO, _HEADER, *_ROWS[:2]]
    document = _docx(tmp_path, ["项目支出绩效目标表", first, "— 1 —", PAGE, _SECOND_PART, "— 2 —"])
    (project,) = document.projects
    assert project.name == "水环境监测能力建设"
    assert project.budget == 320
    assert _rows(project) == [
        ("产出指标", "数量指标", "新建监测站", "12座"),
        ("产出指标", "质量指标", "监测数据有效率", "≥95%"),
        ("产出指标", "质量指标", "监测数据上传及时率", "≥98%"),
        ("产出指标", "时效指标", "项目完成时间", "2025年10月底前"),
        ("效益指标", "生态效益指标", "重点河段水质达标率", "≥90%"),
        ("满意度指标", "服务对象满意度指标", "沿岸居民满意度", "≥90%"),
    ]


def test_continuation_marked_xubiao_continues_the_table(tmp_path):
    document = _docx(tmp_path, ["项目支出绩效目标表", [*_INFO, _HEADER, *_ROWS[:2]], "续表", _SECOND_PART])
    (project,) = document.projects
    assert len(project.indicators) == 6


def test_signature_table_after_the_indicators_is_not_a_continuation(tmp_path):
    signatures = [["填报人", "张三", "联系电话", "0571-88888888"], ["审核人", "李四", "填报日期", "2025年1月10日"]]
    for between in ([], ["— 1 —"]):
        document = _docx(tmp_path, ["项目支出绩效目标表", [*_INFO, _HEADER, *_ROWS], *between, signatures])
        (project,) = document.projects
        assert _rows(project) == [tuple(r) for r in _ROWS]


def test_table_of_another_kind_in_the_same_columns_is_not_a_continuation(tmp_path):
    plan = [["序号", "工作内容", "责任人", "完成时间"], ["1", "设备招标", "张三", "3月底"]]
    document = _docx(tmp_path, ["项目支出绩效目标表", [*_INFO, _HEADER, *_ROWS], "— 1 —", plan])
    (project,) = document.projects
    assert len(project.indicators) == 3


def test_headerless_table_under_its_own_heading_is_not_a_continuation(tmp_path):
    other = [["产出指标", "数量指标", "培训基层人员", "200人次"]]
    document = _docx(tmp_path, ["项目支出绩效目标表", [*_INFO, _HEADER, *_ROWS], "二、下年度工作计划", other])
    (project,) = document.projects
    assert len(project.indicators) == 3


def test_continuation_with_levels_of_the_tables_own_making_still_continues(tmp_path):
    # 部门整体支出 tables name their own levels; a part right after the first (no page
    # number between) kept being joined, and still is.
    first = [_HEADER, ["履职效能", "重点工作", "重点工作完成率", "100%"]]
    second = [["履职效能", "重点工作", "按时完成率", "100%"], ["管理效率", "预算管理", "预算执行率", "≥90%"]]
    document = _docx(tmp_path, ["某局部门整体支出绩效目标表", first, "", second])
    (project,) = document.projects
    assert [i.name for i in project.indicators] == ["重点工作完成率", "按时完成率", "预算执行率"]


def test_next_projects_info_table_after_a_page_number_starts_a_new_project(tmp_path):
    second_info = [["项目名称", "河道保洁", "", ""], ["实施单位", "某县水利局", "", ""]]
    document = _docx(
        tmp_path, ["项目支出绩效目标表", [*_INFO, _HEADER, *_ROWS], "— 1 —", second_info, [_HEADER, *_ROWS]]
    )
    assert [p.name for p in document.projects] == ["水环境监测能力建设", "河道保洁"]
    assert document.projects[1].unit == "某县水利局"


# ---------------------------------------------------------------------------
# Projects under their own headings, fields written as body text


def _report(tmp_path):
    return _docx(
        tmp_path,
        [
            "某县2025年重点项目绩效目标",
            "根据县财政局通知要求，现将我县2025年重点项目绩效目标报告如下。",
            "一、水环境监测能力建设项目",
            "（一）基本情况",
            "实施单位：某县生态环境局；项目资金：320.00万元，其中省级补助200.00万元、县级配套120.00万元。",
            "（二）年度绩效目标",
            "新建12座水质自动监测站，提升重点河段水质监测能力。",
            "（三）绩效指标",
            [_HEADER, *_ROWS],
            "二、河道保洁项目",
            "（一）基本情况",
            "主管部门：某县水利局；实施单位：某镇人民政府；项目资金：1,280.50万元。",
            "（二）年度绩效目标",
            "绩效目标详见下表。",
            "（三）绩效指标",
            [_HEADER, *_ROWS],
        ],
    )


def test_projects_under_numbered_headings_take_their_names_from_them(tmp_path):
    document = _report(tmp_path)
    assert [p.name for p in document.projects] == ["水环境监测能力建设项目", "河道保洁项目"]


def test_unit_and_funds_written_in_the_body_are_read(tmp_path):
    first, second = _report(tmp_path).projects
    assert (first.unit, first.budget) == ("某县生态环境局", 320)
    # The unit is the 实施单位, not the 主管部门 above it; the thousands comma is no clause end.
    assert (second.unit, second.budget) == ("某镇人民政府", 1280.5)
    assert [g.text for g in first.goals] == ["新建12座水质自动监测站，提升重点河段水质监测能力。"]
    assert second.goals == []  # 详见下表 points at the table, it is no goal
    assert [len(p.indicators) for p in (first, second)] == [3, 3]


def test_project_name_written_in_the_body_names_the_project(tmp_path):
    document = _docx(
        tmp_path,
        ["一、重点民生项目", "项目名称：农村饮水安全巩固提升；预算资金：50万元。", "（二）绩效指标", [_HEADER, *_ROWS]],
    )
    (project,) = document.projects
    assert (project.name, project.budget) == ("农村饮水安全巩固提升", 50)


def test_funds_in_the_body_do_not_override_the_forms_own(tmp_path):
    form = [*_INFO, _HEADER, *_ROWS]
    document = _docx(tmp_path, ["实施单位：某县生态环境局；项目资金：999万元。", "项目支出绩效目标表", form])
    (project,) = document.projects
    assert (project.name, project.unit, project.budget) == ("水环境监测能力建设", "某县生态环境局", 320)


def test_prose_fields_above_a_form_do_not_run_into_each_other(tmp_path):
    # The form names the project but not its unit or funds: the body text gives them.
    form = [["项目名称", "水环境监测能力建设", "", ""], _HEADER, *_ROWS]
    document = _docx(tmp_path, ["项目支出绩效目标表", "实施单位：某县生态环境局；项目资金：320.00万元。", form])
    (project,) = document.projects
    assert (project.unit, project.budget) == ("某县生态环境局", 320)


def test_generic_table_heading_stays_the_title_without_a_project_heading(tmp_path):
    # 附件 above 项目支出绩效目标表 names nothing: the heading stays, the form names the project.
    document = _docx(tmp_path, ["附件", "项目支出绩效目标表", "（2025年度）", [*_INFO, _HEADER, *_ROWS]])
    (project,) = document.projects
    assert (project.title, project.name) == ("项目支出绩效目标表", "水环境监测能力建设")


def test_tables_under_their_own_table_titles_stay_separate_projects(tmp_path):
    document = _docx(
        tmp_path,
        ["一、市级项目", "1.甲项目绩效目标表", [_HEADER, *_ROWS[:2]], "2.乙项目绩效目标表", [_HEADER, _ROWS[2]]],
    )
    assert [p.name for p in document.projects] == ["甲项目", "乙项目"]
    assert [len(p.indicators) for p in document.projects] == [2, 1]


def test_indicator_table_nested_in_the_info_tables_last_cell(tmp_path):
    """项目名称 | X … 绩效指标 | <indicator table>: the outer table's fields are the project's,
    and a 填报日期 after the unit on the line above is not part of the unit."""
    document = docx.Document()
    document.add_paragraph("项目绩效目标申报表")
    document.add_paragraph("填报单位（盖章）：某县林业和草原局\u3000\u3000\u3000\u3000填报日期：2024年11月8日")
    outer = document.add_table(rows=4, cols=2)
    for r, (label, value) in enumerate([("项目名称", "森林草原防火能力提升项目"), ("实施单位", "某县林业和草原局"),
                                        ("项目资金", "年度资金总额：218.00万元\n其中：中央资金150.00万元；省级资金68.00万元"),
                                        ("绩效指标", "")]):
        outer.cell(r, 0).text = label
        outer.cell(r, 1).text = value
    inner = outer.cell(3, 1).add_table(rows=3, cols=4)
    for r, values in enumerate([["一级指标", "二级指标", "三级指标", "指标值"],
                                ["产出指标", "数量指标", "新建防火隔离带", "≥35公里"],
                                ["满意度指标", "服务对象满意度指标", "林农满意度", "≥90%"]]):
        for c, v in enumerate(values):
            inner.cell(r, c).text = v
    path = tmp_path / "nested.docx"
    document.save(path)
    (project,) = read_file(path).projects
    assert (project.name, project.unit, project.budget) == ("森林草原防火能力提升项目", "某县林业和草原局", 218)
    assert [i.name for i in project.indicators] == ["新建防火隔离带", "林农满意度"]
