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
(``1.市科技局…绩效目标表``), or else the nearest short paragraph; a heading every
project shares (``（三）绩效指标``) gives way to the heading of the section it is in
(``一、XX项目``). The other paragraphs between the previous table and this one are
passed on as its preamble, and fields written there as prose (``实施单位：…；项目资金：
85.00万元``) fill what the table leaves blank.
Tables without an indicator header are skipped; a document without any indicator
table is an error that says what was found instead.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass, field

from lxml import etree

from ..budgetyear import infer_budget_year
from ..errors import InputError
from ..levels import canonical_level1, canonical_level2
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


# Outline numbers of headings, by depth: 第一章 > 一、 > （一） > 1. > （1）.
_HEADING_NUMBERS = (
    (1, re.compile(r"^\s*第\s*[一二三四五六七八九十百\d]{1,4}\s*[章节部分篇]\s*")),
    (2, re.compile(r"^\s*[一二三四五六七八九十]{1,3}\s*[、.．]\s*")),
    (3, re.compile(r"^\s*[（(]\s*[一二三四五六七八九十]{1,3}\s*[)）]\s*")),
    (4, re.compile(r"^\s*\d{1,2}\s*[、.．](?!\d)\s*")),
    (5, re.compile(r"^\s*[（(]\s*\d{1,2}\s*[)）]\s*")),
)


def _outline(text: str) -> tuple[int, str]:
    """(depth of the heading's outline number, 0 without one; the text after the number)."""
    for depth, pattern in _HEADING_NUMBERS:
        m = pattern.match(text)
        if m and m.end() < len(text):
            return depth, text[m.end():]
    return 0, text.strip()


# Words of the section headings every such document has (（三）绩效指标, 二、年度绩效目标,
# 项目支出绩效目标表, （2025年度）, 附件1): a heading made of nothing else names no project.
# 自评 and 评价 are not among them: a 绩效自评表 heading tells the reader the table's kind.
_GENERIC_WORDS = re.compile(
    r"(?:19|20)\d{2}\s*年度?|附件|附表|项目|支出|部门|整体|单位|年度|中期|总体|绩效|目标|指标|申报|"
    r"设置|分解|体系|明细|情况|基本|信息|概况|内容|说明|一览|汇总|具体|主要|资金|预算|产出|效益|满意度|成本|"
    r"表|值|及|和|与|的|[\d\s（）()【】\[\]《》〈〉<>:：、.．\-—]"
)


def _is_generic_heading(text: str) -> bool:
    return not _GENERIC_WORDS.sub("", _outline(text)[1])


def _is_heading_like(text: str) -> bool:
    """A short line of its own that could head a section: no sentence, field or page mark."""
    return (
        0 < len(text) <= 40
        and not re.search(r"[。，,；;:：]", text)
        and not _NOTE.match(text)
        and not form.is_page_mark(text)
        and bool(re.search(r"[\u4e00-\u9fff]", text))
    )


def _enclosing_heading(texts: list[str], k: int) -> int | None:
    """The heading of the section that the generic heading ``texts[k]`` belongs to.

    Reports put a project under its own heading (一、XX项目) and its table under a
    sub-heading that every project shares (（三）绩效指标). The project's heading is the
    nearest one above of a shallower outline level (a sibling such as （二）年度绩效目标 is
    not); under an unnumbered generic heading (绩效指标, 项目支出绩效目标表), only a
    numbered heading is one, so that a stray line above (附件, an issuing office) is not.
    """
    depth = _outline(texts[k])[0]
    for j in range(k - 1, -1, -1):
        text = texts[j]
        if not _is_heading_like(text) or _is_generic_heading(text):
            continue
        d = _outline(text)[0]
        if (depth and d < depth) or (not depth and d):
            return j
    return None


_SENTENCE_END = ("。", "；", ";")


