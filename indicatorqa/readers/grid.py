"""Tables as grids of cell texts, shared by the .docx, .xlsx, .xls and CSV readers.

Every tabular reader turns its source into a :class:`Grid`: rows of cell texts on a
column grid, plus the merged ranges. The grid is then looked at in two ways:

* the **form view** (:meth:`Grid.form_rows`) shows each physical cell once, the way a
  Word table is exported to text: a horizontally merged range is one cell, and the
  rows below the top of a vertically merged range show it as one blank cell. This is
  what :func:`~indicatorqa.readers.form.interpret_form` reads, the same shape as the
  seed text export, so a table reads the same from .txt, .docx and .xlsx;
* the **flat view** (:meth:`Grid.flat_rows`) keeps every grid column and gives each
  cell of a merged range the range's top-left value, because in a flat table every
  row must stand on its own (a 项目名称 merged over the rows of one project belongs to
  each of them).

:func:`read_grid` finds the indicator tables in a grid (a grid may hold several
forms one under another, or one flat table of many projects), decides the layout of
each and hands it to the matching interpreter.
"""

from __future__ import annotations

import datetime as _dt
import math
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache

from ..errors import InputError
from ..model import Project
from . import flat, form

# An indicator table never needs more columns than this; a sheet formatted out to
# column XFD would otherwise cost 16,384 cells per row.
MAX_COLUMNS = 256
# Rows with text in one workbook or CSV file. A real file holds a few thousand; the
# limit keeps a hostile or accidental giant from exhausting memory.
MAX_ROWS = 200_000
# Merged cells are expanded cell by cell; a sheet merged over millions of cells is
# refused instead of hanging.
MAX_MERGED_CELLS = 2_000_000


class Continued(str):
    """The blank cell :meth:`Grid.form_rows` gives for a vertical merge's continuation. It is
    the empty string to everything else; the indicator reader asks for it by type, to give a
    三级指标 merged over two rows (one name, two values) to both rows."""

    __slots__ = ()


@dataclass
class Grid:
    """One table (a Word table, a worksheet, a CSV file) as rows of cell texts.

    ``rows[i]`` holds the cells of source line ``lines[i]``; a cell is ``None`` where
    the grid has no physical cell (a short row of a Word table). ``cover`` maps a
    covered position ``(i, col)`` of a merged range to the range's top-left
    ``(i0, col0)``; positions are indexes into ``rows``. ``lines[i]`` is the row's
    number in the source (sheet row, CSV line, Word table row), for messages.
    """

    rows: list[list[str | None]]
    lines: list[int]
    cover: dict[tuple[int, int], tuple[int, int]] = field(default_factory=dict)
    sheet: str | None = None
    title: str = ""
    preamble: list[str] = field(default_factory=list)
    # CSV only: text beyond the header's last column is an error (an unquoted comma).
    strict_width: bool = False

    def _value(self, i: int, c: int) -> str:
        row = self.rows[i]
        value = row[c] if c < len(row) else None
        return value or ""

    def extend(self, other: Grid) -> None:
        """Append the rows of a table that continues this one (a table split by Word)."""
        offset = len(self.rows)
        line_offset = self.lines[-1] if self.lines else 0
        self.rows.extend(other.rows)
        self.lines.extend(line + line_offset for line in other.lines)
        for (r, c), (r0, c0) in other.cover.items():
            self.cover[(r + offset, c)] = (r0 + offset, c0)

    def width(self) -> int:
        return max((len(r) for r in self.rows), default=0)

    def has_indicator_header(self) -> bool:
        return any(
            (m := flat.match_header(row)) is not None and m.is_header for row in self.flat_rows()
        )

    def has_text(self, i: int) -> bool:
        row = self.rows[i]
        return any(v and v.strip() and (i, c) not in self.cover for c, v in enumerate(row))

    def flat_rows(self) -> list[list[str]]:
        """Every grid column; a merged range's value in each of its cells."""
        out = []
        for i, row in enumerate(self.rows):
            cells = []
            for c in range(len(row)):
                origin = self.cover.get((i, c))
                cells.append(self._value(*origin) if origin else (row[c] or ""))
            out.append(cells)
        return out

    def form_rows(self) -> list[list[str]]:
        """Each physical cell once; a vertical merge's continuation as one blank cell."""
        out = []
        for i, row in enumerate(self.rows):
            cells = []
            for c in range(len(row)):
                origin = self.cover.get((i, c))
                if origin is None:
                    if row[c] is not None:
                        cells.append(row[c])
                    continue
                if origin[0] == i:
                    continue  # inside a horizontal range: its text is in the first cell
                if self.cover.get((i, c - 1)) != origin:
                    cells.append(Continued())  # the first column of a vertical continuation
            out.append(cells)
        return out


