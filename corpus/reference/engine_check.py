"""Run the product's findings engine over the curated library (needs indicatorqa installed).

    python corpus/reference/engine_check.py [--models DIR] [--year 2025]

Every entry becomes an indicator whose value is its pattern with a number from the middle
of its typical range (deadlines get the budget year); entries of one area and 一级指标
form a project. The script prints every indicator-level finding and exits 1 if there is
any: a reference entry must never itself be flagged. The learned rules (V001–V004,
N001–N003, N005) run only when trained models are found (``--models`` or the default
``models/findings``); the rule checks run always.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def sample_value(e: dict, year: int, at: str = "mid") -> str:
    """The entry's value with a number from its typical range (low, mid or high)."""
    pat = e["value_pattern"]
    if e["direction"] == "deadline":
        return pat.replace("{year}", str(year))
    tr = e["typical_range"]
    x = {"low": tr["low"], "high": tr["high"]}.get(at, (tr["low"] + tr["high"]) / 2)
    if isinstance(tr["low"], int) and isinstance(tr["high"], int) and (e["unit"] != "%" or x >= 10):
        text = str(int(round(x)))
    else:
        text = f"{round(x, 1):g}"
    return pat.replace("{n}", text)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("file", nargs="?", default=str(HERE / "curated.jsonl"))
    ap.add_argument("--models", default=None, help="trained findings models (default: models/findings if present)")
    ap.add_argument("--year", type=int, default=2025)
    ap.add_argument("--at", choices=["low", "mid", "high", "all"], default="all",
                    help="which number of the typical range to put in the value (default: all three)")
    args = ap.parse_args()

    from indicatorqa.analyse import Analyzer
    from indicatorqa.config import Config
    from indicatorqa.model import Indicator, Project

    judge = None
    try:
        from indicatorqa.learn.models import load_judge

        judge = load_judge(args.models)
    except Exception as exc:  # no trained models: the rule checks still run
        print(f"(learned rules skipped: {exc})", file=sys.stderr)

    entries = [json.loads(l) for l in Path(args.file).read_text(encoding="utf-8").splitlines() if l.strip()]
    points = ["low", "mid", "high"] if args.at == "all" else [args.at]
    groups: dict[tuple[str, str, str], list[dict]] = {}
    for e in entries:
        for at in points:
            groups.setdefault((e["area"], e["level2"], at), []).append(e)
    projects = []
    for (area, level2, at), group in groups.items():
        inds = [
            Indicator(level1=e["level1"], level2=e["level2"], name=e["name"], description=e["description"],
                      value=sample_value(e, args.year, at))
            for e in group
        ]
        projects.append(Project(unit="参考库", name=f"{area}/{level2}/{at}", budget=100000.0, indicators=inds))
    analysed = Analyzer(Config(), judge).analyse(projects)
    flagged_ids = set()
    for p in analysed:
        for ind, e in zip(p.indicators, groups[tuple(p.name.split("/", 2))]):
            if ind.findings:
                flagged_ids.add(e["id"])
                codes = "; ".join(f"{f.code} {f.message}" for f in ind.findings)
                print(f"{e['id']} {ind.name} = {ind.value}: {codes}")
    print(f"{len(entries)} entries checked at {'/'.join(points)} of their typical range, "
          f"{len(flagged_ids)} flagged (learned rules {'on' if judge else 'off'})")
    return 1 if flagged_ids else 0


if __name__ == "__main__":
    raise SystemExit(main())