def choose_title(paragraphs: list[str]) -> tuple[str, list[str]]:
    """(heading, other paragraphs) from the paragraphs before a table."""
    texts = [t.strip() for t in paragraphs if t.strip()]
    chosen: int | None = None
    for k in range(len(texts) - 1, -1, -1):
        # A sentence (绩效指标详见下表。) mentions a table without naming it.
        if grid.is_title_text(texts[k]) and not texts[k].endswith(_SENTENCE_END):
            chosen = k
            break
    else:
        for k in range(len(texts) - 1, -1, -1):
            text = texts[k]
            if _NOTE.match(text) or form.is_page_mark(text) or len(text) > 60 or text.endswith(_SENTENCE_END):
                continue
            if _field_clauses(text):
                continue  # 实施单位：X is a field of the project, read as such, not its heading
            chosen = k
            break
    if chosen is None:
        return "", texts[-_PREAMBLE_KEEP:]
    if _is_generic_heading(texts[chosen]):
        # （三）绩效指标 heads the table but names no project: the section it is in may.
        better = _enclosing_heading(texts, chosen)
        if better is not None:
            chosen = better
    return texts[chosen], (texts[:chosen] + texts[chosen + 1 :])[-_PREAMBLE_KEEP:]


@dataclass
class _TableShape:
    """What a table holds above its indicator header, for deciding how tables go together."""

    header: list[str] | None  # the first indicator header row (normalised), None if none
    labels: set[str]  # form label keys (name, unit, total, goals…) above that header
    text_above: bool  # any text above the header
    match: flat.HeaderMatch | None = None  # the columns that header names


# Labels whose presence makes a table without indicators a project's info table.
_INFO_LABELS = {"name", "code", "unit", "total", "fiscal", "other", "goals", "use"}


def _shape(table: grid.Grid) -> _TableShape:
    rows = table.flat_rows()
    header: list[str] | None = None
    found: flat.HeaderMatch | None = None
    above = rows
    for i, row in enumerate(rows):
        match = flat.match_header(row)
        if match is not None and match.is_header:
            cells = [form.normalize_label(c) for c in row]
            while cells and not cells[-1]:
                cells.pop()
            header, above, found = cells, rows[:i], match
            break
    labels: set[str] = set()
    for row in above:
        for cell in row:
            for part in form.labelled_parts(cell) if cell else ():
                key = form.label_key(part)[0]
                if key is not None:
                    labels.add(key)
    return _TableShape(header, labels, any(c.strip() for row in above for c in row if c), found)


def _only_page_marks(gap: list[str]) -> bool:
    """Nothing between two tables but empty paragraphs, page breaks and page furniture."""
    return all(form.is_page_mark(text) for text in gap)


def _is_level_text(text: str) -> bool:
    """A 一级 / 二级 level as tables name them: 产出指标, 数量, 社会效益指标（必填）."""
    return text.endswith("指标") or bool(canonical_level1(text) or canonical_level2(text))


# A level name of a table's own making: a short phrase, no number, no punctuation.
_CUSTOM_LEVEL = re.compile(r"^[\u4e00-\u9fff]{2,12}$")


