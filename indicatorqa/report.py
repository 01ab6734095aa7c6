"""Batch reports for reviewers: ``indicatorqa report``.

Per group of projects (a unit by default) an annotated workbook ``<name>.xlsx`` and a
self-contained page ``<name>.html``, plus ``index.html`` ranking the groups. The
renderers live in :mod:`indicatorqa.render.xlsx` and :mod:`indicatorqa.render.html`;
this module groups projects, names files safely, summarises the numbers both renderers
show (so the workbook and the page never disagree), and writes everything so that a
failure leaves no half-written report behind.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import re
import shutil
import sys
import tempfile
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from .errors import InputError
from .model import EvaluationRow, Finding, Project

SEVERITY_ZH = {"error": "错误", "warning": "警告", "info": "提示"}
SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}
GRADES = ("优", "良", "中", "差")
GROUP_BY = ("unit", "project", "all")
NO_UNIT = "（未注明单位）"
ALL_UNITS = "全部单位"

# progress(done, total, label): called as work advances, for a progress bar.
Progress = Callable[[int, int, str], None]


# --- what both renderers show --------------------------------------------------------


def project_title(p: Project) -> str:
    return p.name or p.title or "（未命名项目）"


def unit_label(p: Project) -> str:
    """The unit as users write it, with its code when the table gave one."""
    unit = p.unit or NO_UNIT
    return f"{p.unit_code} {unit}" if p.unit_code and p.unit else unit


def kind_label(p: Project) -> str:
    return "绩效自评表" if p.kind == "self_evaluation" else "绩效目标表"


def all_findings(p: Project) -> list[Finding]:
    """Project, indicator and self-evaluation findings in table order."""
    return p.all_findings()


def worst_severity(findings: Iterable[Finding]) -> str | None:
    ranked = sorted((f.severity for f in findings), key=SEVERITY_ORDER.__getitem__)
    return ranked[0] if ranked else None


def severity_counts(findings: Iterable[Finding]) -> dict[str, int]:
    c = Counter(f.severity for f in findings)
    return {s: c.get(s, 0) for s in SEVERITY_ZH}


@dataclass
class Completion:
    """How an evaluation row's actual compares with its target."""

    ratio: float | None  # actual / target in the target's base unit; None when not comparable
    met: bool | None  # whether the target was met (direction-aware); None when unknown
    direction: str | None  # ≥, ≤, … of the target


def completion(row: EvaluationRow) -> Completion:
    # The same comparison the S-rules use, so the report's ratio matches S001's message.
    from .checks.selfeval import _comparable, meets
    from .values import parse_value

    # One odd cell must not stop a batch report: anything unreadable is "not comparable".
    try:
        target, actual = parse_value(row.target), parse_value(row.actual)
    except InputError:
        return Completion(ratio=None, met=None, direction=None)
    ratio = None
    if _comparable(target, actual) and target.base_number:
        ratio = actual.base_number / target.base_number
    try:
        met = meets(target, actual)
    except (TypeError, ValueError, OverflowError):  # e.g. an impossible date
        met = None
    return Completion(ratio=ratio, met=met, direction=target.direction)


@dataclass
class GroupSummary:
    """The headline numbers of one report (a unit, a project, or everything)."""

    title: str
    projects: list[Project]
    stem: str = ""  # file name without suffix, set when files are named
    units: list[str] = field(default_factory=list)
    years: list[int] = field(default_factory=list)
    indicators: int = 0
    evaluation_rows: int = 0
    mean_score: float | None = None
    grade: str | None = None
    grades: dict[str, int] = field(default_factory=dict)
    severities: dict[str, int] = field(default_factory=dict)
    findings: int = 0


def summarise(title: str, projects: list[Project]) -> GroupSummary:
    from .scoring import grade

    scores = [p.score for p in projects if p.score is not None]
    findings = [f for p in projects for f in all_findings(p)]
    mean = round(sum(scores) / len(scores), 1) if scores else None
    grades = Counter(p.grade for p in projects if p.grade)
    return GroupSummary(
        title=title,
        projects=projects,
        units=sorted({unit_label(p) for p in projects}),
        years=sorted({p.budget_year for p in projects if p.budget_year}),
        indicators=sum(len(p.indicators) for p in projects),
        evaluation_rows=sum(len(p.evaluation) for p in projects),
        mean_score=mean,
        grade=None if mean is None else grade(mean),
        grades={g: grades.get(g, 0) for g in GRADES},
        severities=severity_counts(findings),
        findings=len(findings),
    )


# --- grouping and file names ---------------------------------------------------------


