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
    # Indicators whose learned verdicts are computed together (see ``Judge.prefetch``); bounds
    # the memory of the feature rows kept for evidence.
    BATCH_INDICATORS = 4096

    def analyse(self, projects: Iterable[Project], others: list[list[Project]] | None = None) -> list[Project]:
        """Check ``projects``; returns analysed copies.

        ``others`` (optional, one list per project) is what :meth:`batch_others` computed over
        the whole batch, for callers that analyse a batch in parts (``--jobs``): the parts then
        give the same findings as one call over the batch."""
        originals = list(projects)
        copies = [p.model_copy(deep=True) for p in originals]
        candidates = others if others is not None else self.batch_others(originals)
        names = self._learned_models()
        start = 0
        while start < len(copies):
            end, count = start, 0
            while end < len(copies) and (count == 0 or count + len(copies[end].indicators) <= self.BATCH_INDICATORS):
                count += len(copies[end].indicators)
                end += 1
            if self.judge is not None and names and hasattr(self.judge, "prefetch"):
                self.judge.prefetch([i for p in copies[start:end] for i in p.indicators], names)
            for k in range(start, end):
                self._analyse_project(copies[k], candidates[k])
            start = end
        return copies

    def batch_others(self, projects: list[Project]) -> list[list[Project]]:
        """Per project, the other projects of the batch that its checks need to see.

        P008 is the only check that looks at the other projects; it gets the one candidate its
        own loop would choose, found for the whole batch at once (comparing every pair in
        Python is quadratic in the number of projects). Same findings, see
        checks.projects.boilerplate_candidates."""
        if self._enabled("P008") and "P008" in PROJECT_CHECKS:
            from .checks.projects import boilerplate_candidates

            return boilerplate_candidates(projects, int(self.config.threshold("p008_min_indicators")))
        return [[] for _ in projects]

    def _learned_models(self) -> tuple[str, ...]:
        """The learned models whose rules are enabled (the ones worth computing in batch)."""
        uses = {
            "measurability": ("V001", "V002", "V003", "V004"),
            "tautology_n001": ("N001",),
            "tautology_n002": ("N002",),
            "level2": ("N003",),
            "generic_name": ("N005",),
        }
        return tuple(m for m, codes in uses.items() if any(self._enabled(c) and c in INDICATOR_CHECKS for c in codes))

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
