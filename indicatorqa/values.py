"""The value grammar: read a 指标值 (indicator target value) into a :class:`ParsedValue`.

    >>> v = parse_value("≥95百分比")
    >>> v.kind, v.direction, v.number, v.unit, v.normalized
    ('percent', '≥', 95.0, '%', '≥95%')

The grammar is context-free: it reads the value text alone, never the indicator's name
or level, so that every check sees the same reading. Deciding whether a reading is
*good* (vague, wrong direction, wrong kind for the 二级指标) is the checks' job.

Kinds (``ParsedValue.kind``)
----------------------------
``count``        a quantity of things in a unit that is not money, a percent or time:
                 ``≥20家``, ``450人次``, ``≥4831平方米``, ``≥50万人次``.
``amount``       money: ``≤493万元``, ``≥1900亿元``, and money per unit ``≤800元/人·月``
                 (``per`` is set then).
``percent``      ``≥95%``, ``≥95百分比``, ``≤3‰``, ``提高2个百分点``; ``per`` is set for ``年均≥5%``.
                 A change target in words reads as the percentage it names: ``零增长`` is
                 ``≤0%``, ``负增长`` ``<0%`` (trend up).
``duration``     a length of time: ``≤10个工作日``, ``≤3个月``, ``≥200天``, ``≥30万小时``.
``rate``         a non-money, non-percent quantity per period or per head: ``≥3篇/月``
                 (unit 篇, per 月), ``每年≥2次``, ``≥2次/人``.
``date``         a date, deadline or period: ``2025年12月31日前`` (≤ 2025-12-31), ``年底前``,
                 ``12月``, ``2022年12月``, ``2023.07-2024.01`` (range), ``上半年``.
``number``       a number with no unit (or with only a magnitude such as 万): ``≤6``, ``2``,
                 ``≤15万``; always flagged ``missing_unit``.
``qualitative``  text with no checkable number or date: ``提升``, ``满意``, prose; a graded
                 standard sets ``grade`` (``优``, ``良好及以上``, ``高``, water classes
                 ``Ⅲ类``/``稳定达到Ⅳ类``, discharge classes ``一级A标准``).
``boolean``      a yes/no answer: ``是``, ``否``, ``有``, ``无``, ``√``, ``×``.
``empty``        nothing, or only a dash or slash.

A range is not a kind: ``80%-90%`` is a percent with ``direction == "range"``,
``number == 80`` and ``number_high == 90``; a date range sets ``date`` and ``date_high``.

Numbers and units
-----------------
``number`` is the number as written, in the unit as written: ``5万人次`` gives number 5,
unit ``万人次``, ``multiplier`` 10000 and ``base_unit`` ``人次`` (so ``base_number`` is 50000).
Money keeps its unit the same way (``万元``, ``亿元``); :attr:`ParsedValue.amount_in_wan_yuan`
converts to 万元, the unit budgets are stated in. Chinese numerals are read (三次, 十二个,
两场, 一万二千人); a trailing 万/亿 of a Chinese numeral goes to the unit like that of a
digit (五万人次 = 5 万人次). An alternative unit in brackets after a unit of the same
class is part of it (``≥120万头(羽)`` reads 万头). A per after ``/`` may be a head that is
no unit (``元/生·年``: per student and year). Units are canonicalised (百分比 → %, 工作日 → 个工作日,
日 → 天, 平米 → 平方米); unknown units directly after a number are kept as written and
flagged ``unknown_unit``.

Dates
-----
``date`` is a :class:`DatePoint` with year, month and day each optional: a missing year
means the budget year (年底前 → ``DatePoint(None, 12, 31)``), a missing day or month
means the whole month or year. Deadline words set ``direction``: 前/之前/以内/截至 give
``≤`` (by that date, its last day included: ``2025年12月前`` means by the end of December),
后/之后/起 give ``≥``, 早于 ``<``. ``qualifier`` keeps the word that did it.

Text around the value
---------------------
A value may name what it counts before the number (``对接企业数量不少于100家``: ``subject``
对接企业数量) and carry a few letters after its unit (``≥3个省份``: ``remainder`` 省份).
Longer text (over :data:`MAX_SUBJECT_CHARS` before, :data:`MAX_REMAINDER_CHARS` after),
clause punctuation, or a number tied by 的 to a noun after it (``低于2022年初的预算``) make
the value prose: kind ``qualitative``, flagged ``numbers_in_prose``. A Chinese numeral
counts only with a known unit, no text after it, and text before it only ahead of a
direction word (三次, 对接次数不少于两次; not 一带一路, 五位一体).
Qualitative text keeps a ``direction`` when it opens with one (``不超过预算资金`` → ≤) and a
``trend`` when it names a change (提升 → up, 降低 → down); a quantity takes the trend of
its subject (``提升20%`` → up).

Flags
-----
``flags`` holds facts a later rule needs, named by the ``FLAG_*`` constants:
``redundant_direction`` (``≥2不少于2次``, ``≥90%以上``), ``repeated_number`` (the number
written twice), ``contradictory`` (directions or numbers that disagree), ``stray_dot``
(``19574.亿元``), ``missing_unit``, ``unknown_unit``, ``percent_out_of_range`` (a % above
100 or below 0, a ‰ above 1000), ``negative``, ``approximate`` (约, 左右, 余), ``placeholder``
(``≥**人``, ``XX%``, ``【待填】``), ``possible_date_serial`` (a bare integer that looks like
an Excel date serial), ``excel_date_serial`` / ``excel_percent`` (set by :func:`from_cell`),
``invalid_date`` (``2025年2月30日``), ``inverted_range`` (``90-80%``), ``numbers_in_prose``
(qualitative text that contains numbers), ``multiple_values`` (``≥3篇，≥100人次``: the
first is read), ``remark`` (a bracketed remark after the target, ``≥90%（抽样调查）``: the
target is read, the remark kept in ``remainder``), ``internal_error`` (a bug in this module;
never expected).

Guarantees
----------
:func:`parse_value` is pure and never raises, for any ``str`` (other inputs are converted
with ``str()``, ``None`` is empty): a bug inside the grammar is turned into a qualitative
reading flagged ``internal_error`` rather than an exception in the middle of a batch. It
runs in time linear in the text length (no backtracking regular expressions; at most
:data:`MAX_CANDIDATES` numbers are tried). Results are cached, so calling it again for
the same text is cheap.

The word lists (directions, units, date words, grades, yes/no words) are data, in
``indicatorqa/data/value_grammar.toml``.
"""

from __future__ import annotations

import calendar
import datetime as dt
import math
import re
import tomllib
import unicodedata
from dataclasses import dataclass, field, replace
from functools import lru_cache
from importlib import resources
from typing import Literal, get_args

__all__ = [
    "Kind",
    "Direction",
    "KINDS",
    "QUANTITY_KINDS",
    "FLAGS",
    "DatePoint",
    "ParsedValue",
    "parse_value",
    "from_cell",
    "join_value_columns",
]

Kind = Literal["count", "amount", "percent", "duration", "rate", "date", "number", "qualitative", "boolean", "empty"]
Direction = Literal["≥", "≤", ">", "<", "=", "range"]
KINDS: frozenset[str] = frozenset(get_args(Kind))
# Kinds that carry a number (possibly None when a placeholder stands in for it).
QUANTITY_KINDS: frozenset[str] = frozenset({"count", "amount", "percent", "duration", "rate", "number"})

FLAG_REDUNDANT_DIRECTION = "redundant_direction"
FLAG_REPEATED_NUMBER = "repeated_number"
FLAG_CONTRADICTORY = "contradictory"
FLAG_STRAY_DOT = "stray_dot"
FLAG_MISSING_UNIT = "missing_unit"
FLAG_UNKNOWN_UNIT = "unknown_unit"
FLAG_PERCENT_OUT_OF_RANGE = "percent_out_of_range"
FLAG_NEGATIVE = "negative"
FLAG_APPROXIMATE = "approximate"
FLAG_PLACEHOLDER = "placeholder"
FLAG_POSSIBLE_DATE_SERIAL = "possible_date_serial"
FLAG_EXCEL_DATE_SERIAL = "excel_date_serial"
FLAG_EXCEL_PERCENT = "excel_percent"
FLAG_INVALID_DATE = "invalid_date"
FLAG_INVERTED_RANGE = "inverted_range"
FLAG_NUMBERS_IN_PROSE = "numbers_in_prose"
FLAG_MULTIPLE_VALUES = "multiple_values"
FLAG_INTERNAL_ERROR = "internal_error"
FLAG_REMARK = "remark"  # a bracketed remark after the target, kept in ``remainder``
FLAGS: frozenset[str] = frozenset(v for k, v in dict(globals()).items() if k.startswith("FLAG_"))

