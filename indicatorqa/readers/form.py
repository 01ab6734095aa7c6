"""Interpret a 绩效目标表 laid out as the official form, whatever file it came from.

The seed text export, a .docx table and an .xlsx sheet drawn as the form all end
up as a grid: rows of cell texts. This module turns such a grid into a
:class:`~indicatorqa.model.Project`:

* the form part above the indicators — unit (often with its code, ``331201天津市…``),
  项目名称, 项目编码, budget (预算数 / 其中：财政资金 / 其他资金), use of funds,
  资金支出计划, numbered 绩效目标 — is read by *labels*, not by position, because
  provinces order and merge these cells differently;
* the indicator table is found by its header *names* (一级指标, 三级指标/指标名称,
  指标值/目标值, …) and its columns are mapped by header, so that a missing
  description column, an extra 指标值确定依据 column or a value split over
  计算符号 | 指标值 | 计量单位 all read the same way.

Level names are kept as written (``数量目标``, ``产出数量（必填）``): normalising them is
the checks' business, and the user must see their own text in reports.

Helpers shared with :mod:`.selfeval` and :mod:`.seedtext` (cell cleaning, header
recognition, amount parsing, goal splitting) live here too.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from ..budgetyear import infer_budget_year
from ..errors import InputError
from ..levels import canonical_level1, canonical_level2
from ..model import Goal, Indicator, Project, Source, SpendingPlanEntry

# ---------------------------------------------------------------------------
# Cell text

# Word bookmarks leak into text exports as "[bookmark: _Toc_4_4_0000000074]".
_BOOKMARK = re.compile(r"\[bookmark:[^\]]*\]")
# Some exports keep simple HTML paragraphs (<p>…</p>) around long cells.
_HTML_BREAK = re.compile(r"<\s*br\s*/?\s*>|</\s*p\s*>", re.I)
_HTML_TAG = re.compile(r"</?\s*(?:p|span|div|b|i|u|strong|em|font)\b[^>]*>", re.I)


def clean_cell(text: object) -> str:
    """A cell's text as the user wrote it, without export artefacts.

    Lines are stripped and blank lines dropped: a cell that ends with empty
    paragraphs (``项目按时完成率\\n\\n\\n``) reads as ``项目按时完成率``, while a cell of
    several paragraphs keeps one line per paragraph.
    """
    if text is None:
        return ""
    text = text if isinstance(text, str) else str(text)
    # Tables repeat the same short cells (产出指标, 数量指标, blanks) row after row;
    # long cells are rarely repeated and would only fill the cache.
    return _clean_short(text) if len(text) <= 64 else _clean(text)


def _clean(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _BOOKMARK.sub("", text)
    text = _HTML_BREAK.sub("\n", text)
    text = _HTML_TAG.sub("", text)
    text = text.replace("\u00a0", " ").replace("\u3000", " ").replace("\t", " ").replace("\ufeff", "")
    lines = [line.strip() for line in text.split("\n")]
    return "\n".join(line for line in lines if line)


_clean_short = lru_cache(maxsize=65536)(_clean)


# Annotations that decorate a label without changing what it names:
# 三级指标（必填）, 资金支出计划（%）, 预算数(万元), ★指标值.
_ANNOTATION = re.compile(r"[（(\[【][^（）()\[\]【】]{0,12}[)）\]】]")


def normalize_label(text: str) -> str:
    """A label reduced for matching: no spaces, annotations, markers or trailing colon."""
    if len(text) > 64:
        return _normalize(text)
    return _normalize_short(text)


# An English gloss after a Chinese label (三级指标 Indicator, 指标值\nTarget, Budget 预算金额
# in bilingual templates of foreign-loan projects): the Chinese part is the label.
# Separated by a space, a line break or a slash, so that PM2.5浓度 keeps its PM2.5.
_ENGLISH_GLOSS = re.compile(
    r"^[A-Za-z]{2,}[A-Za-z0-9 .,&/()'-]*?\s+(?=[\u4e00-\u9fff])|(?<=[\u4e00-\u9fff）)])[\s/]+[A-Za-z]{2,}[A-Za-z0-9 .,&/()'-]*$"
)


def _normalize(text: str) -> str:
    text = clean_cell(text)
    text = _ANNOTATION.sub("", text)
    text = _ENGLISH_GLOSS.sub("", text)
    text = re.sub(r"[\s*★☆※:：]+$", "", text)
    text = re.sub(r"^[\s*★☆※]+", "", text)
    return re.sub(r"\s+", "", text)


_normalize_short = lru_cache(maxsize=65536)(_normalize)


# ---------------------------------------------------------------------------
# Indicator table header

# field -> header names in order of preference (full match on the normalised label).
# The rank matters when two columns could serve one field: in
# 绩效指标 | 一级指标 | 二级指标 | 三级指标 | 指标值 the name is 三级指标, not 绩效指标.
_HEADER_NAMES: dict[str, list[str]] = {
    "basis": [r"指标值?(?:确定|设定|设置|测算|取值)依据", r"(?:确定|设定|设置|测算|取值)?依据(?:说明)?"],
    "actual": [r"(?:全年|年度)?实际完成(?:值|情况|数|数值)?", r"实际(?:值|达成值?|完成)", r"完成值"],
    "score": [r"(?:自评)?得分"],
    "weight": [r"(?:指标)?分值", r"权重(?:分值?)?", r"标准分值?"],
    "reason": [r"偏差原因.*", r".*原因分析.*", r"(?:未完成|偏差)?原因(?:说明)?", r"改进措施"],
    "level1": [r"一级指标(?:名称)?", r"一级"],
    # Simplified county tables have one 指标类型 column of 二级 names (数量指标, 质量指标…);
    # the 一级 follows from them (levels.parent_level1).
    "level2": [r"二级指标(?:名称)?", r"二级", r"(?:绩效)?指标(?:类型|类别|分类)"],
    "name": [
        r"三级指标(?:名称)?",
        r"(?:绩效)?指标名称",
        r"三级",
        r"具体指标|指标项目?|考核指标|绩效指标内容名称",
        r"(?:绩效)?指标",
        # English-only columns of bilingual templates (foreign-loan projects).
        r"(?i:(?:performance\s*)?indicators?(?:\s*name)?)",
    ],
    "description": [
        r"(?:绩效)?指标(?:描述|解释|说明|内容|定义|含义|释义)",
        r"(?:描述|解释|说明|内容|定义|含义|释义)",
    ],
    "value": [
        r"(?:年度|全年|预期|绩效|计划)?指标值",
        r"(?:年度|全年|预期|绩效|计划)?(?:指标)?目标值",
        r"(?:预期|计划|标准|期望|预计)值",
        r"(?:指标)?数值",
        r"(?i:(?:annual\s*)?target(?:\s*value)?)",
    ],
    # A target split into a lower and an upper bound (湖北: 指标值 over 目标值下限 | 目标值上限).
    "low": [r"(?:指标值?|目标值|指标)?下限值?", r"(?:最低|最小)(?:目标)?值"],
    "high": [r"(?:指标值?|目标值|指标)?上限值?", r"(?:最高|最大)(?:目标)?值"],
    # 指标性质 holds ≥/＝/≤ (or 定量/定性, which the value grammar ignores) in the
    # central template 中央部门项目支出绩效目标申报表.
    "operator": [r"(?:指标值?|目标值|计算|运算|比较)?符号", r"运算符", r"指标性质"],
    # 指标方向(性) holds 正向/反向: its own field, because the central template has it
    # next to a symbol column, and both must reach the join.
    "direction": [r"(?:指标)?方向性?"],
    "unit": [r"(?:计量|度量|计算|指标)?单位", r"(?i:units?(?:\s*of\s*measure(?:ment)?)?)"],
    "goal": [r"(?:对应)?(?:年度)?(?:绩效)?目标(?:序号|编号)?", r"年度指标完成情况"],
}
_HEADER_PATTERNS = {f: [re.compile(p) for p in pats] for f, pats in _HEADER_NAMES.items()}


# Every header name holds one of these characters; other cells skip the pattern list.
_HEADER_CHARS = frozenset("指标值依据完成得分权重原因措施级描述解释说明内容定义含义释义符号方向单位目标情况数限")


def header_field(cell: str) -> tuple[str, int] | None:
    """(field, rank) a header cell names, or None."""
    return _header_field(cell) if len(cell) <= 64 else None


@lru_cache(maxsize=65536)
def _header_field(cell: str) -> tuple[str, int] | None:
    label = normalize_label(cell)
    # A Chinese header names a field with one of these characters; an ASCII one may be the
    # English column of a bilingual template (Indicator, Target, Unit).
    if not label or len(label) > 24 or (_HEADER_CHARS.isdisjoint(label) and not label.isascii()):
        return None
    for fld, patterns in _HEADER_PATTERNS.items():
        for rank, pattern in enumerate(patterns):
            if pattern.fullmatch(label):
                return fld, rank
    # A column named for its year (2025年目标值, 2024年实际完成值) is the field after the year.
    m = _YEAR_PREFIX.match(label)
    if m and m.end() < len(label):
        return _header_field(label[m.end():])
    return None


_YEAR_PREFIX = re.compile(r"^(?:19|20)\d{2}\s*年度?")
_YEAR_LABEL = re.compile(r"^(?:19|20)\d{2}\s*年度?$")


def is_year_row(cells: Sequence[str]) -> bool:
    """A second header row of years only (2025年 | 2026年 | 2027年 under a merged 指标值 in a
    中期 table): no indicator, and the first of them is the value column the top row names."""
    texts = [t for t in (clean_cell(c) for c in cells if c) if t]
    return len(texts) >= 2 and all(_YEAR_LABEL.match(t) for t in texts)


def header_columns(row: Sequence[str]) -> dict[str, int]:
    """Map each field to the column that names it best (lowest rank, then leftmost)."""
    best: dict[str, tuple[int, int]] = {}
    for col, cell in enumerate(row):
        hit = header_field(cell)
        if hit is None:
            continue
        fld, rank = hit
        if fld not in best or rank < best[fld][0]:
            best[fld] = (rank, col)
    return {fld: col for fld, (_rank, col) in best.items()}


def match_header(row: Sequence[str]) -> dict[str, int] | None:
    """Column map of an indicator header row, or None if ``row`` is not one.

    A header names at least a value column and a name (or description) column,
    and most of its non-empty cells are header names.
    """
    cells = [clean_cell(c) for c in row]
    nonempty = [c for c in cells if c]
    if len(nonempty) < 2:
        return None
    columns = header_columns(cells)
    if "value" not in columns or not ({"name", "description"} & columns.keys()):
        return None
    recognised = sum(1 for c in nonempty if header_field(c) is not None)
    if recognised < max(2, (len(nonempty) + 1) // 2):
        return None
    return columns


def is_self_evaluation_header(columns: dict[str, int] | None) -> bool:
    """A 绩效自评表 header has, besides target values, actual values or scores."""
    return bool(columns) and "actual" in columns and bool({"score", "weight"} & columns.keys())


def _is_subheader(row: Sequence[str]) -> bool:
    """A second header row refining the first (计算符号 | 指标值 | 计量单位 under 指标值)."""
    nonempty = [c for c in (clean_cell(x) for x in row) if c]
    if not nonempty:
        return False
    fields = [header_field(c) for c in nonempty]
    return all(f is not None for f in fields) and any(f[0] in ("operator", "direction", "unit", "value", "low", "high") for f in fields)


def refines_header(columns: dict, below: dict | None) -> bool:
    """Whether the row below a header, whose header columns are ``below`` (None: it is no
    header), is the second row of a two-row header that names what the first row only groups:
    一级指标 | 二级指标 | 三级指标 under a merged 绩效指标, 目标值 | 上年实际值 under a merged 指标值.
    It names a field the row above does not (a header repeated after a page break names the
    same ones); a column merged down both rows (指标值确定依据) may be blank in it."""
    return below is not None and bool(below.keys() - columns.keys())


def _combine_headers(top: list[str], sub: list[str]) -> list[str]:
    """Merge a two-row header into one row of column names.

    With horizontally merged cells de-duplicated, the top row has one 指标值 cell
    where the sub row has 计算符号 | 指标值 | 计量单位; splice the sub cells in there.
    """
    if len(sub) == len(top):
        return [s if s else t for t, s in zip(top, sub)]
    cols = header_columns(top)
    k = cols.get("value", len(top) - 1)
    refined = [c for c in sub if c]
    if len(sub) > len(top):
        extra = len(sub) - len(top)
        merged = top[:k] + sub[k : k + extra + 1] + top[k + 1 :]
        return [s if s else m for m, s in zip(merged, sub)]
    # The sub row holds only the refined cells (merged cells above were dropped).
    return top[:k] + refined + top[k + 1 :]


@dataclass
class IndicatorHeader:
    """Where the indicator header is and what its columns mean."""

    index: int  # index in rows of the (last) header row
    columns: dict[str, int]
    width: int
    names: list[str] = field(default_factory=list)


def find_indicator_header(rows: Sequence[Sequence[str]], start: int = 0) -> IndicatorHeader | None:
    """The first indicator header at or after ``start`` (a two-row header is combined)."""
    for i in range(start, len(rows)):
        columns = match_header(rows[i])
        if columns is None:
            continue
        names = [clean_cell(c) for c in rows[i]]
        index = i
        below = match_header(rows[i + 1]) if i + 1 < len(rows) else None
        if i + 1 < len(rows) and ((_is_subheader(rows[i + 1]) and below != columns) or refines_header(columns, below)):
            names = _combine_headers(names, [clean_cell(c) for c in rows[i + 1]])
            columns = header_columns(names)
            index = i + 1
        elif i + 1 < len(rows) and is_year_row(rows[i + 1]):
            index = i + 1  # the years under a merged 指标值: its first column is the one read
        if "name" not in columns and "description" in columns:
            # Without a name column the description is what names the indicator.
            columns["name"] = columns.pop("description")
        return IndicatorHeader(index=index, columns=columns, width=len(names), names=names)
    return None


# ---------------------------------------------------------------------------
# Amounts, percents, goals

_NUMBER = re.compile(r"[-+]?\d[\d,，]*(?:\.\d+)?|[-+]?\.\d+")
_EMPTY_MARKS = {"", "-", "—", "——", "/", "／", "无", "空", "0.00/", "—/—"}
_FULLWIDTH_DIGITS = str.maketrans("０１２３４５６７８９．，", "0123456789.,")


def parse_amount(text: str, factor: float = 1.0) -> float | None:
    """An amount in 万元 from a cell (``493.00``, ``1,234.5万元``, ``50000元``), or None."""
    # Full-width digits and points (２３０．５０) are the same number.
    text = clean_cell(text).replace(" ", "").translate(_FULLWIDTH_DIGITS)
    if text in _EMPTY_MARKS:
        return None
    m = _NUMBER.search(text)
    if not m:
        return None
    rest = text[m.end():]
    if text[: m.start()].strip("¥￥") or (rest and not re.fullmatch(r"(?:万元|万|元|亿元|亿)?", rest)):
        return None  # not an amount but a sentence that contains a number
    value = float(m.group(0).replace(",", "").replace("，", ""))
    if rest.startswith("亿"):
        return value * 10000
    if rest.startswith("万"):
        return value
    if rest == "元":
        return value / 10000
    return value * factor


# Factor to 万元 (the unit budgets are kept in) of each money unit a table may use.
MONEY_FACTORS = {"万元": 1.0, "元": 1e-4, "千元": 0.1, "亿元": 1e4}
# Brackets in a label or header, whose text may name the money unit (资金总额（元）).
BRACKET_NOTES = re.compile(r"[（(【\[]([^）)】\]]*)[）)】\]]")


def money_unit_factor(note: str) -> float | None:
    """Factor to 万元 from a note such as ``单位：万元`` / ``金额单位：元``; None if not a note."""
    m = re.fullmatch(r"(?:金额|资金|货币|计量)?单位[:：]?\s*(万元|元|千元|亿元)\s*", clean_cell(note).replace(" ", ""))
    if not m:
        return None
    return MONEY_FACTORS[m.group(1)]


_LEADING_AMOUNT = re.compile(r"^\s*([-+]?\d[\d,，]*(?:\.\d+)?\s*(?:万元|千元|亿元|元)?)(?:\s|[；;，,。]|$)")


def _leading_amount(text: str) -> str | None:
    """The amount opening a cell that goes on with other fields (218.00万元⏎其中：中央资金150.00万元),
    when a separator closes it; None otherwise."""
    m = _LEADING_AMOUNT.match(text)
    return m.group(1) if m and parse_amount(m.group(1)) is not None else None


def label_money_factor(label: str) -> float | None:
    """Factor to 万元 from a money unit in a label's brackets: 资金总额（元） → 1e-4; None without."""
    for note in BRACKET_NOTES.findall(label or ""):
        m = re.fullmatch(r"\s*(?:(?:金额|资金)?单位[:：]?)?\s*(万元|元|千元|亿元)\s*", note)
        if m:
            return MONEY_FACTORS[m.group(1)]
    return None


