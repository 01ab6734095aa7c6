"""Rewrite suggestions: measurable, evidence-backed numbers, and never flagged themselves."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from indicatorqa.analyse import Analyzer
from indicatorqa.config import Config
from indicatorqa.learn.models import load_judge
from indicatorqa.model import Goal, Indicator, Project
from indicatorqa.readers import read_paths
from indicatorqa.retrieve import default_retriever, load_corpus
from indicatorqa.suggest import BLANK, FIXABLE, add_suggestions, suggest

SEEDS = Path(__file__).resolve().parent.parent / "corpus" / "seeds"


@pytest.fixture(scope="module")
def analyzer():
    return Analyzer(Config(), load_judge())


@pytest.fixture(scope="module")
def retriever():
    return default_retriever()


@pytest.fixture(scope="module")
def checked_seeds(analyzer, retriever):
    projects = analyzer.analyse(read_paths([SEEDS]).projects)
    return add_suggestions(projects, retriever, judge=analyzer.judge, config=analyzer.config)


def _filled(value: str, typical_low: float | None) -> str:
    """The value as an author would complete it: the blank filled with a plausible number."""
    n = typical_low if typical_low is not None else 1
    return value.replace(BLANK, f"{n:g}")


def test_every_flagged_seed_indicator_gets_suggestions(checked_seeds):
    flagged = [i for p in checked_seeds for i in p.indicators if any(f.code in FIXABLE for f in i.findings)]
    assert len(flagged) > 100
    assert all(1 <= len(i.suggestions) <= 3 for i in flagged)
    for ind in flagged:
        for s in ind.suggestions:
            assert s.name and s.description and s.value and s.source.startswith("corpus:")
            # A number only with evidence: either a blank, or a basis saying where it came from.
            if BLANK not in s.value and re.search(r"\d", s.value):
                assert s.basis, (ind.name, s)


def test_no_suggestion_is_itself_flagged(checked_seeds, analyzer):
    entries = {f"corpus:{e.id}": e for e in load_corpus()}
    bad = []
    for p in checked_seeds:
        for ind in p.indicators:
            for s in ind.suggestions:
                entry = entries[s.source]
                low = (entry.typical_range or {}).get("low")
                candidate = Indicator(level1=s.level1, level2=s.level2, name=s.name, description=s.description, value=_filled(s.value, low))
                project = Project(name=p.name, budget=p.budget, budget_year=p.budget_year or 2025, indicators=[candidate])
                found = analyzer.analyse([project])[0].indicators[0].findings
                if found:
                    bad.append((s.name, candidate.value, [f.code for f in found]))
    assert not bad, f"{len(bad)} suggestions flagged, e.g. {bad[:5]}"


def test_blank_when_no_evidence_and_numbers_from_goals_or_budget(retriever):
    vague = Indicator(level1="效益指标", level2="社会效益指标", name="提升基层科协组织科技工作者能力", value="提升")
    no_evidence = suggest(vague, Project(name="p"), retriever)
    assert no_evidence and all(BLANK in s.value or not re.search(r"\d", s.value) for s in no_evidence)

    cost = Indicator(level1="产出指标", level2="成本指标", name="成本控制", value="控制预算范围内")
    with_budget = suggest(cost, Project(name="p", budget=90.0), retriever)
    amounts = [s for s in with_budget if "万元" in s.value]
    assert any("90" in s.value and "预算" in (s.basis or "") for s in amounts), with_budget

    goal = Project(name="p", goals=[Goal(number=1, text="全年举办科普讲座30场")])
    lecture = Indicator(level1="产出指标", level2="数量指标", name="科普讲座", value="若干")
    sg = suggest(lecture, goal, retriever)
    assert any("30" in s.value and "绩效目标" in (s.basis or "") for s in sg), sg


def test_same_level2_first(retriever):
    ind = Indicator(level1="产出指标", level2="时效指标", name="资金发放时间", value="按时")
    sg = suggest(ind, Project(name="p", budget_year=2025), retriever)
    assert sg[0].level2.startswith("时效")


def test_level_mismatch_rewrites_come_from_the_level_it_belongs_to(analyzer, retriever):
    ind = Indicator(level1="产出指标", level2="质量指标", name="媒体报道次数", description="媒体报道次数", value="≥10次")
    project = analyzer.analyse([Project(name="科技宣传", budget=20.0, budget_year=2025, indicators=[ind])])[0]
    flagged = project.indicators[0]
    assert "N003" in {f.code for f in flagged.findings}
    add_suggestions([project], retriever, judge=analyzer.judge)
    assert flagged.suggestions and flagged.suggestions[0].level2.startswith("数量")


@pytest.mark.parametrize(
    ("project_name", "topic"),
    [("2025年基层科普活动经费", "科普"), ("2025年干部教育培训项目（市级）", "培训"), ("2024年政务信息系统运维", "运维")],
)
def test_a_generic_name_is_read_through_its_project(analyzer, retriever, project_name, topic):
    """A bare 成本 says what it costs only through its project: the suggestions for the same row
    follow the project's subject."""
    ind = Indicator(level1="成本指标", level2="经济成本指标", name="成本", description="成本", value="≤15万元")
    project = analyzer.analyse([Project(name=project_name, indicators=[ind])])[0]
    add_suggestions([project], retriever, judge=analyzer.judge)
    names = [s.name for s in project.indicators[0].suggestions]
    assert names and topic in names[0], names


