"""Targets split into a lower and an upper bound (湖北's 目标值下限 | 目标值上限 under one
指标值, with a 计量单位 column): each row reads as one value the checks understand."""

from __future__ import annotations

import builders as B
from indicatorqa.analyse import Analyzer
from indicatorqa.config import Config
from indicatorqa.readers import read_file
from indicatorqa.values import join_bounds, parse_value

_ROWS = [
    ["产出指标", "数量指标", "培训基层农技人员", 120, "—", "人"],
    ["产出指标", "数量指标", "建设示范基地", 3, 3, "个"],
    ["产出指标", "质量指标", "主推技术到位率", 95, 100, "%"],
    ["产出指标", "时效指标", "项目完成时间", "—", "2025年12月31日", "—"],
    ["成本指标", "经济成本指标", "人均培训成本", "—", 1500, "元"],
    ["满意度指标", "服务对象满意度指标", "示范主体满意度", 90, "", "%"],
]
_EXPECTED = ["≥120人", "3个", "95%-100%", "≤2025年12月31日", "≤1500元", "≥90%"]


def _write(path, rows, merges=()):
    path.write_bytes(B.rows_xlsx_bytes(rows, merges))
    return read_file(path)


def test_form_with_bounds_under_a_merged_target_header_reads_each_value(tmp_path):
    rows = [
        ["项目支出绩效目标申报表"],
        ["项目名称", "基层农技推广补助项目"],
        ["实施单位", "某县农业技术推广中心"],
        ["项目资金（万元）", "年度资金总额", 186],
        ["一级指标", "二级指标", "三级指标", "指标值", "", "计量单位"],
        ["", "", "", "目标值下限", "目标值上限", ""],
        *_ROWS,
    ]
    merges = ["A1:F1", "D5:E5", "A5:A6", "B5:B6", "C5:C6", "F5:F6"]
    (project,) = _write(tmp_path / "bounds.xlsx", rows, merges).projects
    assert project.name == "基层农技推广补助项目" and project.budget == 186
    assert [i.value for i in project.indicators] == _EXPECTED
    # No row for the second header line, and the bounds read as the checks expect.
    assert [i.name for i in project.indicators] == [r[2] for r in _ROWS]
    (analysed,) = Analyzer(Config()).analyse([project])
    flagged = {i.name: [f.code for f in i.findings] for i in analysed.indicators if i.findings}
    assert not any(code.startswith("V") for codes in flagged.values() for code in codes), flagged


def test_flat_table_with_bound_columns_reads_each_value(tmp_path):
    rows = [["项目名称", "一级指标", "二级指标", "三级指标", "指标值下限", "指标值上限", "计量单位"]]
    rows += [["农技推广", *r] for r in _ROWS]
    (project,) = _write(tmp_path / "flat.xlsx", rows).projects
    assert [i.value for i in project.indicators] == _EXPECTED


def test_bounds_join_reads_as_the_value_grammar_expects():
    assert parse_value(join_bounds(95, 100, "%")).kind == "percent"
    assert join_bounds("≥95%", "", "%") == "≥95%"  # the unit already in the cell, the symbol too
    assert join_bounds("", "", "人") == join_bounds("—", "/", "人") == ""
