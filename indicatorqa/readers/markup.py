"""Tables saved as markup: HTML and Excel 2003 XML (SpreadsheetML).

Budget systems often export a "report.xls" that is not a BIFF workbook at all but an
HTML page with a ``<table>``, or an Excel 2003 XML workbook. Both arrive here as
text (the dispatcher decodes them like any text file) and are recognised by their
content. Their merged cells (``rowspan``/``colspan``, ``ss:MergeDown``/
``ss:MergeAcross``) become the merged ranges of a :class:`~.grid.Grid`, so that they
read exactly like the same table in .docx or .xlsx.

Both parsers are locked down: no DTDs, no entity expansion, no network.
"""

from __future__ import annotations

import datetime as _dt
import re

from lxml import etree

from ..errors import InputError
from ..model import Document
from . import grid

_SS = "urn:schemas-microsoft-com:office:spreadsheet"
_MAX_SPAN_ROWS = 10_000


def looks_like_html(text: str) -> bool:
    head = text[:2048].lstrip("\ufeff \t\r\n").lower()
    return head.startswith(("<!doctype html", "<html", "<table", "<meta", "<head", "<body")) or (
        head.startswith("<") and "<table" in text[:200_000].lower()
    )


def looks_like_spreadsheetml(text: str) -> bool:
    head = text[:4096]
    return head.lstrip("\ufeff \t\r\n").startswith("<") and _SS in head


# ---------------------------------------------------------------------------
# Grids from cells with spans


class _GridBuilder:
    """Lay cells with row and column spans on a grid, as a browser or Excel does."""

    def __init__(self, row_count: int) -> None:
        # Spans are cut at the table's last row: rowspan="100000" must not cost memory.
        self.row_count = row_count
        self.rows: list[list[str | None]] = []
        self.lines: list[int] = []
        self.cover: dict[tuple[int, int], tuple[int, int]] = {}
        self.pending: dict[int, dict[int, tuple[int, int]]] = {}  # row -> col -> origin

    def start_row(self, line: int) -> None:
        self.rows.append([])
        self.lines.append(line)
        self._col = 0

    def _place(self, r: int, c: int, value: str | None) -> None:
        row = self.rows[r]
        if len(row) <= c:
            row.extend([None] * (c + 1 - len(row)))
        row[c] = value

    def _skip_covered(self) -> None:
        r = len(self.rows) - 1
        waiting = self.pending.get(r, {})
        while self._col in waiting:
            self.cover[(r, self._col)] = waiting.pop(self._col)
            self._place(r, self._col, "")
            self._col += 1

    def add(self, text: str, colspan: int = 1, rowspan: int = 1, at: int | None = None) -> None:
        r = len(self.rows) - 1
        if at is not None:
            self._col = max(self._col, at)
        self._skip_covered()
        c = self._col
        if c >= grid.MAX_COLUMNS:
            return
        colspan = max(1, min(colspan, grid.MAX_COLUMNS - c))
        rowspan = max(1, min(rowspan, _MAX_SPAN_ROWS, self.row_count - r))
        self._place(r, c, text)
        for dc in range(1, colspan):
            self._place(r, c + dc, "")
            self.cover[(r, c + dc)] = (r, c)
        for dr in range(1, rowspan):
            later = self.pending.setdefault(r + dr, {})
            for dc in range(colspan):
                later[c + dc] = (r, c)
        self._col = c + colspan

    def end_row(self) -> None:
        r = len(self.rows) - 1
        for c, origin in sorted(self.pending.pop(r, {}).items()):
            self.cover[(r, c)] = origin
            self._place(r, c, "")

    def grid(self, sheet: str | None = None) -> grid.Grid:
        width = max((len(row) for row in self.rows), default=0)
        for row in self.rows:
            row.extend([None] * (width - len(row)))
        return grid.Grid(rows=self.rows, lines=self.lines, cover=self.cover, sheet=sheet)


def _span(value: str | None) -> int:
    try:
        return int(str(value).strip() or 1)
    except ValueError:
        return 1


# ---------------------------------------------------------------------------
# HTML


def _html_text(cell) -> str:
    """A cell's text with <br> and block boundaries as line breaks."""
    parts: list[str] = []

    def walk(el) -> None:
        tag = el.tag.lower() if isinstance(el.tag, str) else ""
        if tag in ("script", "style"):
            return
        if tag == "br":
            parts.append("\n")
        elif tag in ("p", "div", "li") and parts and not parts[-1].endswith("\n"):
            parts.append("\n")
        if el.text and tag not in ("script", "style"):
            parts.append(el.text)
        for child in el:
            walk(child)
            if child.tail:
                parts.append(child.tail)

    walk(cell)
    text = "".join(parts).replace("\xa0", " ")
    return "\n".join(line.strip() for line in text.split("\n")).strip()


