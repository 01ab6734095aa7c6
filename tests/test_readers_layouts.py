"""Other provinces' layouts of the 绩效目标表 and 绩效自评表: small files built here read right."""

from __future__ import annotations

import io

import pytest

import builders as B
from indicatorqa.readers import read_bytes, read_text


# An .xlsx whose first sheet holds the rows (row 1 first), with merged ranges.
_xlsx = B.rows_xlsx_bytes


def _values(project) -> list[str]:
    return [i.value for i in project.indicators]


# ---------------------------------------------------------------------------
# 1. 指标性质 / 指标方向性 / 度量单位 (中央部门项目支出绩效目标申报表)

_CENTRAL_HEADER = ["一级指标", "二级指标", "三级指标", "指标性质", "指标值", "度量单位", "权重（%）", "指标方向性"]
_CENTRAL_ROWS = [
    ["产出指标", "数量指标", "资助学生人次", "≥", 45000, "人次", 15, "正向指标"],
    ["产出指标", "成本指标", "生均资助成本", "≤", 3300, "元", 10, "反向指标"],
    ["产出指标", "质量指标", "认定准确率", "定量", 98, "%", 10, "正向指标"],
    ["效益指标", "社会效益指标", "受资助覆盖面", "定性", "显著提升", "", 15, "正向指标"],
    ["满意度指标", "服务对象满意度指标", "受助学生满意度", "＝", 90, "%", 20, "正向指标"],
]


def test_central_form_reads_operator_and_direction_columns():
    rows = [
        ["中央部门项目支出绩效目标申报表"],
        ["项目名称", "高校国家助学金"],
        ["实施单位", "教育部直属高校"],
        ["年度资金总额", 42000],
        _CENTRAL_HEADER,
        *_CENTRAL_ROWS,
    ]
    (project,) = read_bytes(_xlsx(rows), "central.xlsx").projects
    assert project.name == "高校国家助学金"
    # 指标性质 gives the symbol; 指标方向性 (正向/反向) one when 指标性质 only says 定量.
    assert _values(project) == ["≥45000人次", "≤3300元", "≥98%", "显著提升", "=90%"]


def test_flat_table_reads_direction_column_and_measure_unit():
    text = "项目名称,一级指标,二级指标,三级指标,指标值,度量单位,指标方向性\n"
    text += "甲项目,产出指标,数量指标,培训人数,500,人,正向\n"
    text += "甲项目,产出指标,成本指标,人均成本,300,元,反向\n"
    text += "甲项目,满意度指标,服务对象满意度指标,满意度,90,%,正向\n"
    (project,) = read_text(text, "flat.csv").projects
    assert _values(project) == ["≥500人", "≤300元", "≥90%"]


# ---------------------------------------------------------------------------
# 2. Budget labels: 预算金额（万元） over 合计 | 财政资金 | 其他资金, 项目资金, 项目预算, 项目金额

_FORM_HEADER = ["一级指标", "二级指标", "指标名称", "指标值", "计量单位", "指标解释"]
_FORM_ROWS = [
    ["产出指标", "数量指标", "新建急救站点数", "8", "个", "年内建成投用"],
    ["效益指标", "社会效益指标", "平均急救反应时间", "≤12", "分钟", "接警至到达现场"],
    ["满意度指标", "服务对象满意度指标", "急救服务满意度", "≥90", "%", "问卷调查"],
]


def test_stacked_budget_block_reads_amounts_from_row_below():
    rows = [
        ["2024年度项目绩效目标表"],
        ["项目名称", "院前急救体系建设"],
        ["主管部门", "杭州市卫生健康委员会"],
        ["预算金额（万元）", "合计", "财政资金", "其他资金"],
        ["", 350.5, 300, 50.5],
        ["年度绩效目标", "新建急救站点8个。"],
        _FORM_HEADER,
        *_FORM_ROWS,
    ]
    (project,) = read_bytes(_xlsx(rows, ["A4:A5"]), "zj.xlsx").projects
    assert (project.budget, project.budget_fiscal, project.budget_other) == (350.5, 300, 50.5)
    assert len(project.indicators) == 3


def test_project_funds_label_with_sub_labels_reads_the_annual_amount():
    # 项目资金（万元） heads a block whose cells name the amounts: the sub-label beside it
    # is not the budget, the amount after 年度资金总额 is.
    rows = [
        ["项目名称", "高校国家助学金"],
        ["项目资金（万元）", "中期资金总额", 126000, "年度资金总额", 42000],
        _CENTRAL_HEADER,
        *_CENTRAL_ROWS,
    ]
    (project,) = read_bytes(_xlsx(rows), "funds.xlsx").projects
    assert project.budget == 42000