# How many numbers or dates in one text are tried as the value before the text is
# taken for prose: keeps the parse linear on long text full of numbers.
MAX_CANDIDATES = 8
# Text before the value that may still be read as naming what it counts
# (对接企业数量不少于100家); longer text makes the value prose.
MAX_SUBJECT_CHARS = 20
# Text after the value and its unit that may be ignored (≥3个省份, …前完成验收).
MAX_REMAINDER_CHARS = 6
# Excel's 1900 date system: serial 1 is 1900-01-01, and the system counts a 29 Feb 1900
# that never was, so from March 1900 on serial n is 1899-12-30 + n days.
_EXCEL_EPOCH = dt.date(1899, 12, 30)
# Bare integers in this range look like Excel date serials of 2000-01-01 … 2050-12-31.
_SERIAL_RANGE = (36526, 55153)
# Results for texts up to this length are cached.
_CACHE_MAX_CHARS = 1000


# --------------------------------------------------------------------------- word lists


def _load_grammar() -> dict:
    text = resources.files("indicatorqa").joinpath("data/value_grammar.toml").read_text(encoding="utf-8")
    return tomllib.loads(text)


_G = _load_grammar()


class _Words:
    """A word list, each word optionally tagged (大于等于 → ≥), matched longest word first.

    Matching at a position runs in C through one compiled alternation of the words,
    longest first, so that 大于等于 wins over 大于 and 万元 over 万; this is what keeps
    a 100k-character cell well under a second.
    """

    __slots__ = ("pairs", "words", "_tags", "_pattern")

    def __init__(self, pairs) -> None:
        tags: dict[str, str] = {}
        for word, tag in pairs:
            tags.setdefault(word, tag)
        self.pairs = tuple(sorted(tags.items(), key=lambda p: (-len(p[0]), p[0])))
        self.words = tuple(w for w, _ in self.pairs)
        self._tags = tags
        self._pattern = re.compile("|".join(map(re.escape, self.words)) or "(?!)")

    @classmethod
    def plain(cls, words) -> _Words:
        return cls((w, "") for w in words)

    @classmethod
    def tagged(cls, mapping: dict[str, list[str]]) -> _Words:
        """From {tag: [words]}: {"≥": ["不少于", "至少"]}."""
        return cls((w, tag) for tag, words in mapping.items() for w in words)

    def at(self, s: str, pos: int) -> str | None:
        m = self._pattern.match(s, pos)
        return m.group() if m else None

    def tagged_at(self, s: str, pos: int) -> tuple[str, str] | None:
        m = self._pattern.match(s, pos)
        return (m.group(), self._tags[m.group()]) if m else None

    def ending(self, s: str) -> str | None:
        """The longest word that ``s`` ends with."""
        for w in self.words:
            if s.endswith(w):
                return w
        return None

    def tagged_ending(self, s: str) -> tuple[str, str] | None:
        w = self.ending(s)
        return (w, self._tags[w]) if w is not None else None

    def __contains__(self, word: object) -> bool:
        return word in self._tags

    def __iter__(self):
        return iter(self.words)


_DIR_PREFIX = _Words.tagged(_G["directions"]["prefix"])
_DIR_SOFT_PREFIX = _Words.tagged(_G["directions"]["soft_prefix"])
_DIR_SUFFIX = _Words.tagged(_G["directions"]["suffix"])
_DATE_SUFFIX = _Words.tagged(_G["directions"]["date_suffix"])
_APPROX_PREFIX = _Words.plain(_G["directions"]["approx_prefix"])
_APPROX_AFTER_NUMBER = _Words.plain(_G["directions"]["approx_after_number"])
_APPROX_SUFFIX = _Words.plain(_G["directions"]["approx_suffix"])
_NEUTRAL_PREFIX = _Words.plain(_G["directions"]["neutral_prefix"])
_FILLER_SUFFIX = _Words.plain(_G["directions"]["filler_suffix"])
_RANGE_SEPARATORS = _Words.plain(_G["directions"]["range_separators"])
_PER_PREFIX = _Words.tagged(_G["per"]["prefix"])
_PERIODS = frozenset(_G["per"]["periods"])
_PER_HEADS = _Words.plain(_G["per"].get("heads", ()))

# surface → (canonical, class); the class is percent, money, time or count.
_UNITS: dict[str, tuple[str, str]] = {}
for _cls in ("count", "time", "money", "percent"):
    for _surface, _canonical in _G["units"][_cls].items():
        _UNITS[_surface] = (_canonical, _cls)
_UNIT_CLASS_OF_CANONICAL = {canon: cls for canon, cls in _UNITS.values()}
_UNIT_SURFACES = _Words.plain(_UNITS)
_MAGNITUDES: dict[str, float] = {k: float(v) for k, v in _G["magnitudes"].items()}
_MAGNITUDE_WORDS = _Words.plain(_MAGNITUDES)

_RELATIVE_DATES: dict[str, tuple[int, int | None]] = {
    w: (md[0], md[1] if len(md) > 1 else None) for w, md in _G["dates"]["relative"].items()
}
_WHOLE_YEAR = _Words.plain(_G["dates"]["whole_year"])
_HALF_YEARS = {w: (tuple(a), tuple(b)) for w, (a, b) in _G["dates"]["half_years"].items()}
_HALF_YEAR_WORDS = _Words.plain(_HALF_YEARS)
_MONTH_PARTS = _G["dates"]["month_part"]
_MONTH_PART_WORDS = _Words.plain(_MONTH_PARTS)

_GRADES = frozenset(w for scale in _G["grades"]["scales"] for w in scale)
_GRADE_AFTER = _Words.plain(_G["grades"]["after"])
_GRADE_BEFORE = _Words.plain(_G["grades"].get("before", ()))
_CHANGE_TARGETS: dict[str, str] = dict(_G.get("change_targets", {}))

_TRUE_WORDS = frozenset(_G["boolean"]["true"])
_FALSE_WORDS = frozenset(_G["boolean"]["false"])
_EMPTY_MARKERS = frozenset(_G["empty"]["markers"])
_PLACEHOLDERS = _Words.plain(_G["placeholders"]["markers"])
_TREND_UP = _Words.plain(_G["trend"]["up"])
_TREND_DOWN = _Words.plain(_G["trend"]["down"])

# Every word that may open the text after a number: such a word is never the start of
# an unknown unit (≥100箱以上: 箱 is a unit, 以上 is not).
_AFTER_NUMBER_WORDS = _Words.plain(
    word
    for words in (_DIR_SUFFIX, _DATE_SUFFIX, _APPROX_SUFFIX, _FILLER_SUFFIX, _RANGE_SEPARATORS, _DIR_PREFIX, _DIR_SOFT_PREFIX)
    for word in words
)


# --------------------------------------------------------------------------- results


@dataclass(frozen=True, slots=True)
class DatePoint:
    """A date as precise as the text: any of year, month, day may be missing.

    A missing year means the budget year (年底前, 12月). A missing month means the whole
    year, a missing day the whole month: :meth:`start` and :meth:`end` give the first and
    the last day covered.
    """

    year: int | None = None
    month: int | None = None
    day: int | None = None

    def start(self, budget_year: int | None = None) -> dt.date | None:
        year = self.year if self.year is not None else budget_year
        if year is None:
            return None
        return dt.date(year, self.month or 1, self.day or 1)

    def end(self, budget_year: int | None = None) -> dt.date | None:
        year = self.year if self.year is not None else budget_year
        if year is None:
            return None
        month = self.month or 12
        day = self.day or calendar.monthrange(year, month)[1]
        return dt.date(year, month, day)

    @property
    def precision(self) -> Literal["day", "month", "year"]:
        return "day" if self.day else "month" if self.month else "year"

    def __str__(self) -> str:
        """ISO-like text; ``*`` stands for the budget year: 2025-12-31, 2022-12, *-12-31."""
        parts = [f"{self.year:04d}" if self.year is not None else "*"]
        if self.month is not None:
            parts.append(f"{self.month:02d}")
            if self.day is not None:
                parts.append(f"{self.day:02d}")
        return "-".join(parts)

    def chinese(self) -> str:
        """2025年12月31日, 2022年12月, 12月31日 (a missing year is left out)."""
        text = f"{self.year}年" if self.year is not None else ""
        if self.month is not None:
            text += f"{self.month}月"
            if self.day is not None:
                text += f"{self.day}日"
        return text or "年内"


