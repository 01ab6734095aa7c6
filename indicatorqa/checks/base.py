"""What every check sees, and how checks register themselves.

A check is a small function registered under one rule code. Indicator checks get an
:class:`IndicatorContext`, project checks a :class:`ProjectContext`, self-evaluation
checks an :class:`EvaluationContext`; each yields findings built from the rule
registry (``rule.finding(...)``). Checks never change their inputs: the analyser
attaches what they yield, after applying configuration (disabled rules, severity
overrides, suppressions).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cached_property

from ..config import Config
from ..levels import canonical_level1, canonical_level2
from ..model import EvaluationRow, Finding, Indicator, Project
from ..rules import Rule, catalogue
from ..values import ParsedValue, parse_value


@dataclass
class IndicatorContext:
    project: Project
    indicator: Indicator
    config: Config
    judge: object | None = None  # learned models (indicatorqa.learn.Judge), None when not loaded
    # The project's level cells are carried forward by the readers, but a table may
    # leave them empty altogether; the canonical forms below are None then.

    @cached_property
    def value(self) -> ParsedValue:
        return parse_value(self.indicator.value)

    @cached_property
    def level2(self) -> str | None:
        return canonical_level2(self.indicator.level2) or canonical_level2(self.indicator.level1)

    @cached_property
    def level1(self) -> str | None:
        return canonical_level1(self.indicator.level1, self.level2)

    @property
    def name(self) -> str:
        return self.indicator.name.strip()


@dataclass
class ProjectContext:
    project: Project
    config: Config
    others: list[Project] = field(default_factory=list)  # the other projects of the batch (P008)
    judge: object | None = None

    @cached_property
    def indicators(self) -> list[IndicatorContext]:
        return [IndicatorContext(self.project, ind, self.config, self.judge) for ind in self.project.indicators]


@dataclass
class EvaluationContext:
    project: Project
    row: EvaluationRow
    config: Config

    @cached_property
    def target(self) -> ParsedValue:
        return parse_value(self.row.target)

    @cached_property
    def actual(self) -> ParsedValue:
        return parse_value(self.row.actual)


IndicatorCheck = Callable[[IndicatorContext, Rule], Iterable[Finding]]
ProjectCheck = Callable[[ProjectContext, Rule], Iterable[tuple[Finding, Indicator | None]]]
EvaluationCheck = Callable[[EvaluationContext, Rule], Iterable[Finding]]

INDICATOR_CHECKS: dict[str, IndicatorCheck] = {}
PROJECT_CHECKS: dict[str, ProjectCheck] = {}
EVALUATION_CHECKS: dict[str, EvaluationCheck] = {}
# Checks over a whole self-evaluation table (S004) are project checks.


def _register(table: dict, code: str):
    if code not in catalogue():
        raise KeyError(f"{code} is not in data/rules.toml")

    def deco(fn):
        if code in table:
            raise KeyError(f"two checks registered for {code}")
        table[code] = fn
        return fn

    return deco


def indicator_check(code: str):
    return _register(INDICATOR_CHECKS, code)


def project_check(code: str):
    """A project check yields (finding, indicator or None): the finding is attached to the
    indicator when one is given (P004, P005, P007 concern one value), else to the project."""
    return _register(PROJECT_CHECKS, code)


def evaluation_check(code: str):
    return _register(EVALUATION_CHECKS, code)
