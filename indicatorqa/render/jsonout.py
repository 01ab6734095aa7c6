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


_STREAM_FROM = 200  # projects; below this one dict for the whole report is cheap
_HOLE = "\u0000projects\u0000"


def report_to_json(report: Report, with_analysis: bool = True, indent: int | None = 2) -> str:
    if indent is None or len(report.projects) < _STREAM_FROM:
        return json.dumps(report_to_dict(report, with_analysis), ensure_ascii=False, indent=indent)
    # A large batch: the same text, built one project at a time, so that the dicts of all
    # projects (several times the size of the text) never exist at once.
    head = report_to_dict(report.model_copy(update={"projects": []}), with_analysis)
    head["projects"] = _HOLE
    exclude = None if with_analysis else _PARSE_EXCLUDE["projects"]["__all__"]
    pad = " " * (2 * indent)
    items = []
    for project in report.projects:
        d = project.model_dump(mode="json", by_alias=True, exclude_none=True, exclude=exclude)
        items.append(pad + json.dumps(d, ensure_ascii=False, indent=indent).replace("\n", "\n" + pad))
    body = "[\n" + ",\n".join(items) + "\n" + " " * indent + "]"
    text = json.dumps(head, ensure_ascii=False, indent=indent)
    return text.replace(json.dumps(_HOLE, ensure_ascii=False), body, 1)
