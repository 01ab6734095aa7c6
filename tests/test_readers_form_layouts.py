"""Form layouts of other provinces: spacer columns, 中期 | 年度 side by side, the unit
among 主管部门 and 实施单位, and Word forms spread over several tables.

Each test builds a small file the way a province's template lays it out and checks
what the user sees: the project's name, budget, unit, goals and how many projects.
"""

from __future__ import annotations

import docx
import pytest

import builders as B
from indicatorqa.analyse import Analyzer
from indicatorqa.config import Config
from indicatorqa.readers import read_file

_HEADER = ["一级指标", "二级指标", "三级指标", "指标值"]
_ROWS = [
    ["产出指标", "数量指标", "新建监测站", "12座"],
    ["产出指标", "质量指标", "监测数据有效率", "≥95%"],
    ["满意度指标", "服务对象满意度指标", "沿岸居民满意度", "≥90%"],
]


def _xlsx(tmp_path, rows: list[list[object]], merges: list[str] = (), name: str = "form.xlsx"):
    path = tmp_path / name
    path.write_bytes(B.rows_xlsx_bytes(rows, merges))
    return read_file(path)


def _docx(tmp_path, blocks: list, name: str = "form.docx"):
    """A Word document of paragraphs (str) and tables ((rows, merges) or rows).

    Merges are (row1, col1, row2, col2), 0-based and inclusive; the text of a merged
    range is the text of its top-left cell.
    """
    document = docx.Document()
    for block in blocks:
        if isinstance(block, str):
            document.add_paragraph(block)
            continue
        rows, merges = block if isinstance(block, tuple) else (block, [])
        width = max(len(r) for r in rows)
        table = document.add_table(rows=len(rows), cols=width)
        for r, values in enumerate(rows):
            for c, value in enumerate(values):
                if value not in ("", None):
                    table.cell(r, c).text = str(value)
        for r1, c1, r2, c2 in merges:
            text = table.cell(r1, c1).text
            merged = table.cell(r1, c1).merge(table.cell(r2, c2))
            merged.text = text
    path = tmp_path / name
    document.save(path)
    return read_file(path)


def _codes(project) -> set[str]:
    analysed = Analyzer(Config()).analyse([project])[0]
    return {f.code for f in analysed.findings} | {f.code for i in analysed.indicators for f in i.findings}


# ---------------------------------------------------------------------------
# F. A blank spacer column between a label and its value


def test_spacer_column_between_label_and_value_keeps_name_budget_and_unit(tmp_path):
    # 上海 layout: column B is an empty spacer under every label of column A.
    rows = [
        ["上海市市级项目支出绩效目标表"],
        ["项目名称", None, "苏州河沿岸水环境综合治理"],
        ["主管部门", None, "上海市生态环境局", None, "项目单位", "上海市环境监测中心"],
        ["项目资金（万元）", None, "年度资金总额", 3256.78, None, "其中：财政拨款", 3256.78],
        ["年度绩效目标", None, "完成苏州河干流及支流水质自动监测站建设12座。"],
        _HEADER,
        *_ROWS,
    ]
    (project,) = _xlsx(tmp_path, rows, ["A1:G1", "C2:G2", "C5:G5"]).projects
    assert project.name == "苏州河沿岸水环境综合治理"  # not 上海市市级, cut from the title
    assert project.budget == 3256.78
    assert project.budget_fiscal == 3256.78
    assert project.unit == "上海市环境监测中心"
    assert [g.text for g in project.goals] == ["完成苏州河干流及支流水质自动监测站建设12座。"]


def test_spacer_column_without_title_still_gives_the_name_and_budget(tmp_path):
    rows = [
        ["项目名称", None, "苏州河沿岸水环境综合治理"],
        ["年度资金总额（万元）", None, 100],
        _HEADER,
        *_ROWS,
    ]
    (project,) = _xlsx(tmp_path, rows).projects
    assert project.name == "苏州河沿岸水环境综合治理"
    assert project.budget == 100


def test_label_left_empty_does_not_take_the_next_label_or_its_value(tmp_path):
    # 项目名称 is blank; the cell further right is another label with its own value.
    rows = [
        ["2024年度某项目绩效目标表"],
        ["项目名称", None, None, "项目编码", "11010024T000001"],
        ["预算数（万元）", None, "单位：万元"],
        _HEADER,
        *_ROWS,
    ]
    (project,) = _xlsx(tmp_path, rows).projects
    assert project.name == "2024年度某项目"  # from the title, as before
    assert project.code == "11010024T000001"
    assert project.budget is None


