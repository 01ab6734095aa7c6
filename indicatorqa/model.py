"""The data model: every stage of the pipeline passes these objects along.

The JSON shape of these models is the machine contract described in SPEC.md
("indicatorqa/1"). Readers build them, checks add findings, scoring fills
``score``/``grade``, suggestion fills ``suggestions``, renderers serialise them.
Field names are English; values keep the user's Chinese text untouched.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

SCHEMA_VERSION = "indicatorqa/1"

Severity = Literal["error", "warning", "info"]


class _Model(BaseModel):
    # Unknown keys are rejected so that a typo in a JSON input or an API call
    # is reported instead of silently dropped.
    model_config = ConfigDict(extra="forbid", validate_assignment=False)


class Source(_Model):
    """Where a project or an indicator came from, for messages that name file and row."""

    file: str | None = None
    table: int | None = Field(None, description="1-based index of the table in the file")
    row: int | None = Field(None, description="1-based row of the indicator table (data rows only)")
    line: int | None = Field(None, description="1-based line (text) or sheet row (spreadsheet)")
    sheet: str | None = None

    def describe(self) -> str:
        """Chinese location text such as '文件 a.txt 第 3 张表 第 5 行'."""
        parts = []
        if self.file:
            parts.append(f"文件 {self.file}")
        if self.sheet:
            parts.append(f"工作表 {self.sheet}")
        if self.table:
            parts.append(f"第 {self.table} 张表")
        if self.line:
            parts.append(f"第 {self.line} 行")
        elif self.row:
            parts.append(f"指标第 {self.row} 行")
        return " ".join(parts)


class Finding(_Model):
    code: str = Field(..., pattern=r"^[VNPS]\d{3}$")
    slug: str
    severity: Severity
    message: str
    field: str | None = Field(None, description="the field it concerns: value, name, description, level2, project, …")
    evidence: list[str] = Field(default_factory=list)
    confidence: float | None = Field(None, ge=0.0, le=1.0)


class Suggestion(_Model):
    level1: str = ""
    level2: str = Field("", description="the 二级指标 the rewrite belongs under (may differ from the original's)")
    name: str
    description: str = ""
    value: str
    source: str = Field("", description="where the pattern came from, e.g. corpus:curated/123")
    similarity: float | None = None
    basis: str | None = Field(None, description="why this number: the goal, budget or corpus range it comes from")
    note: str | None = Field(None, description="why this rewrite sits under another 二级指标 than the original, when it does")


class Indicator(_Model):
    level1: str = ""
    level2: str = ""
    name: str = ""
    description: str = ""
    value: str = ""
    value_basis: str = Field("", description="指标值确定依据")
    source: Source | None = None
    # Filled by analysis; absent from `parse` output.
    score: float | None = None
    findings: list[Finding] = Field(default_factory=list)
    suggestions: list[Suggestion] = Field(default_factory=list)


class Goal(_Model):
    number: int
    text: str
    actual: str | None = Field(None, description="实际完成情况 (self-evaluation only)")


class SpendingPlanEntry(_Model):
    period: str = Field(..., description="e.g. 3月底")
    percent: float | None = None
    text: str = Field("", description="the cell as written")


class EvaluationRow(_Model):
    """One row of a 绩效自评表."""

    goal: int | None = None
    level1: str = ""
    level2: str = ""
    name: str = ""
    target: str = ""
    actual: str = ""
    weight: float | None = None
    score: float | None = None
    reason: str = ""
    source: Source | None = None
    findings: list[Finding] = Field(default_factory=list)


class BudgetExecution(_Model):
    """预算执行情况 of a self-evaluation table, in 万元."""

    initial: float | None = Field(None, description="年初预算数")
    annual: float | None = Field(None, description="全年预算数 (A)")
    executed: float | None = Field(None, description="全年执行数 (B)")
    weight: float | None = None
    score: float | None = None
    rate: str = Field("", description="执行率 as written")
    reason: str = ""


class Project(_Model):
    kind: Literal["target", "self_evaluation"] = "target"
    unit: str = ""
    unit_code: str = ""
    name: str = ""
    code: str = Field("", description="项目编码")
    title: str = Field("", description="the heading the table was published under")
    budget: float | None = Field(None, description="预算数, 万元")
    budget_fiscal: float | None = Field(None, description="其中：财政资金, 万元")
    budget_other: float | None = Field(None, description="其他资金, 万元")
    use_of_funds: str = ""
    spending_plan: list[SpendingPlanEntry] = Field(default_factory=list)
    goals: list[Goal] = Field(default_factory=list)
    budget_year: int | None = None
    budget_year_evidence: str = ""
    source: Source | None = None
    indicators: list[Indicator] = Field(default_factory=list)
    # Self-evaluation tables only.
    evaluation: list[EvaluationRow] = Field(default_factory=list)
    execution: BudgetExecution | None = None
    total_score: float | None = None
    conclusion: str = ""
    # Filled by analysis.
    score: float | None = None
    grade: Literal["优", "良", "中", "差"] | None = None
    score_parts: dict[str, float] | None = None
    findings: list[Finding] = Field(default_factory=list)

    def all_findings(self) -> list[Finding]:
        """Project, indicator and self-evaluation findings, in table order."""
        out = list(self.findings)
        for ind in self.indicators:
            out.extend(ind.findings)
        for row in self.evaluation:
            out.extend(row.findings)
        return out


class Document(_Model):
    """What one input file holds."""

    file: str
    format: str = Field(..., description="seedtext, docx, xlsx, xls, csv, json")
    encoding: str | None = None
    projects: list[Project] = Field(default_factory=list)


class Report(_Model):
    """The top-level JSON contract: ``{"schema": "indicatorqa/1", "projects": [...]}``."""

    schema_: str = Field(SCHEMA_VERSION, alias="schema")
    projects: list[Project] = Field(default_factory=list)
    errors: list[dict] = Field(default_factory=list, description="files that could not be read")

    model_config = ConfigDict(extra="forbid", populate_by_name=True)


# Fields filled by analysis: `parse` output leaves them out.
ANALYSIS_FIELDS = {"score", "grade", "score_parts", "findings", "suggestions"}
