"""Value rules that follow from the value grammar's parse (V005–V009).

V001–V004 (is the value measurable at all) are judgements and live in learned.py.
"""

from __future__ import annotations

import re

from ..values import (
    FLAG_CONTRADICTORY,
    FLAG_INVALID_DATE,
    FLAG_INVERTED_RANGE,
    FLAG_MISSING_UNIT,
    FLAG_PERCENT_OUT_OF_RANGE,
    FLAG_REDUNDANT_DIRECTION,
    FLAG_REPEATED_NUMBER,
    FLAG_STRAY_DOT,
)
from .base import IndicatorContext, indicator_check

_BRACKET_UNIT = re.compile(r"[（(]\s*([^）)]{1,6})\s*[）)]\s*$")


def name_fixes_unit(ctx: IndicatorContext) -> bool:
    """The name says what unit a bare number is in (培训次数, 合格率, 面积(亩))."""
    name = re.sub(r"\s", "", ctx.name)
    if _BRACKET_UNIT.search(name):
        return True
    return any(name.endswith(s) for s in ctx.config.word_list("unit_fixing_suffixes"))


@indicator_check("V005")
def missing_unit(ctx: IndicatorContext, rule):
    v = ctx.value
    if FLAG_MISSING_UNIT in v.flags and v.number is not None and not name_fixes_unit(ctx):
        yield rule.finding(evidence=[ctx.indicator.value], value=ctx.indicator.value)


_MALFORMED = {
    FLAG_REDUNDANT_DIRECTION: "把方向写了两遍（符号和文字重复）",
    FLAG_REPEATED_NUMBER: "把同一个数字写了两遍",
    FLAG_CONTRADICTORY: "包含互相矛盾的方向或数字",
    FLAG_STRAY_DOT: "的数字中有多余的小数点",
    FLAG_INVALID_DATE: "中的日期不存在",
    FLAG_INVERTED_RANGE: "的区间上下限写反了",
}


@indicator_check("V006")
def malformed(ctx: IndicatorContext, rule):
    problems = [text for flag, text in _MALFORMED.items() if flag in ctx.value.flags]
    if problems:
        yield rule.finding(evidence=[ctx.indicator.value], value=ctx.indicator.value, problem="，".join(problems))


def _is_growth(ctx: IndicatorContext) -> bool:
    return any(m in ctx.name for m in ctx.config.word_list("growth_markers"))


@indicator_check("V007")
def percent_out_of_range(ctx: IndicatorContext, rule):
    if FLAG_PERCENT_OUT_OF_RANGE in ctx.value.flags and not _is_growth(ctx):
        yield rule.finding(evidence=[ctx.indicator.value], value=ctx.indicator.value)


def delivers_time(ctx: IndicatorContext) -> bool:
    """The value is time the project delivers (培训时长 ≥40学时), not time it takes."""
    name = re.sub(r"\s", "", ctx.name)
    if any(m in name for m in ctx.config.word_list("delivered_time_markers")):
        return True
    return ctx.value.base_unit in ctx.config.word_list("delivered_time_units")


def polarity(ctx: IndicatorContext) -> str | None:
    """'+' when more is better, '-' when less is better, None when the name does not say."""
    name = re.sub(r"\s", "", ctx.name)
    # 时长 among the negative markers means time taken (处理时长); hours of training or
    # service delivered are an output, so the negative words do not decide here.
    if ctx.value.kind == "duration" and delivers_time(ctx):
        return "+"
    if any(m in name for m in ctx.config.word_list("benefit_standard_markers")):
        return None
    if any(m in name for m in ctx.config.word_list("saving_markers")):
        return "+"
    if any(m in name for m in ctx.config.word_list("negative_markers")):
        return "-"
    if ctx.level2 == "成本":
        return "-"
    if any(name.endswith(m) or m in name for m in ctx.config.word_list("positive_markers")):
        return "+"
    if ctx.level2 == "满意度" and ctx.value.kind == "percent":
        return "+"
    return None