@dataclass(frozen=True, slots=True)
class ParsedValue:
    """What one 指标值 says. See the module documentation for the meaning of each kind."""

    raw: str
    kind: Kind
    direction: Direction | None = None
    number: float | None = None
    number_high: float | None = None  # the upper bound of a range
    unit: str | None = None  # canonical, magnitude included: %, 万元, 万人次, 个工作日
    multiplier: float = 1.0  # the magnitude folded into unit: 1e4 for 万人次
    base_unit: str | None = None  # unit without its magnitude: 人次, 元
    per: str | None = None  # the denominator of a rate: 月 in ≥3篇/月, 人·月 in 元/人·月
    date: DatePoint | None = None
    date_high: DatePoint | None = None  # the end of a date range
    qualifier: str | None = None  # the deadline word as written: 前, 之前, 以内, 起
    grade: str | None = None  # a graded standard: 优, 良好, 高, 合格
    boolean: bool | None = None
    trend: Literal["up", "down"] | None = None  # qualitative 提升 / 降低
    subject: str = ""  # text before the value naming what it counts: 对接企业数量
    remainder: str = ""  # short text after the value that was not read
    flags: frozenset[str] = frozenset()
    normalized: str = ""  # canonical text for display and dedup: ≥95%, 2025年12月31日前

    @property
    def text(self) -> str:
        """The raw text with whitespace runs collapsed."""
        return " ".join(self.raw.split())

    @property
    def is_quantified(self) -> bool:
        """True when the value states a number, a date, a grade or a yes/no answer."""
        return (
            self.number is not None
            or self.date is not None
            or self.grade is not None
            or self.boolean is not None
        )

    @property
    def full_unit(self) -> str | None:
        if self.unit and self.per:
            return f"{self.unit}/{self.per}"
        return self.unit

    @property
    def base_number(self) -> float | None:
        """The number in ``base_unit``: 5万人次 → 50000."""
        return None if self.number is None else self.number * self.multiplier

    @property
    def base_number_high(self) -> float | None:
        return None if self.number_high is None else self.number_high * self.multiplier

    @property
    def amount_in_wan_yuan(self) -> float | None:
        """An amount of 元 in 万元 (the unit of budgets): ≤18万元 → 18, ≥1900亿元 → 19000000."""
        if self.kind != "amount" or self.base_unit != "元" or self.number is None:
            return None
        return self.number * self.multiplier / 10000.0

    def to_dict(self) -> dict:
        """JSON-ready fields (dates as their ISO-like text, flags sorted)."""
        return {
            "raw": self.raw,
            "kind": self.kind,
            "direction": self.direction,
            "number": self.number,
            "number_high": self.number_high,
            "unit": self.unit,
            "multiplier": self.multiplier,
            "base_unit": self.base_unit,
            "per": self.per,
            "date": str(self.date) if self.date else None,
            "date_high": str(self.date_high) if self.date_high else None,
            "qualifier": self.qualifier,
            "grade": self.grade,
            "boolean": self.boolean,
            "trend": self.trend,
            "subject": self.subject,
            "remainder": self.remainder,
            "flags": sorted(self.flags),
            "normalized": self.normalized,
        }


# --------------------------------------------------------------------------- cleaning

_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad\u180e"), None)
# Middle dots of 人·月 come in many code points.
_DOTS = str.maketrans({c: "·" for c in "・•‧∙⋅･"})
_EDGE_PUNCTUATION = "。.,;:!?、\"'“”‘’「」『』"


# The time of day that spreadsheets append to a date (2025-12-31 00:00:00); it would
# run into the date once whitespace is gone.
_DATE_TIME = re.compile(
    r"((?:19|20)[0-9]{2}[-/.][0-9]{1,2}[-/.][0-9]{1,2})(?:T|\s)+[0-9]{1,2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]{1,6})?)?"
)


# Dates written in Chinese numerals (二〇二五年十二月三十一日) are read like 2025年12月31日.
_CHINESE_YEAR = re.compile("[〇零一二三四五六七八九]{4}(?=年)")
_CHINESE_YEAR_DIGITS = str.maketrans("〇零一二三四五六七八九", "00123456789")
_CHINESE_MONTH_DAY = re.compile("(?<=[年月])[一二三四五六七八九十]{1,3}(?=[月日号])")


def _arabic_month_day(m: re.Match) -> str:
    value = _chinese_number(m.group())
    return str(int(value)) if value is not None else m.group()


def _compact(text: str) -> str:
    """NFKC, no whitespace at all (Chinese needs none), no surrounding punctuation."""
    s = unicodedata.normalize("NFKC", text).translate(_INVISIBLE).translate(_DOTS)
    if ":" in s:
        s = _DATE_TIME.sub(r"\1", s)
    if "年" in s:
        s = _CHINESE_YEAR.sub(lambda m: m.group().translate(_CHINESE_YEAR_DIGITS), s)
        s = _CHINESE_MONTH_DAY.sub(_arabic_month_day, s)
    s = "".join(s.split())
    if s in _EMPTY_MARKERS:
        return s
    return s.strip(_EDGE_PUNCTUATION)


def _fmt(x: float | None) -> str:
    """A number as people write it: 95, 16079.43, 0.2 (no 95.0, no exponent)."""
    if x is None:
        return "【待填】"
    if not math.isfinite(x):
        return str(x)
    if x == int(x) and abs(x) < 1e16:
        return str(int(x))
    return f"{x:.10f}".rstrip("0").rstrip(".")


# --------------------------------------------------------------------------- numbers

# The thousands groups are bounded so that a long run of "1,000,000,…" cannot make the
# match backtrack over the whole text at every position.
_ARABIC = re.compile(r"[0-9]{1,3}(?:,[0-9]{3}){1,5}(?:\.[0-9]+)?(?![0-9,])|[0-9]+(?:\.[0-9]+)?|\.[0-9]+")
_CN_DIGITS = {
    "零": 0, "〇": 0, "一": 1, "壹": 1, "二": 2, "贰": 2, "两": 2, "三": 3, "叁": 3, "四": 4, "肆": 4,
    "五": 5, "伍": 5, "六": 6, "陆": 6, "七": 7, "柒": 7, "八": 8, "捌": 8, "九": 9, "玖": 9,
}
_CN_SMALL = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000}
_CN_BIG = {"万": 10_000, "亿": 100_000_000}
_CN_RUN = re.compile("[" + "".join(_CN_DIGITS) + "".join(_CN_SMALL) + "".join(_CN_BIG) + "]{1,16}")
# A Chinese numeral starts with a digit or with 十 (十二 = 12); 百分之, 千万, 万元 do not.
_CN_START = frozenset(_CN_DIGITS) | {"十", "拾"}
_MAX_DIGITS = 15  # longer digit runs are codes or junk, not targets


def _chinese_number(run: str) -> float | None:
    """十二 → 12, 两 → 2, 一万二千 → 12000, 二〇二五 → 2025; None when it is no numeral."""
    if all(c in _CN_DIGITS for c in run):
        if len(run) == 1 or len(run) == 4:  # a digit, or a year written digit by digit
            return float("".join(str(_CN_DIGITS[c]) for c in run))
        return None
    total = section = 0
    digit: int | None = None
    previous = ""
    for c in run:
        if c in _CN_DIGITS:
            if previous in _CN_DIGITS and previous not in "零〇":
                return None  # 十四五, 一一: not a numeral
            digit = _CN_DIGITS[c]
        elif c in _CN_SMALL:
            if previous in _CN_SMALL:
                return None
            section += (digit if digit is not None else 1) * _CN_SMALL[c]
            digit = None
        else:
            big = _CN_BIG[c]
            section += digit or 0
            if big > 10_000:
                total = (total + section) * big
            else:
                total += section * big
            section, digit = 0, None
        previous = c
    return float(total + section + (digit or 0))


@dataclass
class _Number:
    value: float | None  # None for a placeholder
    end: int
    chinese: bool = False
    stray_dot: bool = False
    magnitude: str = ""  # a trailing 万/亿 of a Chinese numeral, handed to the unit
    placeholder: bool = False


_PLACEHOLDER_TOKEN = re.compile(r"【[^】]{0,8}】|\[[^\]]{0,8}\]|\*{2,}|[Xx×]{2,}|\?+|待填|待定")


