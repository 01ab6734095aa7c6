"""Infer the budget year (预算年度) of a table, and keep the evidence for it.

A 绩效目标表 rarely states its year in a field of its own. The year is read, in
order of trust, from:

1. the title (or project name): ``2022年度科技重大专项评估``, ``…专项资金（2022年）``;
2. dates in the indicator values: ``2025年12月31日前完成``, ``2022年12月``, ``2023.07``;
3. any other text of the table (goals, use of funds, descriptions): ``用于2021年度…``.

Years that are not budget years are skipped: document numbers such as
``唐财教（2021）42号`` or ``国科资函〔2021〕13号``, and years qualified as coming from
an earlier budget (``2021年借款``, ``2020年结转``). Such a year is used only when
nothing else names a year at all.

The evidence is a short Chinese text whose prefix names the tier it came from
(see the ``EVIDENCE_*`` constants), so that a reader can tell strong evidence
from weak, e.g. when one table of a file has no year but its siblings do
(:func:`apply_document_year`).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence

EVIDENCE_TITLE = "标题"
EVIDENCE_VALUE = "指标值"
EVIDENCE_TEXT = "文本"
EVIDENCE_REFERENCE = "参考年份"
EVIDENCE_DOCUMENT = "同一文件其他表格标题"

_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)")
# A year in brackets followed by a serial number and 号 is a document reference:
# 唐财教（2021）42号, 国科资函〔2021〕13号, 津政发[2018]27号.
_DOC_NUMBER = re.compile(r"[（(〔\[【]\s*(?:19|20)\d{2}\s*[）)〕\]】]\s*(?:第\s*)?\d+\s*号")
# A bracketed bare year without 年 ("（2021）") is a reference style, not a budget year.
_BRACKETED_BARE = re.compile(r"[（(〔\[【]\s*(?:19|20)\d{2}\s*[）)〕\]】]")
# Money that belongs to an earlier budget: the year names where it came from.
_PAST_MONEY = re.compile(r"^\s*年?度?(?:及以前|以前)?(?:借款|结转|结余|欠款|垫付|预借|尾款|遗留|欠付|往来)")
# A year range (2021-2025年, 2021至2023年) describes a period, not the budget year.
_RANGE_AFTER = re.compile(r"^\s*年?\s*[-—–~～至到]\s*(?:19|20)\d{2}")
_RANGE_BEFORE = re.compile(r"(?:19|20)\d{2}\s*年?\s*[-—–~～至到]\s*$")
# In a value, a year counts when it is part of a date or deadline: 2025年12月, 2023.07,
# 2022-12-31, 2025年底, 2024年上半年.
_DATE_AFTER = re.compile(
    r"^\s*(?:年\s*\d{1,2}\s*月|[.\-/]\s*\d{1,2}(?!\d)|年\s*(?:底|末|内|前|之前|以前|上半年|下半年|第?[一二三四]季度))"
)


def _masked(text: str) -> str:
    """Blank out document numbers so that their years are never read as budget years."""
    text = _DOC_NUMBER.sub(lambda m: " " * len(m.group(0)), text)
    return _BRACKETED_BARE.sub(lambda m: " " * len(m.group(0)), text)


def _year_mentions(text: str) -> Iterable[tuple[int, str, int, int]]:
    """Yield (year, kind, start, end) for each year in ``text``.

    kind is ``strong`` (…年度 or （…年）), ``year`` (…年), ``date`` (…年12月, 2023.07),
    ``bare`` (a 4-digit year without 年), or ``reference`` (借款/结转/ranges).
    """
    masked = _masked(text)
    for m in _YEAR.finditer(masked):
        year = int(m.group(1))
        # Only the few characters around a year decide what it is; slicing a window
        # keeps long texts with many years linear.
        after = masked[m.end() : m.end() + 16]
        before = masked[max(0, m.start() - 16) : m.start()]
        if _PAST_MONEY.match(after) or _RANGE_AFTER.match(after) or _RANGE_BEFORE.search(before):
            kind = "reference"
        elif re.match(r"^\s*年度", after) or (re.search(r"[（(]\s*$", before) and re.match(r"^\s*年\s*[）)]", after)):
            kind = "strong"
        elif _DATE_AFTER.match(after):
            kind = "date"
        elif re.match(r"^\s*年", after):
            kind = "year"
        else:
            kind = "bare"
        yield year, kind, m.start(), m.end()


def _snippet(text: str, start: int, end: int, width: int = 24) -> str:
    """The text around a match, on one line, for evidence shown to the user."""
    lo = max(0, start - width)
    hi = min(len(text), end + width)
    piece = " ".join(text[lo:hi].split())
    return ("…" if lo > 0 else "") + piece + ("…" if hi < len(text) else "")


def _line_of(text: str, pos: int) -> str:
    lo = text.rfind("\n", 0, pos) + 1
    hi = text.find("\n", pos)
    return " ".join(text[lo : hi if hi >= 0 else len(text)].split())


def infer_budget_year(title: str, texts: Sequence[str], dates: Sequence[str] = ()) -> tuple[int | None, str]:
    """Return ``(year, evidence)``; ``(None, "")`` when nothing names a year.

    ``title`` may hold several lines (title and project name); ``dates`` are the
    indicator values (only dates and deadlines in them count); ``texts`` is any other
    text of the table.
    """
    title = title or ""
    references: list[tuple[int, str]] = []

    # 1. Title: …年度 / （…年） first, then …年.
    best: tuple[int, int, str] | None = None  # (rank, year, evidence)
    for year, kind, start, _end in _year_mentions(title):
        if kind == "reference":
            references.append((year, f"{EVIDENCE_REFERENCE}：{_line_of(title, start)}"))
            continue
        rank = {"strong": 0, "year": 1, "date": 1}.get(kind)
        if rank is None:
            continue
        if best is None or rank < best[0]:
            best = (rank, year, f"{EVIDENCE_TITLE}：{_line_of(title, start)}")
    if best is not None:
        return best[1], best[2]

    # 2. Dates in the indicator values: the most frequent year; a tie goes to the
    # earliest, because a deadline after the budget year is the exception (and a
    # finding of its own), not the rule.
    date_years: Counter[int] = Counter()
    first_value: dict[int, str] = {}
    for value in dates:
        value = value or ""
        for year, kind, start, _end in _year_mentions(value):
            if kind in ("date", "strong", "year"):
                date_years[year] += 1
                first_value.setdefault(year, " ".join(value.split()))
            elif kind == "reference":
                references.append((year, f"{EVIDENCE_REFERENCE}：{_snippet(value, start, _end)}"))
    if date_years:
        year = min(date_years, key=lambda y: (-date_years[y], y))
        return year, f"{EVIDENCE_VALUE}：{first_value[year]}"

    # 3. Other text: the most frequent year, …年度 counting double; a tie goes to the
    # latest, since background mentions (截至2021年…) look back, plans look ahead.
    text_years: Counter[int] = Counter()
    first_text: dict[int, str] = {}
    for text in texts:
        text = text or ""
        for year, kind, start, end in _year_mentions(text):
            if kind == "reference":
                references.append((year, f"{EVIDENCE_REFERENCE}：{_snippet(text, start, end)}"))
                continue
            if kind == "bare":
                continue
            text_years[year] += 2 if kind == "strong" else 1
            first_text.setdefault(year, _snippet(text, start, end))
    if text_years:
        year = max(text_years, key=lambda y: (text_years[y], y))
        return year, f"{EVIDENCE_TEXT}：{first_text[year]}"

    # 4. Only a year of an earlier budget (2021年借款): better than nothing, and the
    # evidence says what it is.
    if references:
        return references[0]
    return None, ""


def evidence_tier(evidence: str) -> str:
    """The tier an evidence text came from: one of the ``EVIDENCE_*`` constants, or ''."""
    head = (evidence or "").split("：", 1)[0]
    return head if head in {EVIDENCE_TITLE, EVIDENCE_VALUE, EVIDENCE_TEXT, EVIDENCE_REFERENCE, EVIDENCE_DOCUMENT} else ""


def apply_document_year(projects) -> None:
    """Give tables without a trustworthy year the year their siblings' titles agree on.

    A published budget (部门预算公开) holds the tables of one budget year; when some
    titles say 2022 and one table names no year, or only mentions another year in
    its text (用于2021年度…奖励), the file's year is the better answer. Only titles
    vote, and only a unanimous vote counts. Tables whose year came from their own
    title or their own deadlines keep it.
    """
    votes: dict[int, str] = {}
    for project in projects:
        if project.budget_year is not None and evidence_tier(project.budget_year_evidence) == EVIDENCE_TITLE:
            votes.setdefault(project.budget_year, project.budget_year_evidence.split("：", 1)[1])
    if len(votes) != 1:
        return
    (year, title), = votes.items()
    for project in projects:
        if evidence_tier(project.budget_year_evidence) in (EVIDENCE_TITLE, EVIDENCE_VALUE):
            continue
        project.budget_year = year
        project.budget_year_evidence = f"{EVIDENCE_DOCUMENT}：{title}"