def _continues_indicators(match: flat.HeaderMatch, last: grid.Grid, table: grid.Grid) -> bool:
    """Whether the rows of a headerless ``table`` read as further indicator rows of ``last``,
    whose header is ``match``.

    Each row names an indicator (or describes one) in its column, and what stands in
    the 一级 / 二级 columns is blank (the level goes on from the part above), a level,
    or a level the part above used (部门整体 tables have their own: 履职效能); once the
    first row has shown the part to be indicators, a new level of that kind (管理效率)
    may start further down. A table of signatures (填报人 | 张三 | 联系电话 | …), of
    project fields or of anything else laid in the same number of columns is not a
    continuation. Note and signature lines may close the part, as they close any
    indicator table.
    """
    text_cols = [c for c in (match.first("name"), match.first("description")) if c is not None]
    level_cols = [c for c in (match.first("level1"), match.first("level2")) if c is not None]
    known: set[str] = set()  # the levels the part above names below its header
    below = False
    for row in last.flat_rows():
        if below:
            known.update(form.clean_cell(row[c]) for c in level_cols if c < len(row))
        elif (m := flat.match_header(row)) is not None and m.is_header:
            below = True
    named = 0
    for row in table.flat_rows():
        cells = [form.clean_cell(c) for c in row]
        texts = [c for c in cells if c]
        if not texts:
            continue
        # 填报人 | 张三 reads as a signature line once its labels have their colons.
        as_labels = [t if t.endswith((":", "：")) else t + "：" for t in texts]
        if form.is_trailer_row(cells) or form.is_trailer_row(as_labels):
            if not named:
                return False
            continue
        if form.level_heading(cells) is not None:
            continue  # 二、效益指标 across the table
        if any(form.label_key(t)[0] is not None for t in texts):
            return False  # 项目名称, 实施单位, 年度目标…: a form, not indicators
        levels = [cells[c] for c in level_cols if c < len(cells) and cells[c] and not form.is_ditto(cells[c])]
        if not all(t in known or _is_level_text(t) or (named and _CUSTOM_LEVEL.match(t)) for t in levels):
            return False
        if not any(c < len(cells) and cells[c] for c in text_cols):
            return False
        named += 1
    return named > 0


def _is_info_table(shape: _TableShape, table: grid.Grid) -> bool:
    """A small table of the project's fields (项目名称, 实施单位, 项目资金…) with no indicators."""
    if shape.header is not None or len(table.rows) > 30:
        return False
    fields = shape.labels & _INFO_LABELS
    return "name" in fields or len(fields) >= 2


