"""Build .docx, .xlsx, .xls and CSV files from projects, the way real tables are laid out.

Tests read the seeds, write them out with these builders and read the files back:
the rows must come back identical. The layouts copy what published tables do:

* Word form (绩效目标表): a heading paragraph, then one table on a 7-column grid —
  the unit and 单位：万元, 项目编码, 项目名称, the 预算规模及资金用途 block (label merged
  down over the budget row and the use-of-funds row), 资金支出计划, 绩效目标, then the
  indicator header and rows, with 一级指标 and 二级指标 merged down over their groups
  and the description and value cells spanning grid columns;
* Excel form: the same form drawn on a sheet with merged ranges, several forms one
  under another;
* flat sheet / CSV: SPEC's header, one indicator per row.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

from indicatorqa.model import Project

FLAT_HEADER = ["单位", "项目名称", "预算数", "绩效目标", "一级指标", "二级指标", "三级指标", "绩效指标描述", "指标值", "指标值确定依据"]


def _amount(value: float | None) -> str:
    return "" if value is None else f"{value:.2f}"


def goals_text(project: Project) -> str:
    if not project.goals:
        return ""
    return "\n".join(f"{g.number}.{g.text}" for g in project.goals)


def unit_text(project: Project) -> str:
    return f"{project.unit_code}{project.unit}"


def heading(project: Project, number: int) -> str:
    return project.title or f"{number}.{project.name}绩效目标表"


def _runs(project: Project) -> list[tuple[int, int]]:
    """(start, end) index ranges of consecutive indicators with the same 一级指标."""
    runs = []
    start = 0
    inds = project.indicators
    for i in range(1, len(inds) + 1):
        if i == len(inds) or inds[i].level1 != inds[start].level1:
            runs.append((start, i))
            start = i
    return runs


def form_rows(project: Project) -> list[tuple[list[tuple[str, int]], dict]]:
    """The form as rows of (text, grid span) on a 7-column grid, with merge hints.

    Each row is ``(cells, info)``; ``info['vmerge']`` maps a cell index to 'restart'
    or 'continue' for vertical merges.
    """
    has_basis = any(i.value_basis for i in project.indicators)
    rows: list[tuple[list[tuple[str, int]], dict]] = []
    rows.append(([(unit_text(project), 5), ("单位：万元", 2)], {}))
    if project.code:
        rows.append(([("项目编码", 1), (project.code, 6)], {}))
    rows.append(([("项目名称", 1), (project.name, 6)], {}))
    budget = [
        ("预算规模及资金用途", 1), ("预算数", 1), (_amount(project.budget), 1),
        ("其中：财政资金", 1), (_amount(project.budget_fiscal), 1), ("其他资金", 1), (_amount(project.budget_other), 1),
    ]
    rows.append((budget, {"vmerge": {0: "restart"}}))
    rows.append(([("", 1), (project.use_of_funds, 6)], {"vmerge": {0: "continue"}}))
    if project.spending_plan:
        periods = [(e.period, 1) for e in project.spending_plan]
        texts = [(e.text, 1) for e in project.spending_plan]
        pad = 6 - len(periods)
        rows.append(([("资金支出计划（%）", 1), *periods, *([("", pad)] if pad > 0 else [])], {"vmerge": {0: "restart"}}))
        rows.append(([("", 1), *texts, *([("", pad)] if pad > 0 else [])], {"vmerge": {0: "continue"}}))
    rows.append(([("绩效目标", 1), (goals_text(project), 6)], {}))
    if has_basis:
        header = [("一级指标", 1), ("二级指标", 1), ("三级指标", 1), ("绩效指标描述", 1), ("指标值", 2), ("指标值确定依据", 1)]
    else:
        header = [("一级指标", 1), ("二级指标", 1), ("三级指标", 1), ("绩效指标描述", 2), ("指标值", 2)]
    rows.append((header, {}))
    for start, end in _runs(project):
        previous_level2 = None
        for k in range(start, end):
            ind = project.indicators[k]
            vmerge = {0: "restart" if k == start else "continue"}
            level2 = ind.level2
            # 二级指标 merged down over its group too, as many tables do.
            if k > start and level2 == previous_level2 and level2:
                vmerge[1] = "continue"
            elif k + 1 < end and project.indicators[k + 1].level2 == level2 and level2:
                vmerge[1] = "restart"
            previous_level2 = level2
            level1 = ind.level1 if k == start else ""
            level2_text = "" if vmerge.get(1) == "continue" else level2
            if has_basis:
                cells = [(level1, 1), (level2_text, 1), (ind.name, 1), (ind.description, 1), (ind.value, 2), (ind.value_basis, 1)]
            else:
                cells = [(level1, 1), (level2_text, 1), (ind.name, 1), (ind.description, 2), (ind.value, 2)]
            rows.append((cells, {"vmerge": vmerge}))
    return rows


# ---------------------------------------------------------------------------
# Word


def _set_cell_text(cell, text: str) -> None:
    """One paragraph per line, as Word keeps multi-line cells."""
    lines = text.split("\n") if text else [""]
    cell.text = lines[0]
    for line in lines[1:]:
        cell.add_paragraph(line)


def docx_bytes(projects: Sequence[Project], *, extra_tables: bool = True) -> bytes:
    """A .docx with one heading + form table per project (and unrelated tables in between)."""
    import docx
    from docx.oxml import OxmlElement
    from docx.table import _Cell
    from docx.oxml.ns import qn

    document = docx.Document()
    document.add_paragraph("部门预算项目绩效目标表")
    if extra_tables:
        # A table that is not an indicator table must be skipped.
        other = document.add_table(rows=2, cols=3)
        for c, text in enumerate(["科目编码", "科目名称", "金额"]):
            other.cell(0, c).text = text
    for number, project in enumerate(projects, start=1):
        document.add_paragraph(heading(project, number))
        rows = form_rows(project)
        table = document.add_table(rows=len(rows), cols=7)
        table.style = "Table Grid"
        for r, (cells, info) in enumerate(rows):
            tr = table.rows[r]._tr
            tcs = list(tr.tc_lst)
            # Lay the cells on the grid: set spans by removing the covered tcs.
            col = 0
            for k, (text, span) in enumerate(cells):
                tc = tcs[col]
                if span > 1:
                    tc_pr = tc.get_or_add_tcPr()
                    grid_span = OxmlElement("w:gridSpan")
                    grid_span.set(qn("w:val"), str(span))
                    tc_pr.append(grid_span)
                    for extra in tcs[col + 1 : col + span]:
                        tr.remove(extra)
                vm = info.get("vmerge", {}).get(k)
                if vm:
                    tc_pr = tc.get_or_add_tcPr()
                    v_merge = OxmlElement("w:vMerge")
                    if vm == "restart":
                        v_merge.set(qn("w:val"), "restart")
                    tc_pr.append(v_merge)
                col += span
            # Text after the structure is final (python-docx cells follow the tcs).
            for tc, (text, _span) in zip(tr.tc_lst, cells):
                _set_cell_text(_Cell(tc, table), text)
        if extra_tables and number == 1:
            document.add_paragraph("说明：以下为各项目绩效目标。")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


# ---------------------------------------------------------------------------
# Excel


def write_form_sheet(ws, projects: Iterable[Project], *, start_row: int = 1, gap: int = 2) -> None:
    """Draw the forms one under another on an openpyxl sheet, with merged ranges."""
    row = start_row
    for number, project in enumerate(projects, start=1):
        ws.cell(row=row, column=1, value=heading(project, number))
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=7)
        row += 1
        open_ranges: dict[int, tuple[int, int]] = {}  # column -> (first row, span)

        def close(col: int, last: int) -> None:
            first, span = open_ranges.pop(col)
            if last > first or span > 1:
                ws.merge_cells(start_row=first, start_column=col, end_row=last, end_column=col + span - 1)

        for cells, info in form_rows(project):
            vmerge = info.get("vmerge", {})
            continuing = set()
            col = 1
            for k, (text, span) in enumerate(cells):
                kind = vmerge.get(k)
                if kind == "continue" and col in open_ranges:
                    continuing.add(col)
                else:
                    if text:
                        set_text(ws, row, col, text)
                    if kind == "restart":
                        if col in open_ranges:
                            close(col, row - 1)
                        open_ranges[col] = (row, span)
                        continuing.add(col)
                    elif span > 1:
                        ws.merge_cells(start_row=row, start_column=col, end_row=row, end_column=col + span - 1)
                col += span
            for c in list(open_ranges):
                if c not in continuing:
                    close(c, row - 1)
            row += 1
        for c in list(open_ranges):
            close(c, row - 1)
        row += gap


def flat_rows(projects: Iterable[Project]) -> list[list[object]]:
    rows: list[list[object]] = [list(FLAT_HEADER)]
    for project in projects:
        for ind in project.indicators:
            rows.append(
                [unit_text(project), project.name, project.budget if project.budget is not None else "", goals_text(project),
                 ind.level1, ind.level2, ind.name, ind.description, ind.value, ind.value_basis]
            )
    return rows


def write_flat_sheet(ws, projects: Iterable[Project], *, merge_projects: bool = False) -> None:
    """SPEC's flat header and one indicator per row; optionally project cells merged down."""
    rows = flat_rows(projects)
    for r, values in enumerate(rows, start=1):
        for c, value in enumerate(values, start=1):
            if value not in ("", None):
                set_text(ws, r, c, value)
    if merge_projects:
        start = 2
        for r in range(3, len(rows) + 2):
            same = r <= len(rows) and rows[r - 1][:2] == rows[start - 1][:2]
            if not same:
                if r - 1 > start:
                    for c in range(1, 5):
                        # The merged range keeps only its top-left value, as Excel does.
                        for rr in range(start + 1, r):
                            ws.cell(row=rr, column=c).value = None
                        ws.merge_cells(start_row=start, start_column=c, end_row=r - 1, end_column=c)
                start = r


