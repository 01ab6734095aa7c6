"""Word documents (.docx): the indicator tables and the headings that name them.

The main document part is parsed directly with a locked-down XML parser (no DTDs,
no entity expansion, no network, lxml's default depth and text-size limits), so a
hostile document cannot expand entities or fetch anything, and the zip it came in
was vetted by :mod:`.officezip` before this module sees it.

Each ``w:tbl`` becomes a :class:`~.grid.Grid`, one physical cell (``w:tc``) at a
time, so a cell spanning grid columns (``w:gridSpan``, or the legacy ``w:hMerge``)
is read once, and a vertically merged cell (``w:vMerge``) is read at its top and
blank below it, as Word's own text export shows it (and as the seed files show it).
Tables nested in cells are read as tables of their own. Text inside content
controls, tracked insertions, hyperlinks and fields is read; deleted text and field
codes are not.

The heading of a table is the paragraph before it that reads like a table name
(``1.市科技局…绩效目标表``), or else the nearest short paragraph; the other
paragraphs between the previous table and this one are passed on as its preamble.
Tables without an indicator header are skipped; a document without any indicator
table is an error that says what was found instead.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass, field

from lxml import etree

from ..errors import InputError
from ..model import Document
from . import flat, form, grid
from .officezip import read_member

_PREAMBLE_KEEP = 10  # paragraphs before a table kept as its preamble
_NOTE = re.compile(r"^\s*(?:金额)?单位\s*[:：]|^\s*(?:注|说明|备注)\s*[:：]|^\s*第\s*\d+\s*页")


def _parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False, huge_tree=False, remove_comments=True, remove_pis=True
    )


def parse_xml(data: bytes, file: str, part: str):
    try:
        return etree.fromstring(data, _parser())
    except etree.XMLSyntaxError as exc:
        raise InputError(f"文件已损坏：{part} 不是有效的 XML（{exc.msg if hasattr(exc, 'msg') else exc}）", file) from None


def _local(el) -> str:
    tag = el.tag
    if not isinstance(tag, str):
        return ""  # comments, processing instructions, entities
    return tag.rpartition("}")[2]


def _attr(el, name: str) -> str | None:
    """An attribute by local name (w:val, or a strict-OOXML namespace)."""
    for key, value in el.attrib.items():
        if key == name or key.endswith("}" + name):
            return value
    return None


def _child(el, name: str):
    for child in el:
        if _local(child) == name:
            return child
    return None


# ---------------------------------------------------------------------------
# Text


def paragraph_text(p, boxes: bool = True) -> str:
    """The visible text of a paragraph: runs, insertions, hyperlinks, fields' results (and the
    text of its text boxes, unless ``boxes`` is false)."""
    skip = _SKIP_TEXT if boxes else _SKIP_TEXT | {"txbxContent"}
    parts: list[str] = []
    stack = [p]
    while stack:
        el = stack.pop()
        name = _local(el)
        if name == "t":
            parts.append(el.text or "")
        elif name == "tab":
            parts.append("\t")
        elif name in ("br", "cr"):
            parts.append("\n")
        elif name == "noBreakHyphen":
            parts.append("-")
        if name in skip:
            continue  # duplicates of an AlternateContent choice, deleted text, field codes
        if name != "t":
            stack.extend(reversed(list(el)))
    return "".join(parts)


_SKIP_TEXT = frozenset({"Fallback", "del", "moveFrom", "instrText", "delText", "tbl"})


def _boxes_with_tables(p) -> list:
    """The text boxes anchored in a paragraph that hold a table (a form drawn inside a text
    box), once each: Word writes every box twice, as a drawing (mc:Choice) and as a VML
    fallback (mc:Fallback), and only the first is read."""
    found = []
    # By local name, as everywhere here: strict OOXML writes another namespace.
    for box in (el for el in p.iter() if _local(el) == "txbxContent"):
        up, skip = box.getparent(), False
        while up is not None and up is not p:
            # A VML copy, or a box inside another box (read with the outer box's paragraphs).
            if _local(up) in ("Fallback", "txbxContent"):
                skip = True
                break
            up = up.getparent()
        if not skip and any(_local(x) == "tbl" for x in box.iter()):
            found.append(box)
    return found


def _children(container, names: tuple[str, ...]):
    """Children named ``names`` (paragraphs and tables, rows, cells), looking through content
    controls (``sdt``) and custom XML, which Word wraps around any of them."""
    for child in container:
        name = _local(child)
        if name in ("sdt", "customXml"):
            content = _child(child, "sdtContent") if name == "sdt" else child
            if content is not None:
                yield from _children(content, names)
        elif name in names:
            yield child


def _block_children(container):
    return _children(container, ("p", "tbl"))


def _rows(tbl):
    return _children(tbl, ("tr",))


def _cells(tr):
    return _children(tr, ("tc",))


def cell_text(tc) -> str:
    """The paragraphs of a cell joined by newlines; nested tables are read separately."""
    lines = [paragraph_text(p) for p in _block_children(tc) if _local(p) == "p"]
    while lines and not lines[-1].strip():
        lines.pop()
    return "\n".join(lines)


# ---------------------------------------------------------------------------
# Tables


def _int_attr(el, default: int) -> int:
    if el is None:
        return default
    try:
        return int(_attr(el, "val") or default)
    except ValueError:
        return default


def table_grid(tbl) -> grid.Grid:
    """One Word table as a :class:`~.grid.Grid` (all rows; lines are table rows, 1-based)."""
    rows: list[list[str | None]] = []
    cover: dict[tuple[int, int], tuple[int, int]] = {}
    for r, tr in enumerate(_rows(tbl)):
        tr_pr = _child(tr, "trPr")
        col = min(_int_attr(_child(tr_pr, "gridBefore") if tr_pr is not None else None, 0), grid.MAX_COLUMNS)
        row: list[str | None] = [None] * col
        last_origin: tuple[int, int] | None = None
        for tc in _cells(tr):
            if col >= grid.MAX_COLUMNS:
                break
            tc_pr = _child(tc, "tcPr")
            span = _int_attr(_child(tc_pr, "gridSpan") if tc_pr is not None else None, 1)
            span = max(1, min(span, grid.MAX_COLUMNS - col))
            v_merge = _child(tc_pr, "vMerge") if tc_pr is not None else None
            h_merge = _child(tc_pr, "hMerge") if tc_pr is not None else None
            continues_down = v_merge is not None and (_attr(v_merge, "val") or "continue") == "continue"
            continues_right = h_merge is not None and (_attr(h_merge, "val") or "continue") == "continue"
            origin: tuple[int, int] | None = None
            if continues_down and r > 0:
                above = rows[r - 1]
                if col < len(above) and (above[col] is not None or (r - 1, col) in cover):
                    origin = cover.get((r - 1, col), (r - 1, col))
            elif continues_right and last_origin is not None:
                origin = last_origin
            if origin is not None:
                for j in range(span):
                    cover[(r, col + j)] = origin
                row.extend([""] * span)
            else:
                row.append(cell_text(tc))
                row.extend([""] * (span - 1))
                for j in range(1, span):
                    cover[(r, col + j)] = (r, col)
                origin = (r, col)
            last_origin = origin
            col += span
        rows.append(row)
    width = max((len(r) for r in rows), default=0)
    for row in rows:
        row.extend([None] * (width - len(row)))
    return grid.Grid(rows=rows, lines=list(range(1, len(rows) + 1)), cover=cover)


@dataclass
class _TableItem:
    tbl: object
    gap: list[str]
    inherited: list[str] = field(default_factory=list)


def _collect(container, items: list[_TableItem], gap: list[str], inherited: list[str]) -> None:
    """Tables in document order, each with the paragraphs since the previous table."""
    for el in _block_children(container):
        if _local(el) == "p":
            boxes = _boxes_with_tables(el)
            text = paragraph_text(el, boxes=not boxes).strip()
            if text:
                gap.append(text)
                del gap[:-_PREAMBLE_KEEP * 3]
            for box in boxes:
                # The box's paragraphs and tables, in order, as if in the body.
                _collect(box, items, gap, inherited)
            continue
        item = _TableItem(el, list(gap), inherited)
        items.append(item)
        gap.clear()
        context = item.gap or inherited
        for tr in _rows(el):
            for tc in _cells(tr):
                if any(_local(x) == "tbl" for x in _block_children(tc)):
                    _collect(tc, items, [], context)


def choose_title(paragraphs: list[str]) -> tuple[str, list[str]]:
    """(heading, other paragraphs) from the paragraphs before a table."""
    texts = [t.strip() for t in paragraphs if t.strip()]
    for k in range(len(texts) - 1, -1, -1):
        if grid.is_title_text(texts[k]):
            return texts[k], (texts[:k] + texts[k + 1 :])[-_PREAMBLE_KEEP:]
    for k in range(len(texts) - 1, -1, -1):
        text = texts[k]
        if _NOTE.match(text) or len(text) > 60 or text.endswith(("。", "；", ";")):
            continue
        return text, (texts[:k] + texts[k + 1 :])[-_PREAMBLE_KEEP:]
    return "", texts[-_PREAMBLE_KEEP:]


@dataclass
class _TableShape:
    """What a table holds above its indicator header, for deciding how tables go together."""

    header: list[str] | None  # the first indicator header row (normalised), None if none
    labels: set[str]  # form label keys (name, unit, total, goals…) above that header
    text_above: bool  # any text above the header


# Labels whose presence makes a table without indicators a project's info table.
_INFO_LABELS = {"name", "code", "unit", "total", "fiscal", "other", "goals", "use"}


def _shape(table: grid.Grid) -> _TableShape:
    rows = table.flat_rows()
    header: list[str] | None = None
    above = rows
    for i, row in enumerate(rows):
        match = flat.match_header(row)
        if match is not None and match.is_header:
            cells = [form.normalize_label(c) for c in row]
            while cells and not cells[-1]:
                cells.pop()
            header, above = cells, rows[:i]
            break
    labels: set[str] = set()
    for row in above:
        for cell in row:
            for part in form.labelled_parts(cell) if cell else ():
                key = form.label_key(part)[0]
                if key is not None:
                    labels.add(key)
    return _TableShape(header, labels, any(c.strip() for row in above for c in row if c))


def _is_info_table(shape: _TableShape, table: grid.Grid) -> bool:
    """A small table of the project's fields (项目名称, 实施单位, 项目资金…) with no indicators."""
    if shape.header is not None or len(table.rows) > 30:
        return False
    fields = shape.labels & _INFO_LABELS
    return "name" in fields or len(fields) >= 2