def test_project_budget_label_is_the_budget():
    rows = [
        ["项目名称", "乡村医生补助"],
        ["项目预算", "128"],
        _FORM_HEADER,
        *_FORM_ROWS,
    ]
    (project,) = read_bytes(_xlsx(rows), "budget.xlsx").projects
    assert project.budget == 128


def test_flat_project_amount_column_is_the_budget():
    text = "单位名称,项目名称,项目金额（万元）,一级指标,二级指标,三级指标,指标值\n"
    text += "市林业局,国土绿化,3560,产出指标,数量指标,造林面积,≥2万亩\n"
    text += "市林业局,松材线虫病防控,980.5,产出指标,数量指标,除治面积,≥5万亩\n"
    projects = read_text(text, "amount.csv").projects
    assert [(p.name, p.budget) for p in projects] == [("国土绿化", 3560), ("松材线虫病防控", 980.5)]


# ---------------------------------------------------------------------------
# 3. Hidden sheets (a 填报示例) are not the user's table

_EXAMPLE = [
    ["项目名称", "XX项目"],
    ["一级指标", "二级指标", "三级指标", "指标值"],
    ["产出指标", "数量指标", "培训人数", "≥XX人"],
    ["产出指标", "数量指标", "XX", "XX"],
]
_REAL = [
    ["项目名称", "乡村医生补助"],
    ["一级指标", "二级指标", "三级指标", "指标值"],
    ["产出指标", "数量指标", "补助乡村医生人数", "≥1200人"],
    ["满意度指标", "服务对象满意度指标", "乡村医生满意度", "≥90%"],
]


def _fill(ws, rows):
    for r, values in enumerate(rows, start=1):
        for c, value in enumerate(values, start=1):
            B.set_text(ws, r, c, value)


def test_hidden_example_sheet_in_xlsx_is_skipped():
    def build(wb):
        example = wb.active
        example.title = "填报示例"
        _fill(example, _EXAMPLE)
        example.sheet_state = "hidden"
        _fill(wb.create_sheet("绩效目标表"), _REAL)
        wb.active = 1

    projects = read_bytes(B.xlsx_bytes(build), "hidden.xlsx").projects
    assert [p.name for p in projects] == ["乡村医生补助"]


def test_workbook_whose_only_table_is_hidden_still_reads():
    def build(wb):
        wb.active.title = "封面"
        wb.active["A1"] = "说明"
        ws = wb.create_sheet("绩效目标表")
        _fill(ws, _REAL)
        ws.sheet_state = "veryHidden"

    projects = read_bytes(B.xlsx_bytes(build), "only_hidden.xlsx").projects
    assert [p.name for p in projects] == ["乡村医生补助"]


def test_hidden_example_sheet_in_xls_is_skipped():
    import xlwt

    wb = xlwt.Workbook(encoding="utf-8")
    for name, rows, hidden in (("填报示例", _EXAMPLE, True), ("绩效目标表", _REAL, False)):
        ws = wb.add_sheet(name)
        for r, values in enumerate(rows):
            for c, value in enumerate(values):
                ws.write(r, c, value)
        ws.visibility = 1 if hidden else 0
    buffer = io.BytesIO()
    wb.save(buffer)
    projects = read_bytes(buffer.getvalue(), "hidden.xls").projects
    assert [p.name for p in projects] == ["乡村医生补助"]


# ---------------------------------------------------------------------------
# 4. 同上 / 〃 / 同前 mean the cell above


def test_ditto_marks_fill_down_project_and_level_columns():
    text = "\ufeff单位名称,项目名称,预算数（万元）,一级指标,二级指标,三级指标,指标值\n"
    text += "某县水利局,小型水库除险加固,620,产出指标,数量指标,除险加固水库座数,4座\n"
    text += "同上,同上,同上,同上,同上,新建防汛道路长度,≥3.5公里\n"
    text += "〃,〃,〃,〃,质量指标,工程验收合格率,100%\n"
    text += "同前,同前,同前,效益指标,社会效益指标,受保护人口,≥1.2万人\n"
    (project,) = read_text(text, "ditto.csv").projects
    assert (project.name, project.unit, project.budget) == ("小型水库除险加固", "某县水利局", 620)
    levels = [(i.level1, i.level2, i.name) for i in project.indicators]
    assert levels == [
        ("产出指标", "数量指标", "除险加固水库座数"),
        ("产出指标", "数量指标", "新建防汛道路长度"),
        ("产出指标", "质量指标", "工程验收合格率"),
        ("效益指标", "社会效益指标", "受保护人口"),
    ]


