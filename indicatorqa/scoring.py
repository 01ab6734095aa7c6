"""Score stage: a 0–100 quality score per indicator, four parts and a grade per project.

The formula is data (data/scoring.toml) and is explained in docs/SCORING.md; the CLI,
reports, web page and API all call these functions, so a score means the same everywhere.
"""

from __future__ import annotations

import tomllib
from functools import cache
from importlib import resources

from .model import Finding, Project

MEASURABILITY = {"V001", "V002", "V003", "V004"}
PARTS = ("完整性", "相关性", "适当性", "可行性")


@cache
def formula() -> dict:
    return tomllib.loads(resources.files("indicatorqa").joinpath("data/scoring.toml").read_text("utf-8"))


@cache
def _dimension_of() -> dict[str, str]:
    return {code: part for part, codes in formula()["dimension"].items() for code in codes}


def _weight(f: Finding) -> float:
    return 1.0 if f.confidence is None else f.confidence


def indicator_score(findings: list[Finding]) -> float:
    pen = formula()["indicator_penalty"]
    total = 0.0
    for f in findings:
        base = pen["measurability_error"] if f.code in MEASURABILITY and f.severity == "error" else pen[f.severity]
        total += base * _weight(f)
    return round(max(0.0, 100.0 - total), 1)


def grade(score: float) -> str:
    bounds = formula()["grade"]
    for name in ("优", "良", "中"):
        if score >= bounds[name]:
            return name
    return "差"


def score_project(project: Project) -> Project:
    """Fill indicator scores, the four parts, the total and the grade (in place; returns it)."""
    f = formula()
    dim = _dimension_of()
    share = f["indicator_share"]
    rows = [ind.findings for ind in project.indicators] + [r.findings for r in project.evaluation]
    for ind in project.indicators:
        ind.score = indicator_score(ind.findings)
    parts = {}
    for part in PARTS:
        per_row = []
        for findings in rows:
            lost = sum(share[x.severity] * _weight(x) for x in findings if dim.get(x.code) == part)
            per_row.append(min(1.0, lost))
        mean_lost = sum(per_row) / len(per_row) if per_row else 0.0
        project_pen = sum(
            f["project_penalty"][x.severity] * _weight(x) for x in project.findings if dim.get(x.code) == part
        )
        kept = 100.0 * (1.0 - mean_lost) ** f["part_exponent"]
        parts[part] = round(max(0.0, min(100.0, kept - project_pen)), 1)
    total = sum(parts[p] * f["weight"][p] for p in PARTS) / sum(f["weight"].values())
    project.score_parts = parts
    project.score = round(total, 1)
    project.grade = capped_grade(project.score, _has_error(project))
    return project


def _has_error(project: Project) -> bool:
    return any(x.severity == "error" for x in project.all_findings())


def capped_grade(score: float, has_error: bool) -> str:
    """The grade of a score; an error-level finding caps it (data/scoring.toml [grade_cap])."""
    g = grade(score)
    cap = formula().get("grade_cap", {}).get("error")
    order = ["优", "良", "中", "差"]
    if has_error and cap and order.index(g) < order.index(cap):
        return cap
    return g
