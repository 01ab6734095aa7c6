"""The value grammar under random input: it never raises, always answers with a documented
kind, reads well-formed values built from its own word lists back correctly, and stays
linear in the length of the text."""

from __future__ import annotations

import json
import time
from datetime import timedelta

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from indicatorqa import values
from indicatorqa.values import FLAGS, KINDS, QUANTITY_KINDS, ParsedValue, from_cell, join_value_columns, parse_value

FUZZ = settings(max_examples=400, deadline=timedelta(seconds=2), suppress_health_check=[HealthCheck.too_slow])

# Value-ish fragments: the pieces real 指标值 are made of, and the characters that make
# a parser stumble (dots, dashes, separators, numerals inside words, brackets).
FRAGMENTS = [
    "≥", "≤", ">", "<", "=", ">=", "<=", "≧", "≦", "＞", "＝", "大于等于", "不少于", "不低于", "不超过",
    "以上", "及以上", "以内", "内", "以下", "控制在", "达到", "至少", "约", "左右", "余", "多",
    "0", "1", "2", "3", "12", "95", "100", "2025", "2023.07", "1,000", "1，000", "19574.", ".5", "0.2",
    "一", "两", "三", "十二", "百", "千", "万", "亿", "百分之", "第", "十四五",
    "%", "％", "百分比", "‰", "个百分点", "万元", "元", "亿元", "次", "家", "人次", "篇", "台套",
    "个工作日", "个月", "月", "天", "日", "年", "季度", "平方米", "/", "·", "人", "每", "每月",
    "年底", "年内", "上半年", "前", "之前", "后", "起", "底", "号", "-", "~", "至", "—", "到",
    "是", "否", "优", "良好", "高", "**", "XX", "【待填】", "?", "，", "。", "、", " ", "\t", "\n",
    "(", ")", "（含）", "提升", "满意度", "完成", "的", "预算", "的预算", "不少于2次", "亿元/年",
]

fragment_text = st.lists(st.sampled_from(FRAGMENTS) | st.text(max_size=3), max_size=12).map("".join)


def _check_invariants(text: str, pv: ParsedValue) -> None:
    assert isinstance(pv, ParsedValue)
    assert pv.kind in KINDS
    assert pv.flags <= FLAGS, pv.flags - FLAGS
    assert values.FLAG_INTERNAL_ERROR not in pv.flags, (text, pv)
    assert pv.direction in (None, "≥", "≤", ">", "<", "=", "range")
    assert isinstance(pv.normalized, str)
    if pv.direction == "range":
        assert pv.number_high is not None or pv.date_high is not None, pv
    if pv.kind == "number":
        assert values.FLAG_MISSING_UNIT in pv.flags
    if pv.kind in QUANTITY_KINDS:
        assert pv.number is not None or values.FLAG_PLACEHOLDER in pv.flags, pv
        assert pv.date is None
    if pv.kind == "date":
        assert pv.date is not None or values.FLAG_INVALID_DATE in pv.flags, pv
        assert pv.number is None
    if pv.kind == "percent":
        assert pv.unit in ("%", "‰", "‱", "个百分点", "个千分点"), pv
    if pv.kind == "boolean":
        assert pv.boolean is not None
    if pv.kind in ("empty", "boolean", "qualitative"):
        assert pv.number is None and pv.date is None
    json.dumps(pv.to_dict(), ensure_ascii=False)
    # The cached and the uncached reading agree.
    assert values._parse_guarded(text) == pv


@FUZZ
@given(st.text())
@example("")
@example("\x00\ud800")
@example("≥" * 50)
def test_arbitrary_text(text):
    _check_invariants(text, parse_value(text))


@FUZZ
@given(fragment_text)
@example("≥2不少于2次")
@example("19574.亿元")
@example("2023.07-2024.01")
@example("百分之")
@example("3万-5万元")
def test_value_like_text(text):
    _check_invariants(text, parse_value(text))


@FUZZ
@given(st.lists(st.sampled_from(FRAGMENTS), min_size=1, max_size=4).map("".join))
def test_short_fragment_combinations(text):
    _check_invariants(text, parse_value(text))


# Single characters of the grammar, densely mixed: digits next to date words, directions,
# separators and units in every order.
VALUE_ALPHABET = list("0123456789.,-~至到年月日号前后内底上下半季度第一二三十百千万亿两%‰元人次个工作日/·每≥≤<>=不少于超过以上XX*?【】()的提升是否优良 ")


