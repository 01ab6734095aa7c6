"""Annotated workbook (.xlsx) for a reviewer: the tables as units filed them, marked up.

Sheets, in the order a reviewer works through them:

- ``汇总``: every project's score, its four parts and grade, finding counts, a link to its
  sheet, and the findings counted by rule;
- ``问题清单``: one row per finding (autofilter, frozen header), linked to the cell;
- one sheet per project, laid out as the 绩效目标表 is (一级/二级/三级指标, 绩效指标描述,
  指标值, 指标值确定依据) plus 得分, 问题 and 建议改写; the cell a finding concerns is
  filled by severity (error red, warning amber, info blue) and carries the finding and the
  first suggested rewrite as a comment;
- a self-evaluation table gets the same treatment with 年度指标值 / 实际完成值 / 完成比例 /
  分值 / 得分 / 偏差原因.

Formula injection: text from the input is always written as a *string* cell. openpyxl
binds any str starting with ``=`` as a formula, so :func:`put` sets ``data_type = "s"``
after assignment, which writes the text unchanged as an inline string that Excel and
WPS display and never evaluate. Text starting with ``= + - @``, tab or CR also gets the
cell's ``quotePrefix`` flag (what Excel sets when a user types ``'=1+2``), so the cell
stays text even when someone edits it later or exports the sheet to CSV. We do not
prepend an apostrophe or a space: the reviewer must see exactly what the unit wrote.
The only change ever made to input text is removing control characters that the
.xlsx format cannot store, and cutting cells at Excel's 32,767-character limit.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import tempfile
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.hyperlink import Hyperlink

from ..model import Finding, Indicator, Project
from ..report import (
    SEVERITY_ORDER,
    SEVERITY_ZH,
    all_findings,
    completion,
    kind_label,
    project_title,
    severity_counts,
    summarise,
    unit_label,
    worst_severity,
)
from ..rules import catalogue

AUTHOR = "indicatorqa"

# Excel's own "bad / neutral / note" palette: reviewers already read these colours.
FILL_RGB = {"error": "FFC7CE", "warning": "FFEB9C", "info": "DDEBF7"}
FONT_RGB = {"error": "9C0006", "warning": "9C5700", "info": "1F4E79"}
GRADE_RGB = {"优": "C6EFCE", "良": "E2EFDA", "中": "FFEB9C", "差": "FFC7CE"}
HEADER_RGB = "D9E1F2"

TARGET_COLUMNS = [
    ("序号", 6),
    ("一级指标", 11),
    ("二级指标", 13),
    ("三级指标", 26),
    ("绩效指标描述", 34),
    ("指标值", 18),
    ("指标值确定依据", 16),
    ("得分", 7),
    ("问题", 48),
    ("建议改写", 38),
]
# finding.field → the column of the cell it concerns (1-based); anything else marks the name.
TARGET_FIELD_COLUMN = {"level1": 2, "level2": 3, "name": 4, "description": 5, "value": 6, "value_basis": 7}
TARGET_NAME_COLUMN = 4

EVAL_COLUMNS = [
    ("序号", 6),
    ("目标", 6),
    ("一级指标", 11),
    ("二级指标", 13),
    ("三级指标", 30),
    ("年度指标值", 18),
    ("实际完成值", 22),
    ("完成比例", 9),
    ("分值", 7),
    ("得分", 7),
    ("偏差原因分析及改进措施", 38),
    ("问题", 48),
]
EVAL_FIELD_COLUMN = {"goal": 2, "level1": 3, "level2": 4, "name": 5, "target": 6, "actual": 7, "weight": 9, "score": 10, "reason": 11}
EVAL_NAME_COLUMN = 5

FIELD_ZH = {
    "level1": "一级指标",
    "level2": "二级指标",
    "name": "三级指标",
    "description": "绩效指标描述",
    "value": "指标值",
    "value_basis": "指标值确定依据",
    "target": "年度指标值",
    "actual": "实际完成值",
    "weight": "分值",
    "score": "得分",
    "reason": "偏差原因",
    "total_score": "自评总分",
    "project": "项目",
    "goals": "绩效目标",
}

_THIN = Side(style="thin", color="A6A6A6")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_WRAP_TOP = Alignment(wrap_text=True, vertical="top")
_HEADER_ALIGN = Alignment(wrap_text=True, vertical="center", horizontal="center")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_MAX_CELL = 32767
_SHEET_BAD = re.compile(r"[\[\]:*?/\\'\x00-\x1f]")


# --- safe cells -------------------------------------------------------------------------


def clean_text(text: str) -> str:
    """Input text as a cell can hold it: only illegal control characters removed, length capped."""
    text = ILLEGAL_CHARACTERS_RE.sub("", text)
    return text if len(text) <= _MAX_CELL else text[: _MAX_CELL - 1] + "…"


def put(ws, row: int, col: int, value=None, *, bold: bool = False, fmt: str | None = None, wrap: bool = True):
    """Write one cell; strings always stay strings (never formulas), see the module doc."""
    cell = ws.cell(row=row, column=col)
    if isinstance(value, str):
        text = clean_text(value)
        cell.value = text
        cell.data_type = "s"
        if text.startswith(_FORMULA_START):
            cell.quotePrefix = True
    else:
        cell.value = value
    if bold:
        cell.font = Font(bold=True)
    if fmt:
        cell.number_format = fmt
    if wrap:
        cell.alignment = _WRAP_TOP
    return cell


def _fill(rgb: str) -> PatternFill:
    return PatternFill(fill_type="solid", start_color=rgb, end_color=rgb)


def mark(cell, severity: str) -> None:
    cell.fill = _fill(FILL_RGB[severity])
    cell.font = Font(color=FONT_RGB[severity], bold=cell.font.bold if cell.font else False)


def finding_text(f: Finding) -> str:
    rule = catalogue().get(f.code)
    title = f"（{rule.title}）" if rule else ""
    lines = [f"【{SEVERITY_ZH[f.severity]}】{f.code} {f.slug}{title}", f.message]
    if f.evidence:
        lines.append("证据：" + "；".join(f.evidence))
    if f.confidence is not None:
        lines.append(f"把握度：{f.confidence:.0%}")
    return "\n".join(lines)


def suggestion_text(ind: Indicator | None) -> str:
    if ind is None or not ind.suggestions:
        return ""
    s = ind.suggestions[0]
    lines = [f"建议改写：{s.name}：{s.value}"]
    if s.description:
        lines.append(f"描述：{s.description}")
    if s.basis:
        lines.append(f"数值依据：{s.basis}")
    return "\n".join(lines)


def _comment(findings: list[Finding], ind: Indicator | None = None) -> Comment:
    parts = [finding_text(f) for f in findings]
    sugg = suggestion_text(ind)
    if sugg:
        parts.append(sugg)
    text = clean_text("\n\n".join(parts))
    lines = sum(max(1, len(line) // 22 + 1) for line in text.splitlines())
    c = Comment(text, AUTHOR)
    # openpyxl sizes in points; a comment box too small hides its end in Excel.
    c.width = 320
    c.height = min(600, 18 * lines + 20)
    return c


def annotate(ws, cells: dict[tuple[int, int], list[Finding]], suggestions: dict[int, Indicator] | None = None) -> None:
    """Fill and comment every cell a finding concerns (worst severity wins the colour)."""
    for (row, col), findings in cells.items():
        findings = sorted(findings, key=lambda f: (SEVERITY_ORDER[f.severity], f.code))
        cell = ws.cell(row=row, column=col)
        mark(cell, findings[0].severity)
        cell.comment = _comment(findings, (suggestions or {}).get(row))


def _header(ws, row: int, columns: list[tuple[str, int]]) -> None:
    for col, (name, width) in enumerate(columns, 1):
        cell = put(ws, row, col, name, bold=True, wrap=False)
        cell.fill = _fill(HEADER_RGB)
        cell.alignment = _HEADER_ALIGN
        cell.border = _BORDER
        ws.column_dimensions[get_column_letter(col)].width = width


def _borders(ws, first: int, last: int, ncols: int) -> None:
    for r in range(first, last + 1):
        for c in range(1, ncols + 1):
            ws.cell(row=r, column=c).border = _BORDER


def _merged_line(ws, row: int, ncols: int, text: str, *, bold: bool = False, size: int | None = None, width_chars: int = 160):
    """A full-width merged line (title, goals); merged rows never auto-fit, so size them here."""
    cell = put(ws, row, 1, text, bold=bold)
    if size:
        cell.font = Font(bold=bold, size=size)
    ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=ncols)
    lines = sum(max(1, _display_width(line) // width_chars + 1) for line in text.splitlines() or [""])
    ws.row_dimensions[row].height = max(18 if not size else size * 1.8, 15 * lines + 4)
    return cell


def _display_width(text: str) -> int:
    # CJK characters take two columns in Excel's width units.
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def _print_setup(ws, header_row: int | None) -> None:
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    if header_row:
        ws.print_title_rows = f"{header_row}:{header_row}"


def sheet_name(text: str, taken: set[str]) -> str:
    """Excel sheet names: ≤31 characters, none of []:*?/\\', unique ignoring case."""
    base = _SHEET_BAD.sub("_", text).strip() or "项目"
    name, n = base[:31], 2
    while name.casefold() in taken:
        suffix = f"~{n}"
        name = base[: 31 - len(suffix)] + suffix
        n += 1
    taken.add(name.casefold())
    return name


