"""The learned rules, through the shipped models (models/findings), as a user meets them."""

from __future__ import annotations

import pytest

from indicatorqa.analyse import Analyzer
from indicatorqa.config import Config
from indicatorqa.learn.models import load_judge
from indicatorqa.model import Indicator, Project

MEASURABILITY = {"V001", "V002", "V003", "V004"}


@pytest.fixture(scope="module")
def analyzer():
    return Analyzer(Config(), load_judge())


def findings(analyzer, level2, name, value, description=None):
    level1 = "满意度指标" if "满意" in level2 else ("效益指标" if "效益" in level2 or "影响" in level2 else "产出指标")
    ind = Indicator(level1=level1, level2=level2, name=name, description=description or name, value=value)
    project = Project(name="测试项目", budget=100.0, budget_year=2025, indicators=[ind])
    return analyzer.analyse([project])[0].indicators[0].findings


@pytest.mark.parametrize(
    "level2,name,value",
    [
        ("质量指标", "一次办结率", "提升20%"),
        ("服务对象满意度指标", "服务对象满意度", "满意度≥90%"),
        ("时效指标", "项目完成时间", "2025年12月31日前"),
        ("数量指标", "培训人次", "≥500人次"),
        ("质量指标", "项目验收", "通过市级验收"),
    ],
)
def test_measurable_values_are_not_flagged(analyzer, level2, name, value):
    codes = {f.code for f in findings(analyzer, level2, name, value)}
    assert not codes & MEASURABILITY, codes


@pytest.mark.parametrize(
    "level2,name,value,code",
    [
        ("社会效益指标", "提升基层组织服务能力", "提升", "V001"),
        ("服务对象满意度指标", "服务对象满意度", "满意度", "V002"),
        ("数量指标", "国际交流活动次数", "以市外办批复为准", "V003"),
        ("经济效益指标", "对经济的影响", "≥95百分比", "V004"),
    ],
)
def test_not_measurable_values_are_flagged_with_evidence(analyzer, level2, name, value, code):
    found = {f.code: f for f in findings(analyzer, level2, name, value)}
    assert found.keys() & MEASURABILITY, f"{value!r} not flagged"
    assert code in found, f"{value!r}: expected {code}, got {sorted(found)}"
    f = found[code]
    assert f.evidence, "a learned finding shows the features that drove it"
    assert 0.5 <= f.confidence <= 1.0


def test_tautology_flagged_and_explained(analyzer):
    same = findings(analyzer, "质量指标", "科技管理系统安全运行稳定率", "≥99%", description="科技管理系统安全运行稳定率")
    explained = findings(
        analyzer, "数量指标", "评估项目数", "≥20个", description="年度内完成评估的科技重大专项项目数量，以评估报告为准"
    )
    assert "N001" in {f.code for f in same}
    assert "N001" not in {f.code for f in explained}


def test_name_is_value_flagged(analyzer):
    codes = {f.code for f in findings(analyzer, "社会效益指标", "推动科技国际交流工作", "推动科技国际交流工作")}
    assert "N002" in codes


def test_level_mismatch_training_under_quality(analyzer):
    codes = {f.code for f in findings(analyzer, "质量指标", "媒体报道次数", "≥10次")}
    fine = {f.code for f in findings(analyzer, "数量指标", "媒体报道次数", "≥10次")}
    assert "N003" in codes and "N003" not in fine


def test_generic_name_flagged(analyzer):
    assert "N005" in {f.code for f in findings(analyzer, "成本指标", "成本", "≤15万元", description="项目成本")}
    assert "N005" not in {f.code for f in findings(analyzer, "成本指标", "培训成本", "≤15万元", description="培训场地与讲师费用")}


def test_models_record_training_data_hash_and_metrics():
    judge = load_judge()
    assert len(judge.meta["training_data_sha256"]) == 64
    assert judge.meta["trained_rows"] > 386