def parse_percent_cells(cells: Sequence[str]) -> list[float | None]:
    """Percents of a row of cells (``30%``, ``30``, or a spreadsheet's ``0.3``)."""
    values: list[float | None] = []
    fractions = True
    for cell in cells:
        text = clean_cell(cell).replace(" ", "")
        m = _NUMBER.search(text)
        if not m or text in _EMPTY_MARKS:
            values.append(None)
            continue
        value = float(m.group(0).replace(",", ""))
        values.append(value)
        if "%" in text or "％" in text or value > 1:
            fractions = False
    if fractions and any(v is not None for v in values):
        # Every value ≤ 1 and none written with %: a spreadsheet stored percents as fractions.
        values = [None if v is None else round(v * 100, 6) for v in values]
    return values


_CN_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}


def cn_number(text: str) -> int | None:
    if not text or any(ch not in _CN_DIGITS for ch in text):
        return None
    if text == "十":
        return 10
    if len(text) == 1:
        return _CN_DIGITS[text]
    if text.startswith("十") and len(text) == 2:
        return 10 + _CN_DIGITS[text[1]]
    if len(text) == 2 and text[1] == "十":
        return _CN_DIGITS[text[0]] * 10
    if len(text) == 3 and text[1] == "十":
        return _CN_DIGITS[text[0]] * 10 + _CN_DIGITS[text[2]]
    return None