def _link(cell, sheet: str, target: str = "A1") -> None:
    cell.hyperlink = Hyperlink(ref=cell.coordinate, location=f"'{sheet}'!{target}", display=str(cell.value or ""))
    cell.font = Font(color="0563C1", underline="single")


def _fmt_num(x: float | None) -> str:
    return "" if x is None else f"{x:g}"


# --- project sheets -------------------------------------------------------------------


class _Placed:
    """Where each finding landed, for the findings sheet's links."""

    def __init__(self) -> None:
        self.rows: list[tuple[Project, str, int, str, Finding, Indicator | None]] = []

    def add(self, project, sheet, row, name, finding, ind=None):
        self.rows.append((project, sheet, row, name, finding, ind))


def _project_head(ws, p: Project, ncols: int) -> tuple[int, dict]:
    """Title block above the table; returns the next free row and cell→findings for it."""
    cells: dict[tuple[int, int], list[Finding]] = {}
    put(ws, 1, 1, project_title(p), bold=True)
    ws.cell(row=1, column=1).font = Font(bold=True, size=14)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=ncols)
    ws.row_dimensions[1].height = 26
    meta = [f"单位：{unit_label(p)}", f"表格：{kind_label(p)}"]
    if p.code:
        meta.append(f"项目编码：{p.code}")
    if p.budget_year:
        meta.append(f"预算年度：{p.budget_year}")
    if p.budget is not None:
        money = f"预算数：{p.budget:,.2f} 万元"
        if p.budget_fiscal is not None or p.budget_other is not None:
            money += f"（财政资金 {_fmt_num(p.budget_fiscal) or '—'}，其他资金 {_fmt_num(p.budget_other) or '—'}）"
        meta.append(money)
    if p.source and p.source.file:
        meta.append(f"来源：{p.source.describe()}")
    _merged_line(ws, 2, ncols, "　".join(meta))
    row = 3
    if p.score is not None:
        parts = "　".join(f"{k} {v:g}" for k, v in (p.score_parts or {}).items())
        text = f"质量得分：{p.score:g}（{p.grade}）　{parts}"
        if p.kind == "self_evaluation" and p.total_score is not None:
            text += f"　｜　自评总分：{p.total_score:g}"
        cell = _merged_line(ws, row, ncols, text, bold=True)
        if p.grade:
            cell.fill = _fill(GRADE_RGB[p.grade])
        if p.kind == "self_evaluation":
            for f in p.findings:
                if f.field == "total_score":
                    cells.setdefault((row, 1), []).append(f)
        row += 1
    if p.execution is not None:
        e = p.execution
        text = (
            f"预算执行：年初预算 {_fmt_num(e.initial) or '—'} 万元，全年预算 {_fmt_num(e.annual) or '—'} 万元，"
            f"全年执行 {_fmt_num(e.executed) or '—'} 万元，执行率 {e.rate or '—'}，分值 {_fmt_num(e.weight) or '—'}，"
            f"得分 {_fmt_num(e.score) or '—'}"
        )
        if e.reason:
            text += f"\n偏差原因：{e.reason}"
        _merged_line(ws, row, ncols, text)
        row += 1
    placed_here: set[int] = {id(f) for fs in cells.values() for f in fs}
    if p.goals:
        lines = []
        for g in p.goals:
            lines.append(f"目标{g.number}：{g.text}")
            if g.actual:
                lines.append(f"　实际完成：{g.actual}")
        _merged_line(ws, row, ncols, "绩效目标\n" + "\n".join(lines))
        # A placeholder left in a goal (N004) is marked on the goals themselves.
        for f in p.findings:
            if f.field == "goals":
                cells.setdefault((row, 1), []).append(f)
                placed_here.add(id(f))
        row += 1
    project_level = [f for f in p.findings if id(f) not in placed_here]
    if project_level:
        text = "项目问题：\n" + "\n".join(f"{f.code} {SEVERITY_ZH[f.severity]}：{f.message}" for f in project_level)
        cell = _merged_line(ws, row, ncols, text)
        mark(cell, worst_severity(project_level))
        # The comment sits on the title, where a reviewer looks first.
        cells.setdefault((1, 1), []).extend(project_level)
        row += 1
    return row + 1, cells