def _stack(top: grid.Grid, bottom: grid.Grid) -> grid.Grid:
    """An info table's rows above the indicator table's, as one form.

    Each part keeps its own row numbers, so that an indicator is reported at its row
    of the indicator table, the table it is numbered as.
    """
    width = max(top.width(), bottom.width())
    rows = [list(r) + [None] * (width - len(r)) for r in top.rows + bottom.rows]
    offset = len(top.rows)
    cover = dict(top.cover)
    for (r, c), (r0, c0) in bottom.cover.items():
        cover[(r + offset, c)] = (r0 + offset, c0)
    return grid.Grid(rows=rows, lines=top.lines + bottom.lines, cover=cover)


def _join_continuations(items: list[_TableItem]) -> list[tuple[int, _TableItem, grid.Grid]]:
    """(table number, item, grid) per table, with the parts of one project's form joined.

    * Word (and converters from PDF or WPS) sometimes break one table in two at a page:
      the second part has no header of its own and follows the first with nothing but
      empty paragraphs between them. Such a part, as wide as the table before it,
      continues that table instead of being skipped as "not an indicator table".
    * A broken table may also repeat the indicator header at the top of the second
      part. A table that starts with the same header as the table before it, with no
      project fields and no heading of its own, continues that table rather than
      being a new project without a name.
    * Some templates give the project's fields (项目名称, 实施单位, 项目资金, 年度目标) in a
      small table of their own just before the indicator table. When the indicator
      table does not name a project itself and no heading comes between them, the
      info table's fields are that project's: the two are read as one form.
    """
    joined: list[tuple[int, _TableItem, grid.Grid]] = []
    shapes: list[_TableShape] = []
    for number, item in enumerate(items, start=1):
        table = table_grid(item.tbl)
        shape = _shape(table)
        has_header = shape.header is not None
        if joined:
            _n, last_item, last = joined[-1]
            last_shape = shapes[-1]
            same_parent = item.tbl.getparent() is last_item.tbl.getparent()
            if (
                not has_header
                and not item.gap
                and last_shape.header is not None
                and same_parent
                and table.width() == last.width()
                and not _is_info_table(shape, table)
            ):
                last.extend(table)
                continue
            if (
                has_header
                and not item.gap
                and same_parent
                and shape.header == last_shape.header
                and not shape.text_above
            ):
                last.extend(table)
                continue
            if (
                has_header
                and same_parent
                and _is_info_table(last_shape, last)
                and "name" not in shape.labels
                and not any(grid.is_title_text(t) for t in item.gap)
            ):
                # The heading above the info table names the project; paragraphs
                # between the two tables stay in the preamble.
                both = _TableItem(item.tbl, last_item.gap + item.gap, last_item.inherited)
                joined[-1] = (number, both, _stack(last, table))
                shapes[-1] = shape
                continue
        joined.append((number, item, table))
        shapes.append(shape)
    return joined


def read_docx(zf: zipfile.ZipFile, main: str, file: str) -> Document:
    """Read the indicator tables of a .docx; raises :class:`InputError` only."""
    root = parse_xml(read_member(zf, main, file), file, main)
    body = _child(root, "body")
    if body is None:
        raise InputError(f"文件已损坏：{main} 中没有正文（w:body）", file)
    items: list[_TableItem] = []
    _collect(body, items, [], [])
    projects = []
    near_misses: list[str] = []
    for number, item, table in _join_continuations(items):
        title, preamble = choose_title(item.gap or item.inherited)
        table.title, table.preamble = title, preamble
        found = grid.read_grid(table, file=file, table_number=lambda n=number: n)
        if not found:
            near_misses.extend(f"第 {number} 张表{m}" for m in grid.near_miss_messages(table))
        projects.extend(found)
    if not projects:
        if not items:
            raise InputError("文档中没有表格，找不到绩效指标表", file)
        if near_misses:
            raise InputError(near_misses[0], file)
        raise InputError(
            f"文档中有 {len(items)} 个表格，但没有一个是绩效指标表（需要包含 三级指标 和 指标值 列的表头行）", file
        )
    return Document(file=file, format="docx", projects=grid.finish_projects(projects))