# ---------------------------------------------------------------------------
# K. 中期 and 年度 side by side (中央部门项目支出绩效目标申报表)

_CENTRAL_FORM = [
    ["中央部门项目支出绩效目标申报表"],
    ["项目名称", "高校国家助学金"],
    ["主管部门及代码", "[360]教育部", None, None, "实施单位", "教育部直属高校"],
    ["项目资金（万元）", "中期资金总额", 126000, None, "年度资金总额", 42000],
    [None, "其中：财政拨款", 120000, None, "其中：财政拨款", 40000],
    [None, "其他资金", 6000, None, "其他资金", 2000],
    ["总体目标", "中期目标（2024年-2026年）", None, None, "年度目标"],
    [
        None,
        "目标1：三年累计资助学生约13.5万人次。\n目标2：完善资助精准认定机制。",
        None,
        None,
        "目标1：资助学生4.5万人次。\n目标2：资金按学期足额发放。",
    ],
    ["一级指标", "二级指标", "三级指标", "指标性质", "指标值", "度量单位"],
    ["产出指标", "数量指标", "资助学生人次", "≥", 45000, "人次"],
    ["满意度指标", "服务对象满意度指标", "受助学生满意度", "≥", 90, "%"],
]
_CENTRAL_MERGES = ["A1:F1", "B2:F2", "B3:D3", "A4:A6", "C4:D4", "C5:D5", "C6:D6", "A7:A8", "B7:D7", "E7:F7", "B8:D8", "E8:F8"]


def test_central_midterm_form_reads_this_years_budget_and_goals(tmp_path):
    (project,) = _xlsx(tmp_path, _CENTRAL_FORM, _CENTRAL_MERGES).projects
    assert project.name == "高校国家助学金"
    assert (project.budget, project.budget_fiscal, project.budget_other) == (42000, 40000, 2000)
    # The 中期 goals are not this year's targets; the 年度 ones are, one goal each.
    assert [g.text for g in project.goals] == ["资助学生4.5万人次。", "资金按学期足额发放。"]
    # 实施单位 is the unit whose table it is; 主管部门 is the department above it.
    assert project.unit == "教育部直属高校"


def test_central_midterm_word_form_has_no_false_goal_value_conflict(tmp_path):
    rows = [
        ["项目名称", "大气污染防治资金"],
        ["主管部门及代码", "[xxx]生态环境部", None, "实施单位", "各省级生态环境部门"],
        ["项目资金（万元）", "中期资金总额", "7500000", "年度资金总额", "2500000"],
        [None, "其中：财政拨款", "7000000", "其中：财政拨款", "2400000"],
        [None, "其他资金", "500000", "其他资金", "100000"],
        ["总体目标", "中期目标（2024-2026年）", None, "年度目标"],
        [None, "三年内重点区域PM2.5浓度下降10%。", None, "重点区域PM2.5浓度下降3%。"],
        ["一级指标", "二级指标", "三级指标", "中期指标值", "年度指标值"],
        ["产出指标", "数量指标", "支持城市开展大气污染治理", "≥80个", "≥30个"],
        ["效益指标", "生态效益指标", "重点区域PM2.5浓度下降比例", "≥10%", "≥3%"],
        ["满意度指标", "服务对象满意度指标", "地方政府满意度", "≥90%", "≥90%"],
    ]
    merges = [(0, 1, 0, 4), (1, 1, 1, 2), (2, 0, 4, 0), (5, 0, 6, 0), (5, 1, 5, 2), (5, 3, 5, 4), (6, 1, 6, 2), (6, 3, 6, 4)]
    (project,) = _docx(tmp_path, ["项目支出绩效目标申报表", (rows, merges)]).projects
    assert (project.budget, project.budget_fiscal, project.budget_other) == (2500000, 2400000, 100000)
    assert [g.text for g in project.goals] == ["重点区域PM2.5浓度下降3%。"]
    assert project.unit == "各省级生态环境部门"
    # The 中期 goal's 10% set against the 年度 value ≥3% was a false P007.
    assert "P007" not in _codes(project)


