"""Reading the seed text export, and the form / self-evaluation interpreters behind it.

The seed counts below were checked by hand against the files (see corpus/seeds and
SPEC.md: 47 project tables, 386 indicator rows, and the self-evaluation table of 003).
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from indicatorqa.errors import InputError
from indicatorqa.readers import read_bytes, read_file
from indicatorqa.readers.form import interpret_form, split_goals
from indicatorqa.readers.seedtext import looks_like, read_seedtext
from indicatorqa.readers.selfeval import interpret_self_evaluation

SEEDS = Path(__file__).resolve().parent.parent / "corpus" / "seeds"
FILES = {
    "000": "000_cab285404ad495ca.txt",
    "001": "001_605062abf738873e.txt",
    "002": "002_13db869fc1a32b4a.txt",
    "003": "003_a3cb9191b7c11910.txt",
    "004": "004_32c40b63d90b2296.txt",
}


@pytest.fixture(scope="module")
def seeds():
    return {key: read_file(SEEDS / name) for key, name in FILES.items()}


def targets(doc):
    return [p for p in doc.projects if p.kind == "target"]


# ---------------------------------------------------------------------------
# The five seeds


def test_seeds_read_to_47_tables_and_386_indicators(seeds):
    assert all(doc.format == "seedtext" for doc in seeds.values())
    tables = [p for doc in seeds.values() for p in targets(doc)]
    assert len(tables) == 47
    assert sum(len(p.indicators) for p in tables) == 386


def test_table_counts_per_file_match_the_seed_readme(seeds):
    assert {key: len(targets(doc)) for key, doc in seeds.items()} == {
        "000": 12,
        "001": 12,
        "002": 13,
        "003": 0,
        "004": 10,
    }
    assert {key: sum(len(p.indicators) for p in doc.projects) for key, doc in seeds.items()} == {
        "000": 89,
        "001": 118,
        "002": 109,
        "003": 0,
        "004": 70,
    }


def test_every_indicator_has_levels_name_and_value(seeds):
    for doc in seeds.values():
        for project in targets(doc):
            for ind in project.indicators:
                assert ind.level1 and ind.level2 and ind.name and ind.value, ind.source.describe()


def test_merged_level1_cells_are_carried_forward(seeds):
    first = targets(seeds["000"])[0]
    assert [i.level1 for i in first.indicators] == ["产出指标"] * 10 + ["效益指标", "满意度指标"]
    assert [i.level2 for i in first.indicators[:5]] == ["数量指标"] * 4 + ["质量指标"]


def test_indicator_sources_name_file_table_row_and_line(seeds):
    table = targets(seeds["000"])[1]
    assert table.source.table == 2 and table.source.line == 108
    first, second = table.indicators[:2]
    assert (first.source.table, first.source.row, first.source.line) == (2, 1, 138)
    assert (second.source.row, second.source.line) == (2, 144)
    assert first.source.file.endswith(FILES["000"])


def test_titles_and_names_without_bookmark_artefacts(seeds):
    first = targets(seeds["000"])[0]
    assert first.title == "1.市科技局网络安全和网络科技环境运维绩效目标表"
    assert first.name == "市科技局网络安全和网络科技环境运维"
    for doc in seeds.values():
        for p in doc.projects:
            assert "bookmark" not in p.title + p.name
            assert all("bookmark" not in g.text for g in p.goals)


def test_unit_names_and_codes(seeds):
    def units(key):
        return {(p.unit_code, p.unit) for p in targets(seeds[key])}

    assert units("000") == {("331201", "天津市科学技术信息研究所")}
    assert units("001") == {("569301", "天津市科学技术协会"), ("644201", "天津科学技术馆")}
    assert units("002") == {("331202", "天津市科学技术发展战略研究院")}
    assert units("004") == {("339003", "唐山市丰润区科学技术局")}
    # 001 holds 9 tables of the association, then 3 of the museum.
    assert [p.unit_code for p in targets(seeds["001"])] == ["569301"] * 9 + ["644201"] * 3


def test_budgets_in_wan_yuan(seeds):
    first = targets(seeds["000"])[0]
    assert (first.budget, first.budget_fiscal, first.budget_other) == (493.0, 493.0, None)
    assert targets(seeds["001"])[6].budget == 448.40
    assert [p.budget for p in targets(seeds["004"])] == [1.0, 300.0, 115.0, 280.0, 270.0, 30.0, 119.0, 20.0, 100.0, 25.0]


def test_use_of_funds_keeps_its_paragraphs(seeds):
    assert targets(seeds["000"])[0].use_of_funds == "市科技局网络安全和网络科技环境运维相关支出"
    statistics = targets(seeds["002"])[1]
    paragraphs = statistics.use_of_funds.split("\n")
    assert len(paragraphs) == 2
    assert paragraphs[0].startswith("按照国家科技统计调查制度要求")
    assert paragraphs[1].startswith("依据等保2.0")


def test_goals_are_numbered(seeds):
    first = targets(seeds["000"])[0]
    assert [g.number for g in first.goals] == [1, 2, 3, 4]
    assert first.goals[0].text == "保障科技管理信息网络应用与服务环境安全、稳定运行，网络畅通。"
    assert first.goals[3].text.startswith("持续开展科技系统网站及信息系统网络安全监测")
    assert [g.number for g in targets(seeds["002"])[1].goals] == [1, 2, 3, 4, 5]
    # A single goal with sub-items (1)(2) stays one goal.
    audit = targets(seeds["000"])[1]
    assert len(audit.goals) == 1 and audit.goals[0].text.startswith("(1)进一步规范")
    # A number inside the text (1.2025年度新增…) is not a second goal.
    instruments = targets(seeds["000"])[2]
    assert [(g.number, g.text[:10]) for g in instruments.goals] == [(1, "2025年度新增共享")]


def test_multi_line_cells_are_one_cell(seeds):
    # 001 table 2: the name and description cells end with two empty paragraphs.
    service = targets(seeds["001"])[1]
    assert len(service.indicators) == 6
    timely = service.indicators[2]
    assert (timely.level2, timely.name, timely.description, timely.value) == (
        "时效指标",
        "项目按时完成率",
        "项目按时完成率",
        "≥90百分比",
    )
    assert service.indicators[3].name == "资金不超过预算金额"
    # 002 table 2: the same in a 成本指标 row.
    cost = targets(seeds["002"])[1].indicators[4]
    assert (cost.level2, cost.name, cost.description, cost.value) == ("成本指标", "成本控制", "成本控制", "控制预算范围内")


def test_long_qualitative_values_are_kept_whole(seeds):
    value = targets(seeds["000"])[0].indicators[10].value
    assert value.startswith("通过开展市科技局网络安全和网络科技环境运维工作")
    assert value.endswith("增强市科技局网络信息安全防护能力。")


def test_budget_years(seeds):
    assert {p.budget_year for p in targets(seeds["000"])} == {2025}
    assert {p.budget_year for p in targets(seeds["001"])} == {2022}
    assert {p.budget_year for p in targets(seeds["002"])} == {2022}
    assert {p.budget_year for p in targets(seeds["004"])} == {2022}
    assert targets(seeds["002"])[0].budget_year_evidence == "标题：1.2022年度科技重大专项评估绩效目标表"
    assert targets(seeds["000"])[0].budget_year_evidence == "指标值：2025年12月31日前完成"
    # 唐财教（2021）42号 is a document number; （2022年） is the year.
    assert targets(seeds["004"])[2].budget_year_evidence.startswith("标题：3.唐财教（2021）42号")
    # （2021年借款） names where the money came from; the file's titles say 2022.
    loan = targets(seeds["004"])[0]
    assert loan.budget_year == 2022
    assert loan.budget_year_evidence.startswith("同一文件其他表格标题：")


# ---------------------------------------------------------------------------
# Seed 004: department preamble, 项目编码, 资金支出计划, 指标值确定依据


def test_004_department_preamble_is_not_a_project(seeds):
    tables = targets(seeds["004"])
    assert tables[0].title == "1.优秀科技特派员奖励（2021年借款）绩效目标表"
    assert all("部门整体" not in p.title + p.name for p in tables)
    assert all(len(p.indicators) == 7 for p in tables)


def test_004_project_codes(seeds):
    codes = [p.code for p in targets(seeds["004"])]
    assert codes[:3] == ["13020822P00871410001L", "13020822P00933810001D", "13020822P00955410001L"]
    assert codes[8] == "13020822P008729100018"
    assert codes[9] == "13020822P00873010001C"
    assert len(set(codes)) == 10
    # Tables of the other seeds have no 项目编码.
    assert all(p.code == "" for p in targets(seeds["000"]))


def test_004_spending_plan(seeds):
    tables = targets(seeds["004"])
    loan = tables[0].spending_plan
    assert [(e.period, e.percent, e.text) for e in loan] == [
        ("3月底", 100.0, "100%"),
        ("6月底", None, ""),
        ("10月底", None, ""),
        ("12月底", None, ""),
    ]
    assert [e.percent for e in tables[1].spending_plan] == [30.0, 60.0, 90.0, 100.0]
    assert [e.percent for e in tables[9].spending_plan] == [30.0, 30.0, 90.0, 100.0]
    assert all(p.spending_plan == [] for p in targets(seeds["000"]))


def test_004_value_basis_column(seeds):
    first = targets(seeds["004"])[0]
    assert [i.value_basis for i in first.indicators] == [
        "资金发放表",
        "工作标准",
        "工作计划",
        "历史标准",
        "工作计划",
        "工作计划",
        "问卷调查",
    ]
    assert first.indicators[0].value == "≥5人" and first.indicators[0].description == "优秀特派员奖励人数"
    assert all(i.value_basis for p in targets(seeds["004"]) for i in p.indicators)
    assert all(i.value_basis == "" for p in targets(seeds["000"]) for i in p.indicators)


def test_004_placeholder_goal_is_kept(seeds):
    first = targets(seeds["004"])[0]
    assert [(g.number, g.text) for g in first.goals] == [(1, "目标内容1")]


# ---------------------------------------------------------------------------
# Seed 003: the self-evaluation table


@pytest.fixture(scope="module")
def selfeval(seeds):
    (project,) = seeds["003"].projects
    return project


def test_003_is_one_self_evaluation(selfeval):
    assert selfeval.kind == "self_evaluation"
    assert selfeval.unit == "天津市科学技术局"
    assert selfeval.name == "整体支出绩效自评表"
    assert selfeval.budget_year == 2024
    assert selfeval.indicators == []


def test_003_all_indicator_rows(selfeval):
    # Counted by hand: 16 + 16 + 15 + 13 rows on the four pages.
    assert len(selfeval.evaluation) == 60
    assert Counter(e.goal for e in selfeval.evaluation) == {1: 11, 2: 11, 3: 8, 4: 9, 5: 10, 6: 11}
    names = [e.name for e in selfeval.evaluation]
    assert "三级指标" not in names  # the header repeated on each page is not a row
    assert names[0] == "与京冀创新资源开展对接（京津冀协同创新工作）"
    assert names[-1] == "运转服务对象满意度"


def test_003_weights_and_scores_add_up_to_the_total(selfeval):
    assert selfeval.total_score == 93.95
    assert selfeval.execution.weight == 10 and selfeval.execution.score == 9.65
    # The 总分 row says 100 points: 90 for the indicators, 10 for budget execution.
    assert sum(e.weight for e in selfeval.evaluation) + selfeval.execution.weight == 100
    assert round(sum(e.score for e in selfeval.evaluation) + selfeval.execution.score, 2) == 93.95


def test_003_rows_aligned_by_content(selfeval):
    rows = selfeval.evaluation

    def row(k):
        e = rows[k - 1]
        return (e.goal, e.level1, e.level2, e.name, e.target, e.actual, e.weight, e.score, e.reason)

    assert row(1) == (1, "产出指标", "数量指标", "与京冀创新资源开展对接（京津冀协同创新工作）", "≥10次", "14次", 1, 1, "")
    # 成本指标 shifted into the 一级 column is the 二级 of the 产出 group.
    assert row(8)[:6] == (1, "产出指标", "成本指标", "京津冀科技协同、京津冀基础研究等项目成本", "≤5115万元", "5051.15万元")
    assert row(9)[6:8] == (2, 1.5) and row(9)[8].startswith("未能准确计算立项项目数量")
    # A row shifted one cell to the right, without a reason cell.
    assert row(12) == (2, "产出指标", "数量指标", "应用基础研究立项项目数", "≥300项", "498项", 1, 0.5, "")
    # The name in the first column, the level cells after it empty.
    assert row(13) == (2, "产出指标", "数量指标", "支持优秀市级重点实验室数量", "≥25家", "25家", 1, 1, "")
    assert row(15)[1:4] == ("产出指标", "质量指标", "国内外基础科技文献资源采购覆盖率")
    # Qualitative target and actual.
    assert row(20)[3:5] == ("提高人民健康水平", "促进我市重大疾病防治技术发展")
    assert row(31)[4:8] == ("≥15家", "0家", 2, 0)
    assert row(46)[:4] == (5, "产出指标", "成本指标", "科技人才队伍建设、科普等工作成本")
    assert row(57)[4:8] == ("≤34403.58万元", "44316.45万元", 1, 0.3)
    assert row(60)[:3] == (6, "满意度指标", "服务对象满意度")


def test_003_goals_execution_and_conclusion(selfeval):
    assert [g.number for g in selfeval.goals] == [1, 2, 3, 4, 5, 6]
    assert selfeval.goals[1].text.startswith("高质量建设和运行实验室体系")
    assert selfeval.goals[1].actual.startswith("新增2家全国重点实验室")
    ex = selfeval.execution
    assert (ex.initial, ex.annual, ex.executed, ex.rate) == (85652.16, 176875.03, 170639.2, "96.5%")
    assert ex.reason.startswith("主要原因是天津医学健康研究院项目")
    assert selfeval.conclusion.startswith("本部门整体支出绩效自评得分93.95分")
    assert "<p>" not in selfeval.conclusion and "</p>" not in selfeval.conclusion


# ---------------------------------------------------------------------------
# Recognising the layout


def test_looks_like_recognises_both_layouts_by_content():
    for name in FILES.values():
        assert looks_like((SEEDS / name).read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    "text",
    [
        "一级指标,二级指标,三级指标,绩效指标描述,指标值\n产出指标,数量指标,培训人数,参训人数,≥100人次\n",
        "一级指标\t二级指标\t三级指标\t绩效指标描述\t指标值\n产出指标\t数量指标\t培训人数\t参训人数\t≥100人次\n",
        "\t一级指标\t二级指标\t三级指标\t指标值\n\t产出指标\t数量指标\t培训人数\t≥100人次\n",
        # A flat self-evaluation TSV (header first) is a plain table, not the export.
        "三级指标\t年度指标值\t实际完成值\t分值\t得分\n培训人数\t≥100人次\t120人次\t10\t10\n",
        "just some text\nwith lines\n",
    ],
)
def test_looks_like_does_not_claim_plain_tables(text):
    assert not looks_like(text)


# ---------------------------------------------------------------------------
# Synthetic exports


def seed_text(*tables, preamble: str = "") -> str:
    """Build a text in the export layout: title, then rows of tab-prefixed cells."""
    out = [preamble] if preamble else []
    for title, rows in tables:
        out.append(title)
        out.append("\n\n".join("\n".join("\t" + cell for cell in row) for row in rows))
        out.append("\n\n")
    return "\n".join(out)


FORM_ROWS = [
    ["110001某市科技服务中心", "单位：万元"],
    ["项目名称", "科技培训"],
    ["预算规模及资金用途", "预算数", "50.00", "其中：财政    资金", "40.00", "其他资金", "10.00"],
    ["", "用于开展科技培训"],
    ["绩效目标", "1.培训科技人员500人次\n2.满意度不低于90%"],
    ["一级指标", "二级指标", "三级指标", "绩效指标描述", "指标值"],
]


def test_synthetic_export_with_preamble_and_two_tables():
    text = seed_text(
        ("[bookmark: _Toc_1]1.科技培训绩效目标表", FORM_ROWS + [
            ["产出指标", "数量指标", "培训人次", "参训人员人次", "≥500人次"],
            ["", "质量指标", "结业率\n\n", "结业人数/参训人数\n", "≥95%"],
            ["满意度指标", "服务对象满意度指标", "参训人员满意度", "问卷调查", "≥90%"],
        ]),
        ("2.2024年科普活动绩效目标表", FORM_ROWS[:1] + [["项目名称", "科普活动"]] + FORM_ROWS[5:] + [
            ["产出指标", "数量指标", "活动场次", "活动场次", "≥20场"],
        ]),
        preamble="第一部分\n部门整体绩效目标\n一、总体绩效目标\n推进科技创新，提升服务水平。",
    )
    doc = read_seedtext(text, "demo.txt")
    assert [p.name for p in doc.projects] == ["科技培训", "科普活动"]
    training, events = doc.projects
    assert (training.unit, training.unit_code) == ("某市科技服务中心", "110001")
    assert (training.budget, training.budget_fiscal, training.budget_other) == (50.0, 40.0, 10.0)
    assert training.use_of_funds == "用于开展科技培训"
    assert [(g.number, g.text) for g in training.goals] == [(1, "培训科技人员500人次"), (2, "满意度不低于90%")]
    assert [(i.level1, i.level2, i.name, i.description, i.value) for i in training.indicators] == [
        ("产出指标", "数量指标", "培训人次", "参训人员人次", "≥500人次"),
        ("产出指标", "质量指标", "结业率", "结业人数/参训人数", "≥95%"),
        ("满意度指标", "服务对象满意度指标", "参训人员满意度", "问卷调查", "≥90%"),
    ]
    assert [i.source.row for i in training.indicators] == [1, 2, 3]
    assert events.budget_year == 2024 and events.indicators[0].value == "≥20场"
    # The first table names no year: it takes the year its sibling's title gives.
    assert training.budget_year == 2024


INDICATOR = [["产出指标", "数量指标", "培训人次", "参训人员人次", "≥500人次"]]


def test_two_forms_without_a_title_between_are_two_projects():
    rows = FORM_ROWS + INDICATOR + [["220002另一单位", "单位：万元"], ["项目名称", "第二项目"]] + FORM_ROWS[5:] + INDICATOR
    doc = read_seedtext(seed_text(("1.科技培训绩效目标表", rows)), "merged.txt")
    assert [(p.name, p.unit_code, len(p.indicators)) for p in doc.projects] == [("科技培训", "110001", 1), ("第二项目", "220002", 1)]


def test_form_split_by_a_heading_paragraph_is_one_project():
    text = seed_text(("1.科技培训绩效目标表", FORM_ROWS[:5]), ("绩效指标", FORM_ROWS[5:] + INDICATOR))
    (project,) = read_seedtext(text, "split.txt").projects
    assert (project.title, project.name, project.budget, len(project.goals), len(project.indicators)) == (
        "1.科技培训绩效目标表",
        "科技培训",
        50.0,
        2,
        1,
    )


def test_export_in_gbk_with_windows_line_ends_reads_the_same():
    text = seed_text(("1.科技培训绩效目标表", FORM_ROWS + INDICATOR)).replace("\n", "\r\n")
    doc = read_bytes(text.encode("gbk"), "gbk.txt")
    assert doc.format == "seedtext" and doc.encoding == "gb18030"
    (project,) = doc.projects
    assert (project.name, project.budget, len(project.goals)) == ("科技培训", 50.0, 2)
    assert project.indicators[0].value == "≥500人次"


def test_export_without_indicator_header_names_the_file():
    text = seed_text(("1.科技培训绩效目标表", FORM_ROWS[:5] + [["产出指标", "数量指标", "培训人次", "≥500人次"]]))
    with pytest.raises(InputError) as info:
        read_seedtext(text, "noheader.txt")
    assert info.value.file == "noheader.txt"
    assert "表头" in info.value.message and "指标值" in info.value.message


# ---------------------------------------------------------------------------
# The form interpreter on grids from other provinces


def values(project):
    return [(i.level1, i.level2, i.name, i.description, i.value, i.value_basis) for i in project.indicators]


def test_blank_level_cells_are_carried_within_their_group():
    rows = [
        ["一级指标", "二级指标", "三级指标", "指标值"],
        ["产出指标", "数量指标", "培训人次", "≥500人次"],
        ["", "", "培训班次", "≥10期"],
        ["效益指标", "社会效益指标", "持证率", "≥80%"],
        ["", "", "就业率", "≥60%"],
    ]
    project = interpret_form(rows)
    assert [(i.level1, i.level2) for i in project.indicators] == [
        ("产出指标", "数量指标"),
        ("产出指标", "数量指标"),
        ("效益指标", "社会效益指标"),
        ("效益指标", "社会效益指标"),
    ]


def test_split_value_columns_are_joined():
    rows = [
        ["一级指标", "二级指标", "三级指标", "计算符号", "指标值", "计量单位", "指标值设定依据"],
        ["产出指标", "数量指标", "服务企业数", "≥", "20", "家", "上年实际"],
        ["", "质量指标", "验收合格率", "=", "100", "%", ""],
        ["", "时效指标", "完成时间", "", "2024年12月31日前", "", ""],
        ["", "成本指标", "投诉率", "≥", "≤5", "%", ""],
    ]
    assert [i.value for i in interpret_form(rows).indicators] == ["≥20家", "=100%", "2024年12月31日前", "≤5%"]
    assert interpret_form(rows).indicators[0].value_basis == "上年实际"


def test_direction_column_gives_the_comparison():
    rows = [
        ["二级指标", "三级指标", "指标方向", "指标值", "度量单位"],
        ["数量目标", "培训人次", "正向", "500", "人次"],
        ["质量目标", "投诉率", "反向", "5", "%"],
    ]
    assert [i.value for i in interpret_form(rows).indicators] == ["≥500人次", "≤5%"]


def test_two_row_header_with_merged_value_cell():
    rows = [
        ["一级指标", "二级指标", "三级指标", "指标值", "指标值确定依据"],
        ["计算符号", "指标值", "计量单位"],
        ["产出指标", "数量指标", "培训人数", "≥", "200", "人", "计划"],
    ]
    assert values(interpret_form(rows)) == [("产出指标", "数量指标", "培训人数", "", "≥200人", "计划")]


def test_missing_description_column():
    rows = [["一级指标", "二级指标", "三级指标", "指标值"], ["产出指标", "数量指标", "培训人次", "≥500人次"]]
    assert values(interpret_form(rows)) == [("产出指标", "数量指标", "培训人次", "", "≥500人次", "")]


def test_header_synonyms_and_column_order():
    rows = [
        ["序号", "目标值", "指标名称", "指标解释", "一级指标（必填）", "二级指标（必填）", "设定依据"],
        ["1", "≥20家", "服务企业数", "当年服务的企业数量", "产出指标（必填）", "产出数量", "上年实际"],
    ]
    # Mapped by header, not position; level names kept exactly as written.
    assert values(interpret_form(rows)) == [
        ("产出指标（必填）", "产出数量", "服务企业数", "当年服务的企业数量", "≥20家", "上年实际")
    ]


def test_one_and_two_level_tables():
    two = [["二级指标", "三级指标", "指标值"], ["进度指标", "完成时间", "2024年底前"]]
    assert values(interpret_form(two)) == [("", "进度指标", "完成时间", "", "2024年底前", "")]
    one = [["一级指标", "指标名称", "指标内容", "年度指标值"], ["项目完成指标", "建设面积", "新建面积", "≥5万亩"]]
    assert values(interpret_form(one)) == [("项目完成指标", "", "建设面积", "新建面积", "≥5万亩", "")]


def test_row_with_merged_name_and_description_keeps_value_at_the_right():
    rows = [
        ["一级指标", "二级指标", "三级指标", "绩效指标描述", "指标值", "指标值确定依据"],
        ["产出指标", "数量指标", "培训人数", "≥200人", "计划"],  # name spans the description
    ]
    assert values(interpret_form(rows)) == [("产出指标", "数量指标", "培训人数", "", "≥200人", "计划")]


def test_labelled_form_fields_of_other_layouts():
    rows = [
        ["项目名称：乡村振兴科技服务", "单位名称：某县科学技术局"],
        ["项目编码", "33010024T000000012345", "年度资金总额", "1,200"],
        ["其中：财政拨款", "1000", "其他资金", "200"],
        ["年度绩效目标", "一、服务农户1000户。二、推广新品种5个"],
        ["资金支出计划（%）", "一季度", "二季度", "三季度", "四季度"],
        ["", "0.1", "0.4", "0.7", "1"],
        ["一级指标", "二级指标", "三级指标", "指标值"],
        ["产出指标", "数量指标", "服务农户数", "≥1000户"],
    ]
    project = interpret_form(rows, title="2023年度项目支出绩效目标表", file="x.xlsx", table=3, lines=list(range(2, 10)))
    assert (project.name, project.unit, project.code) == ("乡村振兴科技服务", "某县科学技术局", "33010024T000000012345")
    assert (project.budget, project.budget_fiscal, project.budget_other) == (1200.0, 1000.0, 200.0)
    assert [(g.number, g.text) for g in project.goals] == [(1, "服务农户1000户。"), (2, "推广新品种5个")]
    # Percents stored as fractions by a spreadsheet read as percents.
    assert [(e.period, e.percent) for e in project.spending_plan] == [
        ("一季度", 10.0),
        ("二季度", 40.0),
        ("三季度", 70.0),
        ("四季度", 100.0),
    ]
    assert project.budget_year == 2023
    assert (project.indicators[0].source.table, project.indicators[0].source.line) == (3, 9)


def test_amounts_in_yuan_are_converted_to_wan_yuan():
    rows = [
        ["某市科技服务中心", "单位：元"],
        ["项目名称", "设备购置"],
        ["预算数", "150000"],
        ["一级指标", "三级指标", "指标值"],
        ["产出指标", "购置设备", "3台"],
    ]
    project = interpret_form(rows)
    assert project.unit == "某市科技服务中心" and project.unit_code == ""
    assert project.budget == 15.0


def test_notes_and_repeated_headers_are_not_indicators():
    rows = [
        ["一级指标", "二级指标", "三级指标", "指标值"],
        ["产出指标", "数量指标", "培训人次", "≥500人次"],
        ["一级指标", "二级指标", "三级指标", "指标值"],
        ["", "", "培训班次", "≥10期"],
        ["满意度指标", "", "", ""],
        ["注：定量指标须填写计量单位，定性指标须分级分档表述。"],
    ]
    assert [i.name for i in interpret_form(rows).indicators] == ["培训人次", "培训班次"]


def test_no_header_raises_input_error_naming_file_and_row():
    rows = [["项目名称", "科技培训"], ["产出指标", "数量指标", "培训人次", "≥500人次"]]
    with pytest.raises(InputError) as info:
        interpret_form(rows, file="tables.docx", lines=[7, 8])
    assert info.value.file == "tables.docx" and info.value.row == 7
    assert "没有找到指标表表头" in info.value.message
    assert "tables.docx" in str(info.value)


def test_split_goals_styles():
    assert [g.text for g in split_goals("（1）参照文件开展审计\n（2）开展抽查监督")] == ["参照文件开展审计", "开展抽查监督"]
    assert [g.text for g in split_goals("1.完成培训；2.发放补贴2.5万元；3.验收")] == ["完成培训", "发放补贴2.5万元", "验收"]
    assert [(g.number, g.text) for g in split_goals("保障系统正常运行")] == [(1, "保障系统正常运行")]
    assert split_goals("") == []


# ---------------------------------------------------------------------------
# The self-evaluation interpreter on a grid (as a .docx would give it)


def test_project_self_evaluation_grid():
    rows = [
        ["项目名称", "科普活动经费"],
        ["主管部门", "某市科协", "实施单位", "某市科技馆"],
        ["项目资金（万元）", "", "年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分"],
        ["", "年度资金总额", "100", "100", "95", "10", "95%", "9.5"],
        ["年度总体目标", "预期目标", "", "", "实际完成情况"],
        ["", "1.开展科普活动50场；2.受益人数1万人次", "", "", "1.开展科普活动52场；2.受益人数1.2万人次"],
        ["绩效指标", "一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分", "偏差原因分析及改进措施"],
        ["", "产出指标", "数量指标", "科普活动场次", "≥50场", "52场", "20", "20", ""],
        ["", "", "", "受益人次", "≥1万人次", "1.2万人次", "20", "20", ""],
        ["", "效益指标", "社会效益指标", "公众科学素质提升", "逐步提升", "有所提升", "30", "25", "缺乏量化数据"],
        ["满意度指标", "服务对象满意度指标", "参与者满意度", "≥90%", "92%", "10", "10"],
        ["总分", "", "", "", "", "", "100", "94.5", ""],
        ["自评结论", "较好完成年度目标"],
    ]
    project = interpret_self_evaluation(rows, title="2023年度项目支出绩效自评表", file="se.docx", lines=list(range(1, 14)))
    assert (project.kind, project.name, project.unit, project.budget_year) == ("self_evaluation", "科普活动经费", "某市科技馆", 2023)
    assert (project.execution.annual, project.execution.executed, project.execution.score) == (100.0, 95.0, 9.5)
    assert [(g.number, g.text, g.actual) for g in project.goals] == [
        (1, "开展科普活动50场", "开展科普活动52场"),
        (2, "受益人数1万人次", "受益人数1.2万人次"),
    ]
    assert [(e.level1, e.level2, e.name, e.target, e.actual, e.weight, e.score, e.reason) for e in project.evaluation] == [
        ("产出指标", "数量指标", "科普活动场次", "≥50场", "52场", 20, 20, ""),
        ("产出指标", "数量指标", "受益人次", "≥1万人次", "1.2万人次", 20, 20, ""),
        ("效益指标", "社会效益指标", "公众科学素质提升", "逐步提升", "有所提升", 30, 25, "缺乏量化数据"),
        ("满意度指标", "服务对象满意度指标", "参与者满意度", "≥90%", "92%", 10, 10, ""),
    ]
    assert project.total_score == 94.5 and project.conclusion == "较好完成年度目标"
    assert project.evaluation[1].source.line == 9


def test_self_evaluation_without_header_names_the_file():
    with pytest.raises(InputError) as info:
        interpret_self_evaluation([["部门名称", "某局"], ["a", "b"]], file="se.xlsx", lines=[4, 5])
    assert info.value.file == "se.xlsx" and info.value.row == 4
    assert "实际完成值" in info.value.message


@pytest.mark.parametrize("actual", ["全年实际值", "全年完成值", "实际完成指标值"])
def test_text_export_of_a_self_evaluation_with_another_actual_column_name(selfeval, tmp_path, actual):
    """Other templates name the actual column 全年实际值 and the like; a text export of such a
    table reads as the same self-evaluation, row for row."""
    seed = next(SEEDS.glob("003_*.txt"))
    path = tmp_path / "自评.txt"
    path.write_text(seed.read_text(encoding="utf-8").replace("\t实际完成值\t", f"\t{actual}\t"), encoding="utf-8")
    (project,) = read_file(path).projects
    assert project.kind == "self_evaluation"
    assert [(r.name, r.target, r.actual, r.score) for r in project.evaluation] == [
        (r.name, r.target, r.actual, r.score) for r in selfeval.evaluation
    ]
