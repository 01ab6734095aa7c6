"""绩效自评表 in other provinces' layouts: reordered columns, other header names, flat exports."""

from __future__ import annotations

import pytest

import builders as B
from indicatorqa.analyse import Analyzer
from indicatorqa.config import Config
from indicatorqa.errors import InputError
from indicatorqa.readers import read_bytes, read_file
from indicatorqa.readers.selfeval import interpret_self_evaluation

# A municipal template: 分值 right after the name, 得分 after the actual value.
_ROWS = [
    ("产出指标", "数量指标", "道路维修面积（万平方米）", 20, 35, 33.2, 19, "部分路段施工受雨季影响"),
    ("产出指标", "数量指标", "桥梁检测座数", 15, 48, 48, 15, ""),
    ("产出指标", "质量指标", "道路完好率", 15, 0.95, 0.962, 15, ""),
    ("产出指标", "时效指标", "病害处置及时率", 10, 0.98, 0.97, 9, "夜间抢修力量不足"),
    ("效益指标", "社会效益指标", "道路通行能力", 20, "有效提升", "有效提升", 18, "通行能力评估尚未完成"),
    ("满意度指标", "服务对象满意度指标", "市民满意度", 20, 0.85, 0.88, 20, ""),
]


def _reordered_xlsx(actual_header: str, reason_header: str = "未完成原因及改进措施") -> bytes:
    def build(wb):
        ws = wb.active
        ws.title = "绩效自评"
        ws.cell(1, 1, "2023年度市级项目支出绩效自评表")
        ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=8)
        for c, v in enumerate(["项目名称", "城市道路桥梁维护", None, None, "项目单位", "某市市政设施管理处"], 1):
            ws.cell(2, c, v)
        ws.merge_cells("B2:D2")
        ws.merge_cells("F2:H2")
        for c, v in enumerate(["预算数（万元）", 2300, None, None, "执行数（万元）", 2215.6], 1):
            ws.cell(3, c, v)
        header = ["一级指标", "二级指标", "三级指标", "指标分值", "年度指标值", actual_header, "自评得分", reason_header]
        for c, v in enumerate(header, 1):
            ws.cell(4, c, v)
        for r, row in enumerate(_ROWS, start=5):
            for c, v in enumerate(row, 1):
                if v == "":
                    continue
                cell = ws.cell(r, c, v)
                if isinstance(v, float) and v < 1.5:
                    cell.number_format = "0.0%"
        # The 一级 merged over its rows, the 二级 over the two 数量指标 rows.
        ws.merge_cells("A5:A8")
        ws.merge_cells("B5:B6")
        for c, v in enumerate(["总分", None, None, 100, None, None, 96], 1):
            if v is not None:
                ws.cell(11, c, v)

    return B.xlsx_bytes(build)


_EXPECTED = [
    ("产出指标", "数量指标", "道路维修面积（万平方米）", "35", "33.2", 20, 19, "部分路段施工受雨季影响"),
    ("产出指标", "数量指标", "桥梁检测座数", "48", "48", 15, 15, ""),
    ("产出指标", "质量指标", "道路完好率", "95%", "96.2%", 15, 15, ""),
    ("产出指标", "时效指标", "病害处置及时率", "98%", "97%", 10, 9, "夜间抢修力量不足"),
    ("效益指标", "社会效益指标", "道路通行能力", "有效提升", "有效提升", 20, 18, "通行能力评估尚未完成"),
    ("满意度指标", "服务对象满意度指标", "市民满意度", "85%", "88%", 20, 20, ""),
]


def _rows(project):
    return [(e.level1, e.level2, e.name, e.target, e.actual, e.weight, e.score, e.reason) for e in project.evaluation]


def _codes(project) -> set[str]:
    analysed = Analyzer(Config()).analyse([project])[0]
    return {f.code for f in analysed.findings} | {f.code for e in analysed.evaluation for f in e.findings}


@pytest.mark.parametrize("actual_header", ["实际完成值", "全年实际值", "全年完成值", "实际完成指标值", "实际值"])
def test_reordered_columns_are_read_by_the_header(actual_header):
    """分值 before 年度指标值: each cell is read under its header, percent rows included."""
    (project,) = read_bytes(_reordered_xlsx(actual_header), "自评.xlsx").projects
    assert (project.kind, project.name) == ("self_evaluation", "城市道路桥梁维护")
    assert _rows(project) == _EXPECTED
    assert project.total_score == 96
    # 分值 sum 100, 得分 sum 96, as the 总分 row says: no false S004 (nor S002 on a row).
    assert not {"S002", "S004"} & _codes(project)


