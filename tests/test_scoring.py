"""The score formula as a reviewer meets it: worse tables score lower, errors cap the grade."""

from __future__ import annotations

from indicatorqa.model import Finding, Indicator, Project
from indicatorqa.scoring import grade, indicator_score, score_project


def _f(code, severity="warning", confidence=None):
    return Finding(code=code, slug="x", severity=severity, message="m", confidence=confidence)


def _project(findings_per_row, project_findings=()):
    inds = [Indicator(name=f"指标{i}", value="≥1次", findings=list(fs)) for i, fs in enumerate(findings_per_row)]
    return score_project(Project(name="p", indicators=inds, findings=list(project_findings)))


def test_clean_project_scores_100_and_grade_you():
    p = _project([[] for _ in range(6)])
    assert p.score == 100 and p.grade == "优" and set(p.score_parts.values()) == {100}


def test_more_unmeasurable_values_score_lower():
    scores = [_project([[_f("V001", "error")]] * k + [[]] * (8 - k)).score for k in range(0, 9, 2)]
    assert scores == sorted(scores, reverse=True) and scores[0] > scores[-1]
    quarter = _project([[_f("V001", "error")]] * 2 + [[]] * 6)
    assert quarter.score_parts["相关性"] < 60  # falls faster than the share of bad rows


def test_error_caps_grade_at_liang():
    one_error_of_many = _project([[_f("V006", "error")]] + [[]] * 30)
    assert one_error_of_many.score >= 90 and one_error_of_many.grade == "良"


def test_confidence_scales_penalty_and_measurability_weighs_most():
    assert indicator_score([_f("V001", "error", 0.5)]) == 70
    assert indicator_score([_f("V001", "error")]) < indicator_score([_f("V006", "error")]) < indicator_score([_f("N001")])


def test_project_level_findings_count():
    plain = _project([[] for _ in range(6)])
    copied = _project([[] for _ in range(6)], [_f("P008")])
    assert copied.score < plain.score and copied.score_parts["相关性"] == 80


def test_grade_boundaries():
    assert [grade(x) for x in (95, 90, 85, 80, 70, 60, 59.9)] == ["优", "优", "良", "良", "中", "中", "差"]
