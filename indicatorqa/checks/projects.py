"""Project rules (P001–P008): the indicator set as a whole, against the budget and goals."""

from __future__ import annotations

import re
from collections import defaultdict

from ..levels import canonical_level1, canonical_level2
from .base import ProjectContext, project_check

_OUTPUT_KINDS = ("数量", "质量", "时效", "成本")
_BENEFIT_KINDS = ("经济效益", "社会效益", "生态效益", "可持续影响")


def _norm(text: str) -> str:
    return re.sub(r"[\s，,。.、；;：:（）()“”\"'《》]+", "", text or "")


@project_check("P001")
def missing_category(ctx: ProjectContext, rule):
    if not ctx.project.indicators:
        return
    present = {i.level2 for i in ctx.indicators if i.level2}
    # Tables that only name the 一级 (指标类型 = 效益指标, no 二级) still show which 一级 they
    # cover; which 二级 an output row would fill cannot be told, so those are not asked for.
    level1_of = [(i, i.level1 or canonical_level1(i.indicator.level2)) for i in ctx.indicators]
    level1s = {l1 for _, l1 in level1_of if l1}
    unsorted_output = any(l1 == "产出" and not i.level2 for i, l1 in level1_of)
    missing = []
    outputs = [k for k in _OUTPUT_KINDS if k not in present]
    if outputs and not unsorted_output:
        missing.append("产出指标中的" + "、".join(f"{k}指标" for k in outputs))
    if not present & set(_BENEFIT_KINDS) and "效益" not in level1s:
        missing.append("效益指标")
    if "满意度" not in present and "满意度" not in level1s:
        missing.append("满意度指标")
    if missing:
        yield rule.finding(evidence=sorted(present), missing="；".join(missing)), None


@project_check("P002")
def too_few(ctx: ProjectContext, rule):
    minimum = int(ctx.config.threshold("p002_min_indicators"))
    n = len([i for i in ctx.project.indicators if i.name.strip()])
    if ctx.project.kind == "target" and n < minimum:
        yield rule.finding(count=n, minimum=minimum), None


@project_check("P003")
def duplicate(ctx: ProjectContext, rule):
    groups = defaultdict(list)
    for ictx in ctx.indicators:
        # Same name with different descriptions (宣讲会 / 座谈会 under 召开会议次数) are two
        # indicators that share a heading; the same name and description twice is one indicator.
        key = (_norm(ictx.name), _norm(ictx.indicator.description))
        if key[0]:
            groups[key].append(ictx.indicator)
    for members in groups.values():
        if len(members) > 1:
            values = "、".join(m.value or "（空）" for m in members)
            finding = rule.finding(evidence=[m.name for m in members], name=members[0].name, count=len(members), values=values)
            # Attach to the later copies: the first one is the one a reader keeps.
            for m in members[1:]:
                yield finding, m


def _signature(project) -> set[tuple[str, str]]:
    # Values differ between copies of a template (≥5人, ≥200家); the names do not.
    return {(canonical_level2(i.level2) or "", _norm(i.name)) for i in project.indicators}


def boilerplate_candidates(projects: list, min_n: int, block: int = 512) -> list[list]:
    """For each project, ``[the other project P008 would pick]`` (or ``[]``), for a whole batch
    at once: the same choice as the loop in :func:`boilerplate` (highest Jaccard overlap of
    signatures, first one on ties, only if above 0), computed as a sparse product instead of
    comparing every pair in Python, which is quadratic in the number of projects."""
    import numpy as np
    from scipy.sparse import csr_matrix

    n = len(projects)
    if n < 2:
        return [[] for _ in projects]
    sigs = [_signature(p) for p in projects]
    vocab: dict = {}
    rows, cols = [], []
    for i, sig in enumerate(sigs):
        for item in sig:
            rows.append(i)
            cols.append(vocab.setdefault(item, len(vocab)))
    s = csr_matrix((np.ones(len(rows), dtype=np.float64), (rows, cols)), shape=(n, max(len(vocab), 1)))
    st = s.T.tocsc()
    sizes = np.array([len(x) for x in sigs], dtype=np.float64)
    eligible = np.array([len(p.indicators) >= min_n for p in projects])
    name_ids: dict = {}
    names = np.array([name_ids.setdefault(_norm(p.name), len(name_ids)) for p in projects])
    out: list[list] = [[] for _ in projects]
    todo = np.flatnonzero(eligible)
    for start in range(0, len(todo), block):
        idx = todo[start : start + block]
        inter = (s[idx] @ st).toarray()
        union = sizes[idx][:, None] + sizes[None, :] - inter
        with np.errstate(divide="ignore", invalid="ignore"):
            overlap = np.where(union > 0, inter / union, 0.0)
        overlap[:, ~eligible] = -1.0
        overlap[names[idx][:, None] == names[None, :]] = -1.0
        best = overlap.argmax(axis=1)
        for row, i in enumerate(idx):
            j = best[row]
            if overlap[row, j] > 0:
                out[i] = [projects[j]]
    return out


