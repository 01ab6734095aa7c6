"""Well-formed indicators from other provinces' tables get no finding; their vague or wrong
neighbours still do.

Each well-formed row is one a tester found flagged (the forms 中央部门, 浙江, 江苏, 四川 …
tables use); next to it stand rows that must stay flagged, so that a fix reads the form
and is no blanket exemption. The rows run through the whole analyser with the shipped
models, as ``indicatorqa check`` runs them.
"""

from __future__ import annotations

import pytest

from indicatorqa.analyse import Analyzer
from indicatorqa.config import Config
from indicatorqa.learn.models import load_judge
from indicatorqa.model import Indicator, Project


@pytest.fixture(scope="module")
def analyzer():
    return Analyzer(Config(), load_judge())


def findings(analyzer, level1, level2, name, value, description=""):
    ind = Indicator(level1=level1, level2=level2, name=name, description=description, value=value)
    project = Project(name="测试项目", budget=1000.0, budget_year=2025, indicators=[ind])
    return {f.code for f in analyzer.analyse([project])[0].indicators[0].findings}


WELL_FORMED = [
    # 1. V003: money per student and year; a head count with the poultry alternative in brackets.
    ("产出指标", "数量指标", "平均资助标准", "3300元/生·年"),
    ("产出指标", "数量指标", "营养膳食补助标准", "5元/生·天"),
    ("产出指标", "数量指标", "重大动物疫病免疫数量", "≥120万头（羽）"),
    # 2. V001: water classes of GB 3838 are checkable grades; 零增长 a checkable target.
    ("产出指标", "质量指标", "水质", "Ⅲ类"),
    ("产出指标", "质量指标", "主要断面水质", "稳定达到Ⅳ类"),
    ("产出指标", "质量指标", "出境断面水质", "达到II类"),
    ("效益指标", "生态效益指标", "化肥使用量", "零增长"),
    ("效益指标", "生态效益指标", "化肥使用量", "实现零增长"),
    # 3. V004: a change against last year is a real rate; 健康素养水平 is a share of residents.
    ("效益指标", "生态效益指标", "农药使用量较上年", "下降≥2%"),
    ("效益指标", "社会效益指标", "居民健康素养水平", "≥25%"),
    # 4. V008 (and V009 under 数量): hours of training delivered are more-is-better.
    ("产出指标", "数量指标", "培训时长", "≥40学时"),
    ("效益指标", "社会效益指标", "志愿服务时长", "≥1000小时"),
    # 5. V009: 社会成本 and 生态环境成本 need not be money (财预〔2021〕101号).
    ("成本指标", "生态环境成本指标", "活动产生废弃物", "≤0.5吨"),
    ("成本指标", "社会成本指标", "征地拆迁户数", "0户"),
    # 6. V005: a coefficient has no unit.
    ("效益指标", "生态效益指标", "农田灌溉水有效利用系数", "≥0.62"),
    # 7. N006: the digits of PM2.5 are part of the name, not a target.
    ("效益指标", "生态效益指标", "PM2.5年均浓度", "≤35微克/立方米"),
    ("效益指标", "生态效益指标", "PM10年均浓度", "≤70微克/立方米"),
    # 8. V009: a satisfaction score on a 100-point scale.
    ("满意度指标", "服务对象满意度指标", "患者满意度", "≥90分"),
    # V009: a count of days or hours is a quantity under 数量.
    ("产出指标", "数量指标", "场馆年开放天数", "≥330天"),
    ("产出指标", "数量指标", "大型仪器年有效运行机时", "≥1200小时"),
    # 9. V001/V003: a target followed by a remark on its source or scope (held-out probe 3).
    ("产出指标", "数量指标", "新建高标准农田面积", "≥3万亩（以省级下达任务为准）"),
    ("产出指标", "质量指标", "工程验收合格率", "100%（以验收报告为准）"),
    ("效益指标", "经济效益指标", "项目区粮食亩均增产", "≥50公斤（以实测为准）"),
    ("满意度指标", "服务对象满意度指标", "项目区农户满意度", "≥90%（抽样调查）"),
    # 10. V008: a benefit paid per person may have a floor, even under 成本指标.
    ("成本指标", "经济成本指标", "城市低保平均保障标准", "≥850元/月"),
    ("产出指标", "成本指标", "困难残疾人生活补贴标准", "≥100元/人·月"),
    # 11. V004: a change against the state before the project is a real rate.
    ("效益指标", "生态效益指标", "项目区化肥使用量", "较建设前减少≥3%"),
    # 12. V008: money saved or losses recovered are higher-is-better, cost word or not.
    ("效益指标", "经济效益指标", "集中带量采购为患者节省药品费用", "≥300万元"),
    ("效益指标", "社会效益指标", "劳动保障监察为劳动者挽回经济损失", "≥800万元"),
]


@pytest.mark.parametrize("level1,level2,name,value", WELL_FORMED)
def test_well_formed_rows_get_no_finding(analyzer, level1, level2, name, value):
    assert findings(analyzer, level1, level2, name, value) == set()


