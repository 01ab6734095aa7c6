"""Rules that follow from parsed facts: each with rows that must be flagged and rows that must not.

The rows are written the way budget units write them (other provinces' styles included);
none is a seed row copied verbatim unless SPEC names it as the example.
"""

from __future__ import annotations

import pytest

from indicatorqa.analyse import Analyzer
from indicatorqa.config import Config
from indicatorqa.model import EvaluationRow, Goal, Indicator, Project


def _ind(level2: str, name: str, value: str, description: str = "", level1: str = "") -> Indicator:
    if not level1:
        level1 = {"满意度指标": "满意度指标"}.get(level2, "效益指标" if "效益" in level2 or "影响" in level2 else "产出指标")
    return Indicator(level1=level1, level2=level2, name=name, description=description or f"{name}的统计口径说明", value=value)


def codes_for(ind: Indicator, project: Project | None = None, config: Config | None = None) -> set[str]:
    project = (project or Project(name="测试项目", unit="测试单位", budget=100.0, budget_year=2025)).model_copy(
        update={"indicators": [ind]}
    )
    analysed = Analyzer(config or Config()).analyse([project])[0]
    return {f.code for f in analysed.indicators[0].findings}


def project_codes(project: Project, others: list[Project] = ()) -> set[str]:
    analysed = Analyzer(Config()).analyse([project, *others])[0]
    return {f.code for f in analysed.findings} | {f.code for i in analysed.indicators for f in i.findings}


@pytest.mark.parametrize(
    "level2,name,value,flagged",
    [
        ("质量指标", "开展结题审计政策培训", "3", True),
        ("质量指标", "政策文件起草", "≤6", True),
        ("数量指标", "开展结题审计政策培训", "3次", False),
        ("数量指标", "培训次数", "3", False),  # the name fixes the unit
        ("质量指标", "项目验收通过率", "100", False),  # 率 fixes the unit
        ("数量指标", "改造面积（亩）", "≥120", False),  # unit in brackets
    ],
)
def test_v005_missing_unit(level2, name, value, flagged):
    assert ("V005" in codes_for(_ind(level2, name, value))) is flagged


@pytest.mark.parametrize(
    "value,flagged",
    [("≥2不少于2次", True), ("19574.亿元", True), ("90-80%", True), ("≥2次", False), ("19574亿元", False), ("80%-90%", False)],
)
def test_v006_malformed(value, flagged):
    assert ("V006" in codes_for(_ind("数量指标", "活动场次", value))) is flagged


@pytest.mark.parametrize(
    "name,value,flagged",
    [
        ("项目验收合格率", "≥120%", True),
        ("服务对象满意度", "≥95%", False),
        ("企业营业收入增长率", "≥150%", False),  # growth may exceed 100%
    ],
)
def test_v007_percent_out_of_range(name, value, flagged):
    assert ("V007" in codes_for(_ind("质量指标", name, value))) is flagged


@pytest.mark.parametrize(
    "level2,name,value,flagged",
    [
        ("时效指标", "按照市外办批复活动完成率", "≤90百分比", True),
        ("质量指标", "支付完成率", "≤100百分比", True),
        ("成本指标", "培训成本", "≥15万元", True),
        ("质量指标", "活动完成率", "≥90%", False),
        ("成本指标", "培训成本", "≤15万元", False),
        ("质量指标", "群众投诉率", "≤1%", False),
        ("时效指标", "资金拨付时间", "≤10个工作日", False),
    ],
)
def test_v008_wrong_direction(level2, name, value, flagged):
    assert ("V008" in codes_for(_ind(level2, name, value))) is flagged


@pytest.mark.parametrize(
    "level2,name,value,flagged",
    [
        ("时效指标", "完成数量", "10个", True),
        ("成本指标", "成本控制", "控制预算范围内", False),  # not measurable at all: V001, not a kind mismatch
        ("成本指标", "单位成本", "≥95%", True),
        ("服务对象满意度指标", "问卷数量", "≥10份", True),
        ("时效指标", "完成时间", "2025年12月31日前", False),
        ("时效指标", "资金拨付及时率", "≥95%", False),
        ("成本指标", "培训成本", "≤15万元", False),
        ("服务对象满意度指标", "参训学员满意度", "≥90%", False),
    ],
)
def test_v009_type_mismatch(level2, name, value, flagged):
    assert ("V009" in codes_for(_ind(level2, name, value))) is flagged


