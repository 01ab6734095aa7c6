"""`indicatorqa report`: the annotated workbook, the HTML reports and the index a reviewer gets."""

from __future__ import annotations

import argparse
import datetime as dt
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote

import openpyxl
import pytest

from indicatorqa import cli
from indicatorqa.analyse import Analyzer
from indicatorqa.config import Config
from indicatorqa.model import EvaluationRow, Indicator, Project, Suggestion
from indicatorqa.readers import read_paths
from indicatorqa.render.xlsx import FILL_RGB
from indicatorqa.report import (
    SEVERITY_ORDER,
    add_report_parser,
    all_findings,
    build_reports,
    safe_name,
)
from indicatorqa.rules import get

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "corpus" / "seeds"
MANIFEST = ROOT / "models" / "findings" / "manifest.json"
UNITS = [
    "天津市科学技术信息研究所",
    "天津市科学技术协会",
    "天津科学技术馆",
    "天津市科学技术发展战略研究院",
    "天津市科学技术局",
    "唐山市丰润区科学技术局",
]
GENERATED = dt.datetime(2025, 1, 2, 3, 4)


def _analyzer():
    # The trained models when they exist; otherwise every fact-based rule (no judge).
    if MANIFEST.is_file():
        return cli.build_analyzer(None, str(MANIFEST.parent))
    return Analyzer(Config())


@pytest.fixture(scope="module")
def seed_projects():
    result = read_paths([SEEDS])
    assert not result.errors
    return cli.check_projects(result.projects, _analyzer())


@pytest.fixture(scope="module")
def seed_report(seed_projects, tmp_path_factory):
    out = tmp_path_factory.mktemp("report") / "out"
    written = build_reports(seed_projects, out, by="unit", generated=GENERATED)
    return out, written


def _project(projects, name):
    return next(p for p in projects if p.name == name)


def _cells(ws, value):
    return [c for row in ws.iter_rows() for c in row if c.value == value]


def _rgb(cell) -> str:
    return (cell.fill.fgColor.rgb or "")[-6:] if cell.fill and cell.fill.fill_type == "solid" else ""