def build_grid(
    raw: list[tuple[int, list[str]]],
    merges: list[tuple[int, int, int, int]] = (),
    *,
    sheet: str | None = None,
    file: str = "",
) -> Grid:
    """Make a :class:`Grid` from spreadsheet rows and merged ranges.

    ``raw`` is ``(line, cells)`` for the rows that have any cell; ``merges`` are
    ``(first_line, first_col, last_line, last_col)`` with 0-based columns. Rows
    without text are dropped here, after the merges are known, so that a merged
    range whose later rows are blank still covers the rows that do have text.
    """
    width = 0
    kept_lines: list[int] = []
    kept_rows: list[list[str | None]] = []
    for line, cells in raw:
        last = len(cells)
        while last and not cells[last - 1].strip():
            last -= 1
        if last == 0:
            continue
        kept_lines.append(line)
        kept_rows.append(list(cells[:last]))
        width = max(width, last)
    width = min(width, MAX_COLUMNS)
    index = {line: i for i, line in enumerate(kept_lines)}
    cover: dict[tuple[int, int], tuple[int, int]] = {}
    for r1, c1, r2, c2 in merges:
        if c1 >= width or (r1 == r2 and c1 == c2):
            continue
        c2 = min(c2, width - 1)
        top = index.get(r1)
        if top is None:
            # The top-left row has no text; the range then contributes only blanks,
            # which is what the rows already hold.
            continue
        # Only rows that have text need covering; walk them instead of the whole
        # range, which may be declared over a million rows.
        for i in range(top, len(kept_lines)):
            if kept_lines[i] > r2:
                break
            for c in range(c1, c2 + 1):
                if (i, c) != (top, c1):
                    cover[(i, c)] = (top, c1)
            if len(cover) > MAX_MERGED_CELLS:
                raise InputError(
                    f"{_where(sheet)}合并单元格过多（超过 {MAX_MERGED_CELLS} 个），无法读取", file or None
                )
    rows = []
    for row in kept_rows:
        row = row[:width]
        # Merged ranges may reach beyond a row's last text; give them cells to cover.
        row.extend([""] * (width - len(row)))
        rows.append(row)
    return Grid(rows=rows, lines=kept_lines, cover=cover, sheet=sheet)


def _where(sheet: str | None) -> str:
    return f"工作表“{sheet}”：" if sheet else ""


# ---------------------------------------------------------------------------
# Cell values from spreadsheets


def format_number(value: float, percent: bool = False, decimals: int | None = None) -> str:
    """A spreadsheet number as the text a person typed: 1.0 → '1', 0.95 (0%) → '95%'.

    Ten significant digits drop binary noise (0.1+0.2) without hiding real
    decimals; a percent-formatted cell shows its percentage, as Excel does. With
    ``decimals`` (the format's 0.00) the number is rounded as the cell shows it.
    """
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and not math.isfinite(value):
        return ""
    if percent:
        value = value * 100
    if decimals is not None and not isinstance(value, int):
        value = round(float(value), decimals)
    if isinstance(value, int) or float(value).is_integer():
        text = str(int(value))
    else:
        text = format(value, ".10g")
        if "e" in text:
            text = format(value, "f").rstrip("0").rstrip(".")
    return text + ("%" if percent else "")


