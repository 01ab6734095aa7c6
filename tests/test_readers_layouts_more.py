"""More layouts met in other provinces' tables: numbered indicator names, columns named for
their year, a 中期 table's row of years, a money unit in the label, a system export's footer."""

from __future__ import annotations

import pytest

import builders as B
from indicatorqa.readers import read_bytes

_HEADER = ["一级指标", "二级指标", "三级指标", "指标值"]
_xlsx = B.rows_xlsx_bytes


def _read(rows, merges=()):
    (project,) = read_bytes(_xlsx(rows, merges), "表.xlsx").projects
    return project


def test_outline_numbers_before_the_names_are_not_part_of_them():
    rows = [["项目名称", "义务教育薄弱环节改善"], _HEADER,
            ["产出指标", "数量指标", "1.1 新建改扩建校舍面积", "≥12000平方米"],
            ["", "", "1.2 购置教学仪器设备学校数", "18所"],
            ["", "质量指标", "2.1 城镇学校56人以上大班额比例", "≤5%"],
            ["满意度指标", "服务对象满意度指标", "3.1 学生及家长满意度", "≥90%"]]
    names = [i.name for i in _read(rows).indicators]
    assert names == ["新建改扩建校舍面积", "购置教学仪器设备学校数", "城镇学校56人以上大班额比例", "学生及家长满意度"]


@pytest.mark.parametrize("first", ["2.5米以上道路宽度", "5G基站建设数"])
def test_a_number_on_one_name_of_an_unnumbered_table_stays(first):
    rows = [["项目名称", "道路建设"], _HEADER,
            ["产出指标", "数量指标", first, "≥10个"],
            ["产出指标", "质量指标", "工程验收合格率", "100%"],
            ["满意度指标", "服务对象满意度指标", "群众满意度", "≥90%"]]
    assert _read(rows).indicators[0].name == first


def test_value_column_named_for_its_year_is_read_and_last_years_actuals_are_not():
    rows = [["项目名称", "高标准农田建设"],
            ["一级指标", "二级指标", "三级指标", "2024年实际完成值", "2025年目标值"],
            ["产出指标", "数量指标", "新建高标准农田面积", "2.5万亩", "≥3万亩"],
            ["产出指标", "质量指标", "工程验收合格率", "98%", "100%"]]
    assert [i.value for i in _read(rows).indicators] == ["≥3万亩", "100%"]


def test_years_under_a_merged_value_header_are_no_row_and_the_first_year_is_the_value():
    rows = [["项目名称", "学前教育资源扩充"],
            ["一级指标", "二级指标", "三级指标", "指标值", "", ""],
            ["", "", "", "2025年", "2026年", "2027年"],
            ["产出指标", "数量指标", "新建公办幼儿园", "2所", "2所", "1所"],
            ["产出指标", "质量指标", "办园条件达标率", "≥90%", "≥95%", "100%"]]
    project = _read(rows, ["D2:F2", "A2:A3", "B2:B3", "C2:C3"])
    assert [(i.name, i.value) for i in project.indicators] == [("新建公办幼儿园", "2所"), ("办园条件达标率", "≥90%")]


@pytest.mark.parametrize(("label", "amount", "budget"), [
    ("资金总额（元）", 3560000, 356.0),
    ("项目总金额（万元）", 120, 120.0),
    ("项目资金（万元）", 85, 85.0),
])
def test_budget_label_with_its_money_unit(label, amount, budget):
    rows = [["项目名称", "公交运营补贴"], [label, amount], _HEADER, ["产出指标", "数量指标", "补贴线路条数", "≥42条"]]
    assert _read(rows).budget == pytest.approx(budget)


def test_system_export_footer_is_no_indicator():
    rows = [["项目名称", "困难群众救助"], _HEADER,
            ["产出指标", "数量指标", "城乡低保保障人数", "≥8600人"],
            ["填报单位（盖章）：", "", "", "导出时间：2025-01-16 09:32:11"]]
    assert [i.name for i in _read(rows).indicators] == ["城乡低保保障人数"]


def test_midterm_funds_by_year_give_this_years_budget():
    """资金情况（万元） | 中期资金总额 | 其中：2025年 | 2026年 | 2027年, amounts below: the budget is
    the first year's, as the indicator values are (a 中期 | 年度 form is read the same way)."""
    rows = [["项目名称", "学前教育资源扩充"],
            ["资金情况（万元）", "中期资金总额", "其中：2025年", "2026年", "2027年"],
            ["", 1200, 400, 450, 350],
            _HEADER, ["产出指标", "数量指标", "新建公办幼儿园", "2所"]]
    assert _read(rows).budget == 400