def read_html(text: str, file: str) -> Document:
    """Read the indicator tables of an HTML page; raises :class:`InputError` only."""
    with grid.reading(file, "HTML 文件"):
        from lxml import html

        parser = html.HTMLParser(no_network=True, remove_comments=True, remove_pis=True)
        try:
            root = html.document_fromstring(text, parser=parser)
        except (etree.ParserError, ValueError) as exc:
            raise InputError(f"HTML 内容无法解析（{exc}）", file) from None
        tables = root.xpath("//table")
        projects = []
        near_misses: list[str] = []
        for number, table in enumerate(tables, start=1):
            rows = table.xpath("./tr | ./thead/tr | ./tbody/tr | ./tfoot/tr")
            builder = _GridBuilder(len(rows))
            for line, tr in enumerate(rows, start=1):
                builder.start_row(line)
                for cell in tr.xpath("./td | ./th"):
                    builder.add(_html_text(cell), _span(cell.get("colspan")), _span(cell.get("rowspan")))
                builder.end_row()
            table_grid = builder.grid()
            table_grid.title = _html_title(table)
            found = grid.read_grid(table_grid, file=file, table_number=lambda n=number: n)
            if not found:
                near_misses.extend(f"第 {number} 张表{m}" for m in grid.near_miss_messages(table_grid))
            projects.extend(found)
        if not projects:
            if near_misses:
                raise InputError(near_misses[0], file)
            raise InputError(
                f"网页中有 {len(tables)} 个表格，但没有找到绩效指标表（需要包含 三级指标 和 指标值 列的表头行）", file
            )
        return Document(file=file, format="html", projects=grid.finish_projects(projects))


def _html_title(table) -> str:
    """The table's caption, or the nearest heading-like text before it."""
    caption = table.xpath("./caption")
    if caption:
        return _html_text(caption[0])
    node = table
    for _ in range(4):
        node = node.getprevious()
        if node is None:
            break
        text = _html_text(node) if isinstance(node.tag, str) and node.tag.lower() != "table" else ""
        if text and grid.is_title_text(text.split("\n")[-1]):
            return text.split("\n")[-1]
    return ""


# ---------------------------------------------------------------------------
# SpreadsheetML (Excel 2003 XML)


def _ss(name: str) -> str:
    return f"{{{_SS}}}{name}"


def read_spreadsheetml(text: str, file: str) -> Document:
    """Read an Excel 2003 XML workbook; raises :class:`InputError` only."""
    with grid.reading(file, "Excel XML 文件"):
        parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
        try:
            root = etree.fromstring(text.lstrip("\ufeff").encode("utf-8"), parser)
        except (etree.XMLSyntaxError, ValueError) as exc:
            raise InputError(f"Excel XML 文件已损坏（{exc}）", file) from None
        percent_styles = set()
        for style in root.iter(_ss("Style")):
            fmt = style.find(_ss("NumberFormat"))
            number_format = fmt.get(_ss("Format")) if fmt is not None else None
            if number_format and ("Percent" in number_format or grid.is_percent_format(number_format)):
                percent_styles.add(style.get(_ss("ID")))
        projects = []
        near_misses: list[str] = []
        next_table = grid.counter()
        total = 0
        sheets = list(root.iter(_ss("Worksheet")))
        for sheet in sheets:
            name = sheet.get(_ss("Name")) or ""
            rows = list(sheet.iter(_ss("Row")))
            builder = _GridBuilder(len(rows))
            line = 0
            for row in rows:
                line = max(line + 1, _span(row.get(_ss("Index"))) if row.get(_ss("Index")) else line + 1)
                if line > 1_048_576:
                    raise InputError(f"工作表“{name}”的行号超过 Excel 上限，文件已损坏", file)
                total += 1
                if total > grid.MAX_ROWS:
                    raise InputError(f"工作簿超过 {grid.MAX_ROWS} 行的上限，请拆分文件后再读取", file)
                builder.start_row(line)
                for cell in row.iter(_ss("Cell")):
                    index = cell.get(_ss("Index"))
                    builder.add(
                        _ss_value(cell, percent_styles),
                        _span(cell.get(_ss("MergeAcross"))) + 1 if cell.get(_ss("MergeAcross")) else 1,
                        _span(cell.get(_ss("MergeDown"))) + 1 if cell.get(_ss("MergeDown")) else 1,
                        at=_span(index) - 1 if index else None,
                    )
                builder.end_row()
            table = builder.grid(sheet=name)
            found = grid.read_grid(table, file=file, table_number=next_table)
            if not found:
                near_misses.extend(grid.near_miss_messages(table))
            projects.extend(found)
        if not projects:
            if near_misses:
                raise InputError(near_misses[0], file)
            raise InputError(f"工作簿中没有找到绩效指标表（已检查 {len(sheets)} 个工作表）", file)
        return Document(file=file, format="xml", projects=grid.finish_projects(projects))


def _ss_value(cell, percent_styles: set) -> str:
    data = cell.find(_ss("Data"))
    if data is None:
        return ""
    text = "".join(data.itertext())
    kind = data.get(_ss("Type"), "String")
    if kind == "Number":
        try:
            return grid.format_number(float(text), cell.get(_ss("StyleID")) in percent_styles)
        except ValueError:
            return text
    if kind == "DateTime":
        try:
            return grid.format_date(_dt.datetime.fromisoformat(re.sub(r"\.\d+$", "", text.strip())))
        except ValueError:
            return text
    if kind == "Boolean":
        return "是" if text.strip() in ("1", "true") else "否"
    return text