def test_ditto_marks_in_form_levels():
    rows = [
        ["项目名称", "乡村医生补助"],
        ["一级指标", "二级指标", "三级指标", "指标值"],
        ["产出指标", "数量指标", "补助人数", "≥1200人"],
        ["〃", "〃", "培训人数", "≥300人"],
    ]
    (project,) = read_bytes(_xlsx(rows), "ditto_form.xlsx").projects
    assert [(i.level1, i.level2) for i in project.indicators] == [("产出指标", "数量指标")] * 2


# ---------------------------------------------------------------------------
# 5. Notes and signature lines under a table are neither projects nor indicators

_FLAT_HEADER = ["单位名称", "项目名称", "一级指标", "二级指标", "三级指标", "指标方向", "指标值", "计量单位"]
_FLAT_ROWS = [
    ["市林业局", "国土绿化", "产出指标", "数量指标", "造林面积", "正向", 2, "万亩"],
    ["市林业局", "国土绿化", "满意度指标", "服务对象满意度指标", "群众满意度", "正向", 90, "%"],
    ["市林业局", "松材线虫病防控", "产出指标", "数量指标", "除治面积", "正向", 5, "万亩"],
]


def test_merged_note_rows_under_flat_sheet_are_not_projects():
    rows = [
        _FLAT_HEADER,
        *_FLAT_ROWS,
        ["注：指标方向为“正向”表示指标值越大越好，“反向”表示越小越好。"],
        ["填表说明 1.指标值应当量化 2.计量单位据实填写"],
    ]
    data = _xlsx(rows, ["A5:H5", "A6:H6"])
    projects = read_bytes(data, "notes.xlsx").projects
    assert [(p.name, len(p.indicators)) for p in projects] == [("国土绿化", 2), ("松材线虫病防控", 1)]


def test_signature_line_in_csv_is_not_a_project():
    text = "部门名称,项目名称,年度预算,一级指标,二级指标,三级指标,指标值\n"
    text += "某市民政局,社区居家养老服务,1230.8,产出指标,数量指标,建成社区养老服务站,30个\n"
    text += ",,,,质量指标,服务质量抽查合格率,≥95%\n"
    text += "填表说明：1.指标值应当量化；2.时效指标填写完成时间。,,,,,,\n"
    text += "审核人：,,,填报人：,,联系电话：,\n"
    projects = read_text(text, "sign.csv").projects
    assert [(p.name, len(p.indicators)) for p in projects] == [("社区居家养老服务", 2)]


def test_signature_line_under_form_is_not_an_indicator():
    rows = [
        ["项目名称", "乡村医生补助"],
        ["一级指标", "二级指标", "三级指标", "指标值"],
        ["产出指标", "数量指标", "补助人数", "≥1200人"],
        ["满意度指标", "服务对象满意度指标", "乡村医生满意度", "≥90%"],
        ["单位负责人：", "王五", "填报人：", "联系电话："],
    ]
    (project,) = read_bytes(_xlsx(rows), "sign_form.xlsx").projects
    assert [i.name for i in project.indicators] == ["补助人数", "乡村医生满意度"]


# ---------------------------------------------------------------------------
# 6. One preamble line with 填报单位：X and 金额单位：元


def _docx(paragraphs: list[str], rows: list[list[str]]) -> bytes:
    import docx

    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    table = document.add_table(rows=len(rows), cols=max(len(r) for r in rows))
    for r, values in enumerate(rows):
        for c, value in enumerate(values):
            table.cell(r, c).text = value
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def test_preamble_line_with_unit_and_money_note_in_docx():
    data = _docx(
        ["2024年度省级财政专项资金项目绩效目标表", "填报单位（盖章）：江苏省农业农村厅\u3000\u3000\u3000\u3000金额单位：元"],
        [
            ["项目名称", "高标准农田建设", "", ""],
            ["年度资金总额", "1800000", "", ""],
            ["一级指标", "二级指标", "三级指标", "指标值"],
            ["产出指标", "数量指标", "新建高标准农田面积", "≥30万亩"],
        ],
    )
    (project,) = read_bytes(data, "js.docx").projects
    assert project.unit == "江苏省农业农村厅"
    assert project.budget == 180  # 万元


def test_sheet_row_with_unit_and_money_note_in_one_cell():
    rows = [
        ["填报单位：市农业农村局    金额单位：元"],
        ["项目名称", "高标准农田建设"],
        ["预算数", 1800000],
        ["一级指标", "二级指标", "三级指标", "指标值"],
        ["产出指标", "数量指标", "新建高标准农田面积", "≥30万亩"],
    ]
    (project,) = read_bytes(_xlsx(rows, ["A1:D1"]), "yuan.xlsx").projects
    assert (project.unit, project.budget) == ("市农业农村局", 180)