def _number_at(s: str, i: int) -> _Number | None:
    if i >= len(s):
        return None
    m = _ARABIC.match(s, i)
    if m:
        if len(m.group()) > _MAX_DIGITS + 6:
            return None
        end = m.end()
        stray = False
        # 19574.亿元: a dot with no digit after it (the end of the text was stripped).
        if end < len(s) and s[end] == "." and "." not in m.group() and (end + 1 == len(s) or not _is_digit(s[end + 1])):
            end += 1
            stray = True
        return _Number(float(m.group().replace(",", "")), end, stray_dot=stray)
    if s[i] in _CN_START and not (i > 0 and s[i - 1] == "第"):
        m = _CN_RUN.match(s, i)
        run = m.group()
        magnitude = ""
        for big in ("万亿", "亿", "万"):
            if len(run) > len(big) and run.endswith(big):
                run, magnitude = run[: -len(big)], big
                break
        value = _chinese_number(run)
        if value is None:
            return None
        return _Number(value, i + len(run) + len(magnitude), chinese=True, magnitude=magnitude)
    m = _PLACEHOLDER_TOKEN.match(s, i)
    if m:
        return _Number(None, m.end(), placeholder=True)
    return None


@dataclass
class _Unit:
    unit: str | None = None  # canonical, magnitude included
    cls: str | None = None  # percent, money, time, count; None when there is no unit
    multiplier: float = 1.0
    base_unit: str | None = None
    end: int = 0


def _known_unit_at(s: str, i: int) -> tuple[str, str, int] | None:
    """A known unit at ``i``, also in brackets as templates write it: 90(%), 20(家)."""
    bracketed = s.startswith("(", i)
    w = _UNIT_SURFACES.at(s, i + 1 if bracketed else i)
    if w is None:
        return None
    end = i + len(w) + (1 if bracketed else 0)
    if bracketed:
        if not s.startswith(")", end):
            return None
        end += 1
    canonical, cls = _UNITS[w]
    return canonical, cls, end


def _split_magnitude(canonical: str) -> tuple[float, str]:
    """万元 → (10000, 元), 千米 stays a unit of its own; 人次 → (1, 人次)."""
    for mag in _MAGNITUDE_WORDS:
        rest = canonical[len(mag) :]
        if canonical.startswith(mag) and rest in _UNIT_CLASS_OF_CANONICAL and _UNIT_CLASS_OF_CANONICAL[rest] == "money":
            return _MAGNITUDES[mag], rest
    return 1.0, canonical


def _unit_at(s: str, i: int, magnitude: str, flags: set[str]) -> _Unit:
    """The unit after a number at ``i`` (``magnitude`` is a 万 already read with a Chinese numeral)."""
    j = i
    if not magnitude:
        # A unit that starts with a magnitude character (百分比, 千米, 万元) wins over the
        # magnitude reading when it is at least as long.
        direct = _known_unit_at(s, j)
        mag = _MAGNITUDE_WORDS.at(s, j)
        if mag is not None:
            k = j + len(mag)
            w = _APPROX_AFTER_NUMBER.at(s, k)  # 2万余人
            if w:
                k += len(w)
            after = _known_unit_at(s, k)
            if direct is None or (after is not None and after[2] > direct[2]):
                if w:
                    flags.add(FLAG_APPROXIMATE)
                magnitude, j = mag, k
    mult = _MAGNITUDES.get(magnitude, 1.0)
    known = _known_unit_at(s, j)
    if known is None:
        w = _APPROX_AFTER_NUMBER.at(s, j)
        if w and _known_unit_at(s, j + len(w)):
            flags.add(FLAG_APPROXIMATE)
            j += len(w)
            known = _known_unit_at(s, j)
    if known is not None and magnitude and known[1] == "percent":
        known = None  # 5百%: a magnitude never scales a percent; the % is left to the text
    if known is None:
        if magnitude:
            return _Unit(magnitude, None, mult, None, j)
        return _Unit(end=j)
    canonical, cls, end = known
    inner_mult, base = _split_magnitude(canonical)
    unit = magnitude + canonical
    if magnitude and cls != "money":
        base = canonical
    return _Unit(unit, cls, mult * inner_mult, base, end)


def _unknown_unit_at(s: str, i: int) -> _Unit | None:
    """A short unit that is not in the word list (≥100箱): 1–4 letters closing the value."""
    for length in range(1, 5):
        k = i + length
        if k > len(s) or not _is_letter(s[k - 1]) or _AFTER_NUMBER_WORDS.at(s, k - 1) is not None:
            return None
        if not _trailing(s, k, date=False).remainder:
            return _Unit(s[i:k], "count", 1.0, s[i:k], k)
    return None


def _is_digit(c: str) -> bool:
    return "0" <= c <= "9"


def _is_letter(c: str) -> bool:
    return "\u4e00" <= c <= "\u9fff" or c.isalpha()


def _per_at(s: str, i: int) -> tuple[str, int] | None:
    """``/月``, ``/人·月``, ``/(人·月)``, ``/人/月``, ``每月`` after a unit."""
    if i < len(s) and s[i] == "每":
        w = _per_word_at(s, i + 1)
        return (w[0], w[1]) if w else None
    if i >= len(s) or s[i] != "/":
        return None
    j = i + 1
    closing = j < len(s) and s[j] == "("
    if closing:
        j += 1
    parts: list[str] = []
    while True:
        w = _per_word_at(s, j)
        if w is None:
            break
        parts.append(w[0])
        j = w[1]
        if j < len(s) and s[j] in "·/" and _per_word_at(s, j + 1):
            j += 1
            continue
        break
    if not parts:
        # An unknown denominator: up to three letters (元/生).
        k = j
        while k < len(s) and k - j < 3 and _is_letter(s[k]):
            k += 1
        if k == j:
            return None
        parts.append(s[j:k])
        j = k
        # …and a period after it (元/床·日 with an unlisted head).
        if j < len(s) and s[j] in "·/":
            w = _per_word_at(s, j + 1)
            if w is not None:
                parts.append(w[0])
                j = w[1]
    if closing and j < len(s) and s[j] == ")":
        j += 1
    return "·".join(parts), j


def _per_word_at(s: str, i: int) -> tuple[str, int] | None:
    """A period (月, 季度: kept as written), a unit (人, 班) or a head (生, 村) at ``i``."""
    best = None
    for period in _PERIODS:
        if s.startswith(period, i) and (best is None or i + len(period) > best[1]):
            best = (period, i + len(period))
    head = _PER_HEADS.at(s, i)
    if head and (best is None or i + len(head) > best[1]):
        best = (head, i + len(head))
    w = _UNIT_SURFACES.at(s, i)
    if w and (best is None or i + len(w) > best[1]):
        best = (_UNITS[w][0], i + len(w))
    return best


# --------------------------------------------------------------------------- dates

_YEAR = r"((?:19|20)[0-9]{2})"
_RE_YMD_CN = re.compile(_YEAR + r"年([0-9]{1,2})月(?:([0-9]{1,2})[日号])?")
_RE_YMD_SEP = re.compile(_YEAR + r"([-./])([0-9]{1,2})(?:\2([0-9]{1,2}))?(?![0-9])")
_RE_YEAR_MONTH_RANGE = re.compile(_YEAR + r"年([0-9]{1,2})月?(?:-|~|至|到|—|–)([0-9]{1,2})月")
_RE_MONTH_RANGE = re.compile(r"([0-9]{1,2})月?(?:-|~|至|到|—|–)([0-9]{1,2})月")
_RE_YEAR_RANGE = re.compile(_YEAR + r"年?(?:-|~|至|到|—|–)" + _YEAR + r"年(?![0-9]{1,2}月)")
_RE_YEAR = re.compile(_YEAR + r"年")
_RE_MD = re.compile(r"([0-9]{1,2})月(?:([0-9]{1,2})[日号])?")
_RE_TIME_OF_DAY = re.compile(r"[0-9]{1,2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]{1,6})?)?")
_RE_MONTH_NUMBER = re.compile(r"([0-9]{1,2})(?![0-9])")
_RE_QUARTER = re.compile(r"第?([1-4一二三四])季度|[Qq]([1-4])")
_QUARTER_DIGITS = {"1": 1, "2": 2, "3": 3, "4": 4, "一": 1, "二": 2, "三": 3, "四": 4}
_RELATIVE_WORDS = _Words.plain([*_RELATIVE_DATES, *_WHOLE_YEAR, *_HALF_YEARS])
_DATE_START_CHARS = frozenset(w[0] for w in _RELATIVE_WORDS) | {"第", "Q", "q"}


@dataclass
class _Date:
    date: DatePoint | None
    end: int
    date_high: DatePoint | None = None
    invalid: bool = False
    whole_year: str | None = None  # 年内, 当年: the value is a deadline at the year's end


def _valid(year: int | None, month: int | None, day: int | None) -> bool:
    if month is not None and not 1 <= month <= 12:
        return False
    if day is not None:
        if month is None:
            return False
        days = calendar.monthrange(year if year is not None else 2000, month)[1]
        if not 1 <= day <= days:
            return False
    return True