def group_projects(projects: Iterable[Project], by: str = "unit") -> list[tuple[str, list[Project]]]:
    """Groups in first-seen order. ``project`` keeps one project's years together (for trends)."""
    if by not in GROUP_BY:
        raise InputError(f"未知的分组方式“{by}”（可选 unit、project、all）")
    projects = list(projects)
    if by == "all":
        return [(ALL_UNITS, projects)] if projects else []
    groups: dict[tuple, list[Project]] = {}
    titles: dict[tuple, str] = {}
    for p in projects:
        unit = (p.unit or "").strip()
        key = (unit,) if by == "unit" else (unit, project_title(p))
        groups.setdefault(key, []).append(p)
        titles.setdefault(key, (unit or NO_UNIT) if by == "unit" else f"{unit or NO_UNIT} · {project_title(p)}")
    return [(titles[k], v) for k, v in groups.items()]


_UNSAFE = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*\u2028\u2029]+')
_WINDOWS_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)), *(f"LPT{i}" for i in range(1, 10))}
_MAX_NAME_BYTES = 180  # leaves room for a suffix and a temp prefix under the usual 255-byte limit


def safe_name(text: str, taken: set[str] | None = None) -> str:
    """A file stem from a unit or project name: Chinese kept, no separators, no traversal.

    ``../x`` becomes ``x``: path separators and characters Windows forbids turn into
    ``_``, leading dots and spaces go (no hidden files, no ``..``), reserved device names
    get a suffix, the UTF-8 length is capped, and ``taken`` (case-insensitive, as on
    Windows and macOS file systems) makes the name unique.
    """
    name = unicodedata.normalize("NFC", text or "")
    name = _UNSAFE.sub("_", name)
    name = re.sub(r"\s+", " ", name)
    name = re.sub(r"_+", "_", name).strip(" ._")
    if name.split(".")[0].upper() in _WINDOWS_RESERVED:
        name = f"{name}_"
    while len(name.encode("utf-8")) > _MAX_NAME_BYTES:
        name = name[:-1]
    name = name.rstrip(" .") or "未命名"
    if taken is not None:
        stem, n = name, 2
        while name.casefold() in taken:
            name = f"{stem}-{n}"
            n += 1
        taken.add(name.casefold())
    return name


# --- writing ----------------------------------------------------------------------------


def build_reports(
    projects: Iterable[Project],
    out_dir: str | os.PathLike,
    by: str = "unit",
    errors: Iterable[InputError] = (),
    progress: Progress | None = None,
    generated: dt.datetime | None = None,
) -> list[Path]:
    """Write ``<name>.xlsx`` and ``<name>.html`` per group plus ``index.html``; return the paths.

    ``projects`` are analysed projects (as :func:`indicatorqa.cli.check_projects` returns
    them); any without a score are scored here so every number follows docs/SCORING.md.
    Everything is written into a temporary directory next to ``out_dir`` and moved in
    only when all files are complete: an error part-way leaves ``out_dir`` as it was.
    """
    from .render.html import render_index_html, render_unit_html
    from .render.xlsx import write_workbook
    from .scoring import score_project

    projects = list(projects)
    for p in projects:
        if p.score is None:
            score_project(p)
    errors = list(errors)
    generated = generated or dt.datetime.now().replace(microsecond=0)
    groups = group_projects(projects, by)
    taken: set[str] = {"index"}  # index.html belongs to the index page
    summaries = []
    for title, members in groups:
        s = summarise(title, members)
        s.stem = safe_name(title, taken)
        summaries.append(s)

    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise InputError("输出位置已存在且不是目录", str(out))
    parent = out.absolute().parent
    parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".tmp", dir=parent))
    try:
        total = len(summaries) + 1
        names: list[str] = []
        for i, s in enumerate(summaries):
            if progress:
                progress(i, total, s.title)
            write_workbook(s.projects, staging / f"{s.stem}.xlsx", title=s.title, generated=generated)
            page = render_unit_html(s, generated=generated, by=by, xlsx_name=f"{s.stem}.xlsx")
            _write_text(staging / f"{s.stem}.html", page)
            names += [f"{s.stem}.xlsx", f"{s.stem}.html"]
        _write_text(staging / "index.html", render_index_html(summaries, errors=errors, generated=generated, by=by))
        names.append("index.html")
        out.mkdir(parents=True, exist_ok=True)
        written = []
        for name in names:
            # Same file system (staging sits next to out): each move is an atomic rename.
            os.replace(staging / name, out / name)
            written.append(out / name)
        if progress:
            progress(total, total, "完成")
        return written
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _write_text(path: Path, text: str) -> None:
    with open(path, "w", encoding="utf-8", newline="\n") as fh:
        fh.write(text)


# --- command line ---------------------------------------------------------------------

