"""Budget year inference: the year a table is for, and the evidence shown for it."""

from __future__ import annotations

import pytest

from indicatorqa.budgetyear import apply_document_year, evidence_tier, infer_budget_year
from indicatorqa.model import Project


@pytest.mark.parametrize(
    ("title", "texts", "dates", "year", "evidence_start"),
    [
        # The title states the year: …年度, …年, （…年）.
        ("1.2022年度科技重大专项评估绩效目标表", [], [], 2022, "标题：1.2022年度科技重大专项评估"),
        ("2.2025年科技审计与抽查监督工作绩效目标表", [], ["2024年12月前"], 2025, "标题："),
        ("某专项资金（2023年）绩效目标表", [], [], 2023, "标题："),
        # A document number in the title is a reference, not the budget year.
        ("唐财教（2021）42号 市级技术创新引导计划专项资金（2022年）绩效目标表", [], [], 2022, "标题："),
        ("关于下达冀财教〔2020〕15号资金的2021年度绩效目标表", [], [], 2021, "标题："),
        # Money borrowed from an earlier year does not make that year the budget year…
        ("优秀人才奖励（2021年借款）2022年度绩效目标表", [], [], 2022, "标题："),
        # …and without any other year it is only a reference, said so in the evidence.
        ("优秀人才奖励（2021年借款）绩效目标表", [], [], 2021, "参考年份："),
        # No year in the title: deadlines in the values decide.
        ("网络运维绩效目标表", ["参照国科资函〔2021〕13号开展工作"], ["≥4次", "2025年12月31日前完成"], 2025, "指标值：2025年12月31日前完成"),
        ("运维绩效目标表", [], ["2023.07-2024.01", "2023年12月"], 2023, "指标值："),
        ("运维绩效目标表", [], ["2024年底前"], 2024, "指标值：2024年底前"),
        # Neither title nor dates: other text.
        ("奖励经费绩效目标表", ["用于2021年度优秀科技特派员奖励资金"], ["年底之前"], 2021, "文本："),
        # Nothing names a year.
        ("服务工作经费绩效目标表", ["联系服务全市科技工作者"], ["≥15场", "≥90百分比"], None, ""),
    ],
)
def test_infer_budget_year(title, texts, dates, year, evidence_start):
    got_year, evidence = infer_budget_year(title, texts, dates)
    assert got_year == year
    assert evidence.startswith(evidence_start)


def test_values_are_not_read_as_years():
    # 19574.亿元 and counts like 2000家 are amounts, not years.
    assert infer_budget_year("x", [], ["≥2000家次", "19574.亿元"]) == (None, "")


def test_title_wins_over_deadlines_in_other_years():
    # A deadline outside the budget year is a finding (P005), so it must not move the year.
    year, evidence = infer_budget_year("2022年科技统计绩效目标表", [], ["2023年6月30日前"])
    assert year == 2022 and evidence_tier(evidence) == "标题"


def test_document_year_fills_tables_without_their_own():
    titled = Project(name="a", budget_year=2022, budget_year_evidence="标题：10.2022年科技馆运行保障绩效目标表")
    untitled = Project(name="b")
    weak = Project(name="c", budget_year=2021, budget_year_evidence="文本：用于2021年度奖励资金")
    dated = Project(name="d", budget_year=2023, budget_year_evidence="指标值：2023年12月前")
    apply_document_year([titled, untitled, weak, dated])
    assert untitled.budget_year == 2022 and untitled.budget_year_evidence.startswith("同一文件其他表格标题：")
    assert weak.budget_year == 2022
    assert dated.budget_year == 2023  # its own deadlines are better evidence than its siblings' titles


def test_document_year_needs_agreeing_titles():
    a = Project(name="a", budget_year=2022, budget_year_evidence="标题：2022年…")
    b = Project(name="b", budget_year=2023, budget_year_evidence="标题：2023年…")
    c = Project(name="c")
    apply_document_year([a, b, c])
    assert c.budget_year is None