def test_a_single_year_beside_a_label_heads_no_amount():
    rows = [["项目名称", "学前教育资源扩充"], ["预算年度", "2025年"], ["项目资金（万元）", 380],
            _HEADER, ["产出指标", "数量指标", "新建公办幼儿园", "2所"]]
    assert _read(rows).budget == 380


@pytest.mark.parametrize("joined", ["产出指标-数量指标", "产出指标—数量指标", "产出指标/数量指标"])
def test_both_levels_in_one_column(joined):
    rows = [["项目名称", "家庭医生签约服务"], ["指标类别", "三级指标", "指标值"],
            [joined, "签约服务覆盖人数", "≥12万人"], ["满意度指标-服务对象满意度指标", "签约居民满意度", "≥90%"]]
    project = _read(rows)
    assert [(i.level1, i.level2) for i in project.indicators] == [("产出指标", "数量指标"), ("满意度指标", "服务对象满意度指标")]


def test_number_formats_show_their_literal_text_and_decimals():
    """4200 formatted 0"人次" shows 4200人次, 2520 formatted "≥"0"人" shows ≥2520人, 0.682142…
    formatted 0.00% shows 68.21%: the value is what the author sees in the cell."""

    def build(wb):
        ws = wb.active
        for r, row in enumerate([["项目名称", "职业技能提升行动"], _HEADER], start=1):
            for c, v in enumerate(row, start=1):
                ws.cell(r, c, v)
        for r, (name, value, fmt) in enumerate([
            ("补贴性职业技能培训人次", 4200, '0"人次"'),
            ("取得技能等级证书人数", 2520, '"≥"0"人"'),
            ("培训后就业率", 0.682142857, "0.00%"),
            ("人均培训补贴标准", 1500, '"≤"#,##0"元"'),
            ("培训补贴资金", 1234.5, "#,##0.00_);[Red](#,##0.00)"),
        ], start=3):
            for c, v in enumerate(["产出指标", "数量指标", name], start=1):
                ws.cell(r, c, v)
            ws.cell(r, 4, value).number_format = fmt

    (project,) = read_bytes(B.xlsx_bytes(build), "表.xlsx").projects
    assert [i.value for i in project.indicators] == ["4200人次", "≥2520人", "68.21%", "≤1500元", "1234.5"]


def test_funds_cell_that_goes_on_after_the_amount():
    """资金总额：136.80万元　其中：中央补助80.00万元 — the total is the amount that opens the field."""
    rows = [["项目名称：退役军人服务站建设"],
            ["主管部门：某县退役军人事务局\u3000\u3000资金总额：136.80万元\u3000\u3000其中：中央补助80.00万元"],
            _HEADER, ["产出指标", "数量指标", "标准化建设服务站", "18个"]]
    assert _read(rows).budget == pytest.approx(136.8)
    rows[1] = ["项目资金", "年度资金总额：218.00万元\n其中：中央资金150.00万元；省级资金68.00万元"]
    assert _read(rows).budget == pytest.approx(218.0)


def test_a_name_merged_over_two_rows_names_both_values():
    """三级指标 merged over two rows with one value each (低保家庭≥1200户 / 新就业无房职工≥300户):
    two indicators of that name; a name left blank without a merge stays blank."""
    rows = [["专项名称", "城镇保障性安居工程补助资金"], _HEADER,
            ["产出指标", "数量指标", "发放租赁补贴户数", "低保、低收入家庭≥1200户"],
            ["", "", "", "新就业无房职工≥300户"],
            ["", "质量指标", "改造工程验收合格率", "100%"],
            ["", "", "", "≥95%"]]
    project = _read(rows, ["C3:C4", "A3:A6"])
    assert project.name == "城镇保障性安居工程补助资金"
    assert [(i.name, i.value) for i in project.indicators] == [
        ("发放租赁补贴户数", "低保、低收入家庭≥1200户"), ("发放租赁补贴户数", "新就业无房职工≥300户"),
        ("改造工程验收合格率", "100%"), ("", "≥95%"),
    ]