def _point(year: str | int | None, month: str | None, day: str | None) -> DatePoint | None:
    """A DatePoint from matched digits; None when no such day exists (2025年2月30日)."""
    y = int(year) if year is not None else None
    m = int(month) if month is not None else None
    d = int(day) if day is not None else None
    return DatePoint(y, m, d) if _valid(y, m, d) else None


def _month_part(s: str, j: int, point: DatePoint) -> tuple[DatePoint, DatePoint | None, int]:
    """3月底 → 3月31日; 6月中旬 → 6月11日–20日; 12月份 → 12月. Returns (point, high, end)."""
    w = _MONTH_PART_WORDS.at(s, j)
    if w is None or point.month is None or point.day is not None:
        return point, None, j
    y, m = point.year, point.month
    last = calendar.monthrange(y if y is not None else 2000, m)[1]
    part = _MONTH_PARTS[w]
    end = j + len(w)
    if part == "end":
        return DatePoint(y, m, last), None, end
    if part in ("start", "early"):
        return DatePoint(y, m, 1), DatePoint(y, m, 10), end
    if part == "mid":
        return DatePoint(y, m, 11), DatePoint(y, m, 20), end
    if part == "late":
        return DatePoint(y, m, 21), DatePoint(y, m, last), end
    return point, None, end  # 份: the month itself


def _after_year(s: str, year: int, j: int) -> _Date:
    """What follows 2022年 (``j`` is at 年): 底, 末, 内, 度, 上半年, 第三季度, or nothing."""
    for word, (month, day) in _RELATIVE_DATES.items():
        if s.startswith(word, j):
            return _Date(DatePoint(year, month, day), j + len(word))
    k = j + 1
    if s.startswith("度", k):
        k += 1
    for word in _WHOLE_YEAR:
        if word.startswith("年") and s.startswith(word, j):
            return _Date(DatePoint(year, 12, 31), j + len(word), whole_year=word)
    w = _HALF_YEAR_WORDS.at(s, k)
    if w:
        (m1, d1), (m2, d2) = _HALF_YEARS[w]
        return _Date(DatePoint(year, m1, d1), k + len(w), DatePoint(year, m2, d2))
    q = _RE_QUARTER.match(s, k)
    if q:
        return _quarter(q, year)
    return _Date(DatePoint(year), k)


def _quarter(m: re.Match, year: int | None) -> _Date:
    n = _QUARTER_DIGITS[m.group(1) or m.group(2)]
    first, last = 3 * n - 2, 3 * n
    return _Date(DatePoint(year, first, 1), m.end(), DatePoint(year, last, calendar.monthrange(year or 2001, last)[1]))


def _single_date_at(s: str, i: int) -> _Date | None:
    """One date point (or a period with a start and an end) at ``i``."""
    c = s[i]
    if _is_digit(c):
        m = _RE_YMD_CN.match(s, i)
        if m:
            point = _point(*m.groups())
            if point is None:
                return _Date(None, m.end(), invalid=True)
            point, high, end = _month_part(s, m.end(), point)
            end = _skip_time_of_day(s, end)
            return _Date(point, end, high)
        m = _RE_YMD_SEP.match(s, i)
        if m:
            year, sep, month, day = m.groups()
            end = m.end()
            # 2022.5万元, 2000-10万元, 2023.5% are numbers; 2023.07 and 2023-07 alone are months.
            if _known_unit_at(s, end) or _MAGNITUDE_WORDS.at(s, end) or s.startswith("%", end):
                return None
            if not 1 <= int(month) <= 12:
                return None
            point = _point(year, month, day)
            if point is None:
                return _Date(None, end, invalid=True)
            if s.startswith("年", end) or s.startswith("月", end):
                return None
            return _Date(point, _skip_time_of_day(s, end))
        m = _RE_YEAR.match(s, i)
        if m:
            return _after_year(s, int(m.group(1)), m.end() - 1)
        m = _RE_MD.match(s, i)
        if m:
            point = _point(None, m.group(1), m.group(2))
            if point is None:
                return None  # 13月, 45月: not a date
            point, high, end = _month_part(s, m.end(), point)
            return _Date(point, end, high)
        return None
    if c in _DATE_START_CHARS:
        q = _RE_QUARTER.match(s, i)
        if q:
            return _quarter(q, None)
        w = _RELATIVE_WORDS.at(s, i)
        if w in _RELATIVE_DATES:
            month, day = _RELATIVE_DATES[w]
            return _Date(DatePoint(None, month, day), i + len(w))
        if w in _HALF_YEARS:
            (m1, d1), (m2, d2) = _HALF_YEARS[w]
            return _Date(DatePoint(None, m1, d1), i + len(w), DatePoint(None, m2, d2))
        if w:
            return _Date(DatePoint(None, 12, 31), i + len(w), whole_year=w)
    return None


def _skip_time_of_day(s: str, end: int) -> int:
    """2025-12-31 00:00:00 as spreadsheets export it."""
    m = _RE_TIME_OF_DAY.match(s, end)
    return m.end() if m else end


def _date_at(s: str, i: int) -> _Date | None:
    """A date or a date range at ``i``."""
    if _is_digit(s[i]):
        m = _RE_YEAR_RANGE.match(s, i)
        if m and int(m.group(1)) <= int(m.group(2)):
            return _Date(DatePoint(int(m.group(1))), m.end(), DatePoint(int(m.group(2))))
        m = _RE_YEAR_MONTH_RANGE.match(s, i)
        if m:
            year = int(m.group(1))
            a, b = _point(year, m.group(2), None), _point(year, m.group(3), None)
            if a is None or b is None:
                return _Date(None, m.end(), invalid=True)
            return _Date(a, m.end(), b)
        m = _RE_MONTH_RANGE.match(s, i)
        if m:  # 1-12月, 3月至6月 in the budget year
            a, b = _point(None, m.group(1), None), _point(None, m.group(2), None)
            if a is not None and b is not None:
                return _Date(a, m.end(), b)
    first = _single_date_at(s, i)
    if first is None or first.date is None or first.date_high is not None:
        return first
    sep = _RANGE_SEPARATORS.at(s, first.end)
    if sep is None or first.end + len(sep) >= len(s):
        return first
    j = first.end + len(sep)
    second = _single_date_at(s, j)
    if second is None or second.date is None:
        # 2021年1月-12月 is handled above; 2023.07-12 (a month after the year's month):
        m = _RE_MONTH_NUMBER.match(s, j) if first.date.month is not None else None
        if m and not _known_unit_at(s, m.end()) and 1 <= int(m.group(1)) <= 12 and not s.startswith("月", m.end()):
            return _Date(first.date, m.end(), DatePoint(first.date.year, int(m.group(1))))
        return first
    high = second.date_high or second.date
    if high.year is None and first.date.year is not None:
        high = DatePoint(first.date.year, high.month, high.day)
    return _Date(first.date, second.end, high)


# --------------------------------------------------------------------------- candidates


@dataclass
class _Reading:
    """One reading of the text around a number or a date found at ``start``."""

    kind: Literal["quantity", "date"]
    start: int
    end: int
    number: float | None = None
    number_high: float | None = None
    unit: _Unit | None = None
    per: str | None = None
    date: DatePoint | None = None
    date_high: DatePoint | None = None
    # A direction stated between a number and its repetition (≥2不少于2次): (word, symbol).
    repeated_direction: tuple[str, str] | None = None
    # A direction the date words imply (年内 → ≤) and the word that implied it.
    implied_direction: str | None = None
    implied_word: str | None = None
    chinese: bool = False
    flags: set[str] = field(default_factory=set)
    # Filled by _finish from the words around the value.
    direction: str | None = None
    qualifier: str | None = None
    subject: str = ""
    remainder: str = ""


@dataclass
class _Trailing:
    directions: list[tuple[str, str]] = field(default_factory=list)  # (word, symbol) as read
    approximate: bool = False
    remainder: str = ""


def _trailing(s: str, i: int, date: bool) -> _Trailing:
    """Read direction, approximation and filler words after a value; the rest is the remainder."""
    out = _Trailing()
    j = i
    for _ in range(8):  # each pass reads one word; more than a few means prose anyway
        if j >= len(s):
            break
        hit = _DATE_SUFFIX.tagged_at(s, j) if date else _DIR_SUFFIX.tagged_at(s, j)
        if hit:
            out.directions.append(hit)
            j += len(hit[0])
            continue
        w = _APPROX_SUFFIX.at(s, j)
        if w:
            out.approximate = True
            j += len(w)
            continue
        w = _FILLER_SUFFIX.at(s, j)
        if w:
            j += len(w)
            continue
        break
    out.remainder = s[j:]
    return out


