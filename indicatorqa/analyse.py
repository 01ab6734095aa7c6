"""Analyse stage: run every enabled check over projects and attach the findings.

``Analyzer`` follows the estimator habit of holding only its configuration and the
loaded models; ``analyse`` returns new project objects and leaves its inputs alone.
"""

from __future__ import annotations

from collections.abc import Iterable

from .checks import load_all
from .checks.base import (
    EVALUATION_CHECKS,
    INDICATOR_CHECKS,
    PROJECT_CHECKS,
    EvaluationContext,
    IndicatorContext,
    ProjectContext,
)
from .config import Config
from .model import Finding, Project
from .rules import catalogue

_SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}


class Analyzer:
    def __init__(self, config: Config | None = None, judge=None) -> None:
        load_all()
        self.config = config or Config()
        self.judge = judge

    # --- configuration applied in one place -------------------------------------------
    def _finalise(self, finding: Finding) -> Finding:
        override = self.config.severity.get(finding.code)
        if override and override != finding.severity:
            finding = finding.model_copy(update={"severity": override})
        return finding

    def _enabled(self, code: str) -> bool:
        return self.config.is_enabled(code)

    @staticmethod
    def _sorted(findings: list[Finding]) -> list[Finding]:
        return sorted(findings, key=lambda f: (_SEVERITY_ORDER[f.severity], f.code))

    # --- the stage ----------------------------------------------------------------------
    def analyse(self, projects: Iterable[Project]) -> list[Project]:
        originals = list(projects)
        copies = [p.model_copy(deep=True) for p in originals]
        for project in copies:
            others = [p for p in originals if p.name != project.name or p.unit != project.unit]
            self._analyse_project(project, others)
        return copies

    def _analyse_project(self, project: Project, others: list[Project]) -> None:
        rules = catalogue()
        pctx = ProjectContext(project, self.config, others=others, judge=self.judge)
        suppressed = {}
        for ictx in pctx.indicators:
            ind = ictx.indicator
            codes = self.config.suppressed_codes(project.name, ind.name, (ind.value_basis, ind.description, ind.value))
            suppressed[id(ind)] = codes
            found: list[Finding] = []
            for code, check in INDICATOR_CHECKS.items():
                if not self._enabled(code) or code in codes or "*" in codes:
                    continue
                found.extend(self._finalise(f) for f in check(ictx, rules[code]))
            ind.findings = self._sorted(found)

        project_found: list[Finding] = []
        for code, check in PROJECT_CHECKS.items():
            if not self._enabled(code):
                continue
            for finding, target in check(pctx, rules[code]):
                finding = self._finalise(finding)
                if target is None:
                    project_found.append(finding)
                else:
                    codes = suppressed.get(id(target), set())
                    if code not in codes and "*" not in codes:
                        target.findings = self._sorted([*target.findings, finding])
        project.findings = self._sorted(project_found)

        for row in project.evaluation:
            ectx = EvaluationContext(project, row, self.config)
            found = []
            for code, check in EVALUATION_CHECKS.items():
                if self._enabled(code):
                    found.extend(self._finalise(f) for f in check(ectx, rules[code]))
            row.findings = self._sorted(found)