def set_text(ws, row: int, column: int, value: str) -> None:
    """Write text as text: openpyxl would store '=100%' as a formula."""
    cell = ws.cell(row=row, column=column, value=value)
    if isinstance(value, str) and value.startswith("="):
        cell.data_type = "s"


def xlsx_bytes(build) -> bytes:
    """An .xlsx from ``build(workbook)``."""
    import openpyxl

    wb = openpyxl.Workbook()
    build(wb)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def rows_xlsx_bytes(rows: list[list[object]], merges: Sequence[str] = (), *, title: str = "Sheet1", more=None) -> bytes:
    """An .xlsx whose first sheet holds ``rows`` (row 1 first; "" and None leave a cell empty)
    with ``merges`` (A1 ranges such as "A1:F1"); ``more(wb)`` may add sheets."""

    def build(wb):
        ws = wb.active
        ws.title = title
        for r, values in enumerate(rows, start=1):
            for c, value in enumerate(values, start=1):
                if value not in ("", None):
                    set_text(ws, r, c, value) if isinstance(value, str) else ws.cell(row=r, column=c, value=value)
        for ref in merges:
            ws.merge_cells(ref)
        if more is not None:
            more(wb)

    return xlsx_bytes(build)


def xls_bytes(rows: list[list[object]], merges: Sequence[tuple[int, int, int, int]] = (), sheet: str = "Sheet1") -> bytes:
    """An .xls (BIFF8) with the given rows; merges are (r1, r2, c1, c2), 0-based inclusive."""
    import xlwt

    wb = xlwt.Workbook(encoding="utf-8")
    ws = wb.add_sheet(sheet)
    merged_cells = set()
    for r1, r2, c1, c2 in merges:
        value = rows[r1][c1] if r1 < len(rows) and c1 < len(rows[r1]) else ""
        ws.write_merge(r1, r2, c1, c2, value)
        merged_cells.update((r, c) for r in range(r1, r2 + 1) for c in range(c1, c2 + 1))
    for r, values in enumerate(rows):
        for c, value in enumerate(values):
            if (r, c) in merged_cells or value in ("", None):
                continue
            ws.write(r, c, value)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


