"""Interpret a 绩效自评表 (self-evaluation table), whatever file it came from.

A self-evaluation table holds, besides the targets, what was achieved and how it
was scored: 预算执行情况 (年初预算数, 全年预算数, 全年执行数, 分值, 得分, 执行率),
年度绩效目标完成情况 (numbered goals with 实际完成情况), and per indicator
年度指标值 | 实际完成值 | 分值 | 得分 | 偏差原因分析及改进措施, closed by 总分 and a
自评结论.

Exports flatten the merged cells of these tables irregularly: the leading cells
(绩效目标n, 一级指标, 二级指标) may be missing, blank, or shifted by one, and the
name sometimes lands in the first column with the blanks after it. So indicator
rows are aligned by *content*, from the right: the score and the weight are the
two adjacent numbers nearest the end, the actual and target values stand right
before them, the name is the last text before the target, and whatever text
comes before the name is (goal, 一级, 二级), carried forward when absent.

Content alignment assumes the standard column order (name, then 年度指标值 | 实际完成值 |
分值 | 得分 side by side), and other provinces' templates reorder the columns
(一级 | 二级 | 三级 | 分值 | 年度指标值 | 实际完成值 | 得分). When the header names the
columns in another order, a row that lies on the header's columns (as many cells as
the header, the name where the header puts it, numbers or nothing under 分值 and 得分)
is read by the header; content alignment stays the fallback for rows the export has
shifted, and the reading for standard-order tables, whose exports shift rows while
keeping their length (a leading cell dropped, a blank one added at the end).

A flat export (one row per indicator, with a 项目名称 column) holds many projects:
:func:`interpret_flat_self_evaluation` reads it, one project per 单位 + 项目名称.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from ..budgetyear import infer_budget_year
from ..errors import InputError
from ..model import BudgetExecution, EvaluationRow, Goal, Project, Source
from .form import (
    clean_cell,
    cn_number,
    filled_levels,
    is_ditto,
    is_self_evaluation_header,
    is_page_mark_row,
    is_trailer_row,
    join_value,
    label_key,
    match_header,
    normalize_label,
    parse_amount,
    split_goals,
    split_unit,
    title_to_name,
)

_SCORE_NUMBER = re.compile(r"[-+]?\d+(?:\.\d+)?\s*分?")
_GOAL_TOKEN = re.compile(r"^(?:年度)?(?:绩效)?目标\s*(\d{1,2}|[一二三四五六七八九十]{1,3})$|^(\d{1,2})$")
_TOTAL = re.compile(r"^(?:总分|合计|总计|得分合计|总得分)$")
_CONCLUSION = re.compile(r".*(?:自评结论|评价结论|总体结论|结论)$")
# The conclusion written in the label's own cell: 自评结论：优.
_CONCLUSION_INLINE = re.compile(r"^\s*(?:自评|评价|总体)?结论\s*[:：]\s*(.*)$", re.S)
_REASON = re.compile(r"偏差原因.*|.*原因分析.*")
# Names of the actual-value column in other provinces' templates (全年实际值, 全年完成值,
# 实际完成指标值) that the shared header vocabulary does not know; never a target name,
# because each needs 实际 or 完成.
_ACTUAL_HEADER = re.compile(r"(?:全年|年度)?(?:实际(?:完成)?|完成)(?:指标)?值")
# Reason columns beyond the shared vocabulary: 未完成原因及改进措施, 偏差及原因说明.
_REASON_HEADER = re.compile(r".*(?:原因|改进措施).*")
_LEVEL1_STEMS = ("产出", "效益", "满意度", "成本", "项目完成", "实施效果", "影响", "过程", "决策", "管理")


def _number(text: str) -> float | None:
    text = text.strip()
    if not _SCORE_NUMBER.fullmatch(text):
        return None
    return float(text.rstrip("分").strip())


def _goal_number(token: str) -> int | None:
    m = _GOAL_TOKEN.match(normalize_label(token))
    if not m:
        return None
    raw = m.group(1) or m.group(2)
    return int(raw) if raw.isdigit() else cn_number(raw)


def _looks_level1(text: str, current_level1: str) -> bool:
    """Whether a lone level cell is a 一级指标 (产出指标) rather than a 二级指标 (数量指标).

    成本指标 is a 二级 under 产出 in older tables and a 一级 of its own in newer ones:
    under a current 产出 group it is read as 二级.
    """
    label = normalize_label(text)
    stem = re.sub(r"(?:类)?指标$", "", label)
    if stem not in _LEVEL1_STEMS:
        return False
    if stem == "成本" and normalize_label(current_level1).startswith("产出"):
        return False
    return True


def _read_execution(rows: list[list[str]]) -> BudgetExecution | None:
    """预算执行情况: a row naming 年初预算数/全年预算数/全年执行数/… and the numbers below it."""
    fields = {
        "initial": re.compile(r"年初预算数?"),
        "annual": re.compile(r"全年预算数?"),
        "executed": re.compile(r"全年执行数?"),
        # As the indicator header names them (权重（%）, 自评得分 in other provinces' templates).
        "weight": re.compile(r"(?:预算执行率?)?(?:(?:指标)?分值|权重(?:分值?)?|标准分值?)"),
        "score": re.compile(r"(?:预算执行率?)?(?:自评)?得分"),
        "rate": re.compile(r"(?:预算)?执行率"),
    }
    for r, cells in enumerate(rows):
        positions: dict[str, int] = {}
        for i, cell in enumerate(cells):
            label = normalize_label(cell)
            for name, pattern in fields.items():
                if name not in positions and pattern.fullmatch(label):
                    positions[name] = i
        if not {"annual", "executed"} <= positions.keys():
            continue
        pairs = _labelled_pairs(rows[r : r + 2], fields)
        if pairs is not None:
            # 年初预算数 | 85.00 | 全年预算数 | 92.00 | …: each amount beside its label (and
            # 预算执行率分值 | 10 | 预算执行率得分 | 9.8 on the next row).
            return _execution_of(pairs)
        execution = BudgetExecution()
        for values in rows[r + 1 :]:
            if any(_number(c.rstrip("%％")) is not None for c in values if c):
                execution = _execution_of({name: values[i] for name, i in positions.items() if i < len(values)})
                break
        for cells_after in rows[r + 1 :]:
            texts = [c for c in cells_after if c]
            for i, c in enumerate(texts[:-1]):
                if _REASON.fullmatch(normalize_label(c)):
                    execution.reason = texts[i + 1]
                    break
            if execution.reason or any(_goal_header_positions(cells_after)):
                break
        return execution
    return None


def _execution_of(texts: dict[str, str]) -> BudgetExecution:
    """The budget execution its fields' cell texts give (field name → text)."""
    weight, score = texts.get("weight", ""), texts.get("score", "")
    return BudgetExecution(
        initial=parse_amount(texts.get("initial", "")),
        annual=parse_amount(texts.get("annual", "")),
        executed=parse_amount(texts.get("executed", "")),
        weight=_number(weight) if weight else None,
        score=_number(score) if score else None,
        rate=texts.get("rate", ""),
    )