_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"

# Numbering styles of goals: (style, marker at a line start, marker after a sentence end).
# Mid-line markers are stricter, so that a decimal (…，达到2.5万元) is not taken for item 2.
_GOAL_STYLES: list[tuple[str, str, str]] = [
    ("arabic", r"(?:目标\s*)?(\d{1,2})\s*[.．、:：]", r"(?:目标\s*)?(\d{1,2})\s*[.．、:：](?!\d{1,2}(?:\D|$))"),
    ("paren", r"[（(]\s*(\d{1,2})\s*[)）]", r"[（(]\s*(\d{1,2})\s*[)）]"),
    ("chinese", r"(?:目标\s*)?([一二三四五六七八九十]{1,3})\s*[、.．:：]", r"(?:目标\s*)?([一二三四五六七八九十]{1,3})\s*[、．:：]"),
    ("paren_chinese", r"[（(]\s*([一二三四五六七八九十]{1,3})\s*[)）]", r"[（(]\s*([一二三四五六七八九十]{1,3})\s*[)）]"),
    ("circled", f"([{_CIRCLED}])", f"([{_CIRCLED}])"),
]


def _goal_number(style: str, token: str) -> int | None:
    if style in ("arabic", "paren"):
        return int(token)
    if style in ("chinese", "paren_chinese"):
        return cn_number(token)
    return _CIRCLED.index(token) + 1