@dataclass
class _Leading:
    directions: list[tuple[str, str]] = field(default_factory=list)  # (word, symbol), nearest the value first
    soft: str | None = None
    per: str | None = None
    approximate: bool = False
    negative: bool = False
    subject: str = ""


def _leading(prefix: str, number: bool) -> _Leading:
    """Peel direction, per, approximation and neutral words off the end of ``prefix``."""
    out = _Leading()
    s = prefix
    # A minus sign right before the number, at the start or after a direction word;
    # anywhere else (3万-5万元) it is a range dash.
    if number and s.endswith(("-", "负")):
        before = s[:-1]
        if not before or _DIR_PREFIX.tagged_ending(before) or _NEUTRAL_PREFIX.ending(before):
            out.negative = True
            s = before
    for _ in range(8):
        if not s:
            break
        hit = _DIR_PREFIX.tagged_ending(s)
        if hit:
            out.directions.append(hit)
            s = s[: -len(hit[0])]
            continue
        hit = _DIR_SOFT_PREFIX.tagged_ending(s)
        if hit:
            out.soft = out.soft or hit[1]
            s = s[: -len(hit[0])]
            continue
        hit = _PER_PREFIX.tagged_ending(s)
        if hit:
            out.per = out.per or hit[1]
            s = s[: -len(hit[0])]
            continue
        w = _APPROX_PREFIX.ending(s) or _NEUTRAL_PREFIX.ending(s)
        if w:
            out.approximate = out.approximate or w in _APPROX_PREFIX
            s = s[: -len(w)]
            continue
        break
    out.subject = s
    return out


_CLAUSE_PUNCTUATION = re.compile(r"[,;。!?:()\[\]【】{}<>《》\"']")
# A remainder that starts with one of these may hold a second value (≥3篇，≥100人次).
_VALUE_SEPARATORS = frozenset(",、;/和及与并")


def _subject_ok(subject: str) -> bool:
    return len(subject) <= MAX_SUBJECT_CHARS and not _CLAUSE_PUNCTUATION.search(subject)


def _remainder_ok(remainder: str) -> bool:
    # 的 ties the number to a noun that follows (低于2022年初的预算): the number is part of prose.
    return (
        len(remainder) <= MAX_REMAINDER_CHARS
        and not remainder.startswith("的")
        and all(_is_letter(c) for c in remainder)
    )


def _read_quantity(s: str, start: int, num: _Number) -> _Reading:
    r = _Reading(kind="quantity", start=start, end=num.end, number=num.value, chinese=num.chinese)
    flags = r.flags
    if num.stray_dot:
        flags.add(FLAG_STRAY_DOT)
    if num.placeholder:
        flags.add(FLAG_PLACEHOLDER)
    j = num.end
    if not num.chinese:
        w = _APPROX_AFTER_NUMBER.at(s, j)  # 10余万元: 余 before the magnitude
        if w and (_MAGNITUDE_WORDS.at(s, j + len(w)) or _known_unit_at(s, j + len(w))):
            flags.add(FLAG_APPROXIMATE)
            j += len(w)
    unit = _unit_at(s, j, num.magnitude, flags)
    j = unit.end
    # A range: 80%-90%, 10~20个, 3万-5万元, 80至90 (both numbers in the same script).
    sep = _RANGE_SEPARATORS.at(s, j)
    if sep and j + len(sep) < len(s):
        second = _number_at(s, j + len(sep))
        if second is not None and second.value is not None and second.chinese == num.chinese:
            unit2 = _unit_at(s, second.end, second.magnitude, flags)
            if unit.cls is None or unit2.unit is None or unit2.cls == unit.cls:
                r.number_high = second.value
                if unit2.unit is not None:
                    unit = unit2
                j = unit2.end
                if second.stray_dot:
                    flags.add(FLAG_STRAY_DOT)
    # The number written twice around a second direction: ≥2不少于2次.
    if r.number_high is None and unit.unit is None:
        hit = _DIR_PREFIX.tagged_at(s, j)
        if hit:
            second = _number_at(s, j + len(hit[0]))
            if second is not None and second.value is not None:
                unit = _unit_at(s, second.end, second.magnitude, flags)
                r.repeated_direction = hit
                flags.add(FLAG_REPEATED_NUMBER if second.value == num.value else FLAG_CONTRADICTORY)
                j = unit.end
    if unit.cls is not None and s.startswith("(", j):
        # An alternative unit in brackets (120万头(羽): head of livestock or of poultry)
        # names the same count another way; it is part of the unit, not text after it.
        alt = _known_unit_at(s, j)
        if alt is not None and alt[1] == unit.cls:
            j = alt[2]
    if unit.unit is None and not num.chinese:
        unknown = _unknown_unit_at(s, j)
        if unknown is not None:
            unit = unknown
            flags.add(FLAG_UNKNOWN_UNIT)
            j = unknown.end
    if unit.unit is not None:
        per = _per_at(s, j)
        if per:
            r.per, j = per
    r.unit = unit
    r.end = j
    return r


def _read_date(start: int, date: _Date) -> _Reading:
    r = _Reading(kind="date", start=start, end=date.end, date=date.date, date_high=date.date_high)
    if date.invalid:
        r.flags.add(FLAG_INVALID_DATE)
    if date.whole_year:
        r.implied_direction, r.implied_word = "≤", date.whole_year
    return r


_NUMBER_START = frozenset("0123456789.") | _CN_START | frozenset("【[*Xx×?待")


def _candidates(s: str):
    """Yield a reading for each number or date in ``s``, left to right.

    The scan is linear: after a candidate, or a digit run too long to be one, it goes on
    after its end, and each attempt at a position reads a bounded number of characters.
    """
    i = 0
    n = len(s)
    while i < n:
        c = s[i]
        if _is_digit(c) or c in _DATE_START_CHARS:
            date = _date_at(s, i)
            if date is not None:
                yield _read_date(i, date)
                i = max(date.end, i + 1)
                continue
        if c in "百千" and (s.startswith("百分之", i) or s.startswith("千分之", i)):
            num = _number_at(s, i + 3)
            if num is not None and num.value is not None:
                r = _read_quantity(s, i, num)
                if r.unit is None or r.unit.unit is None:  # 百分之九十五: the unit came first
                    symbol = "%" if c == "百" else "‰"
                    r.unit = _Unit(symbol, "percent", 1.0, symbol, num.end)
                    r.chinese = False  # 百分之 makes the numeral a value, whatever follows
                yield r
                i = max(r.end, i + 1)
                continue
        if c in _NUMBER_START:
            m = _ARABIC.match(s, i) if _is_digit(c) or c == "." else None
            num = _number_at(s, i) if m is None or len(m.group()) <= _MAX_DIGITS + 6 else None
            if num is not None:
                yield _read_quantity(s, i, num)
                i = max(num.end, i + 1)
                continue
            if m is not None:  # a code or a digit run too long to be a target: skip it whole
                i = m.end()
                continue
            if c in _CN_START and not (i > 0 and s[i - 1] == "第"):
                # A run of numeral characters that is no numeral is a word (十四五): skip it whole.
                i = _CN_RUN.match(s, i).end()
                continue
        i += 1


def _finish(s: str, r: _Reading, allow_multiple: bool) -> _Reading | None:
    """Read the words around a candidate; None when the candidate sits inside prose."""
    is_date = r.kind == "date"
    if r.chinese and (r.unit is None or r.unit.cls is None):
        return None  # a Chinese numeral is a value only with a unit: 三次, not 一带一路
    lead = _leading(s[: r.start], number=not is_date)
    trail = _trailing(s, r.end, date=is_date)
    flags = r.flags
    remainder = trail.remainder
    if r.chinese and remainder:
        return None  # Chinese numerals inside words (一批, 五位一体) are not targets
    if not _remainder_ok(remainder):
        if not allow_multiple or remainder[:1] not in _VALUE_SEPARATORS or len(remainder) < 2:
            return None
        other = _parse_compact(remainder[1:], allow_multiple=False)
        if other.kind not in QUANTITY_KINDS and other.kind != "date":
            return None
        flags.add(FLAG_MULTIPLE_VALUES)
    if not _subject_ok(lead.subject):
        return None
    if r.chinese and lead.subject and not lead.directions and not lead.soft:
        return None  # 一带一路: a numeral inside a word, not a count of 路

    # Directions stated before the value, inside it (a repetition) and after it.
    stated = list(lead.directions)
    if r.repeated_direction:
        stated.append(r.repeated_direction)
    stated += trail.directions
    symbols = [sym for _, sym in stated]
    if len({_loose(x) for x in symbols}) > 1:
        flags.add(FLAG_CONTRADICTORY)
    elif len(symbols) > 1:
        flags.add(FLAG_REDUNDANT_DIRECTION)
    direction = symbols[0] if symbols else lead.soft or r.implied_direction
    r.qualifier = None
    if is_date:
        words = [w for w, _ in trail.directions] + [w for w, _ in lead.directions]
        r.qualifier = words[0] if words else r.implied_word
    if r.number_high is not None or r.date_high is not None:
        if is_date and direction in ("≤", "<"):
            r.date, r.date_high = r.date_high, None  # 上半年前: by the end of the period
        elif is_date and direction in ("≥", ">"):
            r.date_high = None  # 2025年1月起: from the start of the period
        else:
            direction = "range"
    r.direction = direction

    if lead.approximate or trail.approximate:
        flags.add(FLAG_APPROXIMATE)
    if lead.negative and r.number is not None:
        r.number = -r.number
        flags.add(FLAG_NEGATIVE)
    r.subject = lead.subject
    r.remainder = remainder
    r.per = r.per or lead.per
    return r


