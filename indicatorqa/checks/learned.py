"""Rules decided by trained classifiers (SPEC: V001–V004, N001/N002, N003, N005).

Each check asks the Judge (indicatorqa.learn.models) for a probability and reports when
it reaches the configured threshold; the evidence is the features that drove the decision.
Without trained models these rules cannot run: the analyser is then built without a
judge and says so, rather than guessing with a word list.
"""

from __future__ import annotations

from ..learn.models import MEASURABILITY_CODE
from .base import IndicatorContext, indicator_check

_LEVEL2_LABEL = {
    "数量": "数量指标", "质量": "质量指标", "时效": "时效指标", "成本": "成本指标", "经济效益": "经济效益指标",
    "社会效益": "社会效益指标", "生态效益": "生态效益指标", "可持续影响": "可持续影响指标", "满意度": "满意度指标",
}


def _measurability(ctx: IndicatorContext, rule):
    judge = ctx.judge
    if judge is None:
        return
    proba = judge.probabilities("measurability", ctx.indicator)
    # First "is it measurable at all" (1 − P(ok)), then which way it fails: the classes
    # split the not-measurable mass, and a value can be clearly unmeasurable while the
    # model hesitates between vague and label.
    p_bad = 1.0 - proba.get("ok", 0.0)
    if p_bad < ctx.config.threshold("learned_min_confidence"):
        return
    label = max((c for c in proba if c != "ok"), key=proba.get)
    if MEASURABILITY_CODE[label] != rule.code:
        return
    evidence = judge.evidence("measurability", ctx.indicator, label)
    yield rule.finding(evidence=evidence, confidence=p_bad, value=ctx.indicator.value, name=ctx.name)


for _code in MEASURABILITY_CODE.values():
    indicator_check(_code)(_measurability)


def _binary(model: str):
    def check(ctx: IndicatorContext, rule):
        judge = ctx.judge
        if judge is None or not ctx.name:
            return
        p = judge.probability(model, ctx.indicator, "1")
        if p >= ctx.config.threshold("learned_min_confidence"):
            evidence = judge.evidence(model, ctx.indicator, "1")
            yield rule.finding(evidence=evidence, confidence=p, name=ctx.name, value=ctx.indicator.value)

    return check


indicator_check("N001")(_binary("tautology_n001"))
indicator_check("N002")(_binary("tautology_n002"))
indicator_check("N005")(_binary("generic_name"))


@indicator_check("N003")
def level_mismatch(ctx: IndicatorContext, rule):
    judge = ctx.judge
    given = ctx.level2
    if judge is None or given is None or not ctx.name:
        return
    verdict = judge.verdict("level2", ctx.indicator)
    if verdict.label == given or verdict.confidence < ctx.config.threshold("n003_min_confidence"):
        return
    evidence = judge.evidence("level2", ctx.indicator, verdict.label)
    yield rule.finding(
        evidence=evidence,
        confidence=verdict.confidence,
        name=ctx.name,
        predicted=_LEVEL2_LABEL.get(verdict.label, verdict.label),
        level2=ctx.indicator.level2 or _LEVEL2_LABEL.get(given, given),
        certainty=verdict.confidence,
    )
