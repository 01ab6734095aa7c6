"""Legacy Excel workbooks (.xls, BIFF) and other OLE2 files.

An OLE2 container is not always a workbook: a Word 97 document (.doc) and a
password-protected .docx/.xlsx (an ``EncryptedPackage`` stream) look the same from
the first bytes. Their stream names, stored as UTF-16 in the container's directory,
tell them apart so that the message can say what to do.

Workbooks are read with xlrd, with formatting information so that merged cells and
number formats (percentages, dates) are known; cells become text exactly as in
:mod:`.xlsx`. Source.sheet and Source.line (the sheet row) are set on every indicator.
"""

from __future__ import annotations

import io

from ..errors import InputError
from ..model import Document
from . import grid


def _stream_names(data: bytes) -> set[str] | None:
    """Names in the OLE2 directory, or None when the directory cannot be read."""
    from xlrd import compdoc

    try:
        return {entry.name for entry in compdoc.CompDoc(data, logfile=io.StringIO()).dirlist}
    except Exception:  # noqa: BLE001 - a mangled container; xlrd will report it below
        return None


def _identify_ole(data: bytes, file: str) -> None:
    """Raise a helpful InputError for OLE2 files that are not workbooks.

    A workbook may embed other documents (a Word object has its own WordDocument
    stream), so a file with a Workbook stream is always read as a workbook.
    """
    names = _stream_names(data)
    if names is None or names & {"Workbook", "Book", "WORKBOOK", "BOOK"}:
        return
    if "EncryptedPackage" in names:
        raise InputError("文件设置了打开密码（已加密），请取消密码保护后再读取", file)
    if "WordDocument" in names:
        raise InputError("这是旧版 Word 文档（.doc），请在 Word 中另存为 .docx 后再读取", file)
    if "PowerPoint Document" in names:
        raise InputError("这是 PowerPoint 文件，不是表格文件", file)
    raise InputError("这是 OLE2 复合文档，但其中没有 Excel 工作簿（不是 .xls 文件）", file)


def _cell_text(book, cell) -> str:
    import xlrd

    ctype, value = cell.ctype, cell.value
    if ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
        return ""
    if ctype == xlrd.XL_CELL_TEXT:
        return value
    if ctype == xlrd.XL_CELL_BOOLEAN:
        return "是" if value else "否"
    if ctype == xlrd.XL_CELL_ERROR:
        return xlrd.error_text_from_code.get(value, "#ERR")
    if ctype == xlrd.XL_CELL_DATE:
        try:
            return grid.format_date(xlrd.xldate_as_datetime(value, book.datemode))
        except Exception:  # noqa: BLE001 - an out-of-range serial: keep the number
            return grid.format_number(value)
    if ctype == xlrd.XL_CELL_NUMBER:
        return grid.format_number(value, _is_percent(book, cell))
    return str(value)


def _is_percent(book, cell) -> bool:
    try:
        xf = book.xf_list[cell.xf_index]
        return grid.is_percent_format(book.format_map[xf.format_key].format_str)
    except (AttributeError, IndexError, KeyError, TypeError):
        return False


def _open(data: bytes, file: str):
    import xlrd

    log = io.StringIO()  # xlrd writes warnings to stdout by default
    try:
        try:
            return xlrd.open_workbook(file_contents=data, formatting_info=True, logfile=log, on_demand=True)
        except NotImplementedError:
            # Old BIFF versions have no formatting support in xlrd: read values only.
            return xlrd.open_workbook(file_contents=data, formatting_info=False, logfile=log, on_demand=True)
    except xlrd.XLRDError as exc:
        text = str(exc)
        if "encrypted" in text.lower():
            raise InputError("工作簿设置了打开密码（已加密），请取消密码保护后再读取", file) from None
        if "Can't find workbook" in text:
            raise InputError("这是 OLE2 复合文档，但其中没有 Excel 工作簿（不是 .xls 文件）", file) from None
        raise InputError(f".xls 文件已损坏或格式无法识别（{text[:80]}）", file) from None
    except InputError:
        raise
    except Exception as exc:  # noqa: BLE001 - xlrd fails on mangled streams in many ways
        raise InputError(f".xls 文件已损坏，无法读取（{type(exc).__name__}）", file) from None


def read_xls(data: bytes, file: str) -> Document:
    """Read every sheet of an .xls; raises :class:`InputError` only."""
    with grid.reading(file, ".xls 文件"):
        _identify_ole(data, file)
        book = _open(data, file)
        try:
            return _read_book(book, file)
        finally:
            book.release_resources()


def _read_book(book, file: str) -> Document:
    projects = []
    near_misses: list[str] = []
    next_table = grid.counter()
    total_rows = 0
    names = book.sheet_names()
    # Hidden sheets (xlrd: visibility 1 hidden, 2 very hidden) hold examples or lookup
    # lists, not the user's table: read them only when no visible sheet holds a table.
    # The book knows each sheet's visibility before the sheet is loaded (on_demand).
    visibility = list(getattr(book, "_sheet_visibility", None) or [])
    visibility += [0] * (book.nsheets - len(visibility))
    order = sorted(range(book.nsheets), key=lambda k: visibility[k] != 0)
    for index in order:
        if visibility[index] != 0 and projects:
            break
        sheet = book.sheet_by_index(index)
        raw: list[tuple[int, list[str]]] = []
        for r in range(sheet.nrows):
            cells = [_cell_text(book, c) for c in sheet.row_slice(r, 0, min(sheet.ncols, grid.MAX_COLUMNS))]
            if any(c.strip() for c in cells):
                total_rows += 1
                if total_rows > grid.MAX_ROWS:
                    raise InputError(f"工作簿超过 {grid.MAX_ROWS} 行的上限，请拆分文件后再读取", file)
                raw.append((r + 1, cells))
        # xlrd: (first row, row after last, first col, col after last), all 0-based.
        merges = [(rlo + 1, clo, rhi, chi - 1) for rlo, rhi, clo, chi in getattr(sheet, "merged_cells", [])]
        table = grid.build_grid(raw, merges, sheet=sheet.name, file=file)
        found = grid.read_grid(table, file=file, table_number=next_table)
        if not found:
            near_misses.extend(grid.near_miss_messages(table))
        projects.extend(found)
        book.unload_sheet(index)
    if not projects:
        raise grid.no_table_in_workbook(file, names, near_misses)
    return Document(file=file, format="xls", projects=grid.finish_projects(projects))
