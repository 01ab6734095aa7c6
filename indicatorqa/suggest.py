"""Suggest stage: quantified rewrites for flagged indicators, drawn from the corpus.

For an indicator with a finding that a rewrite can fix, retrieve the most similar
well-formed corpus entries (same 二级指标 first) and turn each into a suggestion: the
entry's measurable name and description, and its value pattern filled with a number
only when there is evidence for one:

1. the indicator's own number, when the unit agrees (``3`` under 培训次数 → ``3次``);
2. a number stated in the project's goals with the same unit;
3. the project budget, for a cost ceiling in 万元;
4. the budget year, for a deadline.

Otherwise the number is an explicit blank, ``【待填】``, and the corpus' typical range
is shown as such in ``basis``.

Suggestions come from the row's own 二级指标 first (the level an N003 finding names, when there
is one). When the row is a vague 效益 claim, the last of the ``k`` is the best measurable output
of the same work, under 数量/质量/时效, with a ``note`` saying so; otherwise, when the row's own
words point to another level (:func:`other_level`), the last place goes to the best entry there
(:func:`arranged`).
"""

from __future__ import annotations

import re

from .levels import canonical_level2, parent_level1
from .model import Indicator, Project, Suggestion
from .retrieve import CorpusEntry, Retriever, project_context, query_text
from .values import parse_value

BLANK = "【待填】"
# Findings a rewrite can fix; project-level and self-evaluation findings are not.
FIXABLE = {"V001", "V002", "V003", "V004", "V005", "V006", "V008", "V009", "N001", "N002", "N003", "N004", "N005", "N006"}
_GOAL_NUMBER = re.compile(r"(\d+(?:\.\d+)?)\s*(万人次|人次|家次|场次|万元|亿元|个工作日|个|项|家|人|次|场|篇|份|期|所|套|台|%)")


def _fmt(x: float) -> str:
    return f"{x:.2f}".rstrip("0").rstrip(".") if x != int(x) else str(int(x))


def _typical(entry: CorpusEntry) -> str | None:
    r = entry.typical_range or {}
    if "low" in r and "high" in r:
        unit = entry.unit or ""
        note = f"（{r['note']}）" if r.get("note") else ""
        return f"语料库同类指标常见取值 {_fmt(r['low'])}–{_fmt(r['high'])}{unit}{note}"
    return None


_UP, _DOWN = {"≥", ">"}, {"≤", "<"}


def _own_number_carries(own, entry: CorpusEntry, indicator: Indicator) -> bool:
    """Whether the row's own number is evidence for the entry's target.

    Not when the row is pseudo-quantified (V004: the number has no rate or quantity behind it,
    so carrying it over would carry the fake figure), and not when the row's direction is the
    opposite of the entry's (≥99% of one thing is no evidence for ≤99% of an error rate) —
    unless the row's direction is itself the finding (V008: 完成率 ≤100% means ≥100%)."""
    codes = {f.code for f in indicator.findings}
    if "V004" in codes:
        return False
    if "V008" in codes:
        return True
    return not ((own.direction in _UP and entry.direction in _DOWN) or (own.direction in _DOWN and entry.direction in _UP))


def fill_value(entry: CorpusEntry, indicator: Indicator, project: Project | None) -> tuple[str, str]:
    """The entry's value pattern with a number where there is evidence, and that evidence."""
    pattern = entry.value_pattern
    if "{year}" in pattern or "{date}" in pattern:
        year = project.budget_year if project else None
        if year:
            value = pattern.replace("{year}", str(year)).replace("{date}", f"{year}年12月31日")
            return value, f"预算年度 {year} 年（{project.budget_year_evidence or '由表格推断'}）"
        return pattern.replace("{year}", BLANK).replace("{date}", BLANK), "预算年度未知，请填写完成期限"
    if "{n}" not in pattern:
        return pattern, f"语料库示例的原值（{entry.provenance or entry.id}）" if re.search(r"\d", pattern) else ""
    unit = entry.unit
    own = parse_value(indicator.value)
    if own.number is not None and (own.unit == unit or (own.unit is None and unit)) and _own_number_carries(own, entry, indicator):
        return pattern.replace("{n}", _fmt(own.number)), f"原指标值“{indicator.value}”"
    if project is not None:
        for goal in project.goals:
            for m in _GOAL_NUMBER.finditer(goal.text):
                if m.group(2) == unit and "每" not in goal.text[max(0, m.start() - 6) : m.start()]:
                    return pattern.replace("{n}", m.group(1)), f"绩效目标{goal.number}：“{goal.text[:40]}”"
        if unit == "万元" and project.budget and entry.direction in ("≤", "<", ""):
            return pattern.replace("{n}", _fmt(project.budget)), f"项目预算数 {_fmt(project.budget)} 万元"
    typical = _typical(entry)
    return pattern.replace("{n}", BLANK), typical or "请按计划标准或历史标准填写"


