"""The value grammar, table-driven: tests/data/value_grammar.tsv holds hand-labelled
expectations for every distinct 指标值 of the seeds and for forms from other provinces."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from pathlib import Path

import pytest

from indicatorqa import values
from indicatorqa.values import (
    FLAGS,
    KINDS,
    DatePoint,
    ParsedValue,
    from_cell,
    join_value_columns,
    parse_value,
)

ROOT = Path(__file__).resolve().parents[1]
TABLE = ROOT / "tests" / "data" / "value_grammar.tsv"
SEEDS = ROOT / "corpus" / "seeds"


def _load_table() -> list[dict[str, str]]:
    rows = []
    header = None
    for line in TABLE.read_text(encoding="utf-8").splitlines():
        if line.startswith("#") or not line.strip("\n"):
            continue
        cells = line.split("\t")
        if header is None:
            header = cells
            continue
        assert len(cells) == len(header), f"bad row in {TABLE.name}: {line!r}"
        rows.append(dict(zip(header, cells)))
    return rows


ROWS = _load_table()
SEED_SOURCES = {"seed", "seed-eval"}


def _same_text(text: str) -> str:
    """Seed cells carry stray spaces and line breaks; the table holds them collapsed."""
    return " ".join(text.split())


def _number(cell: str) -> float | None:
    return float(cell) if cell else None


def _extra(cell: str) -> dict[str, str]:
    return dict(kv.split("=", 1) for kv in cell.split()) if cell else {}


@pytest.mark.parametrize("row", ROWS, ids=[f"{r['source']}:{r['text']}"[:60] for r in ROWS])
def test_value_grammar_table(row):
    pv = parse_value(row["text"])
    got = {
        "kind": pv.kind,
        "direction": pv.direction or "",
        "number": pv.number,
        "number_high": pv.number_high,
        "unit": pv.unit or "",
        "per": pv.per or "",
        "date": str(pv.date) if pv.date else "",
        "date_high": str(pv.date_high) if pv.date_high else "",
        "flags": sorted(pv.flags),
    }
    want = {
        "kind": row["kind"],
        "direction": row["direction"],
        "number": _number(row["number"]),
        "number_high": _number(row["number_high"]),
        "unit": row["unit"],
        "per": row["per"],
        "date": row["date"],
        "date_high": row["date_high"],
        "flags": sorted(f for f in row["flags"].split(",") if f),
    }
    assert got == want, f"{row['text']!r}: {pv}"
    extra = _extra(row["extra"])
    checks = {
        "subject": lambda: pv.subject,
        "remainder": lambda: pv.remainder,
        "trend": lambda: pv.trend,
        "grade": lambda: pv.grade,
        "bool": lambda: {True: "true", False: "false"}.get(pv.boolean),
        "mult": lambda: pv.multiplier,
        "base": lambda: pv.base_unit,
        "wan": lambda: pv.amount_in_wan_yuan,
    }
    for key, expected in extra.items():
        actual = checks[key]()
        if isinstance(actual, float):
            assert actual == pytest.approx(float(expected)), (key, pv)
        else:
            assert actual == expected, (key, pv)


def test_table_is_well_formed():
    texts = [r["text"] for r in ROWS]
    assert len(texts) == len(set(texts)), "a value is listed twice"
    for r in ROWS:
        assert r["kind"] in KINDS, r
        assert r["direction"] in {"", "≥", "≤", ">", "<", "=", "range"}, r
        assert all(f in FLAGS for f in r["flags"].split(",") if f), r
        assert r["source"] in SEED_SOURCES | {"extra"}, r
    # The five seeds hold 301 distinct target, annual-target and actual values.
    assert sum(r["source"] in SEED_SOURCES for r in ROWS) == 301
    assert sum(r["source"] == "extra" for r in ROWS) >= 150


def _seed_values() -> tuple[set[str], set[str]]:
    """Distinct indicator values, and evaluation targets/actuals, as the seed reader reads them."""
    from indicatorqa.readers import read_paths

    batch = read_paths([SEEDS])
    assert not batch.errors, [str(e) for e in batch.errors]
    targets: set[str] = set()
    evaluation: set[str] = set()
    for project in batch.projects:
        targets.update(_same_text(i.value) for i in project.indicators)
        for row in project.evaluation:
            evaluation.update({_same_text(row.target), _same_text(row.actual)})
    return targets, evaluation


def test_every_seed_value_is_in_the_table():
    pytest.importorskip("indicatorqa.readers.seedtext", reason="the seed text reader has not landed yet")
    targets, evaluation = _seed_values()
    table = {r["text"] for r in ROWS if r["source"] in SEED_SOURCES}
    missing = sorted((targets | evaluation) - table - {""})
    assert not missing, f"seed values without an expectation in {TABLE.name}: {missing}"
    stale = sorted(table - targets - evaluation)
    assert not stale, f"rows marked seed that no seed holds: {stale}"


# --------------------------------------------------------------------------- fields and helpers


def test_every_seed_value_parses_to_a_kind():
    for r in ROWS:
        if r["source"] in SEED_SOURCES:
            assert parse_value(r["text"]).kind != "empty"


@pytest.mark.parametrize(
    "variants",
    [
        ["≥95%", "≥95百分比", ">=95%", "≧95%", "≥ 95 %", "≥９５％", "大于等于95%", "不低于95%", "95%以上", "95%及以上"],
        ["≤15万元", "≦15万元", "<=15万元", "不超过15万元", "15万元以内", "控制在15万元以内", "小于等于15万元"],
        ["年底前", "年底之前", "年底以前"],
        ["2025年12月31日前", "2025年12月31日之前", "2025-12-31前", "截至2025年12月31日", "2025年12月31日前完成"],
        ["≥3篇/月", "每月≥3篇", "每月不少于3篇"],
    ],
)
def test_normalized_form_is_the_same_for_equivalent_values(variants):
    forms = {parse_value(v).normalized for v in variants}
    assert len(forms) == 1, {v: parse_value(v).normalized for v in variants}


def test_normalized_examples():
    assert parse_value("≥95百分比").normalized == "≥95%"
    assert parse_value("2025年12月31日前完成").normalized == "2025年12月31日前"
    assert parse_value("80%-90%").normalized == "80~90%"
    assert parse_value("≤800元/人·月").normalized == "≤800元/人·月"
    assert parse_value("≥**人").normalized == "≥【待填】人"
    assert parse_value("提升").normalized == "提升"
    assert parse_value("√").normalized == "是"
    assert parse_value("").normalized == ""


def test_magnitudes_and_money():
    pv = parse_value("≥50万人次")
    assert (pv.number, pv.unit, pv.base_unit, pv.multiplier, pv.base_number) == (50, "万人次", "人次", 10000, 500000)
    assert parse_value("≤0.2万元").amount_in_wan_yuan == pytest.approx(0.2)
    assert parse_value("≤5000元").amount_in_wan_yuan == pytest.approx(0.5)
    assert parse_value("≥1900亿元").amount_in_wan_yuan == pytest.approx(19_000_000)
    assert parse_value("≥95%").amount_in_wan_yuan is None
    assert parse_value("≥100万美元").amount_in_wan_yuan is None  # not 元: no conversion


def test_date_points_resolve_against_the_budget_year():
    pv = parse_value("年底前")
    assert pv.date == DatePoint(None, 12, 31)
    assert pv.date.end(2025) == dt.date(2025, 12, 31)
    assert pv.date.end() is None  # no year known
    month = parse_value("2024年2月前").date
    assert (month.precision, month.start(), month.end()) == ("month", dt.date(2024, 2, 1), dt.date(2024, 2, 29))
    year = parse_value("2021-2025年")
    assert year.date.start() == dt.date(2021, 1, 1) and year.date_high.end() == dt.date(2025, 12, 31)
    assert str(DatePoint(None, 12)) == "*-12" and DatePoint(2025, 3, 1).chinese() == "2025年3月1日"


def test_deadline_qualifier_is_kept():
    assert parse_value("2025年12月31日之前").qualifier == "之前"
    assert parse_value("年内").qualifier == "年内"
    assert parse_value("截至2025年6月").qualifier == "截至"
    assert parse_value("≥95%").qualifier is None


def test_durations_are_not_dates():
    for text in ("≤10个工作日", "≤3个月", "≤6个月", "3个月", "≤5日", "≤2周"):
        pv = parse_value(text)
        assert pv.kind == "duration" and pv.date is None, text
    for text in ("12月", "<12月", "2022年12月"):
        assert parse_value(text).kind == "date", text


def test_parsed_value_is_frozen_hashable_and_serialisable():
    pv = parse_value("2023.07-2024.01")
    with pytest.raises(dataclasses.FrozenInstanceError):
        pv.kind = "count"  # type: ignore[misc]
    assert hash(pv) == hash(parse_value("2023.07-2024.01"))
    data = pv.to_dict()
    assert json.loads(json.dumps(data, ensure_ascii=False)) == data
    assert data["date"] == "2023-07" and data["date_high"] == "2024-01" and data["direction"] == "range"
    assert set(data) == {f.name for f in dataclasses.fields(ParsedValue)}


def test_is_quantified():
    assert parse_value("≥20家").is_quantified
    assert parse_value("年底前").is_quantified
    assert parse_value("良好及以上").is_quantified
    assert parse_value("是").is_quantified
    assert not parse_value("提升").is_quantified
    assert not parse_value("满意度").is_quantified


@pytest.mark.parametrize("value", [None, 95, 95.5, 0, True, [1, 2], {"a": 1}, object()])
def test_non_text_input_does_not_raise(value):
    pv = parse_value(value)  # type: ignore[arg-type]
    assert pv.kind in KINDS
    assert values.FLAG_INTERNAL_ERROR not in pv.flags


def test_non_text_numbers_read_as_numbers():
    assert parse_value(None).kind == "empty"  # type: ignore[arg-type]
    assert (parse_value(95).kind, parse_value(95).number) == ("number", 95)  # type: ignore[arg-type]


# --------------------------------------------------------------------------- spreadsheet cells


@pytest.mark.parametrize(
    ("value", "number_format", "kind", "number", "unit"),
    [
        (0.95, "0%", "percent", 95, "%"),
        (1, "0%", "percent", 100, "%"),
        (1.0, "0.00%", "percent", 100, "%"),
        (100, "0%", "percent", 100, "%"),  # typed as a percentage into a percent cell
        (0.005, "0.0%", "percent", 0.5, "%"),
        (95, "General", "number", 95, None),
        (95, None, "number", 95, None),
        ("≥95%", "@", "percent", 95, "%"),
    ],
)
def test_from_cell_numbers(value, number_format, kind, number, unit):
    pv = from_cell(value, number_format)
    assert (pv.kind, pv.number, pv.unit) == (kind, pytest.approx(number), unit)
    assert (values.FLAG_EXCEL_PERCENT in pv.flags) == ("%" in (number_format or "") and isinstance(value, (int, float)))


@pytest.mark.parametrize("number_format", ["yyyy-mm-dd", 'yyyy"年"m"月"d"日"', "m/d/yyyy", "[$-804]yyyy年m月d日"])
def test_from_cell_date_serial(number_format):
    pv = from_cell(46022, number_format)
    assert pv.kind == "date" and pv.date == DatePoint(2025, 12, 31)
    assert values.FLAG_EXCEL_DATE_SERIAL in pv.flags


def test_from_cell_other_values():
    assert from_cell(dt.datetime(2025, 6, 30, 0, 0)).date == DatePoint(2025, 6, 30)
    assert from_cell(dt.date(2025, 6, 30)).kind == "date"
    assert from_cell(None).kind == "empty"
    assert from_cell(float("nan")).kind == "empty"
    assert from_cell(True).boolean is True
    assert from_cell(False).boolean is False
    # An unformatted serial stays a number, with a hint for the checks.
    assert values.FLAG_POSSIBLE_DATE_SERIAL in from_cell(46022).flags


@pytest.mark.parametrize(
    ("columns", "normalized", "kind"),
    [
        (("≥", 95, "%"), "≥95%", "percent"),
        ((">=", "95", "百分比"), "≥95%", "percent"),
        (("大于等于", 20, "家"), "≥20家", "count"),
        (("", "20", "家", "正向"), "≥20家", "count"),
        ((None, 10.0, "万元", "反向"), "≤10万元", "amount"),
        (("≤", "10", "个工作日"), "≤10个工作日", "duration"),
        ((None, "≥95%", "%"), "≥95%", "percent"),  # unit already in the value cell
        (("≥", "≥95%", "%"), "≥95%", "percent"),  # symbol already in the value cell
        (("正向", 90, "%"), "≥90%", "percent"),  # the direction sits in the symbol column
        (("", "优", "", "正向"), "优", "qualitative"),
        (("", "", "%"), "", "empty"),
        (("=", 100, "%"), "=100%", "percent"),
        (("≤", 3, "‰"), "≤3‰", "percent"),
    ],
)
def test_join_value_columns(columns, normalized, kind):
    pv = join_value_columns(*columns)
    assert (pv.normalized, pv.kind) == (normalized, kind)


# --------------------------------------------------------------------------- the word lists


def test_word_lists_are_consistent():
    grammar = values._G
    symbols = {"≥", "≤", ">", "<", "="}
    for table in ("prefix", "soft_prefix", "suffix", "date_suffix"):
        assert set(grammar["directions"][table]) <= symbols, table
    for cls in ("percent", "money", "time", "count"):
        assert grammar["units"][cls], cls
    # 月 after a number is a month of the year (12月), never a duration unit.
    assert "月" not in grammar["units"]["time"]
    for canonical, cls in values._UNITS.values():
        assert values._UNIT_CLASS_OF_CANONICAL[canonical] == cls, canonical


@pytest.mark.parametrize(
    ("columns", "joined"),
    [
        # Template words in the symbol column are not symbols: 定性/定量 say what kind of value,
        # 无 and a dash say there is none.
        (("定性", "满意", ""), "满意"),
        (("定量", "20", "家"), "20家"),
        (("无", "20", "家"), "20家"),
        (("—", "95", "%"), "95%"),
        (("/", "满意", ""), "满意"),
        # 无 or a dash in the unit column is no unit.
        (("≥", "20", "无"), "≥20"),
        (("", "提升", "—"), "提升"),
        # 正向 on a qualitative value adds no symbol: ≥提升 would read as a broken number.
        (("正向", "提升", ""), "提升"),
        # A unit already written in the value cell is not added again.
        (("≥", "95%", "百分比"), "≥95%"),
    ],
)
def test_split_value_columns_read_the_same_in_every_layout(columns, joined):
    """The form reader (绩效目标表 with 计算符号/指标值/计量单位 columns) and the flat reader
    (one row per indicator) join split value columns with the same grammar."""
    from indicatorqa.readers.form import find_indicator_header, interpret_indicators, join_value

    assert join_value(*columns) == joined
    rows = [["一级指标", "二级指标", "三级指标", "计算符号", "指标值", "计量单位"], ["产出指标", "数量指标", "培训人次", *columns]]
    [indicator] = interpret_indicators(rows, find_indicator_header(rows))
    assert indicator.value == joined


@pytest.mark.parametrize(
    ("text", "kind", "number", "unit", "remainder"),
    [
        ("≥3万亩（以省级下达任务为准）", "count", 3.0, "万亩", "（以省级下达任务为准）"),
        ("100%（以验收报告为准）", "percent", 100.0, "%", "（以验收报告为准）"),
        ("≥0.6万亩（含喷灌、滴灌）", "count", 0.6, "万亩", "（含喷灌、滴灌）"),
    ],
)
def test_a_remark_in_brackets_after_the_target_leaves_the_target(text, kind, number, unit, remainder):
    pv = parse_value(text)
    assert (pv.kind, pv.number, pv.unit, pv.remainder) == (kind, number, unit, remainder)
    assert "remark" in pv.flags and pv.raw == text


@pytest.mark.parametrize("text", ["（以市外办批复为准）", "以市外办批复为准", "提升（显著）", "明显提升（以调查为准）"])
def test_a_remark_without_a_target_before_it_stays_text(text):
    pv = parse_value(text)
    assert pv.kind == "qualitative" and "remark" not in pv.flags
