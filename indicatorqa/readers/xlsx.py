"""Excel workbooks (.xlsx, .xlsm): every worksheet, flat tables and forms alike.

The workbook is opened in openpyxl's read-only (streaming) mode, whatever its size,
with cached formula results (``data_only``): a sheet is read row by row, at most
:data:`~.grid.MAX_COLUMNS` columns wide, and a workbook with more than
:data:`~.grid.MAX_ROWS` rows of text is refused with a message rather than read into
memory. Read-only mode does not report merged cells, so they are read from the
sheet's XML (the ``mergeCell`` elements), streamed in chunks.

Cell values become the text a person sees, so that a cell reads the same as the
seed text export (see :func:`~.grid.format_number`, :func:`~.grid.format_date`):

* numbers without float noise: ``1.0`` → ``1``, ``0.30000000000000004`` → ``0.3``;
* a percent-formatted number as a percentage: ``0.95`` with ``0%`` → ``95%``;
* a date cell as a Chinese date, ``2025年12月31日`` (the form the tables use for
  deadlines); a date typed as a serial number in a General cell stays a number, as
  the user wrote it, and is for the checks to flag;
* TRUE/FALSE as ``是``/``否``; error values (``#DIV/0!``) as written.

Every indicator's source names the sheet and the sheet row (``Source.sheet``,
``Source.line``).
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import io
import re
import warnings
import zipfile

from ..errors import InputError
from ..model import Document
from . import grid
from .officezip import read_member

EXCEL_MAX_ROW = 1_048_576  # a row number beyond Excel's own limit means a corrupt sheet
_CHUNK = 4 * 1024 * 1024
_MERGE = re.compile(rb'<(?:\w+:)?mergeCell\b[^>]*?\bref="\s*([A-Za-z]{1,3})(\d{1,7})(?::([A-Za-z]{1,3})(\d{1,7}))?\s*"')


def cell_text(cell) -> str:
    value = getattr(cell, "value", None)
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, (_dt.datetime, _dt.date, _dt.time)):
        return grid.format_date(value)
    if isinstance(value, (int, float)):
        fmt = getattr(cell, "number_format", None)
        prefix, suffix = grid.format_affixes(fmt)
        return prefix + grid.format_number(value, grid.is_percent_format(fmt), grid.format_decimals(fmt)) + suffix
    if isinstance(value, _dt.timedelta):
        return str(value)
    return str(value)


def _column_index(letters: bytes) -> int:
    index = 0
    for ch in letters.upper():
        index = index * 26 + (ch - 64)
    return index - 1


def sheet_merges(zf: zipfile.ZipFile, part: str | None, file: str) -> list[tuple[int, int, int, int]]:
    """Merged ranges of a sheet as (first row, first col, last row, last col), 0-based columns."""
    if not part:
        return []
    part = part.lstrip("/")
    if part not in zf.namelist():
        return []
    merges = []
    try:
        with zf.open(part) as fh:
            tail = b""
            while True:
                chunk = fh.read(_CHUNK)
                if not chunk:
                    break
                buf = tail + chunk
                # Keep the end of the buffer for the next round unless a match is whole in it.
                last_end = 0
                for m in _MERGE.finditer(buf):
                    merges.append(m)
                    last_end = m.end()
                tail = buf[max(last_end, len(buf) - 512) :]
    except Exception:  # noqa: BLE001 - a broken member: the cells were read, merges are a bonus
        raise InputError(f"文件已损坏：{part} 无法解压", file) from None
    out = []
    seen = set()
    for m in merges:
        c1, r1 = _column_index(m.group(1)), int(m.group(2))
        c2, r2 = (_column_index(m.group(3)), int(m.group(4))) if m.group(3) else (c1, r1)
        key = (min(r1, r2), min(c1, c2), max(r1, r2), max(c1, c2))
        if key not in seen:
            seen.add(key)
            out.append(key)
    return out


_ROW_START = re.compile(rb"<(?:\w+:)?row\b")
# A cell value that is not empty: <v>1</v>, or inline text <is><t>x</t></is>.
_HAS_VALUE = re.compile(rb"<(?:\w+:)?v>[^<]|<(?:\w+:)?t(?:\s[^>]*)?>[^<]")
_WORKSHEET_PART = re.compile(r"^xl/worksheets/[^/]+\.xml$")


def _value_rows(fh, limit: int) -> int:
    """Rows holding any value in a worksheet XML stream; stops counting past ``limit``."""
    count = 0
    carry = b""  # the row still open at the end of the previous chunk (after its <row tag)
    counted = False  # ... and whether it was counted already
    while count <= limit:
        chunk = fh.read(_CHUNK)
        pieces = _ROW_START.split(carry + chunk)
        complete = pieces if not chunk else pieces[:-1]
        for k, piece in enumerate(complete):
            if not (k == 0 and counted) and _HAS_VALUE.search(piece):
                count += 1
        if not chunk:
            break
        if len(pieces) > 1:
            counted = False
        carry = pieces[-1]
        if len(carry) > 2 * _CHUNK:  # one huge row: decide it now, keep only a tail for split tags
            if not counted and _HAS_VALUE.search(carry):
                count += 1
                counted = True
            carry = carry[-64:]
    return count


def check_row_limit(zf: zipfile.ZipFile, file: str) -> None:
    """Refuse a workbook with more than :data:`~.grid.MAX_ROWS` rows of values before parsing it.

    openpyxl streams about 15,000 rows a second, so the row limit alone would let a
    1,000,000-row sheet (16 MB on disk) run for a minute before being refused; this
    scan of the raw XML takes about a second for the same file. It counts rows with
    any non-empty cell value, which is at least the number of rows with text; a part
    that fails to inflate is left for the reader to report.
    """
    total = 0
    for name in zf.namelist():
        if not _WORKSHEET_PART.match(name):
            continue
        try:
            with zf.open(name) as fh:
                total += _value_rows(fh, grid.MAX_ROWS - total)
        except Exception:  # noqa: BLE001 - a broken part is reported by the reader with its own message
            return
        if total > grid.MAX_ROWS:
            raise InputError(f"工作簿超过 {grid.MAX_ROWS} 行的上限，请拆分文件后再读取", file)


def read_xlsx(zf: zipfile.ZipFile, data: bytes, file: str) -> Document:
    """Read every worksheet of an .xlsx; raises :class:`InputError` only."""
    import openpyxl

    check_row_limit(zf, file)

    with warnings.catch_warnings():
        # Unsupported extensions (data validation, conditional formats) are irrelevant here.
        warnings.simplefilter("ignore")
        try:
            # openpyxl prints (not warns) about broken style indexes; keep stdout clean
            # for the CLI's JSON output.
            with contextlib.redirect_stdout(io.StringIO()):
                wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True, keep_links=False)
        except InputError:
            raise
        except Exception as exc:  # noqa: BLE001 - openpyxl fails on broken parts in many ways
            raise InputError(f"Excel 文件已损坏或格式无法识别（{type(exc).__name__}），请用 Excel 另存为 .xlsx 后再试", file) from None
        try:
            _check_sheets_present(wb, zf, file)
            return _read_workbook(wb, zf, file)
        finally:
            wb.close()


_SHEET_DECLARATION = re.compile(rb"<(?:\w+:)?sheet\b")


def _check_sheets_present(wb, zf: zipfile.ZipFile, file: str) -> None:
    """openpyxl skips a sheet whose part is missing; a half-copied file must not pass as empty."""
    if "xl/workbook.xml" not in zf.namelist():
        return
    declared = len(_SHEET_DECLARATION.findall(read_member(zf, "xl/workbook.xml", file)))
    if declared > len(wb.sheetnames):
        raise InputError(
            f"文件已损坏：工作簿声明了 {declared} 个工作表，只找到 {len(wb.sheetnames)} 个，请重新导出后再试", file
        )


def _sheet_rows(ws, file: str):
    """(sheet row, cell texts) of the rows of a sheet that hold any text."""
    ws.reset_dimensions()  # the declared dimension may be wrong or absurd; read what is there
    # Without max_col each row is as wide as its last cell, not padded to a fixed width
    # (padding every row to MAX_COLUMNS made reading ten times slower); the rare row
    # that reaches far right is cut to MAX_COLUMNS here.
    for line, row in enumerate(ws.iter_rows(min_row=1), start=1):
        if line > EXCEL_MAX_ROW:
            raise InputError(f"工作表“{ws.title}”的行号超过 Excel 上限，文件已损坏", file)
        if not row:
            continue
        cells = [cell_text(c) for c in row[: grid.MAX_COLUMNS]]
        if any(c.strip() for c in cells):
            yield line, cells


def _read_workbook(wb, zf: zipfile.ZipFile, file: str) -> Document:
    projects = []
    near_misses: list[str] = []
    next_table = grid.counter()
    total_rows = 0
    sheets = wb.worksheets
    # A hidden sheet holds a 填报示例, a lookup list or an old version, not the user's
    # table; it is read only when no visible sheet holds a table.
    visible = [ws for ws in sheets if getattr(ws, "sheet_state", "visible") in (None, "visible")]
    hidden = [ws for ws in sheets if ws not in visible]
    for ws in visible + hidden:
        if ws in hidden and projects:
            break
        raw = []
        try:
            for line, cells in _sheet_rows(ws, file):
                total_rows += 1
                if total_rows > grid.MAX_ROWS:
                    raise InputError(f"工作簿超过 {grid.MAX_ROWS} 行的上限，请拆分文件后再读取", file)
                raw.append((line, cells))
        except InputError:
            raise
        except Exception as exc:  # noqa: BLE001 - the sheet XML is streamed: errors surface here
            raise InputError(f"Excel 文件已损坏：工作表“{ws.title}”无法解析（{type(exc).__name__}），请用 Excel 另存为 .xlsx 后再试", file) from None
        merges = sheet_merges(zf, getattr(ws, "_worksheet_path", None), file)
        table = grid.build_grid(raw, merges, sheet=ws.title, file=file)
        found = grid.read_grid(table, file=file, table_number=next_table)
        if not found:
            near_misses.extend(grid.near_miss_messages(table))
        projects.extend(found)
    if not projects:
        raise grid.no_table_in_workbook(file, [ws.title for ws in sheets], near_misses)
    return Document(file=file, format="xlsx", projects=grid.finish_projects(projects))