# ---------------------------------------------------------------------------
# CSV


def csv_text(projects: Iterable[Project], delimiter: str = ",") -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    for row in flat_rows(projects):
        writer.writerow(["" if v is None else (f"{v:.2f}" if isinstance(v, float) else v) for v in row])
    return buffer.getvalue()


# ---------------------------------------------------------------------------
# Comparison


def indicator_rows(project: Project) -> list[tuple[str, ...]]:
    return [(i.level1, i.level2, i.name, i.description, i.value, i.value_basis) for i in project.indicators]


def project_meta(project: Project, *, with_plan: bool = True, with_title: bool = True, with_use: bool = True) -> dict:
    meta = {
        "unit": project.unit,
        "unit_code": project.unit_code,
        "name": project.name,
        "budget": project.budget,
        "goals": [(g.number, g.text) for g in project.goals],
    }
    if with_use:
        meta.update(
            code=project.code,
            budget_fiscal=project.budget_fiscal,
            budget_other=project.budget_other,
            use_of_funds=project.use_of_funds,
        )
    if with_plan:
        meta["spending_plan"] = [(e.period, e.percent, e.text) for e in project.spending_plan]
    if with_title:
        meta["title"] = project.title
        meta["budget_year"] = project.budget_year
    return meta


# ---------------------------------------------------------------------------
# HTML ("report.xls" exported by budget systems)


def html_text(projects: Sequence[Project]) -> str:
    """An HTML page with a heading and a form table per project, merged cells as spans."""
    from html import escape

    parts = ["<html><head><meta charset='utf-8'></head><body>"]
    for number, project in enumerate(projects, start=1):
        parts.append(f"<p>{escape(heading(project, number))}</p><table border='1'>")
        rows = form_rows(project)
        placed = []  # per row: list of (col, span, text, vmerge)
        for cells, info in rows:
            col, out = 0, []
            for k, (text, span) in enumerate(cells):
                out.append((col, span, text, info.get("vmerge", {}).get(k)))
                col += span
            placed.append(out)
        for r, cells in enumerate(placed):
            parts.append("<tr>")
            for col, span, text, vm in cells:
                if vm == "continue":
                    continue
                rowspan = 1
                if vm == "restart":
                    for later in placed[r + 1 :]:
                        if any(c == col and v == "continue" for c, _s, _t, v in later):
                            rowspan += 1
                        else:
                            break
                attrs = (f" colspan='{span}'" if span > 1 else "") + (f" rowspan='{rowspan}'" if rowspan > 1 else "")
                body = "<br>".join(escape(line) for line in text.split("\n"))
                parts.append(f"<td{attrs}>{body}</td>")
            parts.append("</tr>")
        parts.append("</table>")
    parts.append("</body></html>")
    return "".join(parts)