def test_project_fields_beside_the_indicator_table_on_the_same_rows():
    """项目名称 | X | 一级指标 | 二级指标 | 三级指标 | 指标值, the project's other fields under
    项目名称 and the indicators to their right: one project with its fields, not one per label."""
    rows = [["2025年县级专项资金项目绩效目标申报表"],
            ["项目名称", "乡村旅游重点村提升建设", "一级指标", "二级指标", "三级指标", "指标值"],
            ["项目单位", "某县文化和旅游局", "产出指标", "数量指标", "提升改造重点村", "5个"],
            ["资金总额（万元）", 260, "", "质量指标", "工程验收合格率", "100%"],
            ["年度目标", "提升改造5个乡村旅游重点村。", "满意度指标", "服务对象满意度指标", "游客满意度", "≥90%"]]
    (project,) = read_bytes(_xlsx(rows, ["A1:F1"]), "表.xlsx").projects
    assert (project.name, project.unit, project.budget) == ("乡村旅游重点村提升建设", "某县文化和旅游局", 260)
    assert [i.name for i in project.indicators] == ["提升改造重点村", "工程验收合格率", "游客满意度"]
    assert [g.text for g in project.goals] == ["提升改造5个乡村旅游重点村。"]


def test_flat_table_with_a_project_column_stays_one_project_per_name():
    rows = [["项目名称", "一级指标", "二级指标", "三级指标", "指标值"],
            ["甲项目", "产出指标", "数量指标", "培训人次", "≥500人次"],
            ["乙项目", "产出指标", "数量指标", "检查次数", "≥12次"]]
    projects = read_bytes(_xlsx(rows), "表.xlsx").projects
    assert [p.name for p in projects] == ["甲项目", "乙项目"]


# 绩效指标 merged over 一级/二级/三级 and 指标值 over 目标值 | 上年实际值: the names are on the second
# header row, and last year's actuals are no target.
_TWO_ROW_HEADER = [["绩效指标", "", "", "指标值", "", "指标值确定依据"],
                   ["一级指标", "二级指标", "三级指标", "目标值", "上年实际值", ""]]
_TWO_ROW_MERGES = ["A{0}:C{0}", "D{0}:E{0}", "F{0}:F{1}"]
_TWO_ROW_BODY = [["产出指标", "数量指标", "送戏下乡演出场次", "≥120场", "112场", "省级考核任务"],
                 ["", "质量指标", "乡镇综合文化站达标率", "≥95%", "93%", "省定标准"],
                 ["满意度指标", "服务对象满意度指标", "群众满意度", "≥90%", "91.2%", "第三方测评"]]


@pytest.mark.parametrize("with_form", [True, False], ids=["under-project-fields", "bare-table"])
def test_a_two_row_header_names_the_levels_under_a_merged_group_heading(with_form):
    above = [["项目名称", "公共文化服务体系建设补助资金"], ["申报单位", "某市文化广电旅游局"]] if with_form else []
    first = len(above) + 1
    merges = [m.format(first, first + 1) for m in _TWO_ROW_MERGES]
    project = _read(above + _TWO_ROW_HEADER + _TWO_ROW_BODY, merges)
    got = [(i.level1, i.level2, i.name, i.value) for i in project.indicators]
    assert got == [("产出指标", "数量指标", "送戏下乡演出场次", "≥120场"),
                   ("产出指标", "质量指标", "乡镇综合文化站达标率", "≥95%"),
                   ("满意度指标", "服务对象满意度指标", "群众满意度", "≥90%")]


def test_a_header_repeated_after_a_page_break_is_not_taken_for_a_second_header_row():
    header = ["一级指标", "二级指标", "三级指标", "指标值"]
    rows = [["项目名称", "农村公路养护"], header, header,
            ["产出指标", "数量指标", "农村公路日常养护里程", "≥860公里"]]
    assert [(i.name, i.value) for i in _read(rows).indicators] == [("农村公路日常养护里程", "≥860公里")]


