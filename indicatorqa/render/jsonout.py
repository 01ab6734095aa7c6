"""JSON output in the SPEC contract shape (schema "indicatorqa/1")."""

from __future__ import annotations

import json
from collections.abc import Iterable

from ..errors import InputError
from ..model import Project, Report

# `parse` prints the contract without what analysis adds.
_PARSE_EXCLUDE = {
    "projects": {
        "__all__": {
            "score": True,
            "grade": True,
            "score_parts": True,
            "findings": True,
            "indicators": {"__all__": {"score", "findings", "suggestions"}},
            "evaluation": {"__all__": {"findings"}},
        }
    }
}


def build_report(projects: Iterable[Project], errors: Iterable[InputError] = ()) -> Report:
    return Report(projects=list(projects), errors=[e.to_dict() for e in errors])


def report_to_dict(report: Report, with_analysis: bool = True) -> dict:
    exclude = None if with_analysis else _PARSE_EXCLUDE
    data = report.model_dump(mode="json", by_alias=True, exclude_none=True, exclude=exclude)
    if not data.get("errors"):
        data.pop("errors", None)
    return data


def report_to_json(report: Report, with_analysis: bool = True, indent: int | None = 2) -> str:
    return json.dumps(report_to_dict(report, with_analysis), ensure_ascii=False, indent=indent)