def split_goals(text: str) -> list[Goal]:
    """Split a 绩效目标 cell into numbered goals.

    The numbering style is the one the text starts with (``1.``, ``（1）``, ``一、``,
    ``①``, ``目标1：``); items are recognised at line starts and, when the author wrote
    them on one line, after a sentence end (``1.…；2.…``). Numbers must run 1, 2, 3…
    so that a decimal such as ``2.5万元`` inside a goal does not start a new one.
    Sub-items of another style (``1.(1)…(2)…``) stay inside their goal.
    Unnumbered text is one goal, numbered 1.
    """
    text = clean_cell(text)
    if not text:
        return []
    for style, at_line, in_line in _GOAL_STYLES:
        first = re.match(r"\s*" + at_line, text)
        if not first or _goal_number(style, first.group(1)) != 1:
            continue
        markers = sorted(
            [m for m in re.finditer(r"(?:^|(?<=\n))\s*" + at_line, text)]
            + [m for m in re.finditer(r"(?<=[。；;])\s*" + in_line, text)],
            key=lambda m: m.start(),
        )
        cuts: list[tuple[int, int, int]] = []  # (marker start, marker end, number)
        for m in markers:
            number = _goal_number(style, m.group(1))
            if number == len(cuts) + 1 and (not cuts or m.start() >= cuts[-1][1]):
                cuts.append((m.start(), m.end(), number))
        goals = []
        for i, (_start, end, number) in enumerate(cuts):
            stop = cuts[i + 1][0] if i + 1 < len(cuts) else len(text)
            body = text[end:stop].strip().rstrip("；;").strip()
            goals.append(Goal(number=number, text=body))
        return goals
    return [Goal(number=1, text=text)]


# ---------------------------------------------------------------------------
# Labels of the form part

_LABELS: list[tuple[str, re.Pattern]] = [
    ("code", re.compile(r"项目(?:编码|代码|编号|ID|id)")),
    # 专项名称 / 资金名称: the name of a 转移支付 (transfer payment) table's fund.
    ("name", re.compile(r"项目(?:名称|名)|专项(?:资金)?名称|(?:转移支付)?资金名称")),
    ("unit", re.compile(r"(?:项目)?(?:预算|实施|申报|填报|编制|主管)?单位(?:名称|及代码|（盖章）)?|(?:主管)?部门(?:名称|及代码)?|单位名称及代码")),
    ("total", re.compile(r"(?:年度|项目|本年)?(?:预算|资金)(?:数|金额|总额|总计|总数)|(?:项目)?(?:年度)?总预算|(?:项目)?(?:年度)?资金总额|预算资金|(?:年度)?预算(?:安排)?|项目(?:资金|预算|金额)|项目总(?:金额|预算|投资|资金)")),
    ("fiscal", re.compile(r"(?:其中[:：]?)?(?:当年|本级|本年)?财政(?:资金|拨款|性资金)(?:资金)?|(?:其中[:：]?)?一般公共预算(?:资金|拨款)?")),
    ("other", re.compile(r"(?:其中[:：]?)?(?:其他|其它)(?:来源)?资金|(?:其中[:：]?)?(?:自有|自筹|单位自有)资金")),
    ("use", re.compile(r"(?:预算规模及)?(?:项目)?资金用途|项目(?:概况|内容|简介|主要内容)|主要内容|实施内容|资金使用方向")),
    ("plan", re.compile(r"(?:资金|预算)?支出(?:进度)?计划|预算执行(?:进度)?计划")),
    ("goals", re.compile(r"(?:项目)?(?:年度)?(?:总体)?(?:绩效)?目标(?:内容)?|年度绩效目标|项目绩效目标")),
]
_SCALAR_LABELS = {"code", "name", "unit", "total", "fiscal", "other"}
_AMOUNT_LABELS = {"total", "fiscal", "other"}
# Under a budget label some forms head their amount columns 合计 | 财政资金 | 其他资金 and
# put the amounts in the row below; 合计 there is the total, not a label of its own
# (elsewhere 合计 closes a list, so it is not in _LABELS).
_SUBTOTAL_HEADS = {"合计", "总计", "小计", "金额合计", "资金合计"}
_GROUP_LABELS = {"use", "plan", "goals"}


def _label_of(label: str) -> str | None:
    label = re.sub(r"^其中[:：]?", "", label)
    if not label or len(label) > 16:
        return None
    for key, pattern in _LABELS:
        if pattern.fullmatch(label):
            return key
    return None


def label_key(cell: str) -> tuple[str | None, str]:
    """(label key, inline value) of a form label cell; ``项目名称：xxx`` carries its value."""
    text = clean_cell(cell)
    if not text:
        return None, ""
    key = _label_of(normalize_label(text))
    if key:
        return key, ""
    m = re.match(r"^([^:：\n]{1,16})[:：]\s*(.*)$", text, re.S)
    if m:
        key = _label_of(normalize_label(m.group(1)))
        if key:
            return key, m.group(2).strip()
    return None, ""


# A label opening a later part of a line: 填报单位：X    金额单位：元 holds two fields.
_INNER_LABEL = re.compile(r"\s+([^\s:：]{1,16}[:：])")


def labelled_parts(text: str) -> list[str]:
    """A line of several labelled fields split into one text per field.

    Preambles print 填报单位（盖章）：X and 金额单位：元 on one line, spaced apart; read
    whole, the unit would swallow the money note and the note would be lost. A part
    starts at a space followed by a label the form knows (or a money-unit label, or a
    signature label such as 填报日期：).
    """
    text = clean_cell(text)
    cuts = [0]
    for m in _INNER_LABEL.finditer(text):
        label = m.group(1)
        if (
            label_key(label + "x")[0] is not None
            or money_unit_factor(label + "万元") is not None
            or _SIGNATURE.match(label)  # 填报日期：, 联系电话： after the unit on one line
        ):
            cuts.append(m.start(1))
    if len(cuts) == 1:
        return [text] if text else []
    cuts.append(len(text))
    return [part for a, b in zip(cuts, cuts[1:]) if (part := text[a:b].strip())]


# Fields in one cell are set apart by semicolons, or by spaces in Word forms
# (年度资金总额：420.00    其中：财政拨款420.00    其他资金0.00); a space before a number or
# its unit (总额： 420 万元) separates nothing.
_FIELD_SEPARATOR = re.compile(r"\s*[；;]\s*|\s+(?![\d.万元])")
# A field written as label and amount with no colon between (财政拨款420.00), after an
# optional 其中：.
_LABEL_AMOUNT = re.compile(r"^(?:其中\s*[:：]?\s*)?([^\d:：\s]{2,12}?)\s*([-+]?\d[\d,，]*(?:\.\d+)?\s*(?:万元|元)?)$")


def _as_labelled(part: str) -> str:
    """``其中：财政拨款420.00`` → ``财政拨款：420.00``; a part with its own colon unchanged."""
    m = _LABEL_AMOUNT.match(part)
    return f"{m.group(1)}：{m.group(2)}" if m else re.sub(r"^其中\s*[:：]\s*(?=\S+[:：])", "", part)


