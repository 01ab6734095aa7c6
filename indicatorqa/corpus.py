"""Growing the indicator corpus from accepted tables (``indicatorqa corpus add``).

An accepted table's well-formed indicators (no error or warning finding) become corpus
entries under ``corpus/accepted/``, one JSONL file per unit, each with its provenance
(file, table, row, unit, date added). The value becomes a pattern with the number as
``{n}`` and the table's own number recorded as the typical range, so a suggestion drawn
from it never invents a number: it states where the example came from.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import tempfile
from pathlib import Path

from .model import Indicator, Project
from .retrieve import corpus_root
from .values import parse_value

_SAFE = re.compile(r"[^\w\u4e00-\u9fff-]+")


def _fmt(x: float) -> str:
    return str(int(x)) if x == int(x) else f"{x:g}"


def value_pattern(value: str) -> tuple[str, dict]:
    """'≥20家' → ('≥{n}家', facts); dates keep their text; None when the value has no pattern."""
    pv = parse_value(value)
    facts = {"direction": pv.direction or "", "unit": pv.unit or ""}
    if pv.kind == "date" and pv.date is not None and pv.date_high is None:
        # The year becomes the budget year of whoever reuses the entry.
        d = pv.date
        day = f"{d.day}日" if d.day else ""
        month = f"{d.month}月" if d.month else "12月"
        ending = "前" if pv.direction in ("≤", "<") or pv.qualifier else ""
        return f"{{year}}年{month}{day}{ending}", {**facts, "direction": "deadline"}
    if pv.number is None or pv.kind not in ("count", "amount", "percent", "duration", "rate"):
        return "", facts
    unit = pv.full_unit or ""
    direction = pv.direction if pv.direction in ("≥", "≤", ">", "<", "=") else ""
    facts["typical_range"] = {"low": pv.number, "high": pv.number_high or pv.number, "note": "来源表格的取值"}
    return f"{direction}{{n}}{unit}", facts


def entry_from_indicator(ind: Indicator, project: Project, added: str) -> dict | None:
    pattern, facts = value_pattern(ind.value)
    if not pattern:
        return None
    src = ind.source
    file = Path(src.file).name if src and src.file else ""
    key = "|".join([project.unit, ind.level2, ind.name, ind.description, pattern])
    digest = hashlib.sha1(key.encode("utf-8")).hexdigest()[:10]
    return {
        "id": f"accepted/{digest}",
        "source": "accepted",
        "level1": ind.level1,
        "level2": ind.level2,
        "name": ind.name.strip(),
        "description": ind.description.strip(),
        "value_pattern": pattern,
        "direction": facts["direction"],
        "unit": facts["unit"],
        "typical_range": facts.get("typical_range"),
        "keywords": [],
        "provenance": f"{project.unit}《{project.name}》 {file} 第{src.table if src else '?'}张表 第{src.row if src else '?'}行，{added} 加入",
    }


def wellformed(ind: Indicator) -> bool:
    """No error or warning finding: only such indicators are examples worth copying."""
    return ind.name.strip() != "" and not any(f.severity in ("error", "warning") for f in ind.findings)


def add_projects(projects: list[Project], directory: Path | None = None, today: str | None = None) -> dict[str, int]:
    """Add the well-formed indicators of analysed projects; returns {file: entries added}."""
    directory = directory or corpus_root() / "accepted"
    directory.mkdir(parents=True, exist_ok=True)
    today = today or dt.date.today().isoformat()
    by_unit: dict[str, list[dict]] = {}
    for project in projects:
        for ind in project.indicators:
            if wellformed(ind):
                entry = entry_from_indicator(ind, project, today)
                if entry:
                    by_unit.setdefault(project.unit or "未署名单位", []).append(entry)
    added = {}
    for unit, entries in by_unit.items():
        path = directory / f"{_SAFE.sub('_', unit).strip('_') or 'unit'}.jsonl"
        existing = {}
        if path.exists():
            for line in path.read_text("utf-8").splitlines():
                if line.strip():
                    e = json.loads(line)
                    existing[e["id"]] = e
        new = [e for e in entries if e["id"] not in existing]
        for e in new:
            existing[e["id"]] = e
        if new:
            # Written whole and renamed: a failure never leaves half a corpus file.
            fd, tmp = tempfile.mkstemp(dir=directory, suffix=".tmp")
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                for e in existing.values():
                    fh.write(json.dumps(e, ensure_ascii=False) + "\n")
            os.replace(tmp, path)
        added[str(path)] = len(new)
    return added