def _loose(direction: str) -> str:
    """≥ and > point the same way; only opposite directions contradict each other."""
    return {"≥": "up", ">": "up", "≤": "down", "<": "down"}.get(direction, direction)


def _kind_of(r: _Reading) -> str:
    if r.kind == "date":
        return "date"
    cls = r.unit.cls if r.unit else None
    if cls == "percent":
        return "percent"
    if cls == "money":
        return "amount"
    if cls == "time":
        return "duration"
    if cls == "count":
        return "rate" if r.per else "count"
    return "number"


# --------------------------------------------------------------------------- parse


def _normalized(pv: ParsedValue, display: str) -> str:
    kind = pv.kind
    if kind == "empty":
        return ""
    if kind == "boolean":
        return "是" if pv.boolean else "否"
    if kind == "qualitative":
        return display
    if kind == "date":
        if pv.date is None:
            return display
        d = pv.date.chinese()
        if pv.direction == "range" and pv.date_high is not None:
            return f"{d}至{pv.date_high.chinese()}"
        return {"≤": f"{d}前", "<": f"早于{d}", "≥": f"{d}起", ">": f"晚于{d}"}.get(pv.direction or "", d)
    unit = pv.unit or ""
    per = f"/{pv.per}" if pv.per else ""
    approx = "约" if FLAG_APPROXIMATE in pv.flags else ""
    if pv.direction == "range":
        return f"{approx}{_fmt(pv.number)}~{_fmt(pv.number_high)}{unit}{per}"
    symbol = pv.direction if pv.direction and pv.direction != "range" else ""
    return f"{symbol}{approx}{_fmt(pv.number)}{unit}{per}"


def _has_placeholder(s: str) -> bool:
    return any(p in s for p in _PLACEHOLDERS)


def _trend(s: str) -> Literal["up", "down"] | None:
    """提升 → up, 降低 → down; when both occur, the first one written."""
    first_up = min((p for p in (s.find(w) for w in _TREND_UP) if p >= 0), default=-1)
    first_down = min((p for p in (s.find(w) for w in _TREND_DOWN) if p >= 0), default=-1)
    if first_up >= 0 and (first_down < 0 or first_up <= first_down):
        return "up"
    if first_down >= 0:
        return "down"
    return None


def _qualitative(raw: str, s: str, flags: set[str]) -> ParsedValue:
    direction = None
    hit = _DIR_PREFIX.tagged_at(s, 0)
    if hit:
        direction = hit[1]
    trend = _trend(s)
    if any(c.isdigit() for c in s):
        flags.add(FLAG_NUMBERS_IN_PROSE)
    display = " ".join(raw.split())
    return ParsedValue(raw=raw, kind="qualitative", direction=direction, trend=trend, flags=frozenset(flags), normalized=display)


def _peel_prefix(s: str) -> tuple[str, str | None]:
    """Direction, neutral and grade-lead words off the start: 稳定达到IV类 → (IV类, ≥)."""
    direction = None
    core = s
    for _ in range(4):
        hit = _DIR_PREFIX.tagged_at(core, 0) or _DIR_SOFT_PREFIX.tagged_at(core, 0)
        if hit:
            direction = direction or hit[1]
            core = core[len(hit[0]) :]
            continue
        w = _NEUTRAL_PREFIX.at(core, 0) or _GRADE_BEFORE.at(core, 0)
        if w and len(core) > len(w):
            core = core[len(w) :]
            continue
        break
    return core, direction


def _grade(s: str) -> tuple[str, str | None] | None:
    """良好及以上 → (良好, ≥); 优 → (优, None); 达到优秀等级 → (优秀, ≥)."""
    if s in _GRADES:
        return s, None  # 达标 is a grade, not 达 + 标
    core, direction = _peel_prefix(s)
    for _ in range(3):
        if core in _GRADES:
            return core, direction
        w = _GRADE_AFTER.ending(core)
        if not w or len(core) == len(w):
            break
        if "以上" in w:
            direction = "≥"
        core = core[: -len(w)]
    return None


def _parse_compact(s: str, allow_multiple: bool = True, raw: str | None = None) -> ParsedValue:
    raw = s if raw is None else raw
    display = " ".join(raw.split())
    if not s or s in _EMPTY_MARKERS:
        return ParsedValue(raw=raw, kind="empty")
    if s in _TRUE_WORDS or s in _FALSE_WORDS:
        value = s in _TRUE_WORDS
        return ParsedValue(raw=raw, kind="boolean", boolean=value, normalized="是" if value else "否")
    graded = _grade(s)
    if graded:
        grade, direction = graded
        return ParsedValue(raw=raw, kind="qualitative", grade=grade, direction=direction, normalized=display)
    if allow_multiple and _CHANGE_TARGETS:
        core, _ = _peel_prefix(s)
        if core in _CHANGE_TARGETS:
            # 零增长 → ≤0%: the percentage it names, a growth (trend up) of at most zero.
            pv = _parse_compact(_CHANGE_TARGETS[core], allow_multiple=False, raw=raw)
            if pv.kind == "percent":
                return replace(pv, trend="up")

    flags: set[str] = {FLAG_PLACEHOLDER} if _has_placeholder(s) else set()
    tried = 0
    for candidate in _candidates(s):
        tried += 1
        if tried > MAX_CANDIDATES:
            break
        r = _finish(s, candidate, allow_multiple)
        if r is None:
            continue
        r.flags |= flags
        return _build(raw, display, r)
    return _qualitative(raw, s, flags)


def _build(raw: str, display: str, r: _Reading) -> ParsedValue:
    flags = set(r.flags or ())
    kind = _kind_of(r)
    unit = r.unit or _Unit()
    if kind == "number":
        flags.add(FLAG_MISSING_UNIT)
        if (
            r.number is not None
            and r.direction is None
            and not r.subject
            and r.number == int(r.number)
            and _SERIAL_RANGE[0] <= r.number <= _SERIAL_RANGE[1]
        ):
            flags.add(FLAG_POSSIBLE_DATE_SERIAL)
    if kind == "percent" and unit.unit in ("%", "‰", "‱"):
        limit = {"%": 100, "‰": 1000, "‱": 10000}[unit.unit]
        values = [v for v in (r.number, r.number_high) if v is not None]
        if any(v > limit or v < 0 for v in values):
            flags.add(FLAG_PERCENT_OUT_OF_RANGE)
    if r.number is not None and r.number_high is not None and r.number_high < r.number:
        flags.add(FLAG_INVERTED_RANGE)
    if r.date is not None and r.date_high is not None:
        a, b = r.date.start(2000), r.date_high.start(2000)
        if a is not None and b is not None and b < a:
            flags.add(FLAG_INVERTED_RANGE)
    pv = ParsedValue(
        raw=raw,
        kind=kind,  # type: ignore[arg-type]
        direction=r.direction,  # type: ignore[arg-type]
        number=r.number,
        number_high=r.number_high,
        unit=unit.unit,
        multiplier=unit.multiplier,
        base_unit=unit.base_unit,
        per=r.per,
        date=r.date,
        date_high=r.date_high,
        qualifier=r.qualifier if kind == "date" else None,
        subject=r.subject,
        remainder=r.remainder,
        flags=frozenset(flags),
    )
    return replace(pv, normalized=_normalized(pv, display), trend=_trend(r.subject) if r.subject else None)


@lru_cache(maxsize=8192)
def _parse_cached(text: str) -> ParsedValue:
    return _parse_guarded(text)