def _inline_fields(nonempty: list[str]) -> list[str] | None:
    """A label whose value cell lists several labelled fields (项目资金（万元） |
    年度资金总额：230.50；其中财政拨款：230.50；其他资金：0): the label, then one cell per field,
    which the form then reads as labels with their values inline. None for any other row."""
    distinct = list(dict.fromkeys(nonempty))
    if len(distinct) != 2 or label_key(distinct[0])[0] is None:
        return None
    parts = [_as_labelled(p) for p in _FIELD_SEPARATOR.split(distinct[1]) if p]
    if len(parts) < 2 or not all(key is not None and inline for key, inline in map(label_key, parts)):
        return None
    return [distinct[0], *parts]


# A unit cell with its code: 331201天津市科学技术信息研究所, [331201]天津市…, 331201-天津市…
_UNIT_WITH_CODE = re.compile(r"^[\[【(（]?(\d{5,15})[\]】)）]?\s*[-_—:：]?\s*([^\d\s年月日号万亿元个项次人家%％].{1,60})$")


def split_unit(text: str) -> tuple[str, str]:
    """(unit name, unit code) of a unit cell."""
    text = clean_cell(text)
    m = _UNIT_WITH_CODE.match(text)
    if m and "\n" not in text:
        return m.group(2).strip(), m.group(1)
    return text, ""


def title_to_name(title: str) -> str:
    """The project name a table heading gives: ``1.市科技局…运维绩效目标表`` → ``市科技局…运维``."""
    text = clean_cell(title).replace("\n", " ")
    text = re.sub(r"^\s*(?:\d{1,3}\s*[.．、]|[（(]\s*\d{1,3}\s*[)）]|[一二三四五六七八九十]{1,3}\s*[、.．])\s*", "", text)
    # 项目支出绩效目标表 is the form's name; a bare 项目 before it belongs to the name (培训项目).
    text = re.sub(r"(?:项目支出)?(?:绩效目标|绩效目标申报|绩效自评|绩效)(?:表|申报表)\s*$", "", text)
    return text.strip()


# ---------------------------------------------------------------------------
# Interpretation


def join_bounds(low: str, high: str, unit: str) -> str:
    """One value from 目标值下限 | 目标值上限 (| 计量单位) columns (:func:`indicatorqa.values.join_bounds`)."""
    from ..values import join_bounds as join

    return join(low, high, unit)


def join_value(symbol: str, value: str, unit: str, direction: str = "") -> str:
    """One value from split columns: (≥, 20, 家) → '≥20家'; 正向/反向 → ≥/≤.

    Uses :func:`indicatorqa.values.join_value_columns`, the value grammar's own join,
    so that the text reads the way the grammar parses it. The form reader and the flat
    reader both join with it, so a value reads the same in every layout.
    """
    from ..values import join_value_columns

    # 指标方向 (正向/反向) may arrive in the symbol column or a column of its own;
    # join_value_columns reads it in either, a written symbol taking precedence.
    joined = join_value_columns(symbol, value, unit, direction).raw
    if not joined and value.strip():
        # The grammar gave up on this cell: keep the user's text rather than lose it.
        return f"{symbol}{value}{unit}"
    return joined


# "Same as the cell above", typed where a merged cell would be: 同上, 同前, ditto marks.
_DITTO = re.compile(r"^(?:同上|同前|[〃″\"]+)[。.]?$")


def is_ditto(text: str) -> bool:
    """True for a cell that says "same as above" (同上, 〃): it fills down like a blank."""
    return bool(text) and len(text) <= 4 and bool(_DITTO.match(text.strip()))


_LEVEL_JOIN = re.compile(r"^\s*((?:产出|效益|满意度|成本)(?:指标)?)\s*[-—－–/／>＞·、]+\s*(\S{2,14})\s*$")


def _joined_levels(cell: str) -> tuple[str, str] | None:
    """(一级, 二级) of a cell that names both (产出指标-数量指标, 效益/社会效益指标); None otherwise."""
    if not cell or len(cell) > 24:
        return None
    m = _LEVEL_JOIN.match(cell)
    if m and canonical_level2(m.group(2)):
        return m.group(1), m.group(2)
    return None


def filled_levels(level1: str, level2: str, cell1: str, cell2: str) -> tuple[str, str]:
    """The 一级/二级 of a row, filled down from the rows above over merged (empty) cells.

    A new 一级 starts without a 二级: the previous group's 二级 does not carry over.
    A 同上 / 〃 cell is the cell above, as a blank one is."""
    cell1 = "" if is_ditto(cell1) else cell1
    cell2 = "" if is_ditto(cell2) else cell2
    for cell in (cell2, cell1):
        joined = _joined_levels(cell)
        if joined:
            # 产出指标-数量指标 in one column: both levels in one cell.
            cell1, cell2 = joined
            break
    if cell1:
        if cell1 != level1:
            level2 = ""
        level1 = cell1
    if cell2:
        level2 = cell2
    return level1, level2


def _aligned(cells: list[str], width: int, anchor: int) -> list[str]:
    """Cells laid over ``width`` columns when a row has fewer (merged cells dropped).

    Cells up to the name column are read from the left, the rest from the right,
    because the missing cells are the merged ones in between (a name cell spanning
    the description column) while values and their basis stay at the right edge.
    """
    if len(cells) >= width:
        return cells[:width] if all(not c for c in cells[width:]) else cells
    missing = width - len(cells)
    left = cells[: anchor + 1]
    right = cells[anchor + 1 :]
    return left + [""] * missing + right


# Page furniture that a converter (PDF or WPS to Word) leaves in the body between the
# parts of a table broken at a page: a page number (— 1 —, -2-, 第 3 页, 第3页 共5页, 3/5)
# or a continuation mark (续表, （续）, 续上表, 表1（续）). It neither names a table nor
# separates two tables.
_PAGE_MARK = re.compile(
    r"^[\s\-—–－―_~～·•]*"
    r"(?:第\s*\d{1,3}\s*页(?:\s*[,，/／]?\s*共\s*\d{1,3}\s*页)?|\d{1,3}(?:\s*[/／]\s*\d{1,3})?)"
    r"[\s\-—–－―_~～·•]*$"
    r"|^[（(]?\s*续(?:表|上表|前表)?\s*\d{0,3}\s*[)）]?\s*[:：]?$"
    r"|^.{0,60}[（(]\s*续(?:表)?\s*[)）]$"
)


def is_page_mark(text: str) -> bool:
    return bool(_PAGE_MARK.match(text))


