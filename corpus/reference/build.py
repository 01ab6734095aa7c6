"""Compile the curated reference library from its source files.

    python corpus/reference/build.py          # writes corpus/reference/curated.jsonl

The entries are authored in ``src/*.txt`` (one file per business area), one entry a line:

    L2 | 三级指标 | 指标值模式 | low~high | 取值说明 | 关键词、关键词 | 绩效指标描述

* ``L2`` is a short 二级指标 code: 数量 质量 时效 成本 经济 社会 生态 可持续 满意
  (一级指标 follows from it; 成本 entries use the newer 一级 "成本指标").
* the value pattern carries the direction and the unit, with ``{n}`` for the number or
  ``{year}`` for the budget year of a deadline (then the range and note are ``-``).
* lines starting with ``#`` and blank lines are ignored; the first line of a file is
  ``@area <area> <id-slug>``.

Direction and unit are read from the pattern, ids are numbered in file order, so the
JSONL is reproducible byte for byte. Stdlib only.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
SRC = HERE / "src"
OUT = HERE / "curated.jsonl"

LEVELS = {
    "数量": ("产出指标", "数量指标"),
    "质量": ("产出指标", "质量指标"),
    "时效": ("产出指标", "时效指标"),
    "成本": ("成本指标", "成本指标"),
    "经济": ("效益指标", "经济效益指标"),
    "社会": ("效益指标", "社会效益指标"),
    "生态": ("效益指标", "生态效益指标"),
    "可持续": ("效益指标", "可持续影响指标"),
    "满意": ("满意度指标", "服务对象满意度指标"),
}

AREA_ORDER = [
    "training_meetings", "publicity", "it_operations_security", "grants_subsidies",
    "science_popularization", "construction_maintenance", "procurement", "inspection_supervision",
    "talent_programmes", "research_projects", "enterprise_services", "public_venues", "general_management",
    "science_administration", "science_association",
    # Sector areas (fifth session): the work other departments fund.
    "health", "education", "agriculture_rural", "water", "transport", "civil_affairs",
    "employment_social_security", "culture_tourism", "ecology_forestry", "emergency_management", "market_regulation",
    "public_services",
]


def _number(text: str):
    x = float(text)
    return int(x) if x.is_integer() else x


def parse_pattern(pattern: str) -> tuple[str, str]:
    """(direction, unit) of a value pattern."""
    if "{year}" in pattern:
        return "deadline", "日期"
    if pattern[0] not in "≥≤=" or "{n}" not in pattern:
        raise ValueError(f"value pattern needs a direction and {{n}}: {pattern!r}")
    unit = pattern.split("{n}", 1)[1].strip()
    if not unit:
        raise ValueError(f"value pattern has no unit: {pattern!r}")
    return pattern[0], unit


def parse_line(line: str, where: str) -> dict:
    parts = [p.strip() for p in line.split(" | ", 6)]
    if len(parts) != 7:
        raise ValueError(f"{where}: expected 7 fields, got {len(parts)}")
    code, name, pattern, rng, note, keywords, description = parts
    if code not in LEVELS:
        raise ValueError(f"{where}: unknown level code {code!r}")
    level1, level2 = LEVELS[code]
    direction, unit = parse_pattern(pattern)
    entry = {
        "level1": level1,
        "level2": level2,
        "name": name,
        "description": description,
        "value_pattern": pattern,
        "direction": direction,
        "unit": unit,
    }
    if direction != "deadline":
        low, high = (_number(x) for x in rng.split("~"))
        entry["typical_range"] = {"low": low, "high": high, "note": note}
    elif rng != "-":
        raise ValueError(f"{where}: a deadline takes no range")
    entry["keywords"] = [k.strip() for k in keywords.split("、") if k.strip()]
    return entry


def load_area(path: Path) -> tuple[str, list[dict]]:
    lines = path.read_text(encoding="utf-8").splitlines()
    head = lines[0].split()
    if len(head) != 3 or head[0] != "@area":
        raise ValueError(f"{path.name}: first line must be '@area <area> <slug>'")
    area, slug = head[1], head[2]
    entries = []
    for no, line in enumerate(lines[1:], start=2):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        e = parse_line(line, f"{path.name}:{no}")
        entries.append({"id": f"curated/{slug}/{len(entries) + 1:03d}", "source": "curated", "area": area, **e})
    return area, entries


def main() -> int:
    by_area = {}
    for path in sorted(SRC.glob("*.txt")):
        area, entries = load_area(path)
        by_area[area] = entries
    unknown = set(by_area) - set(AREA_ORDER)
    if unknown:
        raise SystemExit(f"unknown areas: {sorted(unknown)}")
    rows = [e for a in AREA_ORDER for e in by_area.get(a, [])]
    with OUT.open("w", encoding="utf-8", newline="\n") as fh:
        for e in rows:
            fh.write(json.dumps(e, ensure_ascii=False) + "\n")
    print(f"wrote {len(rows)} entries to {OUT.relative_to(HERE.parent.parent)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