def _labelled_pairs(rows: list[list[str]], fields: dict[str, re.Pattern]) -> dict[str, str] | None:
    """Execution fields written as label | value pairs along the rows (the value right of each
    label), or None when the first row is a header whose values stand below it."""
    found: dict[str, str] = {}
    for k, cells in enumerate(rows):
        texts = [c for c in cells if c and c.strip()]
        row_pairs = {}
        for i, text in enumerate(texts[:-1]):
            label = normalize_label(text)
            name = next((n for n, pattern in fields.items() if pattern.fullmatch(label)), None)
            if name and name not in found and _number(texts[i + 1].rstrip("%％")) is not None:
                row_pairs[name] = texts[i + 1]
        if k == 0 and not {"annual", "executed"} <= row_pairs.keys():
            return None
        found.update(row_pairs)
    return found


def _goal_header_positions(cells: list[str]) -> dict[str, int]:
    """Columns of a 年度绩效目标完成情况 header: 目标序号, 年度绩效目标 / 预期目标, 实际完成情况."""
    positions: dict[str, int] = {}
    for i, cell in enumerate(cells):
        label = normalize_label(cell)
        if re.fullmatch(r"(?:目标)?(?:序号|编号)", label):
            positions.setdefault("number", i)
        elif re.fullmatch(r"(?:年度|总体)?(?:绩效)?目标(?:内容)?|预期目标|年度总体目标", label):
            positions.setdefault("text", i)
        elif re.fullmatch(r"实际完成情况|实际完成|完成情况", label):
            positions.setdefault("actual", i)
    return positions if {"text", "actual"} <= positions.keys() else {}