def is_page_mark_row(cells: Sequence[str]) -> bool:
    """A row holding only page furniture (第 1 页，共 2 页; - 2 -; 续表), as a PDF-to-Excel
    conversion leaves between the pages of a table: no indicator, and no level for the rows
    below it."""
    texts = {t for t in (clean_cell(c) for c in cells if c) if t}
    return len(texts) == 1 and is_page_mark(next(iter(texts)))


def _is_note_row(cells: list[str]) -> bool:
    """A row under the table that is no indicator: a note or signature row (:func:`is_trailer_row`),
    or, inside an indicator table, any single cell that starts like one or runs long."""
    if is_trailer_row(cells) or is_page_mark_row(cells):
        return True
    nonempty = [c for c in cells if c]
    if len(nonempty) != 1:
        return False
    text = nonempty[0]
    return bool(re.match(r"^(?:注|备注|说明|填报说明|填表说明|填报人|联系人|联系电话|审核人|负责人)", text)) or len(text) > 40


# A note under a table: 注：…, 说明：…, 填表说明…; the colon keeps 说明书印制数量 a name.
_NOTE_START = re.compile(r"^(?:(?:注|备注|说明|附注)\s*\d?\s*[:：]|(?:填报|填表)(?:说明|要求))")
# A signature line: 审核人：  填报人：  联系电话：, with or without the name typed in.
_SIGNATURE = re.compile(
    r"^(?:(?:单位|部门|财务|项目)?负责人|审核人|审批人|复核人|填报人|填表人|制表人|经办人|联系人|联系电话|"
    r"分管领导|(?:填报|填表|制表)(?:日期|时间)|(?:导出|打印)(?:日期|时间)|(?:填报|填表)单位\s*(?:[（(]\s*盖章\s*[)）])?)\s*[:：]"
)


def is_trailer_row(cells: Sequence[str]) -> bool:
    """A note or signature row under a table, never a project or an indicator.

    A note spans the row (one text, in one cell or repeated over a merged range)
    and starts with 注：/说明：/填表说明; a signature line starts with a label such as
    审核人： and at least half of its texts are such labels (the rest the names typed
    after them).
    """
    # Both kinds start with their marker: most rows are decided by the first text alone
    # (this runs on every row of a batch).
    first = next((t for t in (clean_cell(c) for c in cells if c) if t), "")
    if not first or not (_NOTE_START.match(first) or _SIGNATURE.match(first)):
        return False
    texts: list[str] = []
    for c in cells:
        c = clean_cell(c)
        if c and c not in texts:
            texts.append(c)
    if len(texts) == 1 and _NOTE_START.match(texts[0]):
        return True
    labels = sum(1 for t in texts if _SIGNATURE.match(t))
    return bool(_SIGNATURE.match(texts[0])) and labels * 2 >= len(texts)


def interpret_indicators(
    rows: Sequence[Sequence[str]],
    header: IndicatorHeader,
    *,
    file: str | None = None,
    table: int | None = None,
    lines: Sequence[int] | None = None,
) -> list[Indicator]:
    """The indicator rows below ``header``, mapped by header names."""
    from .grid import Continued  # grid imports this module

    cols = header.columns
    width = header.width
    anchor = cols.get("name", 0)
    indicators: list[Indicator] = []
    level1 = level2 = ""

    def get(cells: list[str], fld: str) -> str:
        col = cols.get(fld)
        return cells[col] if col is not None and col < len(cells) else ""

    for i in range(header.index + 1, len(rows)):
        cells = [clean_cell(c) for c in rows[i]]
        if not any(cells) or _is_note_row(cells):
            continue
        if match_header(cells) is not None or _is_subheader(cells) or is_year_row(cells):
            continue  # the header repeated on a new page: same table, go on
        heading = level_heading(cells)
        if heading is not None:
            # 一、产出指标 / （一）数量指标 spanning the table: the level of the rows below.
            if heading[0] == "level1":
                level1, level2 = heading[1], ""
            else:
                level2 = heading[1]
            continue
        merged_name = (
            len(rows[i]) >= width and "name" in cols and cols["name"] < len(rows[i])
            and isinstance(rows[i][cols["name"]], Continued)
        )
        cells = _aligned(cells, width, anchor)
        level1, level2 = filled_levels(level1, level2, get(cells, "level1"), get(cells, "level2"))
        name, description = get(cells, "name"), get(cells, "description")
        if merged_name and not name and indicators:
            # One 三级指标 merged over this row and the one above (two values of one name).
            name = indicators[-1].name
        if "low" in cols or "high" in cols:
            value = join_bounds(get(cells, "low"), get(cells, "high"), get(cells, "unit"))
        elif "operator" in cols or "unit" in cols or "direction" in cols:
            value = join_value(get(cells, "operator"), get(cells, "value"), get(cells, "unit"), get(cells, "direction"))
        else:
            value = get(cells, "value")
        if not (name or description or value):
            continue  # a row that only names a level (or an empty template row)
        indicators.append(
            Indicator(
                level1=level1,
                level2=level2,
                name=name,
                description=description,
                value=value,
                value_basis=get(cells, "basis"),
                source=Source(
                    file=file,
                    table=table,
                    row=len(indicators) + 1,
                    line=lines[i] if lines is not None and i < len(lines) else None,
                ),
            )
        )
    if "level2" not in cols and "description" in cols:
        _names_as_level2(indicators)
    return indicators


_ENUM_LEVEL1 = re.compile(r"^[一二三四五六七八九十]+\s*[、.．]\s*")
_ENUM_LEVEL2 = re.compile(r"^[（(]\s*[一二三四五六七八九十]+\s*[)）]\s*")
_LEVEL1_NAMES = {"产出指标", "效益指标", "满意度指标", "成本指标", "产出", "效益", "满意度", "成本"}


def level_heading(cells: Sequence[str]) -> tuple[str, str] | None:
    """("level1" | "level2", text) for a row that only names a level, written across the
    table as a section heading (一、产出指标, （一）数量指标); None for any other row."""
    texts = list(dict.fromkeys(c for c in cells if c))
    if len(texts) != 1:
        return None
    text = texts[0]
    m1, m2 = _ENUM_LEVEL1.match(text), _ENUM_LEVEL2.match(text)
    rest = text[(m1 or m2).end():] if (m1 or m2) else text
    if not rest or len(rest) > 14 or re.search(r"\d", rest) or not rest.endswith("指标"):
        return None
    level2 = canonical_level2(rest)
    if level2 is None and canonical_level1(rest) is None:
        return None
    if m1 or (not m2 and (level2 is None or rest in _LEVEL1_NAMES)):
        return "level1", rest
    return "level2", rest