_EPILOG = """\
示例 / examples:
  indicatorqa report corpus/seeds --out 报告            # 每个单位一份 .xlsx 和 .html，外加 index.html
  indicatorqa report 2023/ 2024/ 2025/ --out 报告      # 多个预算年度：单位报告中显示跨年度趋势
  indicatorqa report a.xlsx --by project --out 报告     # 每个项目一份报告
  indicatorqa report 表格/ --by all --no-suggest --out 报告  # 所有单位合成一份，不生成改写建议（更快）

生成的文件 / output:
  <单位>.xlsx   批注版工作簿：汇总、问题清单、每个项目一张表（问题单元格按级别着色并附批注）
  <单位>.html   离线可打开的报告（图表内嵌，不依赖网络）
  index.html    各单位按平均得分排名，链接到每份报告

退出码 / exit codes: 0 成功 success; 1 存在错误级问题 error findings; 2 输入或用法错误 input/usage error
"""


def add_report_parser(subparsers) -> argparse.ArgumentParser:
    """Register ``indicatorqa report`` on the CLI's subparsers."""
    p = subparsers.add_parser(
        "report",
        help="按单位生成批注版 Excel 和 HTML 报告 / write annotated Excel and HTML reports per unit",
        description=(
            "检查全部输入并按单位（或项目、全部）生成审核报告：批注版 .xlsx（问题单元格着色、批注、问题清单、得分汇总）、"
            "含图表的离线 HTML 报告，以及按平均得分排名的 index.html。\n"
            "Check all inputs and write reviewer reports per unit (or project, or all): an annotated .xlsx, "
            "a self-contained HTML report with charts, and an index.html ranking the groups."
        ),
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    from .cli import _add_input_args, add_check_args

    _add_input_args(p, output=False)
    p.add_argument("--out", required=True, metavar="DIR", help="报告输出目录（不存在则创建）/ output directory")
    p.add_argument(
        "--by",
        choices=GROUP_BY,
        default="unit",
        help="分组方式：unit 每个单位一份（默认），project 每个项目一份，all 合成一份 / one report per unit, project, or all",
    )
    add_check_args(p)
    p.set_defaults(func=cmd_report)
    return p


class _Bar:
    """A rich progress bar on stderr for long runs; silent for pipes, files and short runs."""

    def __init__(self, enabled: bool) -> None:
        self._progress = None
        if enabled and sys.stderr.isatty():
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

            self._progress = Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=Console(file=sys.stderr),
                transient=True,
            )
            self._progress.start()
        self._task = None

    def stage(self, label: str, total: int | None) -> None:
        if self._progress is None:
            return
        if self._task is not None:
            self._progress.remove_task(self._task)
        self._task = self._progress.add_task(label, total=total)

    def update(self, done: int, total: int, label: str = "") -> None:
        if self._progress is not None and self._task is not None:
            self._progress.update(self._task, completed=done, total=total)

    def close(self) -> None:
        if self._progress is not None:
            self._progress.stop()


def cmd_report(args) -> int:
    from .cli import EXIT_FINDINGS, EXIT_INPUT, EXIT_OK, build_analyzer, build_retriever, check_projects, read_inputs, report_errors

    analyzer = build_analyzer(args.config, args.models, args.select, args.ignore)
    checked = None
    if getattr(args, "jobs", 1) != 1:
        # --jobs: read, check and suggest in worker processes (same results, no progress bar).
        from .cli import run_checks

        retriever = None if args.no_suggest else build_retriever(args.embedder)
        result, checked = run_checks(args, analyzer, retriever)
    else:
        result = read_inputs(args.paths, args.max_size, not args.no_progress)
    if not result.projects:
        report_errors(result.errors)
        print("indicatorqa：没有读到任何项目，未生成报告。", file=sys.stderr)
        return EXIT_INPUT
    retriever = None if args.no_suggest or checked is not None else build_retriever(args.embedder)
    # A bar is worth showing only when the run takes a while.
    bar = _Bar(not args.no_progress and len(result.projects) > 20)
    try:
        bar.stage("检查指标", None)
        projects = checked if checked is not None else check_projects(result.projects, analyzer)
        if retriever is not None:
            from .suggest import add_suggestions

            bar.stage("生成改写建议", len(projects))
            # One project at a time (the same call check_projects makes) so the bar moves.
            for i, project in enumerate(projects, 1):
                add_suggestions([project], retriever, judge=analyzer.judge, config=analyzer.config)
                bar.update(i, len(projects))
        bar.stage("写出报告", None)
        written = build_reports(projects, args.out, by=args.by, errors=result.errors, progress=bar.update)
    finally:
        bar.close()

    groups = sum(1 for p in written if p.suffix == ".html" and p.name != "index.html")
    what = {"unit": "个单位", "project": "个项目", "all": "份汇总"}[args.by]
    print(f"已生成 {groups} {what}的报告（{len(written)} 个文件）：")
    for path in written:
        print(f"  {path}")
    print(f"从这里打开 / open: {Path(args.out) / 'index.html'}")
    report_errors(result.errors)
    if result.errors:
        return EXIT_INPUT
    has_error = any(f.severity == "error" for p in projects for f in all_findings(p))
    return EXIT_FINDINGS if has_error and not args.exit_zero else EXIT_OK
