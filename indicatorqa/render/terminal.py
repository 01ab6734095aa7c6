"""Terminal tables (rich), grouped by project."""

from __future__ import annotations

import io
import shutil
import sys

from rich.console import Console
from rich.table import Table
from rich.text import Text

from ..model import Project

_SEVERITY_STYLE = {"error": "bold red", "warning": "yellow", "info": "cyan"}
_SEVERITY_ZH = {"error": "错误", "warning": "警告", "info": "提示"}


def _console(buffer: io.StringIO) -> Console:
    width = shutil.get_terminal_size((140, 40)).columns if sys.stdout.isatty() else 160
    # Colour only when a person is looking; files and pipes get plain text.
    return Console(file=buffer, force_terminal=sys.stdout.isatty(), width=width, highlight=False, soft_wrap=False)


def _fmt_money(x: float | None) -> str:
    return "—" if x is None else f"{x:,.2f} 万元"


def project_heading(p: Project) -> Text:
    title = Text()
    title.append(p.name or p.title or "（未命名项目）", style="bold")
    unit = f"{p.unit_code}{p.unit}" if p.unit_code else p.unit
    meta = []
    if unit:
        meta.append(f"单位：{unit}")
    if p.code:
        meta.append(f"项目编码：{p.code}")
    if p.budget is not None:
        meta.append(f"预算：{_fmt_money(p.budget)}")
    if p.budget_year:
        meta.append(f"预算年度：{p.budget_year}")
    if p.kind == "self_evaluation" and p.total_score is not None:
        meta.append(f"自评总分：{p.total_score:g}")
    if p.score is not None:
        meta.append(f"质量得分：{p.score:.1f}（{p.grade}）")
    if p.source and p.source.file:
        meta.append(p.source.describe())
    if meta:
        title.append("\n" + "  ".join(meta), style="dim")
    return title


def _findings_text(findings, short: bool = False) -> Text:
    from ..rules import catalogue

    rules = catalogue()
    text = Text()
    for i, f in enumerate(findings):
        if i:
            text.append("\n")
        text.append(f"{f.code} ", style=_SEVERITY_STYLE.get(f.severity, ""))
        text.append(rules[f.code].title if short and f.code in rules else f.message)
    return text


def _details(console: Console, p: Project) -> None:
    """Below the table: each flagged row's messages, evidence and first suggestion."""
    for i, ind in enumerate(p.indicators, 1):
        if not ind.findings:
            continue
        head = Text(f"  第{i}行 {ind.name}", style="bold")
        console.print(head)
        for f in ind.findings:
            line = Text("    ")
            line.append(f"{f.code} {_SEVERITY_ZH[f.severity]} ", style=_SEVERITY_STYLE.get(f.severity, ""))
            line.append(f.message)
            if f.evidence:
                line.append(f"（证据：{'、'.join(f.evidence[:3])}）", style="dim")
            console.print(line)
        if ind.suggestions:
            s = ind.suggestions[0]
            line = Text("    建议：", style="green")
            line.append(f"{s.name}：{s.value}")
            if s.basis:
                line.append(f"（{s.basis}）", style="dim")
            console.print(line)


def render_projects(projects: list[Project], with_findings: bool = False) -> str:
    buffer = io.StringIO()
    console = _console(buffer)
    for p in projects:
        console.print(project_heading(p))
        if p.goals:
            for g in p.goals:
                console.print(f"  目标{g.number}：{g.text}", style="dim", overflow="fold")
        if with_findings and p.findings:
            console.print(_findings_text(p.findings))
        if with_findings and p.score_parts:
            console.print("  " + "  ".join(f"{k} {v:.0f}" for k, v in p.score_parts.items()), style="dim")
        if p.indicators:
            table = Table(show_lines=False, header_style="bold", expand=False)
            for col in ("#", "一级指标", "二级指标", "三级指标", "绩效指标描述", "指标值"):
                table.add_column(col, overflow="fold")
            if with_findings:
                table.add_column("得分", justify="right")
                table.add_column("问题", overflow="fold")
            for i, ind in enumerate(p.indicators, 1):
                cells = [str(i), ind.level1, ind.level2, ind.name, ind.description, ind.value]
                if with_findings:
                    cells.append("" if ind.score is None else f"{ind.score:.0f}")
                    cells.append(_findings_text(ind.findings, short=True))
                table.add_row(*cells)
            console.print(table)
            if with_findings:
                _details(console, p)
        if p.evaluation:
            table = Table(header_style="bold")
            for col in ("目标", "一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分", "偏差原因"):
                table.add_column(col, overflow="fold")
            for r in p.evaluation:
                if with_findings and r.findings:
                    reason = _findings_text(r.findings)
                else:
                    reason = r.reason
                table.add_row(
                    "" if r.goal is None else str(r.goal),
                    r.level1,
                    r.level2,
                    r.name,
                    r.target,
                    r.actual,
                    "" if r.weight is None else f"{r.weight:g}",
                    "" if r.score is None else f"{r.score:g}",
                    reason,
                )
            console.print(table)
        console.print()
    n_ind = sum(len(p.indicators) for p in projects)
    n_eval = sum(len(p.evaluation) for p in projects)
    summary = f"共 {len(projects)} 个项目，{n_ind} 条指标"
    if n_eval:
        summary += f"，{n_eval} 条自评指标"
    console.print(summary, style="bold")
    return buffer.getvalue()