@pytest.mark.parametrize(
    "name,description,value,flagged",
    [
        ("目标内容1", "目标内容1", "≥1个", True),
        ("XX项目完成率", "完成项目数/计划项目数", "≥**%", True),
        ("培训人数", "待填", "≥100人", True),
        ("奖补企业数量", "获得奖补资金的企业户数", "≥12家", False),
    ],
)
def test_n004_placeholder(name, description, value, flagged):
    ind = Indicator(level1="产出指标", level2="数量指标", name=name, description=description, value=value)
    assert ("N004" in codes_for(ind)) is flagged


def test_n004_placeholder_goal_is_a_project_finding():
    project = Project(name="奖励资金", budget=1.0, goals=[Goal(number=1, text="目标内容1")], indicators=[_ind("数量指标", "奖励人数", "≥5人")])
    assert "N004" in project_codes(project)


@pytest.mark.parametrize(
    "name,description,value,flagged",
    [
        ("服务对象对项目执行情况的满意程度", "满意", "满意度", True),
        ("≥90%", "满意度", "服务对象满意度", True),
        ("服务对象满意度", "服务对象对项目执行情况的满意程度", "≥90%", False),
        ("服务对象满意度", "满意", "≥90%", False),
    ],
)
def test_n006_swapped_columns(name, description, value, flagged):
    ind = Indicator(level1="满意度指标", level2="服务对象满意度指标", name=name, description=description, value=value)
    assert ("N006" in codes_for(ind)) is flagged


def _project(indicators, **kw) -> Project:
    base = dict(name="科普活动经费", unit="某科协", budget=15.0, budget_year=2022)
    base.update(kw)
    return Project(indicators=indicators, **base)


FULL_SET = [
    _ind("数量指标", "举办科普活动场次", "≥20场"),
    _ind("质量指标", "活动验收合格率", "≥95%"),
    _ind("时效指标", "活动完成时间", "2022年12月31日前"),
    _ind("成本指标", "活动总成本", "≤15万元"),
    _ind("社会效益指标", "参与公众人次", "≥5000人次"),
    _ind("服务对象满意度指标", "参与公众满意度", "≥90%"),
]


def test_p001_missing_category():
    assert "P001" not in project_codes(_project(FULL_SET))
    without_satisfaction = [i for i in FULL_SET if "满意" not in i.level2]
    assert "P001" in project_codes(_project(without_satisfaction))


def test_p002_too_few_indicators():
    assert "P002" in project_codes(_project(FULL_SET[:2]))
    assert "P002" not in project_codes(_project(FULL_SET[:3]))


def test_p003_duplicate_indicator():
    dup = [*FULL_SET, _ind("成本指标", "按照预算执行率", "≥95%"), _ind("成本指标", "按照预算执行率", "≥85%")]
    assert "P003" in project_codes(_project(dup))
    assert "P003" not in project_codes(_project(FULL_SET))


def test_p004_cost_exceeds_budget():
    over = [*FULL_SET[:3], _ind("成本指标", "低于本项工作预算", "<18万元"), *FULL_SET[4:]]
    assert "P004" in project_codes(_project(over, budget=15.0))
    assert "P004" not in project_codes(_project(over, budget=18.0))
    assert "P004" not in project_codes(_project(FULL_SET, budget=15.0))


def test_p005_date_outside_budget_year():
    late = [*FULL_SET[:2], _ind("时效指标", "活动完成时间", "2023年6月30日前"), *FULL_SET[3:]]
    assert "P005" in project_codes(_project(late, budget_year=2022))
    assert "P005" not in project_codes(_project(FULL_SET, budget_year=2022))
    assert "P005" not in project_codes(_project(late, budget_year=None))


def test_p006_goal_not_covered():
    goals = [Goal(number=1, text="举办面向公众的科普活动"), Goal(number=2, text="建设海洋生物标本数字化展厅")]
    codes = Analyzer(Config()).analyse([_project(FULL_SET, goals=goals)])[0].findings
    uncovered = [f for f in codes if f.code == "P006"]
    assert len(uncovered) == 1 and "展厅" in uncovered[0].message