def test_self_evaluation_with_one_unit_column_for_target_and_actual():
    """计量单位 between the name and 年度指标值 serves both values; the name is the 三级指标."""
    rows = [["项目支出绩效自评表"], ["项目名称", "基层卫生人才能力提升培训项目"],
            ["一级指标", "二级指标", "三级指标", "计量单位", "年度指标值", "实际完成值", "分值", "得分", "偏差原因分析及改进措施"],
            ["产出指标", "数量指标", "培训乡村医生人数", "人", "≥600", 642, 10, 10, ""],
            ["", "质量指标", "培训考核合格率", "%", "≥90", 95.2, 10, 10, ""],
            ["", "时效指标", "年度培训任务完成时间", "", "2024年11月30日前", "2024年11月25日", 5, 5, ""],
            ["满意度指标", "服务对象满意度指标", "参训人员满意度", "%", "≥90", 96, 15, 14, "个别学员认为课程偏理论"]]
    (project,) = read_bytes(_xlsx(rows), "自评表.xlsx").projects
    got = [(r.level2, r.name, r.target, r.actual, r.score) for r in project.evaluation]
    assert got == [("数量指标", "培训乡村医生人数", "≥600人", "642人", 10),
                   ("质量指标", "培训考核合格率", "≥90%", "95.2%", 10),
                   ("时效指标", "年度培训任务完成时间", "2024年11月30日前", "2024年11月25日", 5),
                   ("服务对象满意度指标", "参训人员满意度", "≥90%", "96%", 14)]
    assert project.evaluation[-1].reason == "个别学员认为课程偏理论"


@pytest.mark.parametrize("mark", ["第 1 页，共 2 页", "- 1 -", "续表"])
def test_a_page_mark_row_left_by_a_pdf_conversion_is_no_level_for_the_rows_below(mark):
    """PDF → Excel: a page-number row and the repeated header sit mid-table, and the first rows
    of the next page leave 一级/二级 blank because page 1 gave them."""
    header = ["一级指标", "二级指标", "三级指标", "指标值"]
    rows = [["项目名称", "中小学校园安防设施升级"], header,
            ["产出指标", "数量指标", "升级视频监控学校数", "≥24所"],
            ["", "", "新增高清摄像头数量", "≥600个"],
            [mark, "", "", ""], header,
            ["", "质量指标", "校园安全隐患排查整改率", "100%"]]
    got = [(i.level1, i.level2, i.name) for i in _read(rows).indicators]
    assert got[-1] == ("产出指标", "质量指标", "校园安全隐患排查整改率")
    assert len(got) == 3


def test_csv_cells_kept_as_text_with_an_excel_formula_wrapper_are_read_inside():
    """="95.00" / ="0095": exports wrap cells so that Excel keeps them as text."""
    text = ("单位名称,某市农业农村局,,\r\n项目编码,=\"61010025T000012345\",,\r\n项目名称,农产品质量安全监管,,\r\n"
            "项目金额(万元),=\"95.00\",,\r\n,,,\r\n一级指标,二级指标,三级指标,指标值\r\n"
            "产出指标,数量指标,农产品定量检测批次,=\"≥1200批次\"\r\n产出指标,质量指标,定量检测合格率,≥98%\r\n")
    (project,) = read_bytes(text.encode("utf-8"), "导出.csv").projects
    assert project.budget == 95.0 and project.code == "61010025T000012345"
    assert [i.value for i in project.indicators] == ["≥1200批次", "≥98%"]


def test_project_total_funds_label():
    rows = [["项目名称", "农村公路日常养护"], ["项目总资金（万元）", 186],
            _HEADER, ["产出指标", "数量指标", "日常养护农村公路里程", "≥860公里"]]
    assert _read(rows).budget == 186.0


def _self_evaluation_with_block(block):
    rows = [["2024年度项目支出绩效自评表"], ["项目名称", "乡村公益性岗位补贴项目"],
            ["项目资金（万元）", "全年预算数", "全年执行数", "执行率", "分值", "得分"], ["", 312, 309.6, "99.2%", 10, 9.9],
            *block,
            ["一级指标", "二级指标", "指标名称", "年度目标值", "实际完成值", "满分", "得分", "偏差原因分析及改进措施"],
            ["产出指标", "数量指标", "开发乡村公益性岗位", "≥520个", "526个", 50, 50, ""],
            ["满意度指标", "服务对象满意度指标", "岗位人员满意度", "≥90%", "85.6%", 40, 35.2, "期望较高"]]
    (project,) = read_bytes(_xlsx(rows), "自评表.xlsx").projects
    return project


def test_a_self_evaluation_result_written_above_the_table_is_its_total_and_conclusion():
    project = _self_evaluation_with_block([["自评得分", 95.1, "自评等级", "优"]])
    assert project.total_score == 95.1 and project.conclusion == "优"
    assert [r.score for r in project.evaluation] == [50, 35.2]


def test_the_budget_execution_score_above_the_table_is_no_total():
    project = _self_evaluation_with_block([["分值", 10, "得分", 9.9]])
    assert project.total_score is None