def _read_goals(rows: list[list[str]]) -> list[Goal]:
    for r, cells in enumerate(rows):
        positions = _goal_header_positions(cells)
        if not positions:
            continue
        goals: list[Goal] = []
        for k, values in enumerate(rows[r + 1 :], start=r + 1):
            texts = [c for c in values if c]
            if not texts:
                continue
            if "number" in positions:
                numbers = [i for i, c in enumerate(values) if re.fullmatch(r"\d{1,2}", c)]
                if not numbers:
                    if goals:
                        break  # the goal rows are over (偏差原因… or the next section)
                    continue
                after = [c for c in values[numbers[0] + 1 :] if c]
                if after:
                    goals.append(Goal(number=int(values[numbers[0]]), text=after[0], actual=after[1] if len(after) > 1 else None))
            else:
                # One cell of expected goals and one of what was achieved, on one row
                # or one row per goal (目标1：… | 完成… / 目标2：… | 完成…).
                after_label = texts[1:] if label_key(texts[0])[0] == "goals" else texts
                if not after_label:
                    continue
                return _goals_from_pairs(_goal_rows(rows[k:]))
        return goals
    return []


def _goal_rows(rows: list[list[str]]) -> list[tuple[str, str]]:
    """(expected, actual) texts of the goal rows that start ``rows``, in order.

    The first row is a goal row; later rows continue the list while they hold one or
    two texts that are not a label (项目资金, 偏差原因…) or another header.
    """
    pairs: list[tuple[str, str]] = []
    for values in rows:
        texts = [c for c in values if c]
        if not texts:
            continue
        after_label = texts[1:] if label_key(texts[0])[0] == "goals" else texts
        if pairs and (
            not 1 <= len(after_label) <= 2
            or after_label is texts and label_key(texts[0])[0] is not None
            or any(_REASON.fullmatch(normalize_label(c)) for c in texts)
            or _goal_header_positions(values)
        ):
            break
        if not after_label:
            break
        pairs.append((after_label[0], after_label[1] if len(after_label) > 1 else ""))
        if len(pairs) == 1 and len(split_goals(after_label[0])) > 1:
            break  # all goals numbered in one cell: the rows below are something else
    return pairs


def _goals_from_pairs(pairs: list[tuple[str, str]]) -> list[Goal]:
    """Goals with what was achieved, from goal rows (see :func:`_goal_rows`)."""
    if len(pairs) > 1:
        expected = split_goals("\n".join(e for e, _a in pairs))
        if len(expected) != len(pairs):
            # Unnumbered rows: each row is one goal, numbered as it stands.
            expected = [Goal(number=k + 1, text=clean_cell(e)) for k, (e, _a) in enumerate(pairs)]
        for goal, (_e, a) in zip(expected, pairs):
            goal.actual = clean_cell(a) or None
        return expected
    first, achieved = pairs[0]
    expected = split_goals(first)
    actual = split_goals(achieved) if achieved else []
    if len(actual) == len(expected):
        for g, a in zip(expected, actual):
            g.actual = a.text
    elif expected and achieved:
        expected[0].actual = clean_cell(achieved)
    return expected


def _labelled_value(rows: list[list[str]], patterns: list[re.Pattern]) -> str:
    """The first non-empty cell after a cell whose label matches, trying ``patterns`` in order."""
    for pattern in patterns:
        for cells in rows:
            for i, cell in enumerate(cells):
                if cell and pattern.fullmatch(normalize_label(cell)):
                    rest = [c for c in cells[i + 1 :] if c]
                    if rest and label_key(rest[0])[0] is None:
                        return rest[0]
    return ""