@FUZZ
@given(st.text(alphabet=st.sampled_from(VALUE_ALPHABET), max_size=30))
def test_dense_value_alphabet(text):
    _check_invariants(text, parse_value(text))


# Units whose reading does not depend on the number before them: 年 after a four-digit
# number is a year, so it is left out with the numbers that could be years.
_UNITS = sorted((surface, canonical, cls) for surface, (canonical, cls) in values._UNITS.items())
_KIND_OF_CLASS = {"percent": "percent", "money": "amount", "time": "duration", "count": "count"}
_PREFIXES = [*values._DIR_PREFIX.pairs, *values._DIR_SOFT_PREFIX.pairs, ("", "")]


@settings(max_examples=600, deadline=timedelta(seconds=2))
@given(
    prefix=st.sampled_from(_PREFIXES),
    number=st.one_of(st.integers(0, 1899).map(str), st.integers(0, 99999).map(lambda n: f"{n / 100:.2f}")),
    unit=st.sampled_from(_UNITS),
)
def test_direction_number_unit_read_back(prefix, number, unit):
    word, symbol = prefix
    surface, canonical, cls = unit
    text = f"{word}{number}{surface}"
    pv = parse_value(text)
    assert pv.kind == _KIND_OF_CLASS[cls], (text, pv)
    assert pv.number == float(number), (text, pv)
    assert pv.direction == (symbol or None), (text, pv)
    assert pv.unit == canonical, (text, pv)
    assert not pv.flags - {values.FLAG_PERCENT_OUT_OF_RANGE}, (text, pv)


@FUZZ
@given(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True), st.text(max_size=20)),
    st.one_of(st.none(), st.sampled_from(["0%", "0.00%", "yyyy-mm-dd", "General", "@", 'yyyy"年"m"月"', "[Red]0.0"])),
)
def test_from_cell_never_raises(value, number_format):
    pv = from_cell(value, number_format)
    assert pv.kind in KINDS and values.FLAG_INTERNAL_ERROR not in pv.flags


@FUZZ
@given(
    st.one_of(st.none(), st.sampled_from(["≥", "≤", ">=", "大于等于", "正向", "反向", ""]), st.text(max_size=3)),
    st.one_of(st.none(), st.integers(-10, 10**6), st.floats(allow_nan=True), fragment_text),
    st.one_of(st.none(), st.sampled_from(["%", "百分比", "万元", "家", "个工作日", ""]), st.text(max_size=3)),
    st.one_of(st.none(), st.sampled_from(["正向", "反向", "定性"]), st.text(max_size=2)),
)
def test_join_value_columns_never_raises(symbol, value, unit, direction):
    pv = join_value_columns(symbol, value, unit, direction)
    assert pv.kind in KINDS and values.FLAG_INTERNAL_ERROR not in pv.flags


# --------------------------------------------------------------------------- linear time

# Inputs that would make a backtracking grammar quadratic or worse: long runs of
# digits, thousands groups, numerals, date starts, direction words, placeholders.
PATHOLOGICAL = [
    "1", "1,000", "1,", "1.", "一", "年", "第一", "≥", "不少于", "2025年", "2025.", "2025-12-",
    "12月", "百分之", "【", "XX", "*", "?", "万", "1万", "10~", "个月", "-", "a1", "2025年12月31日前,",
    "≥95%，", "提升", "一带一路", "(", "的预算",
]


def _seconds(text: str) -> float:
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        values._parse_guarded(text)  # uncached
        best = min(best, time.perf_counter() - start)
    return best


def test_long_text_is_parsed_in_linear_time():
    for unit in PATHOLOGICAL:
        small = unit * (10_000 // len(unit))
        large = unit * (100_000 // len(unit))
        t_small, t_large = _seconds(small), _seconds(large)
        assert t_large < 5.0, (unit, t_large)
        # Linear growth is 10x; quadratic would be 100x. The slack absorbs timer noise.
        assert t_large <= 40 * t_small + 0.25, (unit, t_small, t_large)


def test_long_mixed_text():
    joined = "".join(FRAGMENTS)
    text = (joined * (100_000 // len(joined) + 1))[:100_000]  # 100k characters of value-ish fragments
    start = time.perf_counter()
    pv = values._parse_guarded(text)
    assert time.perf_counter() - start < 5.0
    assert pv.kind in KINDS and values.FLAG_INTERNAL_ERROR not in pv.flags
