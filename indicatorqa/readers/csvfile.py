"""CSV and TSV files (already decoded: UTF-8, UTF-8 with BOM, GBK/GB18030).

The delimiter is not taken on trust from the file name: it is the one (tab, comma,
semicolon) that splits a header line into the most indicator column names, and
failing that the one the first lines use most. Quoted cells may span lines; the
source line of each row is where its record starts, so a message points at the
line a person sees in an editor.

A CSV is a grid like a worksheet without merged cells: a flat table of many projects
as well as a form saved from Excel as CSV read through :mod:`.grid`. Text that is an
HTML table or an Excel 2003 XML workbook (a common "report.xls") goes to
:mod:`.markup`.
"""

from __future__ import annotations

import csv
import io
import re

from ..errors import InputError
from ..model import Document
from . import flat, grid

_DELIMITERS = ("\t", ",", ";", "|")
_SNIFF_LINES = 60


def sniff_delimiter(text: str) -> str:
    """The delimiter that makes the header line read as indicator columns."""
    lines = [line for line in text.splitlines()[: _SNIFF_LINES * 2] if line.strip()][:_SNIFF_LINES]
    best, best_score = None, 0
    for delimiter in _DELIMITERS:
        for line in lines:
            try:
                cells = next(csv.reader([line], delimiter=delimiter))
            except (csv.Error, StopIteration):
                continue
            match = flat.match_header(cells)
            score = len(match.fields) if match is not None else 0
            if score > best_score:
                best, best_score = delimiter, score
    if best is not None:
        return best
    # No header names: the delimiter the first lines use most (tab wins ties, since
    # commas are common in Chinese prose typed with ASCII punctuation).
    counts = {d: sum(line.count(d) for line in lines[:10]) for d in _DELIMITERS}
    delimiter = max(_DELIMITERS, key=lambda d: (counts[d], d == "\t"))
    return delimiter if counts[delimiter] else ","


# ="0095" / ="95.00": how exports keep Excel from turning a code or an amount into a number
# (dropping leading zeros, reformatting decimals). The cell's text is what is inside.
_EXCEL_TEXT = re.compile(r'^\s*="(.*)"\s*$', re.S)


def _unwrap(cell: str) -> str:
    m = _EXCEL_TEXT.match(cell)
    return m.group(1).replace('""', '"') if m else cell


def read_csv(text: str, file: str) -> Document:
    """Read CSV/TSV text; raises :class:`InputError` only."""
    with grid.reading(file, "CSV/TSV 文件"):
        return _read_csv(text, file)


def _read_csv(text: str, file: str) -> Document:
    text = text.lstrip("\ufeff")
    from . import markup

    # "report.xls" exported by budget systems is often an HTML page or Excel 2003
    # XML: text, so it reaches this reader; hand it to the markup reader instead.
    if markup.looks_like_spreadsheetml(text):
        return markup.read_spreadsheetml(text, file)
    if markup.looks_like_html(text):
        return markup.read_html(text, file)
    delimiter = sniff_delimiter(text)
    kind = "tsv" if delimiter == "\t" else "csv"
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=False)
    raw: list[tuple[int, list[str]]] = []
    start = 1
    try:
        for cells in reader:
            if any(c.strip() for c in cells):
                if len(raw) >= grid.MAX_ROWS:
                    raise InputError(f"超过 {grid.MAX_ROWS} 行的上限，请拆分文件后再读取", file)
                raw.append((start, [_unwrap(c.replace("\r\n", "\n")) for c in cells[: grid.MAX_COLUMNS]]))
            start = reader.line_num + 1
    except csv.Error as exc:
        # A record longer than the csv module's field limit, or a NUL byte.
        raise InputError(f"{'TSV' if kind == 'tsv' else 'CSV'} 格式错误（{exc}）", file, row=start) from None
    if not raw:
        raise InputError("文件中没有数据行", file)
    table = grid.build_grid(raw, file=file)
    table.strict_width = True
    projects = grid.read_grid(table, file=file, table_number=grid.counter())
    if not projects:
        raise grid.no_table_error(file, grid.near_miss_messages(table), "文件")
    return Document(file=file, format=kind, projects=grid.finish_projects(projects))