def test_project_context_keeps_the_subject_only():
    from indicatorqa.retrieve import project_context

    assert project_context("2022年科技馆运行保障") == "科技馆运行保障"
    assert project_context("天津科技馆2022年免费开放项目（中央专款）") == "天津科技馆 免费开放项目"
    assert project_context("唐财教〔2021〕42号 市级技术创新引导专项") == "市级技术创新引导专项"
    assert project_context(None) == ""


def test_a_number_is_carried_over_only_when_it_is_evidence(analyzer, retriever):
    """A pseudo-quantified figure (V004: 对经济的影响 ≥95%) is not evidence for a rewrite's target,
    nor is a figure whose direction is the opposite of the rewrite's; a real one is."""
    from indicatorqa.retrieve import CorpusEntry
    from indicatorqa.suggest import fill_value

    rate = CorpusEntry(id="t/1", source="curated", level1="产出指标", level2="质量指标", name="培训考核合格率",
                       description="考核合格人数/参训人数×100%", value_pattern="≥{n}%", direction="≥", unit="%")
    errors = CorpusEntry(id="t/2", source="curated", level1="产出指标", level2="质量指标", name="数据差错率",
                         description="差错条数/总条数×100%", value_pattern="≤{n}%", direction="≤", unit="%")
    pseudo, real, backwards = (
        Indicator(level1="效益指标", level2="经济效益指标", name="对经济的影响", description="对经济的影响", value="≥95百分比"),
        Indicator(level1="产出指标", level2="质量指标", name="培训考核合格率", description="考核合格人数/参训人数×100%", value="≥95%"),
        Indicator(level1="产出指标", level2="质量指标", name="培训合格率", description="培训合格率", value="≤100%"),
    )
    pseudo, real, backwards = analyzer.analyse([Project(name="2025年培训", indicators=[pseudo, real, backwards])])[0].indicators
    assert "V004" in {f.code for f in pseudo.findings}
    assert BLANK in fill_value(rate, pseudo, None)[0]
    assert fill_value(rate, real, None)[0] == "≥95%"
    assert BLANK in fill_value(errors, real, None)[0]
    assert "V008" in {f.code for f in backwards.findings}
    assert fill_value(rate, backwards, None)[0] == "≥100%"


def test_no_suggestion_repeats_the_rows_own_name(checked_seeds):
    """A rewrite that only gives the row its own name back tells the author nothing."""
    flagged = [i for p in checked_seeds for i in p.indicators if i.suggestions]
    assert flagged
    assert all(s.name.strip() != i.name.strip() for i in flagged for s in i.suggestions)


def _level(s) -> str | None:
    from indicatorqa.levels import canonical_level2

    return canonical_level2(s.level2)


def test_a_vague_effect_claim_also_gets_a_measurable_output(analyzer, retriever):
    """提升…能力 / 显著提升 under 社会效益: the first rewrites stay under 社会效益, and one is the
    measurable output of the same work, marked as moving the row to another 二级指标."""
    ind = Indicator(level1="效益指标", level2="社会效益指标", name="全面提升干部队伍业务能力", value="显著提升")
    project = analyzer.analyse([Project(name="2025年干部教育培训项目", indicators=[ind])])[0]
    add_suggestions([project], retriever, judge=analyzer.judge)
    sg = project.indicators[0].suggestions
    assert len(sg) == 3, sg
    assert _level(sg[0]) == "社会效益" and sg[0].note is None
    moved = [s for s in sg if _level(s) in ("数量", "质量", "时效")]
    assert len(moved) == 1 and moved[0] is sg[-1], sg
    assert "产出" in moved[0].note and moved[0].level2 in moved[0].note
    assert "培训" in moved[0].name + moved[0].description, moved[0]


def test_a_row_with_a_real_measure_keeps_its_level(analyzer, retriever):
    """A 数量 row with a vague value is not a 效益 claim: every rewrite stays under 数量."""
    ind = Indicator(level1="产出指标", level2="数量指标", name="举办培训班期数", value="若干")
    project = analyzer.analyse([Project(name="2025年干部教育培训项目", indicators=[ind])])[0]
    add_suggestions([project], retriever, judge=analyzer.judge)
    sg = project.indicators[0].suggestions
    assert sg and all(_level(s) == "数量" and s.note is None for s in sg), sg