def _names_as_level2(indicators: list[Indicator]) -> None:
    """Some county templates head the 二级 column 指标名称 and the 三级 column 指标内容: when
    every name is a 二级 category (数量指标, 社会效益指标) and every row has a description,
    the description is the indicator and the name its level (merged down over rows)."""
    names = [i.name for i in indicators if i.name]
    if not names or not all(i.description for i in indicators):
        return
    if not all(len(n) <= 12 and n.endswith("指标") and canonical_level2(n) for n in names):
        return
    current = ""
    for ind in indicators:
        current = ind.name or current
        ind.level2 = ind.level2 or current
        ind.name, ind.description = ind.description, ""


@dataclass
class FormFields:
    """What the form part above the indicator table says."""

    unit: str = ""
    unit_code: str = ""
    name: str = ""
    code: str = ""
    budget: float | None = None
    budget_fiscal: float | None = None
    budget_other: float | None = None
    use_of_funds: str = ""
    spending_plan: list[SpendingPlanEntry] = field(default_factory=list)
    goals_text: str = ""
    title: str = ""


# Multi-year projects (the central 中期 template, 实施期 in local ones) give the whole
# period and this year side by side: 中期资金总额 | … | 年度资金总额 | …, and the rows
# below (其中：财政拨款, the goal texts) repeat that split in the same columns.
_WHOLE_PERIOD = re.compile(r"^(?:中期|实施期)")
_THIS_YEAR = re.compile(r"^(?:年度|本年度?|当年)")


def _whole_period_columns(cells: list[str]) -> set[int]:
    """Columns of a row that speak of the whole multi-year period, not of this year.

    Only a row that names both periods splits: a 中期 cell opens a span that runs to
    the next period cell (or the row's end). A form with 年度 labels alone, or with
    中期 alone, has nothing to set aside.
    """
    marks: list[tuple[int, bool]] = []
    for i, cell in enumerate(cells):
        if not cell:
            continue
        label = normalize_label(cell)
        if _WHOLE_PERIOD.match(label):
            marks.append((i, True))
        elif _THIS_YEAR.match(label):
            marks.append((i, False))
    if not any(whole for _i, whole in marks) or all(whole for _i, whole in marks):
        return set()
    drop: set[int] = set()
    for k, (i, whole) in enumerate(marks):
        if whole:
            stop = marks[k + 1][0] if k + 1 < len(marks) else len(cells)
            drop.update(range(i, stop))
    return drop


def _is_supervisor_label(label: str) -> bool:
    """主管部门 / 主管单位: the department above the unit, not the unit whose table it is."""
    return "主管" in normalize_label(label)


def _value_after(cells: list[str], i: int) -> int | None:
    """The column of the value of label ``cells[i]``: the next non-empty cell, if not a label.

    Layouts leave blank spacer columns between a label and its value (上海: 项目名称 | |
    value); a label or a money note in that place means the field was left empty.
    """
    for j in range(i + 1, len(cells)):
        cell = cells[j]
        if not cell:
            continue
        if label_key(cell)[0] is not None or money_unit_factor(cell) is not None:
            return None
        if re.match(r"^(?:其中[:：]?)$", normalize_label(cell)):
            return None
        return j
    return None


def _is_period(text: str) -> bool:
    return bool(re.search(r"\d{1,2}\s*月|季度|年底|年末|上半年|下半年|全年", text)) and len(text) <= 12


def read_form_fields(rows: Sequence[Sequence[str]], preamble: Sequence[str] = ()) -> FormFields:
    """Read the labelled fields of the form part (rows above the indicator header)."""
    form = FormFields()
    factor = 1.0
    amounts: dict[str, str] = {}
    amount_factor: dict[str, float] = {}
    use_parts: list[str] = []
    goal_parts: list[str] = []
    plan_rows: list[list[str]] = []
    group: str | None = None
    # Amount column headings (合计 | 财政资金 | 其他资金) of the row above, awaiting their amounts.
    pending: dict[int, str] = {}
    # Columns of the 中期 half of a 中期 | 年度 split, for the rows the split spans.
    whole_period: set[int] = set()
    # The unit came from 主管部门: a 实施单位 / 项目单位 / 预算单位 given too replaces it.
    unit_is_supervisor = False

    def set_scalar(key: str, value: str, label: str = "") -> None:
        nonlocal unit_is_supervisor
        value = clean_cell(value)
        if not value:
            return
        if key == "unit":
            supervisor = _is_supervisor_label(label)
            if form.unit and not (unit_is_supervisor and not supervisor):
                return
            if money_unit_factor("单位：" + value) is not None:
                return  # 单位：万元 is the money unit, not the organisation
            replacing = bool(form.unit)
            form.unit, code = split_unit(value)
            # The department's code is not the unit's: keep only a code given with the unit.
            form.unit_code = code if replacing else (form.unit_code or code)
            unit_is_supervisor = supervisor
        elif key == "name" and not form.name:
            form.name = value
        elif key == "code" and not form.code:
            form.code = value
        elif key in _AMOUNT_LABELS and key not in amounts and (
            parse_amount(value) is not None or (value := _leading_amount(value)) is not None
        ):
            # Only an amount fills the field: the cell right of 项目资金 may be a
            # sub-label (中期资金总额, 合计) with the amount further on or below.
            amounts[key] = value
            # 资金总额（元）: the label's own money unit counts for its amount.
            own = label_money_factor(label)
            if own is not None:
                amount_factor[key] = own

    for text in (part for line in preamble for part in labelled_parts(line)):
        note = money_unit_factor(text)
        if note is not None:
            factor = note
            continue
        key, inline = label_key(text)
        if key in ("unit", "name", "code") and inline:
            set_scalar(key, inline, text)

    for row in rows:
        cells = [clean_cell(c) for c in row]
        if not any(cells):
            continue
        nonempty = [c for c in cells if c]
        if len(nonempty) == 1 and len(parts := labelled_parts(nonempty[0])) > 1:
            cells = nonempty = parts  # 填报单位：X    金额单位：元 in one cell across the form
        elif parts := _inline_fields(nonempty):
            cells = nonempty = parts  # 项目资金 | 年度资金总额：230.50；其中财政拨款：230.50；…
        if not form.title and len(nonempty) == 1 and re.search(r"绩效(?:目标|自评)\S*表", nonempty[0]):
            form.title = nonempty[0]
            continue
        first_key, _ = label_key(cells[0]) if cells[0] else (None, "")
        if cells[0]:
            # A blank first cell continues the label above (a vertically merged cell).
            group = first_key if first_key in _GROUP_LABELS else None
            whole_period = _whole_period_columns(cells)
        elif not whole_period:
            whole_period = _whole_period_columns(cells)
        if whole_period:
            # The budget, fiscal share and goals of the table are this year's: the 中期
            # columns beside them would otherwise fill the fields first.
            cells = ["" if i in whole_period else c for i, c in enumerate(cells)]
        consumed: set[int] = set()
        money_note_in_row = False
        for i, key in pending.items():
            if i < len(cells) and cells[i] and parse_amount(cells[i]) is not None:
                set_scalar(key, cells[i])
                consumed.add(i)
        pending = _amount_heads(cells) if not consumed else {}
        for i, cell in enumerate(cells):
            if not cell or i in consumed:
                continue
            note = money_unit_factor(cell)
            if note is not None:
                factor = note
                consumed.add(i)
                money_note_in_row = True
                continue
            key, inline = label_key(cell)
            if key is None:
                if re.match(r"^(?:其中[:：]?)$", normalize_label(cell)):
                    consumed.add(i)
                continue
            consumed.add(i)
            if key in _SCALAR_LABELS:
                if inline:
                    set_scalar(key, inline, cell)
                elif (j := _value_after(cells, i)) is not None:
                    set_scalar(key, cells[j], cell)
                    consumed.add(j)
            elif key in _GROUP_LABELS:
                if i != 0:
                    group = key
                if inline and key == "use":
                    use_parts.append(inline)
                elif inline and key == "goals":
                    goal_parts.append(inline)
        rest = [c for i, c in enumerate(cells) if c and i not in consumed]
        if not form.unit:
            for c in rest:
                unit, code = split_unit(c)
                if code:
                    form.unit, form.unit_code = unit, code
                    rest.remove(c)
                    break
            else:
                # Beside the money note (单位：万元) the form prints the unit's name.
                if money_note_in_row and len(rest) == 1 and group is None:
                    form.unit, form.unit_code = split_unit(rest[0])
                    rest = []
        if group == "use":
            use_parts.extend(rest)
        elif group == "goals":
            goal_parts.extend(rest)
        elif group == "plan":
            plan_rows.append(cells)

    form.budget = parse_amount(amounts.get("total", ""), amount_factor.get("total", factor))
    form.budget_fiscal = parse_amount(amounts.get("fiscal", ""), amount_factor.get("fiscal", factor))
    form.budget_other = parse_amount(amounts.get("other", ""), amount_factor.get("other", factor))
    form.use_of_funds = "\n".join(use_parts)
    form.goals_text = "\n".join(goal_parts)
    form.spending_plan = _spending_plan(plan_rows)
    return form