def suggestion_query(indicator: Indicator, project: Project | None = None, judge=None) -> tuple[str, str | None]:
    """The retrieval query for an indicator's rewrites: its text with the project's subject,
    and the 二级指标 to look under first."""
    level2 = canonical_level2(indicator.level2) or canonical_level2(indicator.level1)
    if judge is not None and any(f.code == "N003" for f in indicator.findings):
        # The findings engine says the row belongs under another 二级指标 (N003): rewrites are
        # looked for where it belongs, not where it was written.
        level2 = judge.verdict("level2", indicator).label
    context = project_context(project.name) if project is not None else ""
    return query_text(indicator.name, indicator.description, indicator.value, context), level2


# Findings that make a 效益 row a vague claim rather than a measure (提升…能力 / 提升, a label as the
# value, the value repeating the name). A reviewer rewrites such a claim either as a measurable
# effect or as the measurable output of the work behind it (corpus/benchmark/GUIDE.md §2).
VAGUE_CLAIM = {"V001", "V002", "N002"}
# The output levels a vague claim's work is measured under; 成本 measures money, not the work.
OUTPUT_LEVELS = ("数量", "质量", "时效")


def vague_effect_claim(indicator: Indicator, level2: str | None) -> bool:
    return parent_level1(level2) == "效益" and any(f.code in VAGUE_CLAIM for f in indicator.findings)


def other_level(indicator: Indicator, level2: str | None, judge, min_confidence: float) -> str | None:
    """The 二级指标 the row's own words point to, when it is not ``level2`` (where the suggestions
    are looked for) and the ``level2_unwritten`` model is at least ``min_confidence`` sure.

    Not a finding: that model never sees the written level, so it disagrees with many a row that
    is fine where it is (N003 uses the calibrated ``level2`` model). But for a row that is flagged
    anyway, one suggestion from the level its words name is worth its place: on the retrieval
    development set (corpus/benchmark/dev/) that place held an acceptable rewrite 3 times in 17
    where the row's own level's third entry held one once, and no query lost its last acceptable
    suggestion."""
    if not level2 or not _has_unwritten(judge):
        return None
    return _named_level(judge.probabilities("level2_unwritten", indicator), level2, min_confidence)


def _has_unwritten(judge) -> bool:
    return "level2_unwritten" in (getattr(judge, "models", None) or {})


def _named_level(proba: dict[str, float], level2: str | None, min_confidence: float) -> str | None:
    label = max(proba, key=proba.get)
    return label if level2 and label != level2 and proba[label] >= min_confidence else None


def _other_levels(todo, queries, vague, judge, config, chunk: int = 4096) -> list[str | None]:
    """``other_level`` for a batch: the model applied once per chunk (``Judge.predict_batch``:
    each distinct row once, nothing kept in the judge's cache, which a 100k-row batch would fill
    with feature rows)."""
    if not _has_unwritten(judge):
        return [None] * len(todo)
    from .learn.features import record

    floor = _min_confidence(config)
    asked = [n for n, v in enumerate(vague) if not v and queries[n][1]]
    out: list[str | None] = [None] * len(todo)
    for start in range(0, len(asked), chunk):
        part = asked[start : start + chunk]
        probas = judge.predict_batch("level2_unwritten", [record(todo[n][1]) for n in part])
        for n, proba in zip(part, probas):
            out[n] = _named_level(proba, queries[n][1], floor)
    return out


def _where(entry: CorpusEntry) -> str:
    return f"{entry.level1}—{entry.level2}" if entry.level1 else entry.level2


def arranged(hits, level2: str | None, vague_claim: bool = False, k: int = 3, other: str | None = None):
    """Suggestion order: (hit, note) pairs, same 二级指标 first. For a vague 效益 claim
    (``vague_claim``, :func:`vague_effect_claim`) the ``k``-th place goes to the best entry under
    数量/质量/时效 — the measurable output of the work the claim is about — with a ``note``
    saying so. Otherwise, with ``other`` (:func:`other_level`), it goes to the best entry of that
    二级指标 (the note that the level changes too is added by :func:`_suggestions`).

    Not done: moving the ``k``-th place whenever an entry under *any* other level scores above
    everything under the row's own. Other levels hold eight times the entries, so one of them
    nearly always wins (on 66 of the 95 benchmark queries, and on 181 of the 307 flagged seed
    rows, mostly with entries that share only the project's subject). Whether a row is under the
    wrong level is the findings engine's call (N003, calibrated), and :func:`suggestion_query`
    follows it.

    ``hits``: as :func:`offered` yields them from ``Retriever.search(..., outside=n)``."""
    hits = list(hits)
    if not level2 or k < 2:
        return [(h, None) for h in hits]
    same = [h for h in hits if h.entry.level2_canonical == level2]
    other_hits = sorted((h for h in hits if h.entry.level2_canonical != level2), key=lambda h: -h.score)
    move, note = None, None
    if vague_claim:
        move = next((h for h in other_hits if h.entry.level2_canonical in OUTPUT_LEVELS), None)
        if move is not None:
            note = (f"原指标是笼统的效益表述，也可改为衡量这项工作产出的指标，列入“{_where(move.entry)}”"
                    "（采用时请把二级指标一并改过来）")
    elif other:
        move = next((h for h in other_hits if h.entry.level2_canonical == other), None)
    if move is None or not same:
        return [(h, None) for h in hits]
    head = same[: k - 1]
    rest = [h for h in hits if h is not move and not any(h is x for x in head)]
    return [(h, None) for h in head] + [(move, note)] + [(h, None) for h in rest]


