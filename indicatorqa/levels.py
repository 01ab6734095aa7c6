"""Canonical 一级/二级指标 from the many ways tables name them (data/levels.toml)."""

from __future__ import annotations

import re
import tomllib
from functools import cache, lru_cache
from importlib import resources

LEVEL2_CANONICAL = ("数量", "质量", "时效", "成本", "经济效益", "社会效益", "生态效益", "可持续影响", "满意度")

_ANNOTATION = re.compile(r"[（(【\[][^）)】\]]*[）)】\]]")
_NUMBERING = re.compile(r"^\s*(?:[0-9０-９]+|[一二三四五六七八九十]+)\s*[.、．:：]\s*")


@cache
def _table() -> dict:
    return tomllib.loads(resources.files("indicatorqa").joinpath("data/levels.toml").read_text("utf-8"))


def clean_level(text: str) -> str:
    """Strip (必填)-style annotations, numbering, spaces and star markers."""
    text = _ANNOTATION.sub("", text or "")
    text = _NUMBERING.sub("", text)
    return re.sub(r"[\s★☆*＊]", "", text)


def _match(text: str, rules: list[dict]) -> str | None:
    cleaned = clean_level(text)
    if not cleaned:
        return None
    for rule in rules:
        if any(k in cleaned for k in rule["keywords"]):
            return rule["canonical"]
    return None


@lru_cache(maxsize=8192)
def canonical_level2(text: str) -> str | None:
    """'产出数量' → '数量', '社会公众或服务对象满意度指标(必填)' → '满意度'; None if unknown.

    Memoised: level names repeat on every row of a batch."""
    return _match(text, _table()["level2"])


def canonical_level1(text: str, level2: str | None = None) -> str | None:
    found = _match(text, _table()["level1"])
    if found is None and level2:
        return parent_level1(level2)
    return found


def parent_level1(level2: str | None) -> str | None:
    """The canonical 一级 a canonical 二级 belongs to: '社会效益' → '效益'."""
    return _table()["parent"].get(level2) if level2 else None