_YEAR_HEAD = re.compile(r"^(?:其中\s*[:：]?\s*)?(?:19|20)\d{2}\s*年度?(?:预算|资金)?$")


def _amount_heads(cells: list[str]) -> dict[int, str]:
    """Columns of a row that head amounts given in the row below: {column: amount key}.

    A row qualifies when none of its amount labels has an amount beside it
    (预算金额 | 合计 | 财政资金 | 其他资金, the amounts on the next row).
    """
    heads: dict[int, str] = {}
    # Years head amounts only in a row that lists them (2025年 | 2026年 | 2027年), not in a
    # 预算年度 | 2025年 row.
    years = sum(1 for c in cells if c and _YEAR_HEAD.match(clean_cell(c))) >= 2
    for i, cell in enumerate(cells):
        if not cell:
            continue
        if normalize_label(cell) in _SUBTOTAL_HEADS:
            heads[i] = "total"
            continue
        if years and _YEAR_HEAD.match(clean_cell(cell)):
            # 中期资金总额 | 其中：2025年 | 2026年 | 2027年: the first year's amount is this year's
            # budget (the 中期 total is the whole period's, as in a 中期 | 年度 form).
            if not any(v == "total" for v in heads.values()):
                heads[i] = "total"
            continue
        key, inline = label_key(cell)
        if key in _AMOUNT_LABELS and not inline:
            heads[i] = key
        elif parse_amount(cell) is not None:
            return {}  # an amount in the row itself: an ordinary label | value row
    return heads


def _spending_plan(plan_rows: list[list[str]]) -> list[SpendingPlanEntry]:
    """Periods from the row that names them (3月底 …), values from the row below, by position."""
    for r, cells in enumerate(plan_rows):
        periods = {i: c for i, c in enumerate(cells) if c and _is_period(c)}
        if len(periods) < 1:
            continue
        values_row = plan_rows[r + 1] if r + 1 < len(plan_rows) else []
        texts = [values_row[i] if i < len(values_row) else "" for i in periods]
        percents = parse_percent_cells(texts)
        return [
            SpendingPlanEntry(period=period, percent=pct, text=text)
            for (period, text, pct) in zip(periods.values(), texts, percents)
        ]
    return []


def interpret_form(
    rows: list[list[str]],
    *,
    title: str = "",
    file: str | None = None,
    table: int | None = None,
    lines: list[int] | None = None,
    preamble: list[str] | None = None,
) -> Project:
    """Turn the grid of one 绩效目标表 into a :class:`Project` of kind ``target``.

    ``rows`` are the table's rows of cell texts (horizontally merged cells given
    once; vertically merged cells repeated or blank); ``lines[i]`` is the source
    line or sheet row of ``rows[i]``; ``preamble`` holds text above the table other
    than the title (``单位名称：…``, ``单位：万元``). Raises :class:`InputError` when
    no indicator header is found.
    """
    def line_of(i: int) -> int | None:
        return lines[i] if lines is not None and 0 <= i < len(lines) else None

    header = find_indicator_header(rows)
    if header is None:
        first = line_of(0)
        raise InputError(
            "没有找到指标表表头：需要一行列名，至少包含 三级指标（或 指标名称）和 指标值（或 目标值），"
            "通常还有 一级指标、二级指标、绩效指标描述",
            file,
            first,
        )
    first_header_row = header.index
    while first_header_row > 0 and _is_subheader(rows[first_header_row]) and match_header(rows[first_header_row - 1]):
        first_header_row -= 1
    form = read_form_fields(rows[:first_header_row], preamble or ())
    title = clean_cell(title) or form.title
    indicators = interpret_indicators(rows, header, file=file, table=table, lines=lines)

    name = form.name or title_to_name(title)
    goals = split_goals(form.goals_text)
    # The title and the project name are where a year is stated on purpose.
    year_title = "\n".join(t for t in (title, form.name) if t)
    year_texts = [form.use_of_funds, form.goals_text] + [f"{i.name} {i.description}" for i in indicators]
    year_texts += [p for p in (preamble or ()) if len(p) <= 40]
    budget_year, evidence = infer_budget_year(year_title, year_texts, [i.value for i in indicators])

    return Project(
        kind="target",
        unit=form.unit,
        unit_code=form.unit_code,
        name=name,
        code=form.code,
        title=title,
        budget=form.budget,
        budget_fiscal=form.budget_fiscal,
        budget_other=form.budget_other,
        use_of_funds=form.use_of_funds,
        spending_plan=form.spending_plan,
        goals=goals,
        budget_year=budget_year,
        budget_year_evidence=evidence,
        source=Source(file=file, table=table, line=line_of(0)),
        indicators=indicators,
    )