def self_evaluation_columns(cells: Sequence[str]) -> dict[str, int] | None:
    """Column map of a 绩效自评表 indicator header, or None if ``cells`` is not one.

    form's header vocabulary plus the actual-value names of :data:`_ACTUAL_HEADER`.
    """
    columns = match_header(cells)
    if columns is None:
        return None
    for fld, pattern in (("actual", _ACTUAL_HEADER), ("reason", _REASON_HEADER)):
        if fld in columns:
            continue
        taken = set(columns.values())
        for i, cell in enumerate(cells):
            if i not in taken and pattern.fullmatch(normalize_label(clean_cell(cell))):
                columns = {**columns, fld: i}
                break
    return columns if is_self_evaluation_header(columns) else None


# Columns that split a value (计量单位, 计算符号, 指标方向): the row is then read by the header
# and the parts joined.
_SPLIT_VALUE = frozenset({"unit", "operator", "direction"})


def _standard_order(columns: dict[str, int]) -> bool:
    """Whether the header has the column order that content alignment assumes.

    That is the name before 年度指标值 | 实际完成值 | 分值 | 得分 side by side, or a
    header that lacks one of them (content alignment then is all there is).
    """
    needed = ("value", "actual", "weight", "score")
    if not all(f in columns for f in needed) or not ({"name", "description"} & columns.keys()):
        return True
    if _SPLIT_VALUE & columns.keys():
        # A 计量单位 (or 计算符号/指标方向) column: content alignment would take it for the name.
        return False
    target = columns["value"]
    name = columns.get("name", columns.get("description"))
    return (
        name < target
        and columns["actual"] == target + 1
        and columns["weight"] == target + 2
        and columns["score"] == target + 3
    )


def _read_by_header(cells: Sequence[str], columns: dict[str, int], *, scored_only: bool = True) -> dict | None:
    """The indicator fields of a row read at the header's columns, or None if they do not fit.

    The row fits when it names an indicator and 分值/得分 hold numbers or nothing
    (text there means the row is shifted against the header). ``scored_only`` also
    asks for at least one of them: in a form, an unscored row is left to the
    content alignment, which knows the other row shapes.
    """

    def at(fld: str) -> str:
        i = columns.get(fld)
        return cells[i] if i is not None and i < len(cells) else ""

    name = at("name") if "name" in columns else at("description")
    if not name:
        return None
    weight, score = at("weight"), at("score")
    if any(t and _number(t) is None for t in (weight, score)):
        return None
    target, actual = at("value"), at("actual")
    if _SPLIT_VALUE & columns.keys():
        # One 计量单位 column serves the target and the actual (≥600 | 642 under 人).
        target = join_value(at("operator"), target, at("unit"), at("direction")) if target else target
        actual = join_value("", actual, at("unit")) if actual else actual
    if scored_only and not (weight or score):
        return None
    if not (weight or score or target or actual):
        return None
    return {
        "goal": at("goal"),
        "level1": at("level1"),
        "level2": at("level2"),
        "name": name,
        "target": target,
        "actual": actual,
        "weight": _number(weight) if weight else None,
        "score": _number(score) if score else None,
        "reason": at("reason"),
    }


def _header_row(fields: dict, goal: int | None, level1: str, level2: str, source: Source):
    """The evaluation row of ``fields`` (from :func:`_read_by_header`), with the goal number and
    the 一级/二级 carried down from the rows above; returns (row, goal, level1, level2)."""
    number = _goal_number(fields["goal"]) if fields["goal"] else None
    goal = number if number is not None else goal
    level1, level2 = filled_levels(level1, level2, fields["level1"], fields["level2"])
    row = EvaluationRow(
        goal=goal, level1=level1, level2=level2, name=fields["name"], target=fields["target"], actual=fields["actual"],
        weight=fields["weight"], score=fields["score"], reason=fields["reason"], source=source,
    )
    return row, goal, level1, level2