def _inside(tbl, outer) -> bool:
    """Whether a table lies in a cell of ``outer`` (an info table whose last cell holds the
    indicator table: 项目名称 | … ⏎ 绩效指标 | <table>)."""
    up = tbl.getparent()
    while up is not None:
        if up is outer:
            return True
        up = up.getparent()
    return False


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
      empty paragraphs, page breaks and page furniture (a page number, 续表) between
      them. Such a part, as wide as the table before it and whose rows read as
      indicator rows of its layout (levels left blank where they go on from the first
      part), continues that table instead of being skipped as "not an indicator table";
      a signature or field table laid in the same columns does not.
    * A broken table may also repeat the indicator header at the top of the second
      part. A table that starts with the same header as the table before it, with no
      project fields and no heading of its own (at most a page number or 续表),
      continues that table rather than being a new project without a name.
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
            between = _only_page_marks(item.gap)
            if (
                not has_header
                and between
                and last_shape.match is not None
                and same_parent
                and table.width() == last.width()
                and not _is_info_table(shape, table)
                and _continues_indicators(last_shape.match, last, table)
            ):
                last.extend(table)
                continue
            if (
                has_header
                and between
                and same_parent
                and shape.header == last_shape.header
                and not shape.text_above
            ):
                last.extend(table)
                continue
            if (
                has_header
                and (same_parent or _inside(item.tbl, last_item.tbl))
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


# Clause ends in a body paragraph that gives several fields (实施单位：X；项目资金：85.00万元，
# 其中…). A comma between digits (1,234.50) separates thousands, not clauses.
_CLAUSE_END = re.compile(r"[；;。]|(?<!\d)[，,]|[，,](?!\d)")
# Fields a body paragraph may give; the goals are read as a section (see _goals_section).
_PARAGRAPH_FIELDS = frozenset({"name", "code", "unit", "total", "fiscal", "other"})


def _field_clauses(text: str) -> list[str]:
    """The labelled fields (and money notes) a body paragraph gives, one text each."""
    found = []
    for clause in _CLAUSE_END.split(text):
        for part in form.labelled_parts(clause):
            key, inline = form.label_key(part)
            if (key in _PARAGRAPH_FIELDS and inline) or form.money_unit_factor(part) is not None:
                found.append(part)
    return found


def _split_fields(paragraphs: list[str]) -> list[str]:
    """The preamble with each paragraph that gives fields cut into its clauses.

    The form reads a preamble line 实施单位：X as the unit up to the line's end; written
    as prose (实施单位：X；项目资金：85.00万元。) the rest of the sentence would be taken
    into the unit's name.
    """
    out: list[str] = []
    for text in paragraphs:
        if _field_clauses(text):
            out.extend(c for clause in _CLAUSE_END.split(text) if (c := clause.strip()))
        else:
            out.append(text)
    return out


# A sentence pointing at the table (绩效指标详见下表。, 具体如下：) is no goal.
_POINTER = re.compile(r"(?:见|如)(?:下|附)表|下表|如下\s*[:：]?\s*$")


def _goals_section(paragraphs: list[str]) -> str:
    """The text of a goals section in the body (（二）年度绩效目标, then its paragraphs), or
    of a paragraph 年度绩效目标：…; "" without one.

    The section runs to the next heading of its outline level or above, a generic
    heading (（三）绩效指标), a table title or a paragraph of fields.
    """
    for k, text in enumerate(paragraphs):
        depth, rest = _outline(text)
        key, inline = form.label_key(rest)
        if key != "goals":
            continue
        if inline:
            return inline
        if not _is_heading_like(text):
            continue
        body: list[str] = []
        for following in paragraphs[k + 1 :]:
            d = _outline(following)[0]
            if (
                (depth and d and d <= depth)
                or (_is_heading_like(following) and _is_generic_heading(following))
                or grid.is_title_text(following)
                or form.label_key(_outline(following)[1])[0] is not None
                or _field_clauses(following)
            ):
                break
            if not _POINTER.search(following):
                body.append(following)
        if body:
            return "\n".join(body)
    return ""


def _fill_from_paragraphs(project, paragraphs: list[str], title: str, named: bool) -> None:
    """Give a project the fields its table lacks from body paragraphs before the table.

    Reports written as prose state the project's unit and funds in the text above each
    table (实施单位：…；项目资金：85.00万元) and leave the table to the indicators. The
    table's own fields come first; the paragraphs fill only what it leaves blank. An
    explicit 项目名称 there names the project better than the heading does, unless the
    table names it itself (``named``).
    """
    rows = [[part] for text in paragraphs for part in _field_clauses(text)]
    fields = form.read_form_fields(rows) if rows else form.FormFields()
    if fields.name and not named and (not project.name or project.name == form.title_to_name(title)):
        project.name = fields.name
    if fields.unit and not project.unit:
        project.unit, project.unit_code = fields.unit, project.unit_code or fields.unit_code
    if fields.code and not project.code:
        project.code = fields.code
    if fields.budget is not None and project.budget is None:
        # The split into fiscal and other funds goes with the total it splits.
        project.budget = fields.budget
        if project.budget_fiscal is None:
            project.budget_fiscal = fields.budget_fiscal
        if project.budget_other is None:
            project.budget_other = fields.budget_other
    if not project.goals:
        goals = _goals_section(paragraphs)
        if goals:
            project.goals = form.split_goals(goals)
    if project.budget_year is None:
        # As the form reader does with its preamble: a short line above the table may
        # state the year (（2025年度）, or the 2025年绩效目标表 heading passed over for
        # the project's own heading).
        project.budget_year, project.budget_year_evidence = infer_budget_year(
            "", [p for p in paragraphs if len(p) <= 40]
        )


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
        table.title, table.preamble = title, _split_fields(preamble)
        found = grid.read_grid(table, file=file, table_number=lambda n=number: n)
        if not found:
            near_misses.extend(f"第 {number} 张表{m}" for m in grid.near_miss_messages(table))
        if len(found) == 1:
            # One project to the table: the text above it speaks of that project (a table
            # of many projects has their fields in its own columns).
            _fill_from_paragraphs(found[0], preamble, title, "name" in _shape(table).labels)
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