def test_p007_goal_value_conflict():
    goals = [Goal(number=1, text="实施基层科普能力提升项目10项以上")]
    conflict = [_ind("数量指标", "完成科普能力提升项目数量", "≥8项"), *FULL_SET[1:]]
    agree = [_ind("数量指标", "完成科普能力提升项目数量", "≥10项"), *FULL_SET[1:]]
    assert "P007" in project_codes(_project(conflict, goals=goals))
    assert "P007" not in project_codes(_project(agree, goals=goals))


def test_p008_boilerplate_across_projects():
    a = _project(FULL_SET, name="甲区科普经费")
    b = _project([i.model_copy(update={"value": "≥1个"}) for i in FULL_SET], name="乙区科普经费")
    different = _project(
        [_ind("数量指标", "培训人次", "≥300人次"), _ind("质量指标", "考核合格率", "≥90%"), _ind("时效指标", "培训完成时间", "2022年10月前"),
         _ind("成本指标", "人均培训成本", "≤500元/人"), _ind("社会效益指标", "学员技能提升人数", "≥200人")],
        name="丙区培训经费",
    )
    assert "P008" in project_codes(a, [b])
    assert "P008" not in project_codes(a, [different])


def _evaluation(rows, total=None, execution_score=None):
    from indicatorqa.model import BudgetExecution

    return Project(
        kind="self_evaluation",
        name="整体支出绩效自评表",
        evaluation=rows,
        total_score=total,
        execution=BudgetExecution(score=execution_score) if execution_score is not None else None,
    )


def _eval_codes(row: EvaluationRow) -> set[str]:
    analysed = Analyzer(Config()).analyse([_evaluation([row])])[0]
    return {f.code for f in analysed.evaluation[0].findings}


def test_s001_target_too_low():
    assert "S001" in _eval_codes(EvaluationRow(name="立项项目数", target="≥300项", actual="498项", weight=1, score=0.5, reason="目标偏低"))
    assert "S001" not in _eval_codes(EvaluationRow(name="立项项目数", target="≥300项", actual="320项", weight=1, score=1))


def test_s002_score_inconsistent():
    missed_full = EvaluationRow(name="服务企业数", target="≥15家", actual="0家", weight=2, score=2, reason="政策调整")
    over_weight = EvaluationRow(name="服务企业数", target="≥15家", actual="16家", weight=2, score=3)
    fine = EvaluationRow(name="服务企业数", target="≥15家", actual="16家", weight=2, score=2)
    assert "S002" in _eval_codes(missed_full)
    assert "S002" in _eval_codes(over_weight)
    assert "S002" not in _eval_codes(fine)


def test_s003_missing_deviation_reason():
    assert "S003" in _eval_codes(EvaluationRow(name="服务企业数", target="≥5家", actual="0家", weight=2, score=0))
    assert "S003" not in _eval_codes(EvaluationRow(name="服务企业数", target="≥5家", actual="0家", weight=2, score=0, reason="政策调整，未开展"))
    assert "S003" not in _eval_codes(EvaluationRow(name="服务企业数", target="≥5家", actual="6家", weight=2, score=2))


def test_s004_total_score_mismatch():
    rows = [EvaluationRow(name=f"指标{i}", target="≥1次", actual="1次", weight=2, score=2) for i in range(3)]
    ok = Analyzer(Config()).analyse([_evaluation(rows, total=16, execution_score=10)])[0]
    bad = Analyzer(Config()).analyse([_evaluation(rows, total=18, execution_score=10)])[0]
    assert "S004" not in {f.code for f in ok.findings}
    assert "S004" in {f.code for f in bad.findings}


def test_config_disables_and_overrides_severity():
    ind = _ind("数量指标", "活动场次", "≥2不少于2次")
    assert "V006" not in codes_for(ind, config=Config(disable=["V006"]))
    project = Project(name="p", budget=10, indicators=[ind])
    found = Analyzer(Config(severity={"V006": "info"})).analyse([project])[0].indicators[0].findings
    assert [f.severity for f in found if f.code == "V006"] == ["info"]


def test_inline_and_config_suppression():
    ind = _ind("数量指标", "活动场次", "≥2不少于2次").model_copy(update={"value_basis": "历史标准 indicatorqa: ignore V006"})
    assert "V006" not in codes_for(ind)
    plain = _ind("数量指标", "活动场次", "≥2不少于2次")
    cfg = Config(suppress=[{"name": "活动*", "codes": ["V006"]}])
    assert "V006" not in codes_for(plain, config=cfg)
    assert "V006" in codes_for(plain)
