"""Self-evaluation rules (S001–S004): targets against actuals, scores against weights."""

from __future__ import annotations

from ..values import ParsedValue
from .base import EvaluationContext, ProjectContext, evaluation_check, project_check


def _comparable(a: ParsedValue, b: ParsedValue) -> bool:
    if a.number is None or b.number is None:
        return False
    if a.base_unit and b.base_unit:
        return a.base_unit == b.base_unit and (a.per or "") == (b.per or "")
    return a.kind == b.kind or not (a.base_unit or b.base_unit)


def meets(target: ParsedValue, actual: ParsedValue) -> bool | None:
    """Whether the actual value meets the target; None when the two cannot be compared."""
    if target.date is not None and actual.date is not None:
        t_end = target.date.end(2000 if target.date.year is None else None)
        a_end = actual.date.end(2000 if actual.date.year is None else None)
        if t_end is None or a_end is None:
            return None
        return a_end <= t_end if target.direction in ("≤", "<", None) else a_end >= t_end
    if not _comparable(target, actual):
        return None
    t, a = target.base_number, actual.base_number
    direction = target.direction or ("≤" if target.kind in ("amount", "duration") else "≥")
    if direction == "range" and target.base_number_high is not None:
        return t <= a <= target.base_number_high
    return {"≥": a >= t, ">": a > t, "≤": a <= t, "<": a < t, "=": abs(a - t) < 1e-9}.get(direction)


def overshoot(target: ParsedValue, actual: ParsedValue) -> float | None:
    """actual / target for a lower-bound target (≥, or a plain count), else None."""
    if not _comparable(target, actual) or target.direction not in ("≥", ">", None):
        return None
    if target.kind not in ("count", "amount", "rate") or not target.base_number or target.base_number <= 0:
        return None
    return actual.base_number / target.base_number


@evaluation_check("S001")
def target_too_low(ctx: EvaluationContext, rule):
    ratio = overshoot(ctx.target, ctx.actual)
    if ratio is not None and ratio >= ctx.config.threshold("s001_ratio"):
        yield rule.finding(evidence=[ctx.row.target, ctx.row.actual], target=ctx.row.target, actual=ctx.row.actual, ratio=ratio)


@evaluation_check("S002")
def score_inconsistent(ctx: EvaluationContext, rule):
    row = ctx.row
    tol = ctx.config.threshold("score_tolerance")
    if row.score is None or row.weight is None:
        return
    problem = None
    if row.score > row.weight + tol:
        problem = f"得分 {row.score:g} 超过了分值 {row.weight:g}"
    elif row.score < -tol:
        problem = f"得分 {row.score:g} 为负数"
    else:
        met = meets(ctx.target, ctx.actual)
        if met is False and row.score >= row.weight - tol:
            problem = f"实际完成“{row.actual}”未达到目标“{row.target}”，却得了满分 {row.score:g}"
        elif met is True and row.score < row.weight - tol:
            ratio = overshoot(ctx.target, ctx.actual)
            if ratio is None or ratio < ctx.config.threshold("s001_ratio"):
                problem = f"实际完成“{row.actual}”达到了目标“{row.target}”，却扣了 {row.weight - row.score:g} 分"
    if problem:
        yield rule.finding(evidence=[row.target, row.actual, f"{row.score:g}/{row.weight:g}"], problem=problem)


@evaluation_check("S003")
def missing_reason(ctx: EvaluationContext, rule):
    row = ctx.row
    if row.reason.strip():
        return
    tol = ctx.config.threshold("score_tolerance")
    problem = None
    if row.score is not None and row.weight is not None and row.score < row.weight - tol:
        problem = f"该项扣了 {row.weight - row.score:g} 分"
    elif meets(ctx.target, ctx.actual) is False:
        problem = f"实际完成“{row.actual}”未达到目标“{row.target}”"
    if problem:
        yield rule.finding(evidence=[row.target, row.actual], problem=problem)


@project_check("S004")
def total_mismatch(ctx: ProjectContext, rule):
    p = ctx.project
    if p.kind != "self_evaluation" or p.total_score is None:
        return
    scores = [r.score for r in p.evaluation if r.score is not None]
    if not scores:
        return
    total = sum(scores) + (p.execution.score if p.execution and p.execution.score is not None else 0.0)
    if abs(total - p.total_score) > ctx.config.threshold("score_tolerance") * max(1, len(scores)) ** 0.5:
        yield rule.finding(evidence=[f"{p.total_score:g}", f"{total:g}"], total=p.total_score, sum=round(total, 2)), None