def _place_head(placed: _Placed, p: Project, sheet: str, cells: dict) -> None:
    """Project-level findings in the findings sheet, pointing at the row that carries them."""
    label = {"goals": "（绩效目标）", "total_score": "（自评总分）"}
    for (r, _c), fs in sorted(cells.items()):
        for f in fs:
            placed.add(p, sheet, r, label.get(f.field or "", "（项目）"), f)


def _issues_cell(ws, row: int, col: int, findings: list[Finding]) -> None:
    if not findings:
        return
    text = "\n".join(f"{f.code} {SEVERITY_ZH[f.severity]}：{f.message}" for f in findings)
    cell = put(ws, row, col, text)
    mark(cell, worst_severity(findings))


def _target_sheet(ws, p: Project, placed: _Placed) -> None:
    ncols = len(TARGET_COLUMNS)
    header, cells = _project_head(ws, p, ncols)
    _place_head(placed, p, ws.title, cells)
    _header(ws, header, TARGET_COLUMNS)
    suggestions: dict[int, Indicator] = {}
    row = header
    for i, ind in enumerate(p.indicators, 1):
        row = header + i
        put(ws, row, 1, i)
        for col, value in enumerate((ind.level1, ind.level2, ind.name, ind.description, ind.value, ind.value_basis), 2):
            put(ws, row, col, value)
        put(ws, row, 8, ind.score, fmt="0")
        _issues_cell(ws, row, 9, ind.findings)
        sugg = ind.suggestions[0] if ind.suggestions else None
        if sugg:
            text = f"{sugg.name}：{sugg.value}"
            if sugg.basis:
                text += f"\n（{sugg.basis}）"
            put(ws, row, 10, text)
            suggestions[row] = ind
        for f in ind.findings:
            col = TARGET_FIELD_COLUMN.get(f.field or "", TARGET_NAME_COLUMN)
            cells.setdefault((row, col), []).append(f)
            placed.add(p, ws.title, row, ind.name, f, ind)
    _borders(ws, header + 1, row, ncols)
    annotate(ws, cells, suggestions)
    ws.freeze_panes = ws.cell(row=header + 1, column=1)
    _print_setup(ws, header)