def offered(hits, own_name: str):
    """The hits as suggestions list them: each entry name once, and never the row's own name
    (an accepted entry from the same unit can carry it; it is no rewrite)."""
    seen = {own_name.strip()}
    for hit in hits:
        if hit.entry.name not in seen:
            seen.add(hit.entry.name)
            yield hit


def _min_confidence(config) -> float:
    from .config import default_thresholds

    name = "other_level_suggestion_min_confidence"
    return config.threshold(name) if config is not None else default_thresholds()[name]


def suggestion_plan(indicator: Indicator, project: Project | None, judge=None, config=None):
    """How one row's rewrites are looked for: (query, 二级指标 to look under first, whether it is
    a vague 效益 claim, the other level its words name or None). The retrieval benchmark and its
    development set plan their queries with it, so they follow the product."""
    query, level2 = suggestion_query(indicator, project, judge)
    vague = vague_effect_claim(indicator, level2)
    other = None if vague else other_level(indicator, level2, judge, _min_confidence(config))
    return query, level2, vague, other


def suggest(indicator: Indicator, project: Project | None, retriever: Retriever, k: int = 3, judge=None, config=None) -> list[Suggestion]:
    """Rewrites for one indicator (``judge``: the findings engine's models, to look under the
    二级指标 an N003 finding names and the one the row's words name; ``config``: thresholds)."""
    query, level2, vague, other = suggestion_plan(indicator, project, judge, config)
    hits = retriever.search(query, level2=level2, k=k * 3, outside=k if vague or other else 0)
    return _suggestions(indicator, project, hits, level2, vague, k, other)


def _suggestions(indicator: Indicator, project: Project | None, hits, level2: str | None, vague: bool, k: int,
                 other: str | None = None) -> list[Suggestion]:
    out: list[Suggestion] = []
    written = canonical_level2(indicator.level2) or canonical_level2(indicator.level1)
    for hit, note in arranged(offered(hits, indicator.name), level2, vague, k, other):
        entry = hit.entry
        value, basis = fill_value(entry, indicator, project)
        if note is None and written and entry.level2_canonical and entry.level2_canonical != written:
            # Looked for under the level an N003 finding names, or nothing was left at the row's own.
            note = f"此写法属于“{_where(entry)}”，采用时请把二级指标一并改过来"
        out.append(
            Suggestion(
                level1=entry.level1,
                level2=entry.level2,
                name=entry.name,
                description=entry.description,
                value=value,
                source=f"corpus:{entry.id}",
                similarity=round(hit.score, 3),
                basis=basis or None,
                note=note,
            )
        )
        if len(out) >= k:
            break
    return out


def add_suggestions(projects: list[Project], retriever: Retriever, k: int = 3, judge=None, config=None) -> list[Project]:
    """Attach suggestions to every indicator with a fixable finding (in place; returns projects)."""
    todo = [(project, ind) for project in projects for ind in project.indicators if any(f.code in FIXABLE for f in ind.findings)]
    if not todo:
        return projects
    queries = [suggestion_query(ind, project, judge) for project, ind in todo]
    vague = [vague_effect_claim(ind, level2) for (_, ind), (_, level2) in zip(todo, queries)]
    others = _other_levels(todo, queries, vague, judge, config)
    # All queries of the batch searched together (one embedding call, one BM25 product); only
    # vague 效益 claims and rows whose words name another level need the best entries of the
    # other levels (see ``arranged``).
    hits: list = [None] * len(todo)
    wants = [bool(v or o) for v, o in zip(vague, others)]
    for want in (False, True):
        part = [n for n, w in enumerate(wants) if w is want]
        if part:
            found = retriever.search_many([queries[n] for n in part], k=k * 3, outside=k if want else 0)
            for n, h in zip(part, found):
                hits[n] = h
    for n, (project, ind) in enumerate(todo):
        ind.suggestions = _suggestions(ind, project, hits[n], queries[n][1], vague[n], k, others[n])
    return projects