def format_date(value: _dt.date | _dt.datetime | _dt.time) -> str:
    """A date cell in the Chinese form indicator values use: 2025年12月31日.

    The value grammar and the budget-year inference read this form, and it is how
    the tables themselves write deadlines. A time of day other than midnight is kept.
    """
    if isinstance(value, _dt.datetime):
        text = f"{value.year}年{value.month}月{value.day}日"
        if value.time() != _dt.time(0, 0):
            text += f" {value.hour:02d}:{value.minute:02d}"
        return text
    if isinstance(value, _dt.date):
        return f"{value.year}年{value.month}月{value.day}日"
    if isinstance(value, _dt.time):
        return f"{value.hour:02d}:{value.minute:02d}"
    return str(value)


def _first_section(number_format: str) -> str:
    """The format for positive numbers: the part before the first unquoted ';', without
    [colour] / [condition] brackets."""
    out, quoted, i = [], False, 0
    while i < len(number_format):
        ch = number_format[i]
        if ch == '"':
            quoted = not quoted
        elif ch == "\\" and not quoted and i + 1 < len(number_format):
            out.append(number_format[i : i + 2])
            i += 2
            continue
        elif ch == ";" and not quoted:
            break
        out.append(ch)
        i += 1
    return re.sub(r"\[[^\]]*\]", "", "".join(out))


@lru_cache(maxsize=1024)
def format_affixes(number_format: str | None) -> tuple[str, str]:
    """Literal text a number format shows around the number: ``"≥"0"人"`` → (≥, 人),
    ``0"人次"`` → ('', 人次). A table that types 4200 into a cell formatted so shows
    4200人次, and that is the value its author wrote."""
    if not number_format or number_format == "General" or len(number_format) > 200:
        return "", ""
    section = _first_section(number_format)
    parts: list[tuple[str, bool]] = []  # (text, is_literal)
    # "text", \x, digit placeholders, _x / *x (padding: no text), any other character.
    for m in re.finditer(r'"([^"]*)"|\\(.)|([0#?.,%Ee+\-]+)|[_*].|(.)', section):
        if m.group(1) is not None:
            parts.append((m.group(1), True))
        elif m.group(2) is not None:
            parts.append((m.group(2), True))
        elif m.group(3) is not None:
            parts.append((m.group(3), False))
        elif m.group(4) is not None and m.group(4) not in (" ", "@"):
            parts.append((m.group(4), True))
    digits = [i for i, (t, lit) in enumerate(parts) if not lit and re.search(r"[0#?]", t)]
    if not digits:
        return "", ""
    prefix = "".join(t for t, lit in parts[: digits[0]] if lit)
    suffix = "".join(t for t, lit in parts[digits[-1] + 1 :] if lit)
    return prefix.strip(), suffix.strip()


@lru_cache(maxsize=1024)
def format_decimals(number_format: str | None) -> int | None:
    """Decimal places a number format shows (0.00% → 2); None for General or no decimals
    given, when the number is kept as typed."""
    if not number_format or number_format == "General":
        return None
    section = re.sub(r'"[^"]*"|\\.', "", _first_section(number_format))
    m = re.search(r"[0#?]\.([0#?]+)", section)
    return len(m.group(1)) if m else None


def is_percent_format(number_format: str | None) -> bool:
    """True for number formats like '0%' or '0.00%', not for a literal "%" in quotes."""
    if not number_format:
        return False
    unquoted = re.sub(r'"[^"]*"|\\.', "", number_format)
    return "%" in unquoted


# ---------------------------------------------------------------------------
# Finding and dispatching the indicator tables of a grid