def _eval_sheet(ws, p: Project, placed: _Placed) -> None:
    ncols = len(EVAL_COLUMNS)
    header, cells = _project_head(ws, p, ncols)
    _place_head(placed, p, ws.title, cells)
    _header(ws, header, EVAL_COLUMNS)
    row = header
    for i, ev in enumerate(p.evaluation, 1):
        row = header + i
        put(ws, row, 1, i)
        put(ws, row, 2, ev.goal)
        for col, value in ((3, ev.level1), (4, ev.level2), (5, ev.name), (6, ev.target), (7, ev.actual)):
            put(ws, row, col, value)
        done = completion(ev)
        ratio_cell = put(ws, row, 8, None if done.ratio is None else round(done.ratio, 4), fmt="0%")
        if done.met is False:
            ratio_cell.font = Font(color=FONT_RGB["error"], bold=True)
        put(ws, row, 9, ev.weight, fmt="0.##")
        put(ws, row, 10, ev.score, fmt="0.##")
        put(ws, row, 11, ev.reason)
        _issues_cell(ws, row, 12, ev.findings)
        for f in ev.findings:
            col = EVAL_FIELD_COLUMN.get(f.field or "", EVAL_NAME_COLUMN)
            cells.setdefault((row, col), []).append(f)
            placed.add(p, ws.title, row, ev.name, f)
    _borders(ws, header + 1, row, ncols)
    annotate(ws, cells)
    ws.freeze_panes = ws.cell(row=header + 1, column=1)
    _print_setup(ws, header)