def test_reordered_header_without_sheet_title_is_still_a_self_evaluation():
    """全年实际值 alone (no 自评 in any title) marks the table as a self-evaluation."""

    def build(wb):
        ws = wb.active
        for c, v in enumerate(["一级指标", "二级指标", "三级指标", "分值", "年度指标值", "全年实际值", "得分"], 1):
            ws.cell(1, c, v)
        for c, v in enumerate(["产出指标", "数量指标", "培训人次", 10, "≥500人次", "520人次", 10], 1):
            ws.cell(2, c, v)

    (project,) = read_bytes(B.xlsx_bytes(build), "表.xlsx").projects
    assert project.kind == "self_evaluation"
    assert [(e.name, e.target, e.actual, e.weight, e.score) for e in project.evaluation] == [
        ("培训人次", "≥500人次", "520人次", 10, 10)
    ]


def test_standard_order_rows_shifted_by_the_export_still_read_by_content():
    """In the standard column order a row missing its leading cell keeps the content reading."""
    header = ["年度指标完成情况", "一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分", "偏差原因分析及改进措施"]
    rows = [
        ["项目名称", "科普活动经费"],
        header,
        ["绩效目标1", "产出指标", "数量指标", "科普活动场次", "≥50场", "52场", "20", "20", ""],
        # Same length as the header, but shifted left with a blank added at the end.
        ["", "成本指标", "活动成本", "≤10万元", "9.8万元", "10", "10", "", ""],
    ]
    project = interpret_self_evaluation(rows, title="自评表")
    assert [(e.level2, e.name, e.target, e.actual, e.weight, e.score) for e in project.evaluation] == [
        ("数量指标", "科普活动场次", "≥50场", "52场", 20, 20),
        ("成本指标", "活动成本", "≤10万元", "9.8万元", 10, 10),
    ]


def test_missing_actual_column_error_names_the_header_row(tmp_path):
    """The error points at the indicator header (row 4), not at the first row of the table."""

    def build(wb):
        ws = wb.active
        ws.cell(1, 1, "2023年度项目支出绩效自评表")
        ws.cell(2, 1, "项目名称")
        ws.cell(2, 2, "某项目")
        for c, v in enumerate(["一级指标", "二级指标", "三级指标", "分值", "年度指标值", "完成情况说明", "自评得分"], 1):
            ws.cell(4, c, v)
        for c, v in enumerate(["产出指标", "数量指标", "培训人次", 10, "≥500人次", "已完成", 10], 1):
            ws.cell(5, c, v)

    path = tmp_path / "自评.xlsx"
    path.write_bytes(B.xlsx_bytes(build))
    with pytest.raises(InputError) as info:
        read_file(str(path))
    assert info.value.row == 4
    assert "实际完成值" in info.value.message


_FLAT_HEADER = "项目名称,全年预算数（万元）,全年执行数（万元）,一级指标,二级指标,三级指标,年度指标值,实际完成值,分值,得分,偏差原因分析及改进措施"
_FLAT_ROWS = [
    "农村饮水安全巩固提升,2400,2376.4,产出指标,数量指标,新建及改造供水工程,≥35处,36处,20,20,",
    "农村饮水安全巩固提升,2400,2376.4,产出指标,质量指标,农村集中供水率,≥92%,93.1%,20,20,",
    "农村饮水安全巩固提升,2400,2376.4,效益指标,社会效益指标,受益人口,≥8.5万人,8.2万人,20,18,2处工程因征地延期",
    "河道采砂管理,150,150,产出指标,数量指标,河道巡查次数,≥240次,252次,30,30,",
    ",,,满意度指标,服务对象满意度指标,沿河群众满意度,≥85%,88%,30,30,",
]


@pytest.mark.parametrize("encoding", ["utf-8", "gbk"])
def test_flat_self_evaluation_export_gives_one_project_per_name(tmp_path, encoding):
    """A 项目名称 column splits the export into its projects, each with its rows and budget."""
    path = tmp_path / "自评汇总.csv"
    path.write_bytes(("\r\n".join([_FLAT_HEADER, *_FLAT_ROWS]) + "\r\n").encode(encoding))
    projects = read_file(str(path)).projects
    assert [(p.kind, p.name) for p in projects] == [
        ("self_evaluation", "农村饮水安全巩固提升"),
        ("self_evaluation", "河道采砂管理"),
    ]
    water, sand = projects
    assert [(e.name, e.target, e.actual, e.weight, e.score) for e in water.evaluation] == [
        ("新建及改造供水工程", "≥35处", "36处", 20, 20),
        ("农村集中供水率", "≥92%", "93.1%", 20, 20),
        ("受益人口", "≥8.5万人", "8.2万人", 20, 18),
    ]
    assert water.evaluation[2].reason == "2处工程因征地延期"
    # The blank 项目名称 of the last row carries the project above.
    assert [(e.level1, e.name) for e in sand.evaluation] == [("产出指标", "河道巡查次数"), ("满意度指标", "沿河群众满意度")]
    assert (water.budget, water.execution.executed) == (2400.0, 2376.4)
    assert (sand.budget, sand.execution.executed) == (150.0, 150.0)