def _header_not_found(cells_rows: list[list[str]], file: str | None, line_of) -> InputError:
    """The error for a self-evaluation table without a usable header, at the row that comes closest.

    When an indicator header (三级指标 | 年度指标值 | …) is there but lacks the
    self-evaluation columns, the message names it and what it lacks: naming the first
    row of the table would send the user to the title or the 项目名称 line.
    """
    for i, cells in enumerate(cells_rows):
        columns = match_header(cells)
        if columns is None:
            continue
        missing = []
        if "actual" not in columns:
            missing.append("实际完成值")
        if not {"score", "weight"} & columns.keys():
            missing.append("分值 或 得分")
        return InputError(
            f"没有找到自评表的指标表头：这一行缺少 {'、'.join(missing)} 列"
            "（自评表的表头需要包含 三级指标、年度指标值、实际完成值，以及 分值 或 得分）",
            file,
            line_of(i),
        )
    # No header-like row at all: the first row is where the table starts.
    return InputError(
        "没有找到自评表的指标表头：需要一行列名，包含 三级指标、年度指标值、实际完成值，以及 分值 或 得分",
        file,
        line_of(0),
    )


# The unit that spent the money comes before the department above it.
_UNIT_LABELS = [
    re.compile(r"(?:实施|预算|项目)?单位(?:名称)?"),
    re.compile(r"部门(?:名称)?"),
    re.compile(r"主管部门(?:名称)?"),
]


def interpret_self_evaluation(
    rows: list[list[str]],
    *,
    title: str = "",
    file: str | None = None,
    table: int | None = None,
    lines: list[int] | None = None,
) -> Project:
    """Turn the grid of one 绩效自评表 into a :class:`Project` of kind ``self_evaluation``."""
    cells_rows = [[clean_cell(c) for c in row] for row in rows]

    def line_of(i: int) -> int | None:
        return lines[i] if lines is not None and 0 <= i < len(lines) else None

    headers = [i for i, cells in enumerate(cells_rows) if self_evaluation_columns(cells) is not None]
    if not headers:
        raise _header_not_found(cells_rows, file, line_of)
    head = cells_rows[: headers[0]]
    columns = self_evaluation_columns(cells_rows[headers[0]]) or {}
    header_width = len(cells_rows[headers[0]])
    by_header = not _standard_order(columns)

    unit_text = _labelled_value(head, _UNIT_LABELS)
    unit, unit_code = split_unit(unit_text) if unit_text else ("", "")
    name = _labelled_value(head, [re.compile(r"项目名称")]) or title_to_name(title)
    name = re.sub(r"\s*[（(]\s*\d{4}\s*年度?\s*[)）]\s*$", "", name).strip()

    evaluation: list[EvaluationRow] = []
    goal: int | None = None
    level1 = level2 = ""
    total_score: float | None = None
    conclusion = ""
    header_set = set(headers)
    for i in range(headers[0] + 1, len(cells_rows)):
        cells = cells_rows[i]
        if i in header_set or not any(cells):
            continue
        if is_trailer_row(cells) or is_page_mark_row(cells):
            continue  # 填报人：… 审核人：… under the table; 第 1 页，共 2 页 between its pages
        texts = [c for c in cells if c]
        first_label = normalize_label(texts[0])
        if _CONCLUSION.fullmatch(first_label) and len(first_label) <= 16:
            conclusion = "\n".join(texts[1:])
            continue
        inline = _CONCLUSION_INLINE.match(texts[0])
        if inline:
            conclusion = "\n".join([inline.group(1).strip(), *texts[1:]]).strip()
            continue
        numbers = [j for j, c in enumerate(cells) if c and _number(c) is not None]
        if _TOTAL.fullmatch(first_label):
            if numbers:
                # The 得分 column when the row lies on the header (分值 may come after it).
                score_at = columns.get("score")
                on_header = len(cells) == header_width and score_at is not None and cells[score_at]
                total_score = _number(cells[score_at]) if on_header else None
                if total_score is None:
                    total_score = _number(cells[numbers[-1]])
            continue
        fields = _read_by_header(cells, columns) if by_header and len(cells) == header_width else None
        if fields is not None:
            row, goal, level1, level2 = _header_row(
                fields, goal, level1, level2, Source(file=file, table=table, row=len(evaluation) + 1, line=line_of(i))
            )
            evaluation.append(row)
            continue
        # Score and weight: the two adjacent numbers nearest the end of the row.
        pair = next((j for j in reversed(numbers) if j - 1 in numbers), None)
        if pair is not None:
            weight_col, score_col = pair - 1, pair
        elif len(cells) == len(cells_rows[headers[0]]) and {"weight", "score"} <= columns.keys():
            weight_col, score_col = columns["weight"], columns["score"]
        else:
            continue  # neither scored nor laid out as the header: not an indicator row
        target_col, actual_col = weight_col - 2, weight_col - 1
        if target_col < 0:
            continue
        before = [(j, c) for j, c in enumerate(cells[:target_col]) if c]
        if not before:
            continue
        name_col, ind_name = before[-1]
        leading = [c for _j, c in before[:-1]]
        # Leading cells, from the left: an optional goal (绩效目标2), then 一级, 二级.
        if leading and _goal_number(leading[0]) is not None:
            goal = _goal_number(leading[0])
            leading = leading[1:]
        if len(leading) >= 2:
            level1, level2 = leading[-2], leading[-1]
        elif len(leading) == 1:
            if _looks_level1(leading[0], level1):
                level1, level2 = leading[0], ""
            else:
                level2 = leading[0]
        reason = "\n".join(c for c in cells[score_col + 1 :] if c)
        evaluation.append(
            EvaluationRow(
                goal=goal,
                level1=level1,
                level2=level2,
                name=ind_name,
                target=cells[target_col],
                actual=cells[actual_col],
                weight=_number(cells[weight_col]) if cells[weight_col] else None,
                score=_number(cells[score_col]) if cells[score_col] else None,
                reason=reason,
                source=Source(file=file, table=table, row=len(evaluation) + 1, line=line_of(i)),
            )
        )

    goals = _read_goals(head)
    execution = _read_execution(head)
    if total_score is None or not conclusion:
        block_score, block_grade = _summary_in_head(head)
        total_score = total_score if total_score is not None else block_score
        conclusion = conclusion or block_grade
    budget_year, evidence = infer_budget_year(
        "\n".join(t for t in (clean_cell(title), name) if t),
        [g.text for g in goals] + [g.actual or "" for g in goals],
        [e.target for e in evaluation],
    )
    return Project(
        kind="self_evaluation",
        unit=unit,
        unit_code=unit_code,
        name=name,
        title=clean_cell(title),
        budget=execution.annual if execution else None,
        goals=goals,
        budget_year=budget_year,
        budget_year_evidence=evidence,
        source=Source(file=file, table=table, line=line_of(0)),
        evaluation=evaluation,
        execution=execution,
        total_score=total_score,
        conclusion=conclusion,
    )