# ---------------------------------------------------------------------------
# 7. A 指标类型 column names the 二级指标


def test_indicator_type_column_is_level2():
    rows = [
        ["2024年度乡镇项目绩效目标表"],
        ["项目名称", "高标准农田建后管护"],
        ["项目资金（万元）", 45],
        ["指标类型", "指标名称", "指标值", "备注"],
        ["数量指标", "管护农田面积", "3.2万亩", ""],
        ["质量指标", "灌排设施完好率", "≥90%", ""],
        ["满意度指标", "种植户满意度", "≥90%", ""],
    ]
    (project,) = read_bytes(_xlsx(rows), "type.xlsx").projects
    assert project.budget == 45
    assert [i.level2 for i in project.indicators] == ["数量指标", "质量指标", "满意度指标"]


def test_indicator_type_column_in_flat_csv():
    text = "项目名称,指标类型,指标名称,指标值\n甲项目,数量指标,管护面积,3万亩\n甲项目,时效指标,完成时间,12月底前\n"
    (project,) = read_text(text, "type.csv").projects
    assert [(i.level2, i.name) for i in project.indicators] == [("数量指标", "管护面积"), ("时效指标", "完成时间")]


# ---------------------------------------------------------------------------
# 8. Self-evaluation goals one per row


def test_self_evaluation_goals_on_separate_rows():
    rows = [
        ["项目支出绩效自评表"],
        ["项目名称", "", "基本公共卫生服务补助"],
        ["年度总体目标", "预期目标", "", "", "", "实际完成情况"],
        ["", "目标1：人均补助标准89元。", "", "", "", "已按人均89元标准拨付。"],
        ["", "目标2：老年人健康管理率达到62%以上。", "", "", "", "健康管理率为63.5%。"],
        ["一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分", "偏差原因分析及改进措施"],
        ["产出指标", "数量指标", "老年人健康管理率", "≥62%", "63.5%", 10, 10, ""],
        ["产出指标", "质量指标", "高血压患者规范管理率", "≥60%", "57.8%", 10, 9, "随访人员不足"],
    ]
    merges = ["A3:A5", "B3:E3", "F3:H3", "B4:E4", "F4:H4", "B5:E5", "F5:H5"]
    (project,) = read_bytes(_xlsx(rows, merges), "selfeval.xlsx").projects
    assert project.kind == "self_evaluation"
    assert [(g.number, g.text, g.actual) for g in project.goals] == [
        (1, "人均补助标准89元。", "已按人均89元标准拨付。"),
        (2, "老年人健康管理率达到62%以上。", "健康管理率为63.5%。"),
    ]
    assert len(project.evaluation) == 2


# ---------------------------------------------------------------------------
# Held-out probe (third session): symbol columns named otherwise, 项目总金额, full-width
# amounts, English columns of bilingual templates


def test_symbol_column_named_otherwise_wins_over_the_direction_column():
    text = "项目名称,一级指标,二级指标,三级指标,指标值符号,指标值,计量单位,指标方向\n"
    text += "甲项目,产出指标,质量指标,验收合格率,=,100,%,正向\n"
    text += "甲项目,产出指标,成本指标,人均补助标准,=,5,元,反向\n"
    (project,) = read_text(text, "export.csv").projects
    assert _values(project) == ["=100%", "=5元"]
    text = text.replace("指标值符号", "运算符")
    (project,) = read_text(text, "export.csv").projects
    assert _values(project) == ["=100%", "=5元"]


def test_flat_project_total_amount_column_is_the_budget():
    text = "项目名称,项目总金额（万元）,一级指标,二级指标,三级指标,指标值\n"
    text += "甲项目,1250,产出指标,数量指标,新建站点数,≥8个\n"
    (project,) = read_text(text, "export.csv").projects
    assert project.budget == 1250


def test_full_width_digits_in_the_budget_cell():
    rows = [["项目名称", "乙项目"], ["年度资金总额（万元）", "２３０．５０"], _FORM_HEADER, *_FORM_ROWS]
    (project,) = read_bytes(_xlsx(rows), "fw.xlsx").projects
    assert project.budget == 230.5