def test_year_only_form_keeps_its_fields(tmp_path):
    # 年度 labels alone (no 中期 beside them) split nothing.
    rows = [
        ["项目名称", "某项目"],
        ["年度资金总额", 300, "其中：财政拨款", 280, "其他资金", 20],
        ["年度绩效目标", "完成任务A。"],
        _HEADER,
        *_ROWS,
    ]
    (project,) = _xlsx(tmp_path, rows).projects
    assert (project.budget, project.budget_fiscal, project.budget_other) == (300, 280, 20)
    assert [g.text for g in project.goals] == ["完成任务A。"]


def test_unit_falls_back_to_the_supervising_department(tmp_path):
    rows = [["项目名称", "某项目"], ["主管部门", "某市教育局"], ["年度资金总额", 10], _HEADER, *_ROWS]
    (project,) = _xlsx(tmp_path, rows).projects
    assert project.unit == "某市教育局"


@pytest.mark.parametrize(
    "unit_rows",
    [
        [["主管部门", "某市教育局"], ["实施单位", "某市第一中学"]],
        [["主管单位：某市教育局", None, "项目实施单位：某市第一中学"]],
        [["预算单位", "某市第一中学", "主管部门", "某市教育局"]],
    ],
)
def test_implementing_unit_wins_over_the_supervising_department(tmp_path, unit_rows):
    rows = [["项目名称", "某项目"], *unit_rows, _HEADER, *_ROWS]
    (project,) = _xlsx(tmp_path, rows).projects
    assert project.unit == "某市第一中学"


# ---------------------------------------------------------------------------
# G. Project fields in a Word table of their own before the indicator table

_INFO = [
    ["项目名称", "非物质文化遗产保护传承", "项目负责人", "赵六"],
    ["项目单位", "某市文化广电旅游局", "联系电话", "0571-80000000"],
    ["项目预算（万元）", "300", "其中财政资金（万元）", "280"],
    ["年度绩效目标", "开展非遗传承人培训，记录整理濒危非遗项目。"],
]


def test_word_info_table_before_indicator_table_gives_the_projects_fields(tmp_path):
    document = _docx(tmp_path, ["附件2", "2024年市级非遗保护专项资金绩效目标表", _INFO, "", [_HEADER, *_ROWS]])
    (project,) = document.projects
    assert project.name == "非物质文化遗产保护传承"
    assert project.unit == "某市文化广电旅游局"
    assert (project.budget, project.budget_fiscal) == (300, 280)
    assert [g.text for g in project.goals] == ["开展非遗传承人培训，记录整理濒危非遗项目。"]
    assert [i.name for i in project.indicators] == [r[2] for r in _ROWS]
    # Indicators keep their place in the indicator table (table 2, rows 2-4).
    assert [(i.source.table, i.source.line) for i in project.indicators] == [(2, 2), (2, 3), (2, 4)]


def test_word_info_table_is_not_given_to_a_table_under_another_heading(tmp_path):
    document = _docx(
        tmp_path,
        ["1.甲项目绩效目标表", _INFO, "2.乙项目绩效目标表", [_HEADER, *_ROWS]],
    )
    (project,) = document.projects
    assert project.name == "乙项目"
    assert project.budget is None


# ---------------------------------------------------------------------------
# H. A Word table continued in a second table that repeats the header


def test_word_table_continued_with_repeated_header_stays_one_project(tmp_path):
    first = [["项目名称", "困难残疾人补贴"], ["预算金额（万元）", "820"], _HEADER, *_ROWS[:2]]
    second = [_HEADER, _ROWS[2]]
    document = _docx(tmp_path, ["困难残疾人补贴绩效目标表", first, "", second])
    (project,) = document.projects
    assert project.name == "困难残疾人补贴"
    assert project.budget == 820
    assert [i.name for i in project.indicators] == [r[2] for r in _ROWS]


def test_word_tables_with_own_headings_stay_separate_projects(tmp_path):
    first = [["项目名称", "甲项目"], _HEADER, *_ROWS[:2]]
    second = [_HEADER, _ROWS[2]]
    document = _docx(tmp_path, ["甲项目绩效目标表", first, "乙项目绩效目标表", second])
    assert [p.name for p in document.projects] == ["甲项目", "乙项目"]
