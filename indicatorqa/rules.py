"""The rule registry: stable codes, slugs, default severities, messages and docs.

The catalogue lives in ``data/rules.toml`` (one entry per rule, like ruff's one doc
per rule); this module loads it once and builds :class:`~indicatorqa.model.Finding`
objects from it, so that every message for a code reads the same everywhere.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources

from .model import Finding

SEVERITIES = ("error", "warning", "info")


@dataclass(frozen=True)
class Rule:
    code: str
    slug: str
    title: str
    severity: str
    field: str
    learned: bool
    message: str
    doc: str
    bad: tuple[str, ...] = ()
    good: tuple[str, ...] = ()

    @property
    def family(self) -> str:
        return {"V": "指标值", "N": "名称与描述", "P": "项目", "S": "自评"}[self.code[0]]

    def finding(
        self,
        evidence: list[str] | tuple[str, ...] = (),
        confidence: float | None = None,
        message: str | None = None,
        **fields,
    ) -> Finding:
        """A finding with this rule's identity; ``fields`` fill the message placeholders."""
        text = message if message is not None else self.message.format_map(_Lenient(fields))
        return Finding(
            code=self.code,
            slug=self.slug,
            severity=self.severity,
            message=text,
            field=self.field,
            evidence=[str(e) for e in evidence if str(e)],
            confidence=None if confidence is None else round(float(confidence), 3),
        )


class _Lenient(dict):
    """Leave unknown placeholders visible instead of raising in the middle of a batch."""

    def __missing__(self, key):
        return "{" + key + "}"


@cache
def catalogue() -> dict[str, Rule]:
    raw = tomllib.loads(resources.files("indicatorqa").joinpath("data/rules.toml").read_text("utf-8"))
    rules = {}
    for code, entry in raw.items():
        rules[code] = Rule(
            code=code,
            slug=entry["slug"],
            title=entry["title"],
            severity=entry["severity"],
            field=entry["field"],
            learned=entry["learned"],
            message=entry["message"],
            doc=entry["doc"].strip(),
            bad=tuple(entry.get("bad", ())),
            good=tuple(entry.get("good", ())),
        )
    return rules


def get(code_or_slug: str) -> Rule:
    rules = catalogue()
    key = code_or_slug.strip()
    if key.upper() in rules:
        return rules[key.upper()]
    for rule in rules.values():
        if rule.slug == key.lower():
            return rule
    raise KeyError(key)
