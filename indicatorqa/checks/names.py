"""Name and description rules that follow from the cells themselves (N004, N006).

N001/N002 (tautology), N003 (level mismatch) and N005 (generic name) are judgements and
live in learned.py.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from ..values import FLAG_PLACEHOLDER, QUANTITY_KINDS, parse_value
from .base import IndicatorContext, ProjectContext, indicator_check, project_check

_PLACEHOLDER_NUMBERED = re.compile(r"(目标|指标|内容)\s*(内容)?\s*[0-9一二三四五六七八九十]+$")


def placeholder_in(text: str, words: tuple[str, ...]) -> str | None:
    """The placeholder a cell holds, if any: template words or a bare '目标内容1'."""
    text = (text or "").strip()
    if not text:
        return None
    for w in words:
        if w in text:
            return w
    if _PLACEHOLDER_NUMBERED.fullmatch(text) or _PLACEHOLDER_NUMBERED.search(text) and len(text) <= 8:
        return text
    return None


@indicator_check("N004")
def placeholder(ctx: IndicatorContext, rule):
    words = ctx.config.word_list("placeholders")
    ind = ctx.indicator
    for field, text in (("name", ind.name), ("description", ind.description), ("value", ind.value)):
        hit = placeholder_in(text, words)
        if hit is None and field == "value" and FLAG_PLACEHOLDER in ctx.value.flags:
            hit = text
        if hit is not None:
            yield rule.finding(evidence=[hit], text=text.strip()).model_copy(update={"field": field})
            return


@project_check("N004")
def placeholder_in_goals(ctx: ProjectContext, rule):
    words = ctx.config.word_list("placeholders")
    for goal in ctx.project.goals:
        hit = placeholder_in(goal.text, words)
        if hit is not None:
            f = rule.finding(evidence=[hit], text=f"绩效目标{goal.number}：{goal.text.strip()}")
            yield f.model_copy(update={"field": "goals"}), None


def _is_target(text: str) -> bool:
    v = parse_value(text)
    return v.kind in QUANTITY_KINDS and v.number is not None and (v.direction is not None or v.unit is not None)


def _without_terms(name: str, terms: tuple[str, ...]) -> str:
    """The name with established terms that contain digits (PM2.5, 5G) taken out: their
    digits name a thing, not a target."""
    name = unicodedata.normalize("NFKC", name)
    return _terms_pattern(terms).sub("", name) if terms else name


@lru_cache(maxsize=8)
def _terms_pattern(terms: tuple[str, ...]) -> re.Pattern:
    """One pattern for the word list (it runs on every row whose value is no target); the
    longer terms first, as removing them one by one longest first did."""
    return re.compile("|".join(re.escape(t) for t in sorted(terms, key=len, reverse=True)), re.IGNORECASE)


_LABEL_END = re.compile(r"(度|率|数|数量|情况|次数|人数|金额|时间)$")


@indicator_check("N006")
def swapped_columns(ctx: IndicatorContext, rule):
    ind = ctx.indicator
    name, desc, value = ind.name.strip(), ind.description.strip(), ind.value.strip()
    value_is_target = _is_target(value) or ctx.value.date is not None
    if not value_is_target:
        if name and _is_target(_without_terms(name, ctx.config.word_list("terms_with_digits"))):
            yield rule.finding(evidence=[name], problem=f"三级指标一栏是一个目标值“{name}”")
            return
        if desc and _is_target(desc) and len(desc) <= 12:
            yield rule.finding(evidence=[desc], problem=f"目标值“{desc}”写在了绩效指标描述一栏，指标值一栏却是“{value or '空'}”")
            return
    # The name holds a sentence, the description a one-word value, the value a label:
    # 服务对象对项目执行情况的满意程度 / 满意 / 满意度.
    if (
        value
        and _LABEL_END.search(value)
        and not value_is_target
        and 0 < len(desc) <= 3
        and len(name) >= len(value) + 4
    ):
        yield rule.finding(
            evidence=[name, desc, value],
            problem=f"指标值一栏是名称“{value}”，描述一栏是“{desc}”，三级指标一栏是一句说明",
        )
