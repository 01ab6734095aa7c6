"""Markdown output: one section per project, a table of indicators with their findings."""

from __future__ import annotations

from ..model import Project

_SEV = {"error": "错误", "warning": "警告", "info": "提示"}


_MD_ESCAPE = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "[": "\\[", "]": "\\]", "|": "\\|", "`": "\\`", "*": "\\*", "_": "\\_"})


def _cell(text) -> str:
    """Input text as inert Markdown: no HTML, links, emphasis or table breaks survive."""
    return str(text if text is not None else "").translate(_MD_ESCAPE).replace("\n", "<br>")


def render_markdown(projects: list[Project]) -> str:
    out = ["# indicatorqa 检查结果", ""]
    for p in projects:
        out.append(f"## {_cell(p.name or p.title or '（未命名项目）')}")
        meta = []
        if p.unit:
            meta.append(f"单位：{_cell(p.unit)}")
        if p.budget is not None:
            meta.append(f"预算：{p.budget:g} 万元")
        if p.score is not None:
            meta.append(f"质量得分：**{p.score:.1f}（{p.grade}）**")
        if p.score_parts:
            meta.append("，".join(f"{k} {v:.0f}" for k, v in p.score_parts.items()))
        if meta:
            out += ["", " ｜ ".join(meta), ""]
        for f in p.findings:
            out.append(f"- **{f.code}** {_SEV[f.severity]}：{_cell(f.message)}")
        if p.indicators:
            out += ["", "| # | 二级指标 | 三级指标 | 指标值 | 得分 | 问题 | 建议 |", "|---|---|---|---|---|---|---|"]
            for i, ind in enumerate(p.indicators, 1):
                issues = "<br>".join(f"**{f.code}** {_cell(f.message)}" for f in ind.findings)
                sugg = "<br>".join(f"{_cell(s.name)}：{_cell(s.value)}" for s in ind.suggestions[:1])
                score = "" if ind.score is None else f"{ind.score:.0f}"
                out.append(f"| {i} | {_cell(ind.level2)} | {_cell(ind.name)} | {_cell(ind.value)} | {score} | {issues} | {sugg} |")
        if p.evaluation:
            out += ["", "| 三级指标 | 年度指标值 | 实际完成值 | 分值 | 得分 | 问题 |", "|---|---|---|---|---|---|"]
            for r in p.evaluation:
                issues = "<br>".join(f"**{f.code}** {_cell(f.message)}" for f in r.findings)
                out.append(
                    f"| {_cell(r.name)} | {_cell(r.target)} | {_cell(r.actual)} | {_cell(r.weight)} | {_cell(r.score)} | {issues} |"
                )
        out.append("")
    return "\n".join(out)