# Labels that start the meta block of a 绩效目标表 or 绩效自评表 form: a row carrying one
# of them above an indicator header makes the table a form, and between two indicator
# headers it marks where the next form begins.
_META_LABELS = {
    "项目名称", "项目", "项目编码", "项目代码", "主管部门", "主管部门及代码", "实施单位", "部门名称",
    "单位名称", "预算单位", "填报单位", "项目单位", "预算数", "预算规模及资金用途", "项目资金",
    "项目资金（万元）", "资金总额", "年度资金总额", "年度资金总额：", "预算执行情况", "绩效目标",
    "年度绩效目标", "总体目标", "年度总体目标", "项目属性", "项目类型", "资金用途", "项目负责人",
    "年度绩效目标完成情况", "年度目标", "项目概况", "立项依据",
}
_TITLE_WORDS = ("绩效", "目标", "自评", "评价", "指标")
_YEAR_SUBTITLE = re.compile(r"^\s*[（(]\s*(?:19|20)\d{2}\s*年?度?\s*[）)]\s*$")


def _is_meta_row(cells: list[str]) -> bool:
    """A row of the form part: it holds a label the form interpreter reads (项目名称, 预算数…)."""
    for c in cells:
        if not c or not c.strip():
            continue
        if form.normalize_label(c) in _META_LABELS or form.label_key(c)[0] is not None:
            return True
    return False


def _distinct_texts(cells: list[str]) -> list[str]:
    seen: list[str] = []
    for c in cells:
        c = c.strip()
        if c and c not in seen:
            seen.append(c)
    return seen


def is_title_text(text: str) -> bool:
    """A heading that names a table: '1.XX项目绩效目标表', 'XX整体支出绩效自评表'."""
    text = " ".join(text.split())
    return 0 < len(text) <= 120 and "表" in text and any(w in text for w in _TITLE_WORDS)


def _single_text(cells: list[str]) -> str | None:
    texts = _distinct_texts(cells)
    return texts[0] if len(texts) == 1 else None


@dataclass
class _Segment:
    start: int  # first row (index into the grid rows)
    header: int  # the indicator header row
    end: int  # one past the last row


def _find_segments(rows: list[list[str]]) -> tuple[list[_Segment], list[flat.HeaderMatch]]:
    """Split a grid at its indicator headers into one segment per table.

    Two headers with no meta block between them are one table whose header was
    repeated (a page break, concatenated exports); the repeat stays inside the segment
    and the interpreters skip it.
    """
    headers: list[int] = []
    matches: list[flat.HeaderMatch] = []
    previous = -2
    for i, row in enumerate(rows):
        match = flat.match_header(row)
        if match is None or not match.is_header:
            continue
        if i == previous + 1:
            previous = i  # the second row of a two-row header, or a duplicate
            continue
        headers.append(i)
        matches.append(match)
        previous = i
    if not headers:
        return [], []
    segments: list[_Segment] = []
    for k, h in enumerate(headers):
        if k == 0:
            segments.append(_Segment(0, h, len(rows)))
            continue
        prev = segments[-1]
        start = None
        for r in range(prev.header + 1, h):
            if _is_meta_row(rows[r]):
                start = r
                break
        if start is None:
            # Maybe only a title row announces the next table.
            for r in range(prev.header + 1, h):
                single = _single_text(rows[r])
                if single and is_title_text(single):
                    start = r
                    break
        if start is None:
            continue  # a repeated header inside the same table
        # Lines of one text each just above the meta block (title, unit name,
        # 单位：万元) open the next table, they are not indicator rows of this one.
        while start - 1 > prev.header and _single_text(rows[start - 1]) is not None:
            start -= 1
        prev.end = start
        segments.append(_Segment(start, h, len(rows)))
    return segments, matches


def _title_from_rows(rows: list[list[str]], limit: int) -> int | None:
    """The index of a title row among the first rows of a segment, if any."""
    for r in range(min(limit, len(rows))):
        single = _single_text(rows[r])
        if single is None:
            return None
        if is_title_text(single):
            return r
    return None