# --- summary and findings sheets ----------------------------------------------------------

SUMMARY_COLUMNS = [
    ("序号", 6),
    ("项目名称", 46),
    ("表格", 11),
    ("预算年度", 9),
    ("预算数（万元）", 13),
    ("指标数", 8),
    ("完整性", 8),
    ("相关性", 8),
    ("适当性", 8),
    ("可行性", 8),
    ("得分", 8),
    ("等级", 6),
    ("错误", 6),
    ("警告", 6),
    ("提示", 6),
]
SUMMARY_HEADER_ROW = 5

FINDING_COLUMNS = [
    ("序号", 6),
    ("项目名称", 30),
    ("工作表", 14),
    ("行", 6),
    ("三级指标", 26),
    ("栏目", 11),
    ("代码", 7),
    ("规则", 20),
    ("级别", 6),
    ("问题说明", 56),
    ("证据", 24),
    ("把握度", 8),
    ("建议改写", 40),
]


def _summary_sheet(ws, title: str, projects: list[Project], sheets: list[str], generated: dt.datetime) -> None:
    s = summarise(title, projects)
    ncols = len(SUMMARY_COLUMNS)
    cell = put(ws, 1, 1, f"{title} 预算绩效指标质量审核汇总", bold=True)
    cell.font = Font(bold=True, size=15)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=ncols)
    ws.row_dimensions[1].height = 28
    years = "、".join(str(y) for y in s.years) or "未注明"
    mean = "—" if s.mean_score is None else f"{s.mean_score:g}（{s.grade}）"
    sev = s.severities
    _merged_line(
        ws,
        2,
        ncols,
        f"项目 {len(projects)} 个　三级指标 {s.indicators} 条"
        + (f"　自评指标 {s.evaluation_rows} 条" if s.evaluation_rows else "")
        + f"　预算年度 {years}　平均得分 {mean}　问题 {s.findings} 个（错误 {sev['error']}，警告 {sev['warning']}，提示 {sev['info']}）",
        bold=True,
    )
    _merged_line(
        ws,
        3,
        ncols,
        f"颜色：红色=错误（必须修改），黄色=警告（建议修改），蓝色=提示。鼠标悬停在着色单元格上查看批注。"
        f"评分方法见 docs/SCORING.md。生成：indicatorqa，{generated:%Y-%m-%d %H:%M}",
    )
    _header(ws, SUMMARY_HEADER_ROW, SUMMARY_COLUMNS)
    row = SUMMARY_HEADER_ROW
    for i, (p, sheet) in enumerate(zip(projects, sheets), 1):
        row = SUMMARY_HEADER_ROW + i
        counts = severity_counts(all_findings(p))
        parts = p.score_parts or {}
        put(ws, row, 1, i)
        _link(put(ws, row, 2, project_title(p)), sheet)
        put(ws, row, 3, kind_label(p))
        put(ws, row, 4, p.budget_year)
        put(ws, row, 5, p.budget, fmt="#,##0.00")
        put(ws, row, 6, len(p.indicators) or len(p.evaluation))
        for col, part in enumerate(("完整性", "相关性", "适当性", "可行性"), 7):
            put(ws, row, col, parts.get(part), fmt="0.0")
        put(ws, row, 11, p.score, fmt="0.0", bold=True)
        grade_cell = put(ws, row, 12, p.grade or "")
        if p.grade:
            grade_cell.fill = _fill(GRADE_RGB[p.grade])
            grade_cell.alignment = Alignment(horizontal="center", vertical="top")
        for col, sev_name in ((13, "error"), (14, "warning"), (15, "info")):
            c = put(ws, row, col, counts[sev_name])
            if counts[sev_name]:
                mark(c, sev_name)
    _borders(ws, SUMMARY_HEADER_ROW + 1, row, ncols)

    # Findings by rule: which kinds of problem dominate this unit.
    by_rule = Counter(f.code for p in projects for f in all_findings(p))
    if by_rule:
        row += 2
        put(ws, row, 1, "问题按规则统计", bold=True, wrap=False)
        row += 1
        for col, name in enumerate(("代码", "规则", "级别", "数量"), 1):
            c = put(ws, row, col, name, bold=True, wrap=False)
            c.fill = _fill(HEADER_RGB)
            c.border = _BORDER
        rules = catalogue()
        for code, n in sorted(by_rule.items(), key=lambda kv: (-kv[1], kv[0])):
            row += 1
            rule = rules.get(code)
            severity = rule.severity if rule else "info"
            put(ws, row, 1, code)
            put(ws, row, 2, f"{rule.title}（{rule.slug}）" if rule else code)
            mark(put(ws, row, 3, SEVERITY_ZH[severity]), severity)
            put(ws, row, 4, n)
            for c in range(1, 5):
                ws.cell(row=row, column=c).border = _BORDER
    ws.freeze_panes = ws.cell(row=SUMMARY_HEADER_ROW + 1, column=1)
    _print_setup(ws, SUMMARY_HEADER_ROW)


