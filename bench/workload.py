"""Deterministic workloads for the benchmark: N indicators resampled and perturbed from the
seed tables (corpus/seeds) and the corpus entries (corpus/reference, corpus/accepted).

``generate(n, seed)`` returns rows (one dict per indicator, project fields repeated, the flat
CSV layout of SPEC "Inputs") grouped into projects of 4–12 indicators; ``write_csv`` writes
them as CSV files of about ``per_file`` indicators each (a batch of files, the way a finance
department receives them); ``to_projects`` builds the same projects in memory.
Same ``n`` and ``seed`` → byte-identical files.
"""

from __future__ import annotations

import csv
import random
import re
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
COLUMNS = ["单位", "项目名称", "预算数", "绩效目标", "一级指标", "二级指标", "三级指标", "绩效指标描述", "指标值"]
_NUM = re.compile(r"\d+(?:\.\d+)?")


@cache
def _sources():
    from indicatorqa.readers import read_file
    from indicatorqa.retrieve import load_corpus

    projects = []
    for f in sorted((ROOT / "corpus" / "seeds").glob("*.txt")):
        projects += [p for p in read_file(f).projects if p.indicators]
    entries = load_corpus()
    return projects, entries


def _perturb_number(rng: random.Random, text: str) -> str:
    def repl(m):
        s = m.group(0)
        if len(s) == 4 and s.startswith("20"):  # a year: keep it
            return s
        x = float(s)
        y = x * rng.choice((0.5, 0.8, 1.0, 1.0, 1.2, 1.5, 2.0))
        return str(int(round(y))) if "." not in s else f"{y:.1f}"

    return _NUM.sub(repl, text)


def generate(n: int, seed: int = 20261123) -> list[dict]:
    projects, entries = _sources()
    rng = random.Random(seed)
    rows: list[dict] = []
    j = 0
    while len(rows) < n:
        src = rng.choice(projects)
        j += 1
        unit = f"{src.unit or '某单位'}{j % 97:02d}分部"
        name = f"{src.name}（批次{j}）"
        budget = "" if src.budget is None else f"{src.budget * rng.choice((0.5, 1, 1, 2)):.2f}"
        goals = "；".join(f"{g.number}.{g.text}" for g in src.goals)
        k = min(n - len(rows), rng.randint(4, 12))
        for _ in range(k):
            if rng.random() < 0.2 and entries:
                e = rng.choice(entries)
                pattern = e.value_pattern.replace("{n}", str(rng.randint(1, 200))).replace("{year}", "2025").replace("{date}", "2025年12月31日")
                cells = (e.level1, e.level2, e.name, e.description, pattern)
            else:
                ind = rng.choice(src.indicators)
                cells = (ind.level1, ind.level2, ind.name, ind.description, ind.value)
            level1, level2, iname, desc, value = (c or "" for c in cells)
            r = rng.random()
            if r < 0.5:
                value = _perturb_number(rng, value)
            elif r < 0.6:
                value = rng.choice(("提升", "满意", "良好", "按时完成", "≥95%", "以批复为准", "显著提高", value))
            if rng.random() < 0.1:
                desc = iname
            rows.append(
                {"单位": unit, "项目名称": name, "预算数": budget, "绩效目标": goals, "一级指标": level1,
                 "二级指标": level2, "三级指标": iname, "绩效指标描述": desc, "指标值": value}
            )
    return rows


def write_csv(rows: list[dict], directory: Path, per_file: int = 1000) -> list[Path]:
    """Files of about ``per_file`` indicators, never splitting a project across files."""
    directory.mkdir(parents=True, exist_ok=True)
    files, chunk, i = [], [], 0
    for idx, row in enumerate(rows):
        chunk.append(row)
        last_of_project = idx + 1 == len(rows) or (rows[idx + 1]["单位"], rows[idx + 1]["项目名称"]) != (row["单位"], row["项目名称"])
        if len(chunk) >= per_file and last_of_project or idx + 1 == len(rows):
            path = directory / f"batch_{i:04d}.csv"
            with path.open("w", encoding="utf-8", newline="") as fh:
                w = csv.DictWriter(fh, fieldnames=COLUMNS)
                w.writeheader()
                w.writerows(chunk)
            files.append(path)
            chunk, i = [], i + 1
    return files


def to_projects(rows: list[dict]):
    """The same workload as in-memory Project objects (no reader involved)."""
    from indicatorqa.model import Indicator, Project
    from indicatorqa.readers import form

    out: dict[tuple, Project] = {}
    for r in rows:
        key = (r["单位"], r["项目名称"])
        p = out.get(key)
        if p is None:
            goals = form.split_goals(r["绩效目标"]) if r["绩效目标"] else []
            p = out[key] = Project(
                unit=r["单位"], name=r["项目名称"], budget=float(r["预算数"]) if r["预算数"] else None, goals=goals
            )
        p.indicators.append(
            Indicator(level1=r["一级指标"], level2=r["二级指标"], name=r["三级指标"], description=r["绩效指标描述"], value=r["指标值"])
        )
    return list(out.values())