def test_bilingual_template_with_english_only_columns():
    rows = [
        ["Project Name 项目名称", "农村供水改善项目"],
        ["Budget (10,000 CNY) 预算金额（万元）", 860],
        ["一级指标 Level-1", "二级指标 Level-2", "Indicator", "Target", "Unit"],
        ["产出指标", "数量指标", "新建集中供水工程", "≥12", "处"],
        ["满意度指标", "服务对象满意度指标", "受益群众满意度", "≥90", "%"],
    ]
    (project,) = read_bytes(_xlsx(rows), "loan.xlsx").projects
    assert project.name == "农村供水改善项目" and project.budget == 860
    assert [(i.level2, i.name) for i in project.indicators] == [("数量指标", "新建集中供水工程"), ("服务对象满意度指标", "受益群众满意度")]
    assert _values(project) == ["≥12处", "≥90%"]


def test_section_heading_rows_give_the_levels_of_the_rows_below():
    """一、产出指标 / （一）数量指标 written across the table are levels, not indicators."""
    rows = [
        ["项目名称", "丙项目"],
        ["年度资金总额（万元）", 50],
        ["三级指标", "指标值", "备注"],
        ["一、产出指标", "", ""], ["（一）数量指标", "", ""], ["1.新建村级文化服务中心", "≥10个", ""],
        ["（二）质量指标", "", ""], ["工程验收合格率", "100%", ""],
        ["二、效益指标", "", ""], ["（一）社会效益指标", "", ""], ["受益群众人数", "≥5000人", ""],
        ["三、满意度指标", "", ""], ["（一）服务对象满意度指标", "", ""], ["群众满意度", "≥90%", ""],
    ]
    merges = [f"A{r}:C{r}" for r in (4, 5, 7, 9, 10, 12, 13)]
    (project,) = read_bytes(_xlsx(rows, merges), "sections.xlsx").projects
    assert [(i.level1, i.level2, i.value) for i in project.indicators] == [
        ("产出指标", "数量指标", "≥10个"), ("产出指标", "质量指标", "100%"),
        ("效益指标", "社会效益指标", "≥5000人"), ("满意度指标", "服务对象满意度指标", "≥90%"),
    ]


def test_level2_column_headed_indicator_name_and_indicator_column_headed_content():
    rows = [
        ["项目名称", "丁项目"],
        ["一级指标", "指标名称", "指标内容", "指标值"],
        ["产出指标", "数量指标", "完成通组公路硬化里程", "≥12公里"],
        ["", "", "新建桥梁", "≥2座"],
        ["效益指标", "社会效益指标", "解决群众出行难受益人口", "≥3000人"],
    ]
    (project,) = read_bytes(_xlsx(rows, ["A3:A4", "B3:B4"]), "county.xlsx").projects
    assert [(i.level2, i.name) for i in project.indicators] == [
        ("数量指标", "完成通组公路硬化里程"), ("数量指标", "新建桥梁"), ("社会效益指标", "解决群众出行难受益人口"),
    ]
    # A table whose 指标名称 are real indicators keeps them as names.
    rows[2][1], rows[4][1] = "硬化里程", "受益人口"
    (project,) = read_bytes(_xlsx(rows, ["A3:A4"]), "county.xlsx").projects
    assert project.indicators[0].name == "硬化里程"


def test_funds_listed_in_one_cell_after_the_label():
    """项目资金（万元） | 年度资金总额：230.50；其中财政拨款：200；其他资金：30.50 (one merged cell)."""
    funds = "年度资金总额：230.50；其中财政拨款：200；其他资金：30.50"
    rows = [["项目名称", "戊项目", "戊项目"], ["项目资金（万元）", funds, funds], _FORM_HEADER, *_FORM_ROWS]
    (project,) = read_bytes(_xlsx(rows, ["B1:C1", "B2:C2"]), "funds.xlsx").projects
    assert (project.budget, project.budget_fiscal, project.budget_other) == (230.5, 200, 30.5)


@pytest.mark.parametrize(
    "funds",
    [
        "年度资金总额：230.50    其中：财政拨款200    其他资金30.50",  # Word form, spaces between fields
        "年度资金总额230.50万元\u3000财政拨款200万元\u3000其他资金30.50万元",
        "年度资金总额： 230.50 万元 其中：财政拨款：200；其他资金：30.50",
    ],
)
def test_funds_in_one_cell_set_apart_by_spaces_or_without_colons(funds):
    rows = [["项目名称", "戊项目", "戊项目"], ["项目资金（万元）", funds, funds], _FORM_HEADER, *_FORM_ROWS]
    (project,) = read_bytes(_xlsx(rows, ["B1:C1", "B2:C2"]), "funds.xlsx").projects
    assert (project.budget, project.budget_fiscal, project.budget_other) == (230.5, 200, 30.5)