def _trailing_remark(compact: str) -> tuple[str, str] | None:
    """(target, remark) of ``≥3万亩(以省级下达任务为准)``: a bracketed remark of 2–40
    characters closing the text (after _compact the brackets are ASCII)."""
    if not compact.endswith(")"):
        return None
    i = compact.rfind("(")
    inner = compact[i + 1 : -1]
    if i <= 0 or not 2 <= len(inner) <= 40 or ")" in inner:
        return None
    return compact[:i], inner


def _parse_guarded(text: str) -> ParsedValue:
    try:
        compact = _compact(text)
        pv = _parse_compact(compact, raw=text)
        if pv.kind == "qualitative" and (parts := _trailing_remark(compact)):
            # The target stands before the remark; the remark says where the figure comes
            # from or what it includes (以验收报告为准, 抽样调查, 含喷灌、滴灌).
            head = _parse_compact(parts[0], raw=text)
            if head.kind not in ("qualitative", "empty"):
                return replace(head, remainder=f"（{parts[1]}）", flags=head.flags | {FLAG_REMARK})
        return pv
    except Exception:  # noqa: BLE001 - the promise: a value never stops a batch
        return ParsedValue(
            raw=text, kind="qualitative", flags=frozenset({FLAG_INTERNAL_ERROR}), normalized=" ".join(text.split())
        )


def parse_value(text: str) -> ParsedValue:
    """Read one 指标值. Pure, fast, and never raises (see the module documentation)."""
    if text is None:
        return ParsedValue(raw="", kind="empty")
    if not isinstance(text, str):
        try:
            text = _fmt(float(text)) if isinstance(text, (int, float)) and not isinstance(text, bool) else str(text)
        except Exception:  # noqa: BLE001 - a broken __str__ is still not our caller's crash
            return ParsedValue(raw="", kind="empty", flags=frozenset({FLAG_INTERNAL_ERROR}))
    if len(text) <= _CACHE_MAX_CHARS:
        return _parse_cached(text)
    return _parse_guarded(text)


# --------------------------------------------------------------------------- spreadsheet cells

_QUOTED_FORMAT = re.compile(r'"[^"]*"|\[[^\]]*\]|\\.')


def _format_has(number_format: str | None, pattern: str) -> bool:
    if not number_format:
        return False
    bare = _QUOTED_FORMAT.sub("", number_format).lower()
    return re.search(pattern, bare) is not None


def from_cell(value: object, number_format: str | None = None) -> ParsedValue:
    """Read a spreadsheet cell as a value, undoing what spreadsheets do to values.

    - a number whose format is a percent (``0%``, ``0.00%``) is stored as a fraction:
      0.95 → ``95%``; a stored 1 → ``100%``. A number above 10 in a percent format was
      typed as a percentage already (100 → ``100%``), not 10000%. Flagged ``excel_percent``.
    - a number whose format is a date (``yyyy-mm-dd``, ``yyyy"年"m"月"d"日"``) is an
      Excel date serial: 46022 → 2025-12-31, flagged ``excel_date_serial``.
    - ``datetime``/``date`` objects (openpyxl's reading of date cells) are dates.
    - text goes through :func:`parse_value`; ``None`` is empty; ``True``/``False`` are 是/否.

    Never raises.
    """
    try:
        if value is None:
            return ParsedValue(raw="", kind="empty")
        if isinstance(value, bool):
            return parse_value("是" if value else "否")
        if isinstance(value, dt.datetime):
            value = value.date()
        if isinstance(value, dt.date):
            text = f"{value.year}年{value.month}月{value.day}日"
            return replace(parse_value(text), raw=value.isoformat())
        if isinstance(value, (int, float)):
            x = float(value)
            if not math.isfinite(x):
                return ParsedValue(raw=str(value), kind="empty")
            if _format_has(number_format, r"%"):
                percent = x * 100 if abs(x) <= 10 else x
                percent = round(percent, 10)
                pv = parse_value(f"{_fmt(percent)}%")
                return replace(pv, raw=f"{_fmt(percent)}%", flags=pv.flags | {FLAG_EXCEL_PERCENT})
            if _format_has(number_format, r"[ymd]") and 1 <= x < 2958466:
                day = _EXCEL_EPOCH + dt.timedelta(days=int(x))
                pv = parse_value(f"{day.year}年{day.month}月{day.day}日")
                return replace(pv, raw=day.isoformat(), flags=pv.flags | {FLAG_EXCEL_DATE_SERIAL})
            return parse_value(_fmt(x))
        return parse_value(value if isinstance(value, str) else str(value))
    except Exception:  # noqa: BLE001 - same promise as parse_value
        return ParsedValue(raw="", kind="qualitative", flags=frozenset({FLAG_INTERNAL_ERROR}))


# 指标方向 columns: 正向 (larger is better) reads as ≥, 反向 as ≤.
_POLARITY = {
    "正向": "≥", "正向指标": "≥", "正": "≥", "越大越好": "≥", "越高越好": "≥", "↑": "≥", "+": "≥",
    "反向": "≤", "反向指标": "≤", "逆向": "≤", "反": "≤", "越小越好": "≤", "越低越好": "≤", "↓": "≤",
}


_NOT_SYMBOL = frozenset(_G.get("columns", {}).get("not_symbol", ()))
_NOT_UNIT = frozenset(_G.get("columns", {}).get("not_unit", ()))


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return "" if not math.isfinite(value) else _fmt(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return str(value).strip()


def join_bounds(low: object = None, high: object = None, unit: object = None) -> str:
    """One value text from a target split into 目标值下限 | 目标值上限 (| 计量单位).

    ``(120, —, 人)`` → ``≥120人``; ``(—, 1500, 元)`` → ``≤1500元``; ``(95, 100, %)`` →
    ``95%-100%``; equal bounds are one target (``(3, 3, 个)`` → ``3个``). A dash or 无 is no
    bound. Each side is joined like a split value (:func:`join_value_columns`), so a unit
    already in the cell is not added twice. Never raises.
    """
    try:
        lo, hi = _compact(_cell_text(low)), _compact(_cell_text(high))
        lo = "" if lo in _EMPTY_MARKERS else lo
        hi = "" if hi in _EMPTY_MARKERS else hi
        if lo and hi and lo != hi:
            return f"{join_value_columns('', lo, unit).raw}-{join_value_columns('', hi, unit).raw}"
        if lo and hi:
            return join_value_columns("", lo, unit).raw
        if lo:
            return join_value_columns("≥", lo, unit).raw
        if hi:
            return join_value_columns("≤", hi, unit).raw
        return ""
    except Exception:  # noqa: BLE001
        return ""


def join_value_columns(
    symbol: object = None, value: object = None, unit: object = None, direction: object = None
) -> ParsedValue:
    """Read a value split over columns: 计算符号 | 指标值 | 计量单位 (| 指标方向).

    ``join_value_columns("≥", 95, "%")`` reads like ``≥95%``; ``("", "20", "家", "正向")``
    like ``≥20家`` (正向: larger is better; 反向 gives ≤). A unit already written in the
    value cell is not added twice, a symbol already in it neither. A fraction in a percent
    column (0.95 with unit %) is kept as written: only a cell's number format says that a
    spreadsheet stored a percent as a fraction, and :func:`from_cell` reads that. The
    result's ``raw`` is the joined text. Never raises.
    """
    try:
        sym = _compact(_cell_text(symbol))
        val = _cell_text(value)
        unit_text = _compact(_cell_text(unit))
        polarity = _compact(_cell_text(direction))
        if sym in _POLARITY:
            polarity, sym = sym, ""
        if sym in _EMPTY_MARKERS or sym in _NOT_SYMBOL:
            sym = ""
        compact_val = _compact(val)
        if sym and (_DIR_PREFIX.tagged_at(compact_val, 0) or _DIR_SOFT_PREFIX.tagged_at(compact_val, 0)):
            sym = ""
        if not sym and polarity in _POLARITY and compact_val and not _DIR_PREFIX.tagged_at(compact_val, 0):
            if parse_value(val).kind in QUANTITY_KINDS:
                sym = _POLARITY[polarity]
        if unit_text and (compact_val.endswith(unit_text) or unit_text in _EMPTY_MARKERS or unit_text in _NOT_UNIT):
            unit_text = ""
        if unit_text and compact_val and parse_value(val).unit is not None:
            unit_text = ""  # the value cell names its unit already (≥95% with unit 百分比)
        if not compact_val:
            return ParsedValue(raw="", kind="empty")
        return parse_value(f"{sym}{val}{unit_text}")
    except Exception:  # noqa: BLE001
        return ParsedValue(raw="", kind="qualitative", flags=frozenset({FLAG_INTERNAL_ERROR}))
