"""Read the seed text export format: tables exported from Word as plain text.

Two layouts are recognised by content (never by file name):

*Cell per line* (the 绩效目标表 exports). Each cell is a line starting with a tab;
a cell of several paragraphs continues on lines without the tab; rows are
separated by blank lines; lines outside any cell are paragraphs — the table
titles (``[bookmark: _Toc_…]3.大仪共享管理服务工作经费绩效目标表``) and, before the
first table, text such as a department-wide 部门整体绩效目标 that is no project.

A cell whose last paragraphs are empty (``项目按时完成率`` followed by two empty
paragraphs) prints blank lines that look exactly like row separators. Inside the
indicator table the header tells how many cells a row has, so a row that is still
short when such a gap comes is continued rather than cut.

*Tab-separated rows* (the 绩效自评表 export): one line per row, cells separated by
tabs, title paragraphs above. Merged cells come out blank or shifted; the
self-evaluation interpreter aligns them by content.

Each table is handed to :func:`.form.interpret_form` or
:func:`.selfeval.interpret_self_evaluation` according to its header, so either
layout may carry either kind of table.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..budgetyear import apply_document_year
from ..errors import InputError
from ..model import Document, Project
from .form import (
    clean_cell,
    find_indicator_header,
    header_field,
    interpret_form,
    is_self_evaluation_header,
    label_key,
    match_header,
    money_unit_factor,
)
from .selfeval import interpret_self_evaluation

# ---------------------------------------------------------------------------
# Recognition


def _single_cell_line(line: str) -> bool:
    return line.startswith("\t") and "\t" not in line[1:] and bool(line.strip())


def _split_tabs(line: str) -> list[str]:
    return line.rstrip("\r").split("\t")


def _layout(lines: list[str]) -> str | None:
    """``cells`` (a cell per line), ``tsv`` (tab-separated rows) or None."""
    single = sum(1 for line in lines if _single_cell_line(line))
    multi = sum(1 for line in lines if sum(1 for c in _split_tabs(line) if c.strip()) >= 2)
    if single >= 3 and single >= multi:
        return "cells"
    if multi:
        return "tsv"
    return None


def looks_like(text: str) -> bool:
    """Whether ``text`` is a seed text export (either layout).

    An ordinary CSV/TSV whose first line is the column header (一级指标,二级指标,…)
    is not claimed: in the cell-per-line layout the header names stand on lines of
    their own, and a tab-separated table is claimed only when it is a
    self-evaluation table (实际完成值 and 分值/得分 columns) with a title or form
    rows above its header, as the export prints it.
    """
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    layout = _layout(lines)
    if layout == "cells":
        fields: set[str] = set()
        for line in lines:
            if _single_cell_line(line):
                hit = header_field(line)
                if hit:
                    fields.add(hit[0])
                    if "value" in fields and {"name", "description"} & fields:
                        return True
        return False
    if layout == "tsv":
        content = [line for line in lines if line.strip()]
        for k, line in enumerate(content):
            if "\t" in line and is_self_evaluation_header(match_header(_split_tabs(line))):
                return k > 0
    return False


# ---------------------------------------------------------------------------
# Tokens and regions of the cell-per-line layout


@dataclass
class _Cell:
    text: str
    line: int


@dataclass
class _Row:
    cells: list[_Cell]
    gap_before: int  # blank lines between this row and the previous one

    @property
    def texts(self) -> list[str]:
        return [c.text for c in self.cells]


@dataclass
class _Region:
    """Consecutive rows of one table, and the paragraphs printed above it."""

    paragraphs: list[tuple[str, int]] = field(default_factory=list)
    rows: list[_Row] = field(default_factory=list)


def _regions(lines: list[str]) -> list[_Region]:
    regions: list[_Region] = []
    current = _Region()
    pending_paragraphs: list[tuple[str, int]] = []
    row: list[_Cell] = []
    gap = 0
    last = None  # "cell", "para" or "blank": what the previous line was

    def close_row() -> None:
        nonlocal row, gap
        if row:
            current.rows.append(_Row(row, gap))
            row = []
            gap = 0

    for number, line in enumerate(lines, 1):
        # A lone tab is an empty cell (a vertically merged 一级指标), not a blank line.
        if not line.strip() and not line.startswith("\t"):
            if last == "cell":
                close_row()
            gap += 1
            last = "blank"
            continue
        if line.startswith("\t"):
            if not current.rows and not row and pending_paragraphs:
                current.paragraphs = pending_paragraphs
                pending_paragraphs = []
            row.append(_Cell(line[1:], number))
            last = "cell"
        elif last == "cell":
            # A line without the tab right after a cell continues that cell.
            row[-1].text += "\n" + line
        else:
            close_row()
            if current.rows:
                regions.append(current)
                current = _Region()
            pending_paragraphs.append((line, number))
            gap = 0
            last = "para"
    close_row()
    if current.rows:
        regions.append(current)
    return regions


def _assemble_rows(raw_rows: list[_Row]) -> list[_Row]:
    """Rejoin rows cut by blank lines that belong to a cell (its empty last paragraphs).

    Only rows after the indicator header are rejoined, where the header gives the
    row width: a short row continues when the gap was more than one blank line
    (a cell's trailing empty paragraph plus the separator), or when the next piece
    completes the row exactly.
    """
    rows: list[_Row] = []
    width: int | None = None
    for raw in raw_rows:
        if width is not None and rows:
            previous = rows[-1]
            combined = len(previous.cells) + len(raw.cells)
            if len(previous.cells) < width and combined <= width and (raw.gap_before >= 2 or combined == width):
                previous.cells.extend(raw.cells)
                continue
        rows.append(_Row(list(raw.cells), raw.gap_before))
        header = match_header(rows[-1].texts)
        if header is not None:
            width = len(raw.cells)
    return rows


_NOTE = re.compile(r"^(?:注[:：]|备注|说明[:：])")


def _title_and_preamble(paragraphs: list[tuple[str, int]]) -> tuple[str, int | None, list[str]]:
    """The table title (the last paragraph that is not a note) and the paragraphs before it."""
    texts = [(clean_cell(t), n) for t, n in paragraphs]
    texts = [(t, n) for t, n in texts if t]
    for k in range(len(texts) - 1, -1, -1):
        text, number = texts[k]
        if money_unit_factor(text) is None and not _NOTE.match(text):
            return text, number, [t for t, _ in texts[:k]] + [t for t, _ in texts[k + 1 :]]
    return "", None, [t for t, _ in texts]


def _starts_project(row: _Row) -> bool:
    """A row that opens a new project's form (项目名称 …)."""
    first = next((c.text for c in row.cells if clean_cell(c.text)), "")
    return label_key(first)[0] in ("name", "code")


def _split_merged_regions(rows: list[_Row]) -> list[list[_Row]]:
    """Split a region holding several forms without titles between them.

    A 项目名称 row after an indicator table starts the next project; a row just
    above it holding the money note (单位：万元) and the unit goes with it.
    """
    parts: list[list[_Row]] = [[]]
    seen_header = False
    for row in rows:
        if seen_header and _starts_project(row):
            carry = []
            previous = parts[-1]
            if previous and any(money_unit_factor(clean_cell(c.text)) is not None for c in previous[-1].cells):
                carry = [previous.pop()]
            parts.append(carry)
            seen_header = False
        parts[-1].append(row)
        if match_header(row.texts) is not None:
            seen_header = True
    return [p for p in parts if p]


# ---------------------------------------------------------------------------
# Reading


def _interpret(rows: list[list[str]], lines: list[int], *, title: str, file: str, table: int, preamble: list[str]) -> Project:
    header = find_indicator_header(rows)
    if header is not None and is_self_evaluation_header(header.columns):
        return interpret_self_evaluation(rows, title=title, file=file, table=table, lines=lines)
    return interpret_form(rows, title=title, file=file, table=table, lines=lines, preamble=preamble)


def _read_cells_layout(lines: list[str], file: str) -> list[Project]:
    projects: list[Project] = []
    held: list[_Row] = []  # rows of a region without indicator header, waiting for theirs
    held_title: tuple[str, int | None, list[str]] | None = None
    for region in _regions(lines):
        title, title_line, preamble = _title_and_preamble(region.paragraphs)
        for part_index, part in enumerate(_split_merged_regions(_assemble_rows(region.rows))):
            if part_index > 0:
                title, title_line, preamble = "", None, []
            texts = [r.texts for r in part]
            if find_indicator_header(texts) is None:
                # A form split by a paragraph (the project fields, then a heading, then
                # the indicators): keep these rows for the table that follows.
                if held_title is None:
                    held_title = (title, title_line, preamble)
                held.extend(part)
                continue
            if held:
                part = held + part
                title, title_line, preamble = held_title or (title, title_line, preamble)
                held, held_title = [], None
            rows = [r.texts for r in part]
            row_lines = [r.cells[0].line for r in part]
            project = _interpret(rows, row_lines, title=title, file=file, table=len(projects) + 1, preamble=preamble)
            if title_line is not None and project.source is not None:
                project.source.line = title_line
            projects.append(project)
    return projects


def _read_tsv_layout(lines: list[str], file: str) -> list[Project]:
    projects: list[Project] = []
    paragraphs: list[tuple[str, int]] = []
    rows: list[list[str]] = []
    row_lines: list[int] = []

    def flush() -> None:
        nonlocal paragraphs, rows, row_lines
        if not rows or find_indicator_header(rows) is None:
            return  # rows without a header of their own wait for the table that follows
        title = " ".join(clean_cell(t) for t, _ in paragraphs if clean_cell(t))
        project = _interpret(rows, row_lines, title=title, file=file, table=len(projects) + 1, preamble=[])
        if paragraphs and project.source is not None:
            project.source.line = paragraphs[0][1]
        projects.append(project)
        paragraphs, rows, row_lines = [], [], []

    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        if "\t" in line:
            rows.append(_split_tabs(line))
            row_lines.append(number)
        else:
            flush()
            paragraphs.append((line, number))
    flush()
    return projects


def read_seedtext(text: str, file: str) -> Document:
    """Read a seed text export into a :class:`Document` of format ``seedtext``."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff").split("\n")
    layout = _layout(lines)
    if layout == "cells":
        projects = _read_cells_layout(lines, file)
    elif layout == "tsv":
        projects = _read_tsv_layout(lines, file)
    else:
        projects = []
    if not projects:
        raise InputError(
            "没有找到指标表表头：文本中应有一行列名，至少包含 三级指标（或 指标名称）和 指标值（或 目标值）",
            file,
        )
    apply_document_year(projects)
    return Document(file=file, format="seedtext", projects=projects)