def test_search_outside_adds_the_best_of_other_levels(retriever):
    hits = retriever.search("科普讲座场次", level2="数量", k=5, outside=2)
    head, extra = hits[:5], hits[5:]
    assert all(h.entry.level2_canonical == "数量" for h in head)
    assert extra and all(h.entry.level2_canonical != "数量" for h in extra)
    per_level = {}
    for h in extra:
        per_level[h.entry.level2_canonical] = per_level.get(h.entry.level2_canonical, 0) + 1
    assert max(per_level.values()) <= 2 and len(per_level) >= 5
    assert [h.score for h in extra] == sorted((h.score for h in extra), reverse=True)
    assert retriever.search("科普讲座场次", level2="数量", k=5) == head


def test_suggest_command_checks_the_row_and_says_when_the_level_changes(capsys):
    from indicatorqa.cli import main

    code = main(["suggest", "全面提升干部队伍业务能力", "--value", "显著提升", "--level2", "社会效益指标"])
    out = capsys.readouterr().out
    assert code == 0
    assert out.count("来源：corpus:") == 3
    assert "说明：原指标是笼统的效益表述" in out and "产出指标" in out


def test_rewrites_change_the_level_only_with_a_reason_and_say_so(checked_seeds, analyzer):
    """A rewrite under another 二级指标 tells the author to move the row; it is offered only when
    the findings engine says the row is under the wrong level (N003), is a vague 效益 claim, or
    its words name that level (other_level), and it always says so."""
    from indicatorqa.levels import canonical_level2
    from indicatorqa.suggest import _min_confidence, other_level, vague_effect_claim

    moved_with_reason = 0
    for p in checked_seeds:
        for ind in p.indicators:
            written = canonical_level2(ind.level2) or canonical_level2(ind.level1)
            codes = {f.code for f in ind.findings}
            for s in ind.suggestions:
                if written and _level(s) != written:
                    assert s.note, (ind.name, s)
                    named = other_level(ind, written, analyzer.judge, _min_confidence(None))
                    assert "N003" in codes or vague_effect_claim(ind, written) or named == _level(s), (ind.name, ind.value, s.name, s.note)
                    moved_with_reason += 1
    assert moved_with_reason > 10


def _pass_rate_under_timeliness(analyzer):
    # A pass rate is a 质量 measure; written under 时效 the shipped level model still echoes the
    # written level (no N003), but the row's own words point to 质量.
    # The description only repeats the name (N001), so `check` suggests rewrites for it.
    ind = Indicator(level1="产出指标", level2="时效指标", name="培训考试合格率", description="培训考试合格率", value="≥90%")
    project = analyzer.analyse([Project(name="2025年基层干部业务能力培训项目", indicators=[ind])])[0]
    assert {f.code for f in project.indicators[0].findings} & FIXABLE
    return project.indicators[0], project


def test_a_row_whose_words_name_another_level_gets_its_last_rewrite_there(analyzer, retriever):
    ind, project = _pass_rate_under_timeliness(analyzer)
    assert "N003" not in {f.code for f in ind.findings}
    sg = suggest(ind, project, retriever, judge=analyzer.judge)
    assert len(sg) == 3, sg
    assert [_level(s) for s in sg[:2]] == ["时效", "时效"] and sg[0].note is None
    assert _level(sg[2]) == "质量", sg
    assert "质量指标" in sg[2].note and "二级指标一并改过来" in sg[2].note


def test_the_other_level_place_follows_the_configured_threshold(analyzer, retriever):
    """other_level_suggestion_min_confidence = 1 (in a user's --config) keeps every rewrite at
    the written level."""
    ind, project = _pass_rate_under_timeliness(analyzer)
    strict = Config(thresholds={"other_level_suggestion_min_confidence": 1.0})
    sg = suggest(ind, project, retriever, judge=analyzer.judge, config=strict)
    assert sg and all(_level(s) == "时效" and s.note is None for s in sg), sg
    # add_suggestions (check, report, the API) reads the same setting.
    for config, third in ((strict, "时效"), (None, "质量")):
        copy = project.model_copy(deep=True)
        add_suggestions([copy], retriever, judge=analyzer.judge, config=config)
        got = copy.indicators[0].suggestions
        assert len(got) == 3 and _level(got[2]) == third, got


def test_a_model_directory_without_the_optional_model_still_loads_and_suggests(tmp_path, retriever):
    """A directory trained before level2_unwritten existed (a user's own `indicatorqa train --out`)
    loads as before; its rewrites simply stay at the row's level."""
    import json
    import shutil

    from indicatorqa.learn.models import OPTIONAL_MODELS, default_model_dir

    old = tmp_path / "findings"
    shutil.copytree(default_model_dir(), old)
    meta = json.loads((old / "manifest.json").read_text("utf-8"))
    for name in OPTIONAL_MODELS:
        for section in ("files", "runtime"):
            meta[section].pop(name)
        for f in old.glob(f"{name}.*"):
            f.unlink()
    (old / "manifest.json").write_text(json.dumps(meta), "utf-8")
    judge = load_judge(old)
    assert "level2_unwritten" not in judge.models
    analyzer = Analyzer(Config(), judge)
    ind, project = _pass_rate_under_timeliness(analyzer)
    sg = suggest(ind, project, retriever, judge=judge)
    assert len(sg) == 3 and all(_level(s) == "时效" for s in sg), sg