def _findings_sheet(ws, placed: _Placed) -> int:
    _header(ws, 1, FINDING_COLUMNS)
    row = 1
    for i, (p, sheet, at, name, f, ind) in enumerate(placed.rows, 1):
        row = 1 + i
        put(ws, row, 1, i)
        put(ws, row, 2, project_title(p))
        _link(put(ws, row, 3, sheet), sheet, f"A{at}")
        put(ws, row, 4, at)
        put(ws, row, 5, name)
        put(ws, row, 6, FIELD_ZH.get(f.field or "", f.field or ""))
        put(ws, row, 7, f.code)
        rule = catalogue().get(f.code)
        put(ws, row, 8, f"{rule.title}（{f.slug}）" if rule else f.slug)
        mark(put(ws, row, 9, SEVERITY_ZH[f.severity]), f.severity)
        put(ws, row, 10, f.message)
        put(ws, row, 11, "；".join(f.evidence))
        put(ws, row, 12, f.confidence, fmt="0%")
        sugg = ind.suggestions[0] if ind is not None and ind.suggestions else None
        put(ws, row, 13, f"{sugg.name}：{sugg.value}" if sugg else "")
    _borders(ws, 2, row, len(FINDING_COLUMNS))
    ws.auto_filter.ref = f"A1:{get_column_letter(len(FINDING_COLUMNS))}{max(row, 1)}"
    ws.freeze_panes = "A2"
    _print_setup(ws, 1)
    return len(placed.rows)


# --- the workbook -------------------------------------------------------------------------


def build_workbook(projects: Iterable[Project], title: str = "", generated: dt.datetime | None = None) -> Workbook:
    projects = list(projects)
    generated = generated or dt.datetime.now().replace(microsecond=0)
    title = title or (projects[0].unit if projects and projects[0].unit else "indicatorqa")
    wb = Workbook()
    summary = wb.active
    summary.title = "汇总"
    findings_ws = wb.create_sheet("问题清单")
    taken = {"汇总", "问题清单"}
    placed = _Placed()
    sheets = []
    for i, p in enumerate(projects, 1):
        prefix = f"{i:02d} 自评 " if p.kind == "self_evaluation" else f"{i:02d} "
        ws = wb.create_sheet(sheet_name(prefix + project_title(p), taken))
        sheets.append(ws.title)
        if p.kind == "self_evaluation":
            _eval_sheet(ws, p, placed)
        else:
            _target_sheet(ws, p, placed)
    _summary_sheet(summary, title, projects, sheets, generated)
    _findings_sheet(findings_ws, placed)
    wb.active = 0
    wb.properties.creator = AUTHOR
    wb.properties.title = clean_text(f"{title} 预算绩效指标质量审核")
    return wb


def write_workbook(projects: Iterable[Project], path: str | os.PathLike, title: str = "", generated: dt.datetime | None = None) -> Path:
    """Build and save atomically: a temp file next to ``path``, then ``os.replace``."""
    wb = build_workbook(projects, title, generated)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem[:40]}.", suffix=".xlsx.tmp")
    os.close(fd)
    try:
        wb.save(tmp)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path
