"""The flat table: one indicator per row, project fields repeated in columns.

CSV/TSV files, worksheets and the odd Word table hold indicators this way::

    单位 | 项目名称 | 预算数 | 一级指标 | 二级指标 | 三级指标 | 绩效指标描述 | 指标值 | 指标值确定依据

Columns are found by their header text, whatever their order. The indicator
columns use the same header vocabulary as the form interpreter
(:func:`~indicatorqa.readers.form.header_field`: 指标名称 = 三级指标, 指标解释 = 绩效指标描述,
目标值/年度指标值 = 指标值, …), so a table reads the same whichever layout it has;
the project columns (:data:`PROJECT_FIELDS`: 单位名称/预算单位 = 单位, 项目 = 项目名称,
预算数, 绩效目标, …) are this module's. Rows with the same 单位 + 项目名称 form one
project, in order of first appearance. A value split over columns
(计算符号 | 指标值 | 计量单位, or 指标方向 正向/反向) is joined into one value such as
``≥20家``, the way the form tables write it.

Blank cells carry forward from the row above where merged cells or a "same as
above" habit leave them empty: 单位, 项目名称 and their codes, 一级指标, and 二级指标
while the 一级指标 stays the same.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from ..errors import InputError
from ..model import Indicator, Project, Source
from . import form

# Project columns, after form.normalize_label. The first name is the one used in messages.
PROJECT_FIELDS: dict[str, tuple[str, ...]] = {
    "unit": (
        "单位", "单位名称", "预算单位", "预算单位名称", "部门", "部门名称", "主管部门", "实施单位",
        "填报单位", "单位全称", "项目单位", "申报单位",
    ),
    "unit_code": ("单位编码", "单位代码", "预算单位编码", "预算单位代码", "部门编码", "部门代码"),
    "project": ("项目名称", "项目", "项目全称", "项目名", "专项名称", "专项资金名称"),
    "project_code": ("项目编码", "项目代码", "项目编号"),
    "budget": (
        "预算数", "预算金额", "预算", "项目预算", "资金总额", "年度资金总额", "项目资金", "预算资金",
        "年度预算数", "项目总额", "预算总额", "年度预算", "项目金额", "项目预算金额", "项目资金总额",
        "项目总金额", "项目总预算", "项目总投资", "总金额",
    ),
    "budget_fiscal": ("财政资金", "财政拨款", "财政拨款资金", "其中财政资金", "其中：财政资金"),
    "budget_other": ("其他资金", "其他来源资金", "其他来源", "其中其他资金"),
    "goals": ("绩效目标", "年度绩效目标", "项目绩效目标", "总体目标", "绩效目标内容", "年度总体目标"),
    "use_of_funds": ("资金用途", "预算资金用途", "项目资金用途", "主要用途", "预算规模及资金用途"),
    "budget_year": ("年度", "预算年度", "年份"),
}
# form.header_field's names for the indicator columns, as this module names them.
_FORM_FIELDS = {
    "level1": "level1",
    "level2": "level2",
    "name": "name",
    "description": "description",
    "value": "value",
    "basis": "value_basis",
    "low": "value_low",
    "high": "value_high",
    "operator": "symbol",
    "direction": "direction",
    "unit": "measure_unit",
    "actual": "actual",
    "score": "score",
    "weight": "weight",
    "reason": "reason",
    "goal": "goal",
}
FIELD_LABELS = {
    "level1": "一级指标", "level2": "二级指标", "name": "三级指标", "description": "绩效指标描述",
    "value": "指标值", "value_low": "目标值下限", "value_high": "目标值上限", "value_basis": "指标值确定依据",
    "symbol": "计算符号", "direction": "指标方向", "measure_unit": "计量单位",
    **{fld: names[0] for fld, names in PROJECT_FIELDS.items()},
}
INDICATOR_FIELDS = ("level1", "level2", "name", "description", "value")
REQUIRED_FIELDS = ("name", "value")
# A target is one 指标值 column, or a lower and an upper bound (目标值下限 | 目标值上限).
VALUE_FIELDS = frozenset({"value", "value_low", "value_high"})

# A header cell is a short label, even with an annotation (三级指标（必填）); longer
# texts are data and skip the lookup.
_MAX_HEADER_TEXT = 40

_PROJECT_LOOKUP = {form.normalize_label(name): fld for fld, names in PROJECT_FIELDS.items() for name in names}


@lru_cache(maxsize=1 << 16)
def field_rank_of(cell: str) -> tuple[str, int] | None:
    """(field, rank) a header cell names, or None; a lower rank names the field better.

    Cached: a table repeats the same texts (levels, units, values) row after row,
    and every row is tried as a header.
    """
    if not cell or not cell.strip() or len(cell) > _MAX_HEADER_TEXT:
        return None
    label = form.normalize_label(cell)
    label = re.sub(r"^其中[:：]?", "", label)
    fld = _PROJECT_LOOKUP.get(label)
    if fld is not None:
        return fld, 0
    hit = form.header_field(cell)
    if hit and hit[0] in _FORM_FIELDS:
        return _FORM_FIELDS[hit[0]], hit[1]
    return None


def field_of(cell: str) -> str | None:
    """The field a header cell names, or None."""
    hit = field_rank_of(cell)
    return hit[0] if hit else None


def _money_scale(header: str) -> float:
    """Budgets are kept in 万元; a header such as 预算数（元） says the column is not."""
    notes = "".join(form.BRACKET_NOTES.findall(header or ""))
    # 亿元/万元/千元 before 元, which each of them contains.
    for unit in ("亿元", "万元", "千元", "元"):
        if unit in notes:
            return form.MONEY_FACTORS[unit]
    return 1.0


@dataclass
class HeaderMatch:
    """The columns a header row names: field → column indexes (left to right)."""

    columns: dict[str, list[int]] = field(default_factory=dict)
    headers: list[str] = field(default_factory=list)

    @property
    def fields(self) -> set[str]:
        return set(self.columns)

    @property
    def is_header(self) -> bool:
        # As form.match_header: a value and something that names the indicator.
        return bool(VALUE_FIELDS & self.columns.keys()) and ("name" in self.columns or "description" in self.columns)

    @property
    def has_grouping(self) -> bool:
        return any(f in self.columns for f in ("unit", "project", "project_code", "unit_code"))

    @property
    def self_evaluation(self) -> bool:
        return form.is_self_evaluation_header(
            {f: c[0] for f, c in self.columns.items() if f in ("actual", "score", "weight")}
        )

    def missing_required(self) -> list[str]:
        missing = []
        if "name" not in self.columns and "description" not in self.columns:
            missing.append(FIELD_LABELS["name"])
        if not VALUE_FIELDS & self.columns.keys():
            missing.append(FIELD_LABELS["value"])
        return missing

    def first(self, fld: str) -> int | None:
        cols = self.columns.get(fld)
        return cols[0] if cols else None

    def copy(self) -> HeaderMatch:
        return HeaderMatch({f: list(c) for f, c in self.columns.items()}, list(self.headers))


def match_header(cells: list[str]) -> HeaderMatch | None:
    """The header columns of a row; None unless it names two indicator columns.

    Most of a header's texts are column names: a data row that happens to hold two
    header words (a description mentioning 指标值) is not taken for one.
    """
    ranked: dict[str, list[tuple[int, int]]] = {}
    texts = named = 0
    for c, cell in enumerate(cells):
        if not cell or not cell.strip():
            continue
        texts += 1
        hit = field_rank_of(cell)
        if hit is not None:
            named += 1
            ranked.setdefault(hit[0], []).append((hit[1], c))
    if len(set(ranked) & set(INDICATOR_FIELDS)) < 2:
        return None
    if named < max(2, (texts + 1) // 2):
        return None
    # When two columns could serve one field, the better name wins, as in the form
    # reader: in 绩效指标 | 一级指标 | 二级指标 | 三级指标 | 指标值 the name is 三级指标.
    columns = {}
    for fld, hits in ranked.items():
        best = min(rank for rank, _c in hits)
        columns[fld] = [c for rank, c in hits if rank == best]
    return HeaderMatch(columns=columns, headers=list(cells))


def merge_subheader(match: HeaderMatch, below: list[str]) -> bool:
    """Fold a second header row (计算符号 | 指标值 | 计量单位 under a merged 指标值) in.

    Returns True when ``below`` is such a row: all its texts name value parts or
    value columns. Its columns then take those fields over from the row above.
    """
    texts = [(c, t) for c, t in enumerate(below) if t and t.strip()]
    if not texts:
        return False
    fields = [(field_of(t), c) for c, t in texts]
    if any(f is None for f, _c in fields):
        return False
    if not any(f in ("symbol", "direction", "measure_unit", "value", "value_low", "value_high", "value_basis", "actual", "score", "weight") for f, _c in fields):
        return False
    for fld, c in fields:
        for cols in match.columns.values():
            if c in cols:
                cols.remove(c)
        match.columns.setdefault(fld, []).append(c)
        match.columns[fld].sort()
    match.columns = {f: cols for f, cols in match.columns.items() if cols}
    return True


def _resolve_bare_unit(match: HeaderMatch, rows: list[list[str]]) -> None:
    """Decide whether a column headed just 单位 is the organisation or the measure unit.

    SPEC's flat header uses 单位 for the budget unit, but split-value tables put a
    单位 column right after the number (20 | 家). It is the measure unit when it sits
    right of the value column, the values there are bare numbers and its cells are
    short; otherwise the organisation.
    """
    if "measure_unit" in match.columns or "unit" not in match.columns or "value" not in match.columns:
        return
    bare = [c for c in match.columns["unit"] if form.normalize_label(match.headers[c]) == "单位"]
    if not bare:
        return
    col = bare[0]
    if col - 1 not in match.columns["value"]:
        return
    values = [form.clean_cell(r[col - 1]) for r in rows if col - 1 < len(r) and r[col - 1].strip()]
    units = [form.clean_cell(r[col]) for r in rows if col < len(r) and r[col].strip()]
    if not units or max(len(u) for u in units) > 5:
        return
    bare_numbers = sum(1 for v in values if re.fullmatch(r"[≥≤><=＞＜≧≦]*\s*[-+]?[\d.,，]+%?", v))
    if values and bare_numbers * 2 < len(values):
        return
    match.columns["unit"].remove(col)
    if not match.columns["unit"]:
        del match.columns["unit"]
    match.columns["measure_unit"] = [col]


def _cell(row: list[str], col: int | None) -> str:
    if col is None or col >= len(row):
        return ""
    return form.clean_cell(row[col])


def _cells(row: list[str], cols: list[int]) -> str:
    """A field spread over the columns of a merged header: joined, repeats dropped."""
    parts: list[str] = []
    for c in cols:
        text = _cell(row, c)
        if text and (not parts or parts[-1] != text):
            parts.append(text)
    return "".join(parts)


@dataclass
class _Group:
    unit: str
    name: str
    first_line: int
    rows: list[tuple[int, list[str]]] = field(default_factory=list)


def interpret_flat(
    rows: list[list[str]],
    *,
    lines: list[int],
    file: str,
    sheet: str | None = None,
    table: int | None = None,
    title: str = "",
    strict_width: bool = False,
    default_unit: str = "",
) -> list[Project]:
    """Projects from a flat table; ``rows[0]`` is the header row.

    Raises :class:`InputError` naming the file (and sheet) and the missing column
    when the header lacks 三级指标 or 指标值. ``default_unit`` is the unit named above
    the table (填报单位：…), for rows without a 单位 of their own. With ``strict_width`` (CSV), a row with
    text beyond the last header column is an error naming the row: it is almost
    always an unquoted comma that shifted the cells, and reading on would put the
    wrong text in the value column.
    """
    where = f"工作表“{sheet}”：" if sheet else ""
    match = match_header(rows[0] if rows else [])
    if match is None:
        raise InputError(f"{where}没有找到指标表头（需要 三级指标 和 指标值 列）", file)
    body_start = 1
    if len(rows) > 1 and merge_subheader(match, rows[1]):
        body_start = 2
    elif len(rows) > 1 and (below := match_header(rows[1])) is not None and form.refines_header(match.columns, below.columns):
        # 一级指标 | 二级指标 | 三级指标 | 目标值 under a merged 绩效指标 | 指标值.
        match, body_start = below, 2
    missing = match.missing_required()
    if missing:
        raise InputError(f"{where}第 {lines[0]} 行的表头缺少必需的列：{'、'.join(missing)}", file)
    if "name" not in match.columns:
        # Without a name column the description is what names the indicator (as in form).
        match.columns["name"] = match.columns.pop("description")
    body = rows[body_start:]
    body_lines = lines[body_start:]
    _resolve_bare_unit(match, body)

    header_width = max(c for c, h in enumerate(match.headers) if h and h.strip()) + 1
    col = match.first
    groups: dict[tuple[str, str], _Group] = {}
    # 填报单位：XX局 above the table names the unit of rows that do not name their own.
    carry = {"unit": default_unit, "project": ""}
    header_texts = {h.strip() for h in match.headers if h and h.strip()}
    for row, line in zip(body, body_lines):
        if sum(1 for c in row if c.strip() in header_texts) >= 2:
            again = match_header(row)
            if again is not None and again.is_header:
                continue  # the header repeated (page break, concatenated exports)
        if form.is_trailer_row(row) or form.is_year_row(row) or form.is_page_mark_row(row):
            continue  # 注：… or 审核人：… under the table, or the years under 指标值
        if strict_width and any(c.strip() for c in row[header_width:]):
            last = max(c for c, text in enumerate(row) if text.strip()) + 1
            raise InputError(
                f"这一行有 {last} 列，多于表头的 {header_width} 列（可能是文字中的逗号没有加引号），请检查",
                file,
                row=line,
            )
        for fld in ("unit", "project"):
            text = _cell(row, col(fld))
            if text and not form.is_ditto(text):
                carry[fld] = text
        key = (carry["unit"], carry["project"])
        group = groups.get(key)
        if group is None:
            group = groups[key] = _Group(unit=key[0], name=key[1], first_line=line)
        group.rows.append((line, row))

    projects = [
        _build_project(group, match, file=file, sheet=sheet, table=table, title=title) for group in groups.values()
    ]
    # In a flat table a project exists through its indicator rows; a group without
    # any is a note or total row under the table, not a project.
    projects = [p for p in projects if p.indicators] or projects[:1]
    _infer_years(projects, title)
    return projects


_PROJECT_TEXT_FIELDS = ("unit_code", "project_code", "budget", "budget_fiscal", "budget_other", "goals", "use_of_funds", "budget_year")


def _build_project(group: _Group, match: HeaderMatch, *, file, sheet, table, title) -> Project:
    col = match.first
    # Project fields: the first non-blank cell of the group wins (merged or repeated).
    texts: dict[str, str] = {}
    for _line, row in group.rows:
        for fld in _PROJECT_TEXT_FIELDS:
            if fld not in texts and col(fld) is not None:
                text = _cell(row, col(fld))
                if text and not form.is_ditto(text):
                    texts[fld] = text
        if len(texts) == len(_PROJECT_TEXT_FIELDS):
            break
    unit, unit_code = form.split_unit(group.unit)
    project = Project(
        unit=unit,
        unit_code=unit_code or texts.get("unit_code", ""),
        name=group.name,
        code=texts.get("project_code", ""),
        use_of_funds=texts.get("use_of_funds", ""),
        goals=form.split_goals(texts.get("goals", "")),
        source=Source(file=file, sheet=sheet, table=table, line=group.first_line),
    )
    for fld in ("budget", "budget_fiscal", "budget_other"):
        if fld in texts:
            setattr(project, fld, form.parse_amount(texts[fld], _money_scale(match.headers[col(fld)])))
    year = re.search(r"(?<!\d)(?:19|20)\d{2}(?!\d)", texts.get("budget_year", ""))
    if year:
        project.budget_year = int(year.group(0))
        project.budget_year_evidence = f"表格：{FIELD_LABELS['budget_year']} {texts['budget_year']}"
    if not group.name and title:
        # One table without a 项目名称 column: the heading names the project.
        project.title = title
        project.name = form.title_to_name(title)

    value_parts = any(f in match.columns for f in ("symbol", "direction", "measure_unit"))
    value_cols = match.columns.get("value", [])
    level1 = level2 = ""
    indicators = []
    for line, row in group.rows:
        level1, level2 = form.filled_levels(level1, level2, _cell(row, col("level1")), _cell(row, col("level2")))
        name, description = _cell(row, col("name")), _cell(row, col("description"))
        value = _cells(row, value_cols)
        if "value_low" in match.columns or "value_high" in match.columns:
            value = form.join_bounds(_cell(row, col("value_low")), _cell(row, col("value_high")), _cell(row, col("measure_unit")))
        elif value_parts:
            value = form.join_value(
                _cell(row, col("symbol")), value, _cell(row, col("measure_unit")), _cell(row, col("direction"))
            )
        if not (name or description or value):
            continue  # a row of project fields only, or of levels only
        indicators.append(
            Indicator(
                level1=level1,
                level2=level2,
                name=name,
                description=description,
                value=value,
                value_basis=_cell(row, col("value_basis")),
                source=Source(file=file, sheet=sheet, table=table, row=len(indicators) + 1, line=line),
            )
        )
    project.indicators = indicators
    return project


def _infer_years(projects: list[Project], heading: str) -> None:
    from ..budgetyear import infer_budget_year

    for project in projects:
        if project.budget_year is not None:
            continue
        # The sheet's heading speaks for every project under it (a 汇总表 of one year).
        title = "\n".join(t for t in (project.title or heading, project.name) if t)
        texts = [project.use_of_funds] + [g.text for g in project.goals]
        texts += [f"{i.name} {i.description}" for i in project.indicators]
        project.budget_year, project.budget_year_evidence = infer_budget_year(
            title, texts, [i.value for i in project.indicators]
        )