# The result written in the information block above the table instead of a 总分 row under it:
# 自评得分 | 95.1 | 自评等级 | 优.
# A bare 得分 is not one: the budget execution block has its own (分值 | 10 | 得分 | 9.9).
_HEAD_SCORE = re.compile(r"^(?:项目)?(?:自评|综合|绩效)总?得分$|^(?:项目)?总得分$|^自评总分$")
_HEAD_GRADE = re.compile(r"^(?:自评|评价|绩效)?等级$")


def _summary_in_head(head: list[list[str]]) -> tuple[float | None, str]:
    """(total score, grade) from label | value pairs above the indicator header, if any."""
    score, grade = None, ""
    for cells in head:
        texts = [c for c in cells if c]
        for label, value in zip(texts, texts[1:]):
            key = normalize_label(label)
            if score is None and _HEAD_SCORE.match(key) and _number(value) is not None:
                score = _number(value)
            elif not grade and _HEAD_GRADE.match(key) and len(value) <= 4:
                grade = value
    return score, grade


# Execution columns of a flat export; the budget itself may also come under flat's
# names (预算数, 年度预算数…).
_FLAT_EXECUTION = {
    "initial": re.compile(r"年初预算数?"),
    "annual": re.compile(r"(?:全年|年度)?预算数?"),
    "executed": re.compile(r"(?:全年|年度)?(?:预算)?执行数?"),
    "rate": re.compile(r"(?:预算)?执行率"),
}