class _Page(HTMLParser):
    """Collects what the tests look at: element ids, tags, links, and the text."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.ids, self.tags, self.hrefs, self.srcs, self.text = set(), [], [], [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        a = dict(attrs)
        if "id" in a:
            self.ids.add(a["id"])
        if "href" in a:
            self.hrefs.append(a["href"])
        if "src" in a:
            self.srcs.append(a["src"])

    def handle_data(self, data):
        self.text.append(data)


def parse_html(path: Path) -> _Page:
    page = _Page()
    page.feed(path.read_text("utf-8"))
    page.close()
    page.body = "".join(page.text)
    return page


# --- files ------------------------------------------------------------------------------


def test_one_workbook_and_one_page_per_unit_plus_index(seed_report):
    out, written = seed_report
    expected = {f"{u}.xlsx" for u in UNITS} | {f"{u}.html" for u in UNITS} | {"index.html"}
    assert {p.name for p in written} == expected
    assert {p.name for p in out.iterdir()} == expected  # nothing else, no temp files
    assert [p.name for p in out.parent.iterdir()] == ["out"]  # the staging directory is gone


# --- the workbook ---------------------------------------------------------------------------


def test_flagged_value_cell_is_coloured_and_commented(seed_projects, seed_report):
    out, _ = seed_report
    project = _project(seed_projects, "海河实验室联盟")
    ind = next(i for i in project.indicators if i.value == "≥2不少于2次")
    assert "V006" in {f.code for f in ind.findings}
    on_value = [f for f in ind.findings if f.field == "value"]
    worst = min(on_value, key=lambda f: SEVERITY_ORDER[f.severity]).severity

    wb = openpyxl.load_workbook(out / "天津市科学技术发展战略研究院.xlsx")
    ws = next(ws for ws in wb.worksheets if ws.title.endswith("海河实验室联盟"))
    header = _cells(ws, "指标值")[0]
    (cell,) = [c for c in _cells(ws, "≥2不少于2次") if c.column == header.column]
    assert _rgb(cell) == FILL_RGB[worst]
    assert cell.comment is not None and cell.comment.author == "indicatorqa"
    assert "V006" in cell.comment.text and "malformed-value" in cell.comment.text
    # an unflagged cell of the same table stays plain
    plain = [c for c in _cells(ws, "11本") if c.column == header.column][0]
    assert _rgb(plain) == "" and plain.comment is None


def test_error_cell_is_red(seed_projects, seed_report):
    out, _ = seed_report
    project = _project(seed_projects, "编制印发《天津市生态环境保护科技发展蓝皮书》")
    ind = next(i for i in project.indicators if any(f.code == "P004" for f in i.findings))
    wb = openpyxl.load_workbook(out / "天津市科学技术发展战略研究院.xlsx")
    ws = next(ws for ws in wb.worksheets if "蓝皮书" in ws.title)
    header = _cells(ws, "指标值")[0]
    (cell,) = [c for c in _cells(ws, ind.value) if c.column == header.column]
    assert _rgb(cell) == FILL_RGB["error"]
    assert "P004" in cell.comment.text and "超过项目预算" in cell.comment.text


def test_findings_sheet_has_one_row_per_finding(seed_projects, seed_report):
    out, _ = seed_report
    for unit in UNITS:
        projects = [p for p in seed_projects if p.unit == unit]
        expected = sum(len(all_findings(p)) for p in projects)
        ws = openpyxl.load_workbook(out / f"{unit}.xlsx")["问题清单"]
        rows = [r for r in ws.iter_rows(min_row=2, values_only=True) if r[0] is not None]
        assert len(rows) == expected, unit
        assert ws.freeze_panes == "A2"
        assert ws.auto_filter.ref == f"A1:M{max(1, expected + 1)}"
        codes = sorted(r[6] for r in rows)
        assert codes == sorted(f.code for p in projects for f in all_findings(p))


def test_summary_scores_equal_project_scores(seed_projects, seed_report):
    out, _ = seed_report
    for unit in UNITS:
        projects = [p for p in seed_projects if p.unit == unit]
        ws = openpyxl.load_workbook(out / f"{unit}.xlsx")["汇总"]
        head = [c.value for c in ws[5]]
        col = {name: i for i, name in enumerate(head)}
        rows = [r for r in ws.iter_rows(min_row=6, max_row=5 + len(projects), values_only=True)]
        assert [r[col["项目名称"]] for r in rows] == [p.name for p in projects]
        assert [r[col["得分"]] for r in rows] == [p.score for p in projects]
        assert [r[col["等级"]] for r in rows] == [p.grade for p in projects]
        for r, p in zip(rows, projects):
            assert [r[col[k]] for k in ("完整性", "相关性", "适当性", "可行性")] == [p.score_parts[k] for k in ("完整性", "相关性", "适当性", "可行性")]


def test_self_evaluation_sheet_shows_targets_actuals_and_s_findings(seed_projects, seed_report):
    out, _ = seed_report
    project = next(p for p in seed_projects if p.kind == "self_evaluation")
    wb = openpyxl.load_workbook(out / "天津市科学技术局.xlsx")
    ws = next(ws for ws in wb.worksheets if "自评" in ws.title)
    header_row = _cells(ws, "年度指标值")[0].row
    head = {c.value: c.column for c in ws[header_row]}
    assert {"实际完成值", "完成比例", "分值", "得分", "偏差原因分析及改进措施"} <= set(head)
    row = next(r for r in project.evaluation if r.target == "≥300项" and r.actual == "498项")
    assert "S001" in {f.code for f in row.findings}
    (target,) = [c for c in _cells(ws, "≥300项") if c.column == head["年度指标值"]]
    assert _rgb(target) == FILL_RGB["warning"] and "S001" in target.comment.text
    assert ws.cell(target.row, head["实际完成值"]).value == "498项"
    assert ws.cell(target.row, head["完成比例"]).value == pytest.approx(498 / 300, abs=1e-4)


def test_suggestion_goes_into_the_comment(tmp_path):
    rule = get("V001")
    ind = Indicator(
        level1="产出指标",
        level2="数量指标",
        name="培训",
        value="提升",
        findings=[rule.finding(evidence=["提升"], confidence=0.9, value="提升")],
        suggestions=[Suggestion(name="培训人次", value="≥【待填】人次", description="全年培训人次", basis="语料库常见 100–500人次")],
    )
    p = Project(unit="测试单位", name="测试项目", indicators=[ind])
    build_reports([p], tmp_path / "out", generated=GENERATED)
    ws = openpyxl.load_workbook(tmp_path / "out" / "测试单位.xlsx").worksheets[2]
    (cell,) = _cells(ws, "提升")
    assert _rgb(cell) == FILL_RGB["error"]
    assert "V001" in cell.comment.text and "建议改写：培训人次：≥【待填】人次" in cell.comment.text
    assert "把握度：90%" in cell.comment.text


# --- the HTML ---------------------------------------------------------------------------------


def test_a_suggestion_under_another_level_shows_why_in_the_page(tmp_path):
    rule = get("V001")
    ind = Indicator(
        level1="效益指标", level2="社会效益指标", name="全面提升业务能力", value="显著提升",
        findings=[rule.finding(evidence=["显著提升"], confidence=0.9, value="显著提升")],
        suggestions=[
            Suggestion(level2="社会效益指标", name="参训人员岗位能力达标率", value="≥【待填】%"),
            Suggestion(level2="社会效益指标", name="培训成果转化应用项数", value="≥【待填】项"),
            Suggestion(level1="产出指标", level2="数量指标", name="培训人次", value="≥【待填】人次",
                       note="原指标是笼统的效益表述，也可改为衡量这项工作产出的指标，列入“产出指标—数量指标”"),
        ],
    )
    build_reports([Project(unit="测试单位", name="测试项目", indicators=[ind])], tmp_path / "out", generated=GENERATED)
    body = parse_html(tmp_path / "out" / "测试单位.html").body
    assert "或：培训人次：≥【待填】人次（原指标是笼统的效益表述" in body


def test_unit_pages_have_the_sections_and_no_external_resources(seed_projects, seed_report):
    out, _ = seed_report
    for unit in UNITS:
        raw = (out / f"{unit}.html").read_text("utf-8")
        page = parse_html(out / f"{unit}.html")
        assert {"summary", "projects", "rules", "rule-docs"} <= page.ids, unit
        assert "script" not in page.tags and "link" not in page.tags and "img" not in page.tags
        assert not page.srcs and "@import" not in raw and "url(" not in raw
        assert all(not h.startswith(("http:", "https:", "//")) for h in page.hrefs)
        assert page.tags.count("svg") >= 2  # score bars and findings by rule at least
        assert unit in page.body
        assert "index.html" in page.hrefs and f"{unit}.xlsx" in {unquote(h) for h in page.hrefs}
    target_page = parse_html(out / "天津市科学技术发展战略研究院.html")
    assert {"coverage", "worst"} <= target_page.ids
    assert "selfeval" not in target_page.ids and "trends" not in target_page.ids
    # the worst indicators come first: the lowest-scoring flagged one is listed
    flagged = [i for p in seed_projects if p.unit == "天津市科学技术发展战略研究院" for i in p.indicators if i.findings]
    worst = min(flagged, key=lambda i: i.score)
    assert worst.name in target_page.body and worst.value in target_page.body
    eval_page = parse_html(out / "天津市科学技术局.html")
    assert "selfeval" in eval_page.ids
    assert "目标设定准确性" in eval_page.body and "166%" in eval_page.body  # 498项 of ≥300项


def test_rule_links_resolve_to_rule_docs(seed_report):
    out, _ = seed_report
    page = parse_html(out / "唐山市丰润区科学技术局.html")
    anchors = {h[1:] for h in page.hrefs if h.startswith("#rule-")}
    assert anchors and anchors <= page.ids
    assert get("P008").title in page.body and get("P008").doc.splitlines()[0] in page.body


def test_index_ranks_units_and_links_every_report(seed_projects, seed_report):
    out, _ = seed_report
    page = parse_html(out / "index.html")
    links = [unquote(h) for h in page.hrefs]
    for unit in UNITS:
        assert f"{unit}.html" in links and f"{unit}.xlsx" in links
        assert (out / f"{unit}.html").is_file()
    means = {}
    for unit in UNITS:
        scores = [p.score for p in seed_projects if p.unit == unit]
        means[unit] = round(sum(scores) / len(scores), 1)
    ranked = sorted(UNITS, key=page.body.index)  # the order the page shows them in
    assert [means[u] for u in ranked] == sorted(means.values(), reverse=True)


# --- escaping and formula injection ---------------------------------------------------------------

EVIL = "<script>alert(1)</script>"
CSV = f"""单位,项目名称,预算数,一级指标,二级指标,三级指标,绩效指标描述,指标值
注入单位,{EVIL},10,产出指标,数量指标,{EVIL},"=HYPERLINK(""http://x"",""y"")",=1+2
注入单位,{EVIL},10,产出指标,质量指标,合格率,@SUM(A1),-2+3
注入单位,{EVIL},10,效益指标,社会效益指标,+影响,说明,≥95%
注入单位,{EVIL},10,满意度指标,服务对象满意度指标,满意度,说明,满意
"""


@pytest.fixture(scope="module")
def evil_report(tmp_path_factory):
    d = tmp_path_factory.mktemp("evil")
    (d / "evil.csv").write_text(CSV, encoding="utf-8")
    result = read_paths([d / "evil.csv"])
    assert not result.errors
    projects = cli.check_projects(result.projects, Analyzer(Config()))
    # Cells starting with a tab or CR (the CSV reader trims those) come in through the model.
    projects[0].indicators.append(Indicator(level1="产出指标", level2="时效指标", name="\t=cmd|' /C calc'!A0", value="\r=2*3"))
    build_reports(projects, d / "out", generated=GENERATED)
    return d / "out"


def test_script_in_a_name_shows_as_text(evil_report):
    raw = (evil_report / "注入单位.html").read_text("utf-8")
    page = parse_html(evil_report / "注入单位.html")
    assert "script" not in page.tags
    assert EVIL in page.body  # shown, as text
    assert "<script" not in raw.lower()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in raw
    index = (evil_report / "index.html").read_text("utf-8")
    assert "<script" not in index.lower()


@pytest.mark.parametrize("text", ["=1+2", "@SUM(A1)", "-2+3", "+影响", '=HYPERLINK("http://x","y")', "\t=cmd|' /C calc'!A0", "\r=2*3"])
def test_formula_like_input_stays_text_in_the_workbook(evil_report, text):
    wb = openpyxl.load_workbook(evil_report / "注入单位.xlsx")
    ws = wb.worksheets[2]
    cells = _cells(ws, text)
    assert cells, text
    for cell in cells:
        assert cell.data_type == "s" and cell.value == text
        assert cell.quotePrefix  # Excel/WPS keep it text even after the cell is edited
    for sheet in wb.worksheets:
        for row in sheet.iter_rows():
            assert all(c.data_type != "f" for c in row)


# --- names, grouping, atomic writes -------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("../x", "x"),
        ("..\\..\\windows\\evil", "windows_evil"),
        ("a/b:c*d?", "a_b_c_d"),
        ("CON", "CON_"),
        ("天津市科学技术协会", "天津市科学技术协会"),
        ("", "未命名"),
        ("...", "未命名"),
        ("  .hidden ", "hidden"),
    ],
)
def test_safe_name(raw, expected):
    assert safe_name(raw) == expected


def test_safe_name_is_unique_and_short():
    taken: set[str] = set()
    assert [safe_name("单位", taken) for _ in range(3)] == ["单位", "单位-2", "单位-3"]
    long = safe_name("科" * 300)
    assert len(long.encode("utf-8")) <= 180 and long.startswith("科")


def test_unit_names_cannot_escape_the_output_directory(tmp_path):
    projects = [
        Project(unit="../../escape", name="甲", indicators=[Indicator(name="培训人次", value="≥5人次", level2="数量指标")]),
        Project(unit="/etc/passwd", name="乙"),
        Project(unit="index", name="丙"),
    ]
    written = build_reports(projects, tmp_path / "out", generated=GENERATED)
    assert all(p.parent == tmp_path / "out" for p in written)
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == sorted(
        ["escape.xlsx", "escape.html", "etc_passwd.xlsx", "etc_passwd.html", "index-2.xlsx", "index-2.html", "index.html"]
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_a_failure_leaves_no_partial_report(tmp_path, monkeypatch, seed_projects):
    import indicatorqa.render.html as html_mod

    calls = []

    def boom(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("disk full")
        return "<html></html>"

    monkeypatch.setattr(html_mod, "render_unit_html", boom)
    with pytest.raises(RuntimeError):
        build_reports(seed_projects, tmp_path / "out", generated=GENERATED)
    assert list(tmp_path.iterdir()) == []  # neither out/ nor the staging directory


def test_group_by_project_and_all(seed_projects, tmp_path):
    few = [p for p in seed_projects if p.unit == "天津科学技术馆"]
    by_project = build_reports(few, tmp_path / "p", by="project", generated=GENERATED)
    assert len([p for p in by_project if p.suffix == ".xlsx"]) == len(few)
    assert all(p.name.startswith("天津科学技术馆 · ") for p in by_project if p.name != "index.html")
    everything = build_reports(seed_projects, tmp_path / "a", by="all", generated=GENERATED)
    assert sorted(p.name for p in everything) == ["index.html", "全部单位.html", "全部单位.xlsx"]
    page = parse_html(tmp_path / "a" / "全部单位.html")
    assert {"selfeval", "coverage"} <= page.ids
    ws = openpyxl.load_workbook(tmp_path / "a" / "全部单位.xlsx")["汇总"]
    assert sum(1 for r in ws.iter_rows(min_row=6, values_only=True) if isinstance(r[0], int)) == len(seed_projects)


def test_trends_appear_when_a_unit_has_several_years(seed_projects, tmp_path):
    unit = [p for p in seed_projects if p.unit == "天津市科学技术信息研究所"]
    earlier = []
    for p in unit[:5]:
        q = p.model_copy(deep=True)
        q.budget_year = 2024
        q.indicators[0].findings.append(get("V001").finding(evidence=["提升"], value="提升"))
        earlier.append(q)
    build_reports(earlier + unit, tmp_path / "out", generated=GENERATED)
    page = parse_html(tmp_path / "out" / "天津市科学技术信息研究所.html")
    assert "trends" in page.ids
    assert "跨年度趋势" in page.body and "2024" in page.body and "2025" in page.body


def test_evaluation_without_numbers_still_renders(tmp_path):
    p = Project(
        kind="self_evaluation",
        unit="自评单位",
        name="整体支出绩效自评表",
        evaluation=[
            EvaluationRow(goal=1, level2="社会效益指标", name="提高水平", target="有所提高", actual="明显提高", weight=2, score=2),
            EvaluationRow(goal=1, level2="数量指标", name="培训", target="≥10次", actual="5次", weight=2, score=1),
        ],
    )
    build_reports([p], tmp_path / "out", generated=GENERATED)
    page = parse_html(tmp_path / "out" / "自评单位.html")
    assert "selfeval" in page.ids and "50%" in page.body and "无法比较" in page.body


# --- the command ------------------------------------------------------------------------------------


def _report_parser():
    parser = cli.build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    if "report" not in sub.choices:  # until cli.py wires it in
        add_report_parser(sub)
    return parser


def _run(argv, monkeypatch):
    if not MANIFEST.is_file():
        monkeypatch.setattr(cli, "build_analyzer", lambda *a, **k: Analyzer(Config()))
    args = _report_parser().parse_args(argv)
    return args.func(args)


def test_command_writes_reports_and_exits_like_check(tmp_path, monkeypatch, capsys):
    code = _run(["report", str(SEEDS / "002_13db869fc1a32b4a.txt"), "--out", str(tmp_path / "r"), "--no-suggest"], monkeypatch)
    out = capsys.readouterr().out
    assert code == 1  # error-level findings (P004) present
    assert (tmp_path / "r" / "index.html").is_file() and (tmp_path / "r" / "天津市科学技术发展战略研究院.xlsx").is_file()
    assert "index.html" in out


def test_command_lists_unreadable_files_and_exits_2(tmp_path, monkeypatch, capsys):
    bad = tmp_path / "bad.csv"
    bad.write_text("这不是表格\n", encoding="utf-8")
    code = _run(["report", str(SEEDS / "000_cab285404ad495ca.txt"), str(bad), "--out", str(tmp_path / "r"), "--no-suggest"], monkeypatch)
    err = capsys.readouterr().err
    assert code == 2 and "bad.csv" in err
    index = parse_html(tmp_path / "r" / "index.html")
    assert "errors" in index.ids and "bad.csv" in index.body


def test_command_without_projects_writes_nothing(tmp_path, monkeypatch, capsys):
    bad = tmp_path / "bad.csv"
    bad.write_text("这不是表格\n", encoding="utf-8")
    code = _run(["report", str(bad), "--out", str(tmp_path / "r"), "--no-suggest"], monkeypatch)
    assert code == 2 and not (tmp_path / "r").exists()
    assert "未生成报告" in capsys.readouterr().err


def test_help_is_bilingual():
    parser = _report_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    text = sub.choices["report"].format_help()
    assert "--by" in text and "--out" in text and "每个单位" in text and "per unit" in text