def _is_self_evaluation(match: flat.HeaderMatch, title: str) -> bool:
    # 实际完成值 in the header is the mark of a 绩效自评表; the title confirms older layouts.
    if match.self_evaluation or ("自评" in title and "score" in match.fields):
        return True
    # Other provinces name the actual column 全年实际值, 实际完成指标值…: selfeval knows them.
    from .selfeval import self_evaluation_columns

    return self_evaluation_columns(match.headers) is not None


def read_grid(
    grid: Grid,
    *,
    file: str,
    table_number: Callable[[], int],
) -> list[Project]:
    """The projects of all indicator tables in ``grid``; [] when it holds none.

    ``table_number`` hands out the running 1-based table number of the file.
    """
    # Rows without text of their own (only the blank continuation of merged cells)
    # carry nothing; dropping them here lets Word tables keep every row until now.
    keep = [i for i in range(len(grid.rows)) if grid.has_text(i)]
    flat_all = grid.flat_rows()
    flat_rows = [flat_all[i] for i in keep]
    lines = [grid.lines[i] for i in keep]
    segments, matches = _find_segments(flat_rows)
    if not segments:
        return []
    form_all = grid.form_rows()
    form_rows = [form_all[i] for i in keep]
    projects: list[Project] = []
    for segment, match in zip(segments, matches):
        table = table_number()
        title = grid.title
        preamble = list(grid.preamble)
        seg_flat = flat_rows[segment.start : segment.end]
        seg_form = form_rows[segment.start : segment.end]
        seg_lines = lines[segment.start : segment.end]
        header_at = segment.header - segment.start
        above = seg_flat[:header_at]
        title_row = _title_from_rows(above, header_at)
        if title_row is not None:
            row_title = _single_text(above[title_row]) or ""
            drop = 1
            # A year subtitle under the title, （2024年度）, belongs to it.
            below = _single_text(above[title_row + 1]) if title_row + 1 < header_at else None
            if below and _YEAR_SUBTITLE.match(below):
                row_title = f"{row_title} {below}"
                drop = 2
            if title:
                preamble.append(title)
            title = row_title
            for _ in range(drop):
                del seg_flat[title_row], seg_form[title_row], seg_lines[title_row]
            header_at -= drop
            above = seg_flat[:header_at]
        beside = _info_beside(match, seg_flat, header_at)
        if beside is not None:
            # 项目名称 | X | 一级指标 | … : the project's fields stand left of the indicator
            # table on the same rows. Read them as the form above it.
            from .form import interpret_form

            info, info_lines, last = [], [], None
            for row, line in zip(seg_flat, seg_lines):
                left = row[:beside]
                # A vertical merge repeats its text (read once); a block heading over the
                # fields (项目基本情况) is no field.
                if any(left) and left != last and not _is_meta_header(left):
                    info.append(left)
                    info_lines.append(line)
                last = left
            body = [row[beside:] for row in seg_flat[header_at:]]
            project = interpret_form(
                info + body, title=title, file=file, table=table, lines=info_lines + seg_lines[header_at:],
                preamble=preamble or None,
            )
            _stamp_sheet(project, grid.sheet)
            projects.append(project)
            continue
        has_meta = any(_is_meta_row(r) for r in above)
        missing = match.missing_required()
        if missing and not (len(seg_flat) > header_at + 1 and _subheader_supplies(match, seg_flat[header_at + 1])):
            raise InputError(
                f"{_where(grid.sheet)}第 {seg_lines[header_at]} 行的表头缺少必需的列：{'、'.join(missing)}", file
            )
        if _is_self_evaluation(match, title) and {"project", "project_code"} & match.fields:
            # A flat self-evaluation export: a 项目名称 column means many projects, one
            # per name, not one form (a form names its project above the header).
            from .selfeval import interpret_flat_self_evaluation

            found = interpret_flat_self_evaluation(
                seg_flat[header_at:], lines=seg_lines[header_at:], file=file, table=table, title=title
            )
        elif _is_self_evaluation(match, title):
            from .selfeval import interpret_self_evaluation

            found = [interpret_self_evaluation(seg_form, title=title, file=file, table=table, lines=seg_lines)]
        elif match.has_grouping or not has_meta:
            found = flat.interpret_flat(
                seg_flat[header_at:],
                lines=seg_lines[header_at:],
                file=file,
                sheet=grid.sheet,
                table=table,
                title=title,
                strict_width=grid.strict_width,
                default_unit=_unit_above(above),
            )
        else:
            from .form import interpret_form

            found = [
                interpret_form(
                    seg_form, title=title, file=file, table=table, lines=seg_lines, preamble=preamble or None
                )
            ]
        for project in found:
            _stamp_sheet(project, grid.sheet)
        projects.extend(found)
    return projects