def interpret_flat_self_evaluation(
    rows: list[list[str]],
    *,
    lines: list[int],
    file: str | None = None,
    table: int | None = None,
    title: str = "",
) -> list[Project]:
    """Projects of a flat 绩效自评 export: one row per indicator, ``rows[0]`` the header.

    Rows with the same 单位 + 项目名称 (blank or 同上 cells carry forward, as in
    :mod:`.flat`) form one self-evaluation project, in order of first appearance.
    Every row lies on the header's columns (a grid's flat view), so each cell is read
    by its header column whatever the order.
    """
    from . import flat  # flat's project-column vocabulary (单位, 项目名称, 预算数…)

    header = rows[0]
    columns = self_evaluation_columns(header) or {}
    project_cols: dict[str, int] = {}
    money_cols: dict[str, int] = {}
    for i, cell in enumerate(header):
        hit = flat.field_rank_of(cell) if cell else None
        if hit and hit[0] in ("unit", "unit_code", "project", "project_code", "budget") and hit[0] not in project_cols:
            project_cols[hit[0]] = i
            continue
        label = normalize_label(clean_cell(cell or ""))
        for fld, pattern in _FLAT_EXECUTION.items():
            if fld not in money_cols and pattern.fullmatch(label):
                money_cols[fld] = i
                break
    if "budget" in project_cols:
        money_cols.setdefault("annual", project_cols["budget"])

    def at(cells: list[str], i: int | None) -> str:
        return clean_cell(cells[i]) if i is not None and i < len(cells) else ""

    groups: dict[tuple[str, str], dict] = {}
    carry = {"unit": "", "project": ""}
    for cells, line in zip(rows[1:], lines[1:]):
        cells = [clean_cell(c) for c in cells]
        if not any(cells) or is_trailer_row(cells) or is_page_mark_row(cells) or self_evaluation_columns(cells) is not None:
            continue  # blank, a note under the table, or the header repeated
        for fld in ("unit", "project"):
            text = at(cells, project_cols.get(fld))
            if text and not is_ditto(text):
                carry[fld] = text
        key = (carry["unit"], carry["project"])
        group = groups.setdefault(key, {"line": line, "rows": []})
        group["rows"].append((line, cells))

    projects: list[Project] = []
    for (unit_text, name), group in groups.items():
        first: dict[str, str] = {}
        evaluation: list[EvaluationRow] = []
        level1 = level2 = ""
        goal: int | None = None
        total_score: float | None = None
        for line, cells in group["rows"]:
            for fld, i in [*money_cols.items(), ("unit_code", project_cols.get("unit_code")), ("code", project_cols.get("project_code"))]:
                text = at(cells, i)
                if fld not in first and text and not is_ditto(text):
                    first[fld] = text
            texts = [c for c in cells if c]
            if any(_TOTAL.fullmatch(normalize_label(t)) for t in texts[:3]):
                score_text = at(cells, columns.get("score"))
                total_score = _number(score_text) if score_text else total_score
                continue
            fields = _read_by_header(cells, columns, scored_only=False)
            if fields is None:
                continue
            row, goal, level1, level2 = _header_row(
                fields, goal, level1, level2, Source(file=file, table=table, row=len(evaluation) + 1, line=line)
            )
            evaluation.append(row)
        if not evaluation:
            continue  # a note or a total row under the table, not a project

        def amount(fld: str) -> float | None:
            if fld not in first:
                return None
            return parse_amount(first[fld], flat._money_scale(header[money_cols[fld]]))

        execution = None
        if {"initial", "annual", "executed"} & first.keys():
            execution = BudgetExecution(
                initial=amount("initial"), annual=amount("annual"), executed=amount("executed"), rate=first.get("rate", "")
            )
        unit, unit_code = split_unit(unit_text) if unit_text else ("", "")
        project_name = name or title_to_name(title)
        budget_year, evidence = infer_budget_year(
            "\n".join(t for t in (clean_cell(title), project_name) if t), [], [e.target for e in evaluation]
        )
        projects.append(
            Project(
                kind="self_evaluation",
                unit=unit,
                unit_code=unit_code or first.get("unit_code", ""),
                name=project_name,
                code=first.get("code", ""),
                title=clean_cell(title),
                budget=execution.annual if execution else None,
                budget_year=budget_year,
                budget_year_evidence=evidence,
                source=Source(file=file, table=table, line=group["line"]),
                evaluation=evaluation,
                execution=execution,
                total_score=total_score,
            )
        )
    return projects
