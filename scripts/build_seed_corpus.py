"""Add the well-formed seed indicators to corpus/accepted/ (issue 4: "the seed rows that are
well formed, judged by the findings engine plus your review").

A seed row is added when the findings engine reports no error or warning on it AND the
labeled data (corpus/labels/seed_indicators.jsonl, reviewed by a person) marks no rule on it.
Run from the repository root: python scripts/build_seed_corpus.py
"""

from __future__ import annotations

import json
from pathlib import Path

from indicatorqa.analyse import Analyzer
from indicatorqa.config import Config
from indicatorqa.corpus import add_projects
from indicatorqa.learn.models import load_judge
from indicatorqa.readers import read_paths

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    clean = set()
    for line in (ROOT / "corpus/labels/seed_indicators.jsonl").read_text("utf-8").splitlines():
        r = json.loads(line)
        if not any(r["labels"].values()):
            clean.add((r["doc"], r["table"], r["row"]))
    projects = Analyzer(Config(), load_judge()).analyse(read_paths([ROOT / "corpus/seeds"]).projects)
    kept = 0
    for p in projects:
        doc = Path(p.source.file).stem
        p.indicators = [i for i in p.indicators if (doc, i.source.table, i.source.row) in clean]
        kept += len(p.indicators)
    added = add_projects(projects, ROOT / "corpus/accepted", today="2026-11-23")
    print(f"labeled clean rows: {len(clean)}; parsed and kept: {kept}; added: {sum(added.values())}")
    for path, n in added.items():
        print(f"  {Path(path).relative_to(ROOT)}: {n}")


if __name__ == "__main__":
    main()