def test_flat_self_evaluation_budget_in_yuan_is_scaled():
    text = "项目名称,预算数（元）,三级指标,年度指标值,实际完成值,分值,得分\n甲项目,1000000,培训人次,≥10次,12次,10,10\n"
    (project,) = read_bytes(text.encode("utf-8"), "a.csv").projects
    assert (project.kind, project.name, project.budget) == ("self_evaluation", "甲项目", 100.0)


@pytest.mark.parametrize("line", ["自评结论：优", "评价结论: 良"])
def test_conclusion_written_in_its_label_cell_is_the_conclusion_not_a_row(line):
    """自评结论：优 in one cell under 总分 (湖北, 河南 templates) closes the table; it was read as
    an indicator row named after the conclusion."""

    def build(wb):
        ws = wb.active
        ws.cell(1, 1, "项目支出绩效自评表")
        for c, v in enumerate(["项目名称", "乡村振兴衔接资金"], 1):
            ws.cell(2, c, v)
        for c, v in enumerate(["一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分"], 1):
            ws.cell(3, c, v)
        for c, v in enumerate(["产出指标", "数量指标", "扶持村集体经济项目数", "≥15个", "15个", 50, 50], 1):
            ws.cell(4, c, v)
        for c, v in enumerate(["满意度指标", "服务对象满意度指标", "受益群众满意度", "≥90%", "94%", 50, 50], 1):
            ws.cell(5, c, v)
        for c, v in enumerate(["总分", None, None, None, None, 100, 100], 1):
            if v is not None:
                ws.cell(6, c, v)
        ws.cell(7, 1, line)
        ws.merge_cells("A7:G7")

    (project,) = read_bytes(B.xlsx_bytes(build), "自评.xlsx").projects
    assert [e.name for e in project.evaluation] == ["扶持村集体经济项目数", "受益群众满意度"]
    assert project.conclusion == line.split("：" if "：" in line else ":")[1].strip()


def test_budget_execution_scored_under_weight_and_self_score_headers():
    """权重（%） | 自评得分 over the budget-execution amounts (as over the indicators): the execution
    score counts in the total, so 总分 = rows + execution raises no S004."""

    def build(wb):
        ws = wb.active
        ws.cell(1, 1, "项目支出绩效自评表")
        for c, v in enumerate(["项目名称", "天然林资源保护"], 1):
            ws.cell(2, c, v)
        for c, v in enumerate(["项目资金（万元）", None, "年初预算数", "全年预算数", "全年执行数", "权重（%）", "执行率", "自评得分"], 1):
            ws.cell(3, c, v)
        for c, v in enumerate([None, "年度资金总额", 520, 548, 531.56, 10, "97.00%", 9.7], 1):
            ws.cell(4, c, v)
        for c, v in enumerate(["一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "权重（%）", "自评得分", "偏差原因分析及改进措施"], 1):
            ws.cell(5, c, v)
        for c, v in enumerate(["产出指标", "数量指标", "天然林管护面积", "≥45.6万亩", "45.6万亩", 45, 45], 1):
            ws.cell(6, c, v)
        for c, v in enumerate(["满意度指标", "服务对象满意度指标", "林农满意度", "≥90%", "88.5%", 45, 40, "补偿标准偏低"], 1):
            ws.cell(7, c, v)
        for c, v in enumerate(["总分", None, None, None, None, 100, 94.7], 1):
            if v is not None:
                ws.cell(8, c, v)

    (project,) = read_bytes(B.xlsx_bytes(build), "自评.xlsx").projects
    assert (project.execution.weight, project.execution.score) == (10, 9.7)
    assert "S004" not in _codes(project)


def test_budget_execution_as_label_value_pairs_and_signature_line():
    """A CSV self-evaluation: 年初预算数,85.00,全年预算数,92.00,… on one line (each amount beside
    its label) and 填报人：… 审核人：… under the table, which is no indicator."""
    text = "\n".join([
        "2024年度法律援助经费项目支出绩效自评表,,,,,,,",
        "项目名称,法律援助办案补贴经费,,,主管部门,某市司法局,,",
        "年初预算数,85.00,全年预算数,92.00,全年执行数,90.16,执行率,98.00%",
        "预算执行率分值,10,预算执行率得分,9.8,,,,",
        "一级指标,二级指标,三级指标,年度指标值,实际完成值,分值,得分,偏差原因分析及改进措施",
        "产出指标,数量指标,办理法律援助案件数,≥1800件,1926件,45,45,",
        "满意度指标,服务对象满意度指标,受援人满意度,≥95%,96.8%,45,44.6,",
        "合计,,,,,100,99.4,",
        "填报人：赵某某,,,,审核人：钱某某,,,2025年3月12日",
    ])
    (project,) = read_bytes(text.encode("gb18030"), "自评.csv").projects
    assert project.budget == 92 and project.execution.score == 9.8
    assert [e.name for e in project.evaluation] == ["办理法律援助案件数", "受援人满意度"]
    assert "S004" not in _codes(project)