@indicator_check("V008")
def wrong_direction(ctx: IndicatorContext, rule):
    v = ctx.value
    if v.direction not in ("≥", ">", "≤", "<") or v.kind not in ("percent", "amount", "count", "duration"):
        return
    pol = polarity(ctx)
    # An output count (数量指标) is something the project delivers: more is better, so a
    # ceiling (≤19人) caps the delivery instead of setting a target.
    if pol is None and ctx.level2 == "数量" and v.kind == "count":
        pol = "+"
    if pol == "+" and v.direction in ("≤", "<") and v.kind in ("percent", "count"):
        yield rule.finding(evidence=[ctx.name, ctx.indicator.value], name=ctx.name, value=ctx.indicator.value)
    elif pol == "-" and v.direction in ("≥", ">") and v.kind in ("amount", "duration"):
        yield rule.finding(
            evidence=[ctx.name, ctx.indicator.value],
            message=f"“{ctx.name}”越低越好，指标值却写成“{ctx.indicator.value}”（下限），方向反了。",
        )


# What kind of value each 二级指标 expects, and which kinds clearly do not fit it.
_EXPECTED = {
    "时效": ("给出时间（完成时点、期限或时长）或及时率", {"count", "amount"}),
    # A cost value with no number at all is V001 (not measurable), not a kind mismatch.
    "成本": ("给出金额（如 ≤15万元）", {"count", "percent", "date", "duration", "rate", "boolean"}),
    "满意度": ("给出满意度比例（如 ≥90%）", {"count", "amount", "date", "duration"}),
    "数量": ("给出数量（个、次、人次……）", {"amount", "date", "duration"}),
}
# 社会成本 / 生态环境成本 (nonmonetary_cost_levels) may be a harm counted in any unit; only a
# date or a length of time says nothing about a cost.
_NONMONETARY_COST = ("给出金额或可核验的数量（如 ≤0.5吨、0户）", {"date", "duration"})
_KIND_ZH = {
    "count": "数量", "amount": "金额", "percent": "百分比", "duration": "时长", "rate": "频率",
    "date": "日期", "number": "数字", "qualitative": "文字描述", "boolean": "是/否", "empty": "空",
}


@indicator_check("V009")
def type_mismatch(ctx: IndicatorContext, rule):
    v = ctx.value
    expected = _EXPECTED.get(ctx.level2 or "")
    if expected is not None and ctx.level2 == "成本" and _nonmonetary_cost(ctx):
        expected = _NONMONETARY_COST
    if expected is None or v.kind not in expected[1]:
        return
    if ctx.level2 == "满意度" and _satisfaction_score(ctx):
        return
    # Money per head (3300元/生·年, 90元/人·月) under 数量 is a subsidy standard: how much
    # each beneficiary gets (corpus/LABELING.md: 数量 takes a count or an amount with a unit).
    # A total amount there (≤50万元) is still a cost in the wrong place.
    if ctx.level2 == "数量" and v.kind == "amount" and v.per:
        return
    # Hours of training delivered (≥40学时) are an output quantity; a ceiling on a length of
    # time (≤10个工作日) is still a time limit that belongs under 时效.
    if ctx.level2 == "数量" and v.kind == "duration" and v.direction not in ("≤", "<") and delivers_time(ctx):
        return
    # A count of days or hours (年开放天数 ≥330天) is a quantity under 数量.
    if ctx.level2 == "数量" and v.kind == "duration" and _counts_time(ctx):
        return
    yield rule.finding(
        evidence=[ctx.indicator.level2, ctx.indicator.value],
        level2=ctx.indicator.level2 or ctx.level2,
        expected=expected[0],
        value=ctx.indicator.value,
        actual=_KIND_ZH.get(v.kind, v.kind),
    )


def _counts_time(ctx: IndicatorContext) -> bool:
    name = re.sub(r"\s", "", ctx.name)
    return name.endswith(tuple(ctx.config.word_list("time_count_name_endings")))


def _nonmonetary_cost(ctx: IndicatorContext) -> bool:
    levels = re.sub(r"\s", "", f"{ctx.indicator.level2 or ''}|{ctx.indicator.level1 or ''}")
    return any(w in levels for w in ctx.config.word_list("nonmonetary_cost_levels"))


def _satisfaction_score(ctx: IndicatorContext) -> bool:
    """≥90分: a satisfaction score on a 100-point scale is as checkable as ≥90%."""
    v = ctx.value
    if v.kind != "count" or v.base_unit not in ctx.config.word_list("satisfaction_score_units"):
        return False
    top = ctx.config.threshold("v009_satisfaction_score_max")
    numbers = [n for n in (v.base_number, v.base_number_high) if n is not None]
    return bool(numbers) and all(0 <= n <= top for n in numbers)