@pytest.mark.parametrize(
    "level1,level2,name,value,code",
    [
        # 1. A target handed to somebody else is still deferred.
        ("产出指标", "数量指标", "平均资助标准", "以上级批复为准", "V003"),
        ("产出指标", "数量指标", "重大动物疫病免疫数量", "以上级下达任务为准", "V003"),
        # 2. Direction words are still no target, next to the same names.
        ("产出指标", "质量指标", "水质", "水质明显改善", "V001"),
        ("效益指标", "生态效益指标", "主要断面水质", "逐步改善", "V001"),
        # 3. A percentage on something that has no rate is still pseudo-quantified.
        ("效益指标", "社会效益指标", "对社会的影响", "≥95%", "V004"),
        ("产出指标", "质量指标", "奖补质量", "≥95%", "V004"),
        # 4. The time it takes to handle a complaint is still lower-is-better.
        ("产出指标", "时效指标", "投诉处理时长", "≥3天", "V008"),
        # … and a ceiling on a length of time under 数量 is still a time limit.
        ("产出指标", "数量指标", "培训时长", "≤10个工作日", "V009"),
        # 5. 经济成本 and a bare 成本指标 still need money; a date says nothing about any cost.
        ("成本指标", "经济成本指标", "成本控制", "控制预算范围内", "V001"),
        ("成本指标", "经济成本指标", "活动产生废弃物", "≤0.5吨", "V009"),
        ("产出指标", "成本指标", "征地拆迁户数", "0户", "V009"),
        ("成本指标", "社会成本指标", "征地拆迁完成时间", "2025年12月31日前", "V009"),
        # 6. A bare number on a name that fixes no unit still lacks one.
        ("产出指标", "数量指标", "培训", "≥6", "V005"),
        # 7. A target written in the name column is still a swap.
        ("满意度指标", "服务对象满意度指标", "≥90%", "服务对象满意度", "N006"),
        # 8. Points beyond a 100-point scale are no satisfaction score; a count is no satisfaction.
        ("满意度指标", "服务对象满意度指标", "患者满意度", "≥120分", "V009"),
        ("满意度指标", "服务对象满意度指标", "问卷数量", "≥10份", "V009"),
        # A total amount under 数量 is a cost in the wrong place, unlike money per head.
        ("产出指标", "数量指标", "资助金额", "≤50万元", "V009"),
        # A length of time that is no count of days is still a time limit under 数量.
        ("产出指标", "数量指标", "审批办结", "≤5天", "V009"),
        # 9. A remark is no target: a remark alone, or a direction word with one, stays flagged.
        ("产出指标", "数量指标", "新建高标准农田面积", "（以省级下达任务为准）", "V003"),
        ("效益指标", "社会效益指标", "群众生活水平", "明显提升（以调查为准）", "V001"),
        # 10. A cost that is no benefit standard is still lower-is-better.
        ("成本指标", "经济成本指标", "人均培训成本", "≥1500元", "V008"),
        # 12. … and so is a cost or a loss that is no saving.
        ("效益指标", "经济效益指标", "自然灾害造成直接经济损失", "≥500万元", "V008"),
    ],
)
def test_neighbours_are_still_flagged(analyzer, level1, level2, name, value, code):
    assert code in findings(analyzer, level1, level2, name, value)


def test_pm25_name_with_a_graded_value_is_not_a_swap(analyzer):
    """Digits of an established term do not make the name a value, whatever the value is."""
    codes = findings(analyzer, "效益指标", "生态效益指标", "PM2.5年均浓度", "达到国家二级标准")
    assert "N006" not in codes
    codes = findings(analyzer, "产出指标", "数量指标", "新建5G基站", "按计划建设")
    assert "N006" not in codes


def test_name_column_holding_a_target_with_a_term_is_still_a_swap(analyzer):
    """Taking PM2.5 out of the name leaves ≤35微克/立方米: still a target in the name column."""
    codes = findings(analyzer, "效益指标", "生态效益指标", "PM2.5≤35微克/立方米", "浓度")
    assert "N006" in codes


def _p001(analyzer, rows):
    inds = [Indicator(level1=l1, level2=l2, name=name, value=value) for l1, l2, name, value in rows]
    project = analyzer.analyse([Project(name="测试项目", budget=100.0, budget_year=2025, indicators=inds)])[0]
    return [f.message for f in project.findings if f.code == "P001"]


def test_a_table_that_names_only_the_first_level_is_complete_when_all_are_there(analyzer):
    """指标类型 = 产出指标 / 效益指标 / 满意度指标 with no 二级: every category is present, and which
    output 二级 a row would fill cannot be told, so P001 asks for nothing."""
    rows = [("", "产出指标", "培训人次", "≥500人次"), ("", "效益指标", "参训人员考核合格率", "≥90%"),
            ("", "满意度指标", "参训学员满意度", "≥90%")]
    assert _p001(analyzer, rows) == []
    # Without the 效益 row, the table is still incomplete and says what is missing.
    (message,) = _p001(analyzer, [rows[0], rows[2]])
    assert "效益指标" in message and "数量指标" not in message