def _info_beside(match: flat.HeaderMatch, rows: list[list[str]], header_at: int) -> int | None:
    """The column where the indicator table starts when the project's fields stand to its
    left on the same rows: the header row reads 项目名称 | <the name> | 一级指标 | … | 指标值 and
    the cells under 项目名称 are more form labels (项目单位, 资金总额（万元）, 年度目标). None for
    a flat table whose 项目名称 column holds a project per row."""
    p = match.first("project")
    if p is None:
        return None
    indicator_cols = [c for f in (*flat.INDICATOR_FIELDS, "symbol", "measure_unit", "direction") for c in match.columns.get(f, [])]
    if not indicator_cols or min(indicator_cols) <= p + 1:
        return None
    header = rows[header_at]
    name = header[p + 1] if p + 1 < len(header) else ""
    if not name or flat.field_of(name) is not None:
        return None  # the cell right of 项目名称 is another column's name, not a project's
    below = [r[p] for r in rows[header_at + 1 :] if p < len(r) and r[p]]
    labels = sum(1 for c in dict.fromkeys(below) if form.label_key(c)[0] is not None)
    return min(indicator_cols) if labels >= 2 else None


def _is_meta_header(cells: list[str]) -> bool:
    """A block heading over the fields (项目基本情况), one text alone in its row."""
    text = _single_text(cells)
    return text is not None and form.label_key(text)[0] is None and len(text) <= 10


_MONEY_UNIT = re.compile(r"^\s*(?:万元|元|千元|亿元)\s*$")


def _unit_above(rows: list[list[str]]) -> str:
    """The unit a line above a flat table names (填报单位：XX局), not the money unit."""
    for row in rows:
        for part in (p for cell in row if cell for p in form.labelled_parts(cell)):
            # One cell may hold 填报单位：X and 金额单位：元 side by side: read them apart.
            key, inline = form.label_key(part)
            if key == "unit" and inline and not _MONEY_UNIT.match(inline):
                return inline.strip()
    return ""


def _subheader_supplies(match: flat.HeaderMatch, below: list[str]) -> bool:
    """True when a second header row names the missing value parts (计算符号|指标值|计量单位)."""
    trial = match.copy()
    return flat.merge_subheader(trial, below) and not trial.missing_required()


def _stamp_sheet(project: Project, sheet: str | None) -> None:
    """Record the worksheet on every source: the interpreters know only rows."""
    if sheet is None:
        return
    for item in [project, *project.indicators, *project.evaluation]:
        if item.source is not None and item.source.sheet is None:
            item.source.sheet = sheet


def counter(start: int = 1) -> Callable[[], int]:
    """A callable handing out start, start+1, …: the running table number of a file."""
    state = [start - 1]

    def next_number() -> int:
        state[0] += 1
        return state[0]

    return next_number