@project_check("P008")
def boilerplate(ctx: ProjectContext, rule):
    min_n = int(ctx.config.threshold("p008_min_indicators"))
    if len(ctx.project.indicators) < min_n:
        return
    mine = _signature(ctx.project)
    best, best_score = None, 0.0
    for other in ctx.others:
        if len(other.indicators) < min_n or _norm(other.name) == _norm(ctx.project.name):
            continue
        theirs = _signature(other)
        overlap = len(mine & theirs) / len(mine | theirs)
        if overlap > best_score:
            best, best_score = other, overlap
    if best is not None and best_score >= ctx.config.threshold("p008_min_overlap"):
        yield rule.finding(evidence=[best.name], other=f"项目“{best.name}”", similarity=best_score), None


# Function words and verbs that every goal and indicator shares; removed before comparing.
_GOAL_STOP = re.compile("进一步|开展|完成|提升|提高|加强|推动|促进|推进|实施|保障|确保|工作|项目|相关|有关|情况|[的了和与及等在为对把将是]")


def _key_chars(text: str) -> set[str]:
    """Content bigrams of a goal or indicator, without function words."""
    clean = _GOAL_STOP.sub(" ", _norm(text))
    bigrams = set()
    for run in re.findall(r"[\u4e00-\u9fff]+", clean):
        bigrams.update(run[i : i + 2] for i in range(len(run) - 1))
    return bigrams


@project_check("P006")
def goal_not_covered(ctx: ProjectContext, rule):
    from .names import placeholder_in

    goals = [g for g in ctx.project.goals if g.text.strip()]
    if not goals or not ctx.project.indicators:
        return
    needed = int(ctx.config.threshold("p006_min_shared_bigrams"))
    words = ctx.config.word_list("placeholders")
    indicator_bigrams = [
        _key_chars(" ".join((i.indicator.name, i.indicator.description, i.indicator.value))) for i in ctx.indicators
    ]
    for goal in goals:
        if placeholder_in(goal.text, words):
            continue  # N004 speaks to template text
        g = _key_chars(goal.text)
        if len(g) < needed:
            continue
        # A goal is measured when some indicator draws on its content words; goals are long
        # and indicators short, so the shared count matters, not the share of the goal.
        best = max((len(g & ib) for ib in indicator_bigrams), default=0)
        if best < needed:
            short = goal.text if len(goal.text) <= 40 else goal.text[:40] + "…"
            yield rule.finding(evidence=[goal.text[:80]], number=goal.number, goal=short), None


@project_check("P004")
def cost_exceeds_budget(ctx: ProjectContext, rule):
    budget = ctx.project.budget
    if budget is None or budget <= 0:
        return
    for ictx in ctx.indicators:
        v = ictx.value
        is_cost = ictx.level2 == "成本" or ictx.level1 == "成本"
        amount = v.amount_in_wan_yuan
        if not is_cost or amount is None or v.direction in ("≥", ">") or v.per:
            continue
        # ≤ budget is the usual way to say "within budget"; above it by a rounding step is not.
        if amount > budget * 1.0001 + 0.005:
            yield (
                rule.finding(evidence=[ictx.indicator.value, f"预算数 {budget:g}万元"], value=ictx.indicator.value, amount=amount, budget=budget),
                ictx.indicator,
            )


@project_check("P005")
def date_outside_year(ctx: ProjectContext, rule):
    year = ctx.project.budget_year
    if year is None or ctx.project.kind != "target":
        return
    for ictx in ctx.indicators:
        v = ictx.value
        years = {d.year for d in (v.date, v.date_high) if d is not None and d.year is not None}
        outside = sorted(y for y in years if y != year)
        if outside:
            yield (
                rule.finding(evidence=[ictx.indicator.value, f"预算年度 {year}"], value=ictx.indicator.value, year=year),
                ictx.indicator,
            )


_GOAL_NUMBER = re.compile(r"(\d+(?:\.\d+)?)\s*(万人次|人次|家次|场次|万元|亿元|个|项|家|人|次|场|篇|份|期|所|套|台|%)(以上|以内|以下)?")


@project_check("P007")
def goal_value_conflict(ctx: ProjectContext, rule):
    from ..values import parse_value

    for goal in ctx.project.goals:
        for clause in re.split(r"[，,。；;！!\n]", goal.text):
            for m in _GOAL_NUMBER.finditer(clause):
                g = parse_value(m.group(0))
                # 每人每年20万元 is a rate per head, not the project's total: not comparable.
                if g.number is None or "每" in clause[max(0, m.start() - 6) : m.start()]:
                    continue
                clause_bigrams = _key_chars(clause)
                for ictx in ctx.indicators:
                    v = ictx.value
                    if v.number is None or v.unit != g.unit or (v.per or "") != (g.per or ""):
                        continue
                    name_bigrams = _key_chars(ictx.indicator.name)
                    if not name_bigrams or len(clause_bigrams & name_bigrams) / len(name_bigrams) < 0.5:
                        continue
                    if abs(v.number - g.number) > 1e-9:
                        yield (
                            rule.finding(evidence=[m.group(0), ictx.indicator.value], goal_text=m.group(0), value=ictx.indicator.value),
                            ictx.indicator,
                        )
