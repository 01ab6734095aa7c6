#!/usr/bin/env python
"""Findings on indicator rows outside the seeds' domain: per-rule precision, recall, F1.

    /work/venv/bin/python scripts/eval_outdomain.py [--errors]

The rows are ``corpus/labels/outdomain/rows.jsonl``: 240 rows from 16 policy areas (health, civil
affairs, education, agriculture, water, transport, housing, ecology, culture and tourism, sports,
emergency management, market regulation, justice, human resources, forestry, veterans affairs),
160 well-formed and 80 flawed, labeled by ``corpus/LABELING.md`` by an annotator who saw neither the
tool nor its data (provenance in that directory's README). They are test data only: no model is
trained on them and no word list or threshold is chosen on them.

Each area's rows form one table (its project name and year), run through the whole analyser with
the shipped models, as ``indicatorqa check`` runs them. Only the indicator rules (V001–V009,
N001–N006) are scored; project rules need whole tables.
"""

from __future__ import annotations

import argparse
import collections
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from indicatorqa.analyse import Analyzer  # noqa: E402
from indicatorqa.config import Config  # noqa: E402
from indicatorqa.learn.models import load_judge  # noqa: E402
from indicatorqa.model import Indicator, Project  # noqa: E402

ROWS = ROOT / "corpus" / "labels" / "outdomain" / "rows.jsonl"
CODES = [f"V00{i}" for i in range(1, 10)] + [f"N00{i}" for i in range(1, 7)]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rows", type=Path, default=ROWS)
    ap.add_argument("--errors", action="store_true", help="list every false positive and false negative")
    args = ap.parse_args(argv)
    rows = [json.loads(line) for line in args.rows.read_text(encoding="utf-8").splitlines() if line.strip()]
    tables: dict[tuple[str, str], list[dict]] = collections.defaultdict(list)
    for r in rows:
        tables[(r["area"], r["project"])].append(r)
    analyzer = Analyzer(Config(), load_judge())
    tp, fp, fn = collections.Counter(), collections.Counter(), collections.Counter()
    clean = clean_flagged = 0
    errors = []
    for (area, name), members in tables.items():
        year = re.search(r"(?:19|20)\d{2}", name)
        indicators = [Indicator(level1=r["level1"], level2=r["level2"], name=r["name"],
                                description=r.get("description", ""), value=r["value"]) for r in members]
        project = Project(name=name, budget_year=int(year.group(0)) if year else None, indicators=indicators)
        (analysed,) = analyzer.analyse([project])
        for r, ind in zip(members, analysed.indicators):
            got = {f.code for f in ind.findings} & set(CODES)
            gold = {c for c in CODES if r["labels"].get(c)}
            if not gold:
                clean += 1
                clean_flagged += bool(got)
            for c in CODES:
                if c in got and c in gold:
                    tp[c] += 1
                elif c in got:
                    fp[c] += 1
                    errors.append(("误报 FP", c, r))
                elif c in gold:
                    fn[c] += 1
                    errors.append(("漏报 FN", c, r))
    print(f"{len(rows)} rows in {len(tables)} tables; {clean} well-formed, of which {clean_flagged} "
          f"({clean_flagged / max(clean, 1):.1%}) got a finding\n")
    print("| rule | P | R | F1 | TP | FP | FN |\n|---|---|---|---|---|---|---|")
    total = [0, 0, 0]
    for c in CODES:
        t, f, n = tp[c], fp[c], fn[c]
        total = [total[0] + t, total[1] + f, total[2] + n]
        if t + f + n:
            p = t / (t + f) if t + f else float("nan")
            r = t / (t + n) if t + n else float("nan")
            print(f"| {c} | {p:.3f} | {r:.3f} | {2 * p * r / (p + r) if t else 0.0:.3f} | {t} | {f} | {n} |")
    t, f, n = total
    p, r = t / (t + f), t / (t + n)
    print(f"| all | {p:.3f} | {r:.3f} | {2 * p * r / (p + r):.3f} | {t} | {f} | {n} |")
    if args.errors:
        print()
        for kind, code, row in sorted(errors, key=lambda e: (e[1], e[0], e[2]["id"])):
            print(f"- [{kind}] {code} {row['id']} ｜ {row['level2']} ｜ {row['name']} ｜ {row['value']} — {row.get('note', '')[:80]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