# Outline numbering before an indicator name: 1.1 , 2.3.1 , 1、, 1. , （1）.
_OUTLINE_NUMBER = re.compile(r"^\s*(?:\d{1,2}(?:[.．]\d{1,2})+\s+|\d{1,2}\s*[、]\s*|\d{1,2}[.．]\s+|[（(]\d{1,2}[)）]\s*)(?=\S)")


def strip_outline_numbers(names: list[str]) -> list[str] | None:
    """The names without their outline numbers (1.1 新建校舍面积 → 新建校舍面积), when the
    table numbers its names: most of them (two thirds, at least two) carry a number. A
    number on one name alone is part of it (2.5米以上道路, 5G基站数); None when nothing
    is stripped."""
    hits = [bool(_OUTLINE_NUMBER.match(n or "")) for n in names]
    if sum(hits) < 2 or sum(hits) * 3 < len(names) * 2:
        return None
    return [_OUTLINE_NUMBER.sub("", n, count=1) if hit else n for n, hit in zip(names, hits)]


def finish_projects(projects: list[Project]) -> list[Project]:
    """Document-level touches shared by the tabular readers."""
    for project in projects:
        for rows in (project.indicators, project.evaluation):
            stripped = strip_outline_numbers([r.name for r in rows])
            if stripped is not None:
                for row, name in zip(rows, stripped):
                    row.name = name
    try:
        from ..budgetyear import apply_document_year
    except ImportError:  # pragma: no cover - the module is part of the package
        return projects
    apply_document_year(projects)
    return projects


def no_table_error(file: str, near_misses: list[str], what: str) -> InputError:
    """The error for a file without any indicator table, naming the closest miss."""
    if near_misses:
        return InputError(near_misses[0], file)
    return InputError(f"{what}中没有找到绩效指标表（需要包含 三级指标 和 指标值 列的表头行）", file)


def no_table_in_workbook(file: str, sheet_names: list[str], near_misses: list[str]) -> InputError:
    """The error for a workbook none of whose sheets holds an indicator table (.xlsx and .xls)."""
    if near_misses:
        return InputError(near_misses[0], file)
    shown = "、".join(f"“{n}”" for n in sheet_names[:5]) + ("等" if len(sheet_names) > 5 else "")
    return InputError(
        f"工作簿中没有找到绩效指标表（已检查 {len(sheet_names)} 个工作表：{shown}；需要包含 三级指标 和 指标值 列的表头行）",
        file,
    )


def near_miss_messages(grid: Grid) -> list[str]:
    """Messages for header-like rows that lack a required column, best first."""
    rows = grid.flat_rows()
    found = []
    for i, row in enumerate(rows):
        if not grid.has_text(i):
            continue
        match = flat.match_header(row)
        if match is not None and not match.is_header:
            found.append((len(match.fields), i, match))
    found.sort(key=lambda t: (-t[0], t[1]))
    out = []
    for _n, i, match in found:
        missing = "、".join(match.missing_required())
        out.append(f"{_where(grid.sheet)}第 {grid.lines[i]} 行的表头缺少必需的列：{missing}")
    return out


@contextmanager
def reading(file: str, what: str) -> Iterator[None]:
    """Keep the readers' promise: nothing but :class:`InputError` leaves them.

    Libraries parsing hostile files fail in many ways (KeyError, struct.error,
    XMLSyntaxError, zlib.error, …); whatever they raise becomes one message for the
    file, with the exception's type kept for a bug report.
    """
    try:
        yield
    except InputError:
        raise
    except RecursionError:
        raise InputError(f"{what}结构嵌套过深，无法读取", file) from None
    except MemoryError:
        raise InputError(f"{what}内容过大，内存不足以读取", file) from None
    except Exception as exc:  # noqa: BLE001 - see the docstring
        detail = str(exc).splitlines()[0][:120] if str(exc) else ""
        suffix = f"：{detail}" if detail else ""
        raise InputError(f"{what}已损坏或格式无法识别（{type(exc).__name__}{suffix}）", file) from None
