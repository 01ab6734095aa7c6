#!/usr/bin/env python3
"""Validate the label files under corpus/labels/ and print per-rule positive counts.

Standard library only.  Usage:  python corpus/labels/check_labels.py [LABELS_DIR]
Exit status 0 when every file is valid, 1 when any problem is found.

What is checked (see corpus/LABELING.md for the meaning of every field):
- every line is a JSON object with the fields its kind requires, with the right types;
- label dicts have exactly the expected codes, each 0 or 1;
- measurability (target_measurability for self-evaluation rows) is one of
  ok/vague/label/deferred/pseudo and agrees exactly with the V001–V004 bits
  (ok <=> none set; otherwise exactly one bit, the matching one);
- level2_canonical is one of the nine canonical 二级指标, and N003 = 1 exactly when
  it differs from the canonical form of the 二级指标 as written;
- keys (doc, table, row) are unique and rows are in file order;
- seed files: 386 indicator rows in 47 tables, one project object per table,
  written rows carry source = "written" and author = "labeling-lead".
"""

from __future__ import annotations

import json
import sys
from collections import Counter, defaultdict
from pathlib import Path

IND_CODES = ["V001", "V002", "V003", "V004", "V005", "V006", "V007", "V008", "V009",
             "N001", "N002", "N003", "N004", "N005", "N006"]
PROJ_CODES = ["P001", "P002", "P003", "P004", "P005", "P006", "P007", "P008", "N004"]
EVAL_CODES = ["S001", "S002", "S003", "V001", "V002", "V003", "V004", "V006"]
MEAS = {"V001": "vague", "V002": "label", "V003": "deferred", "V004": "pseudo"}
MEAS_VALUES = {"ok", *MEAS.values()}
CANONICAL = ["数量", "质量", "时效", "成本", "经济效益", "社会效益", "生态效益", "可持续影响", "满意度"]
# Order matters: the first keyword found in the 二级指标 as written decides.
LEVEL2_KEYWORDS = [("满意", "满意度"), ("数量", "数量"), ("质量", "质量"), ("时效", "时效"), ("进度", "时效"),
                   ("成本", "成本"), ("经济", "经济效益"), ("社会效益", "社会效益"), ("生态", "生态效益"),
                   ("可持续", "可持续影响")]

SEED_ROWS, SEED_TABLES = 386, 47


def canonical_of(level2: str) -> str | None:
    for key, canon in LEVEL2_KEYWORDS:
        if key in level2:
            return canon
    return None


class Checker:
    def __init__(self) -> None:
        self.problems: list[str] = []

    def err(self, where: str, msg: str) -> None:
        self.problems.append(f"{where}: {msg}")

    def load(self, path: Path) -> list[dict]:
        rows = []
        if not path.exists():
            self.err(path.name, "file missing")
            return rows
        with path.open(encoding="utf-8") as fh:
            for n, line in enumerate(fh, 1):
                if not line.strip():
                    self.err(f"{path.name}:{n}", "blank line")
                    continue
                try:
                    obj = json.loads(line)
                except json.JSONDecodeError as exc:
                    self.err(f"{path.name}:{n}", f"invalid JSON ({exc})")
                    continue
                if not isinstance(obj, dict):
                    self.err(f"{path.name}:{n}", "not a JSON object")
                    continue
                obj["_line"] = n
                rows.append(obj)
        return rows

    def fields(self, where: str, obj: dict, spec: dict) -> bool:
        ok = True
        for key, typ in spec.items():
            if key not in obj:
                self.err(where, f"missing field {key!r}")
                ok = False
            elif not isinstance(obj[key], typ) or (typ is int and isinstance(obj[key], bool)):
                self.err(where, f"field {key!r} has type {type(obj[key]).__name__}")
                ok = False
        return ok

    def labels(self, where: str, obj: dict, codes: list[str]) -> bool:
        lab = obj.get("labels")
        if not isinstance(lab, dict):
            self.err(where, "labels is not an object")
            return False
        if sorted(lab) != sorted(codes):
            self.err(where, f"label codes {sorted(lab)} != expected {codes}")
            return False
        bad = [c for c, v in lab.items() if v not in (0, 1) or isinstance(v, bool)]
        if bad:
            self.err(where, f"labels not 0/1: {bad}")
            return False
        return True

    def measurability(self, where: str, lab: dict, meas) -> None:
        if meas not in MEAS_VALUES:
            self.err(where, f"measurability {meas!r} not in {sorted(MEAS_VALUES)}")
            return
        set_bits = [c for c in MEAS if lab.get(c)]
        if len(set_bits) > 1:
            self.err(where, f"more than one of V001–V004 set: {set_bits}")
        expected = MEAS[set_bits[0]] if set_bits else "ok"
        if meas != expected:
            self.err(where, f"measurability {meas!r} but V001–V004 bits say {expected!r}")

    def indicator(self, where: str, obj: dict) -> None:
        spec = {"doc": str, "table": int, "project": str, "row": int, "level1": str, "level2": str, "name": str,
                "description": str, "value": str, "labels": dict, "measurability": str,
                "level2_canonical": str, "note": str}
        if not self.fields(where, obj, spec) or not self.labels(where, obj, IND_CODES):
            return
        lab = obj["labels"]
        self.measurability(where, lab, obj["measurability"])
        lc = obj["level2_canonical"]
        if lc not in CANONICAL:
            self.err(where, f"level2_canonical {lc!r} not in {CANONICAL}")
        placed = canonical_of(obj["level2"])
        if placed is None:
            self.err(where, f"二级指标 {obj['level2']!r} maps to no canonical level")
        elif (lc != placed) != bool(lab["N003"]):
            self.err(where, f"N003={lab['N003']} but written level {placed} vs canonical {lc}")
        if any(lab.values()) and not obj["note"].strip():
            self.err(where, "flagged row without a note")

    def evaluation(self, where: str, obj: dict) -> None:
        spec = {"doc": str, "table": int, "row": int, "level1": str, "level2": str, "name": str, "target": str,
                "actual": str, "weight": (int, float), "score": (int, float), "reason": str, "labels": dict,
                "target_measurability": str, "note": str}
        if not self.fields(where, obj, spec) or not self.labels(where, obj, EVAL_CODES):
            return
        self.measurability(where, obj["labels"], obj["target_measurability"])
        if obj["score"] < 0:
            self.err(where, "negative score")

    def keys_in_order(self, name: str, rows: list[dict]) -> None:
        seen = set()
        for r in rows:
            key = (r.get("doc"), r.get("table"), r.get("row"), r.get("kind"))
            if key in seen:
                self.err(f"{name}:{r['_line']}", f"duplicate key {key[:3]}")
            seen.add(key)
        last = defaultdict(int)
        for r in rows:
            if r.get("row") is None:
                continue
            k = (r.get("doc"), r.get("table"))
            if r["row"] != last[k] + 1:
                self.err(f"{name}:{r['_line']}", f"row {r['row']} of {k} is not 1 + previous row ({last[k]})")
            last[k] = r["row"]


def count_table(title: str, rows: list[dict], codes: list[str]) -> list[str]:
    n = len(rows)
    pos = Counter()
    for r in rows:
        for c in codes:
            pos[c] += r["labels"].get(c, 0)
    line = "  ".join(f"{c} {pos[c]}" for c in codes)
    return [f"{title}: {n} objects", f"    positives: {line}"]


def main(argv: list[str]) -> int:
    base = Path(argv[1]) if len(argv) > 1 else Path(__file__).resolve().parent
    ck = Checker()
    out: list[str] = []

    seed = ck.load(base / "seed_indicators.jsonl")
    for r in seed:
        ck.indicator(f"seed_indicators.jsonl:{r['_line']}", r)
        if r.get("source", "seed") != "seed":
            ck.err(f"seed_indicators.jsonl:{r['_line']}", "seed row marked as written")
    ck.keys_in_order("seed_indicators.jsonl", seed)
    tables = {(r.get("doc"), r.get("table")) for r in seed}
    if len(seed) != SEED_ROWS or len(tables) != SEED_TABLES:
        ck.err("seed_indicators.jsonl", f"{len(seed)} rows in {len(tables)} tables, expected {SEED_ROWS} in {SEED_TABLES}")

    proj = ck.load(base / "seed_projects.jsonl")
    ptables = set()
    for r in proj:
        where = f"seed_projects.jsonl:{r['_line']}"
        if r.get("kind") == "target":
            if ck.fields(where, r, {"doc": str, "table": int, "project": str, "labels": dict, "note": str,
                                    "canonical_missing": list}):
                ck.labels(where, r, PROJ_CODES)
                ptables.add((r["doc"], r["table"]))
                if any(r["labels"].values()) and not r["note"].strip():
                    ck.err(where, "flagged project without a note")
                bad = [c for c in r["canonical_missing"] if c not in CANONICAL + ["效益"]]
                if bad:
                    ck.err(where, f"canonical_missing has unknown levels {bad}")
        elif r.get("kind") == "self_evaluation":
            if ck.fields(where, r, {"doc": str, "table": int, "labels": dict, "note": str}):
                ck.labels(where, r, ["S004"])
        else:
            ck.err(where, f"unknown kind {r.get('kind')!r}")
    if seed and ptables != tables:
        ck.err("seed_projects.jsonl", f"project tables differ from indicator tables: "
                                      f"{sorted(ptables ^ tables)[:5]}")

    ev = ck.load(base / "seed_evaluation.jsonl")
    for r in ev:
        ck.evaluation(f"seed_evaluation.jsonl:{r['_line']}", r)
    ck.keys_in_order("seed_evaluation.jsonl", ev)

    wr = ck.load(base / "written_examples.jsonl")
    for r in wr:
        where = f"written_examples.jsonl:{r['_line']}"
        if r.get("source") != "written" or not str(r.get("author", "")).startswith("labeling-lead") or r.get("doc") != "written":
            ck.err(where, "written rows need doc='written', source='written', author='labeling-lead…'")
        kind = r.get("kind")
        if kind == "indicator":
            ck.indicator(where, r)
        elif kind == "evaluation":
            ck.evaluation(where, r)
        elif kind == "evaluation_table":
            if ck.fields(where, r, {"table": int, "project": str, "total_score": (int, float),
                                    "row_scores_sum": (int, float), "labels": dict, "note": str}):
                ck.labels(where, r, ["S004"])
        else:
            ck.err(where, f"unknown kind {kind!r}")
    ck.keys_in_order("written_examples.jsonl", wr)
    # a written evaluation table's S004 must agree with its own arithmetic
    sums = defaultdict(float)
    for r in wr:
        if r.get("kind") == "evaluation":
            sums[r["table"]] += r["score"]
    for r in wr:
        if r.get("kind") == "evaluation_table" and isinstance(r.get("labels"), dict):
            parts = sums[r["table"]] + (r.get("execution_score") or 0)
            if (abs(parts - r["total_score"]) > 0.005) != bool(r["labels"].get("S004")):
                ck.err(f"written_examples.jsonl:{r['_line']}", f"S004={r['labels'].get('S004')} but parts "
                                                              f"{parts:.2f} vs total {r['total_score']}")

    # ---- report ----
    if seed:
        out += count_table("seed_indicators.jsonl", seed, IND_CODES)
        out.append("    measurability: " + ", ".join(f"{k} {v}" for k, v in
                                                     Counter(r["measurability"] for r in seed).most_common()))
    tgt = [r for r in proj if r.get("kind") == "target"]
    if tgt:
        out += count_table("seed_projects.jsonl (target tables)", tgt, PROJ_CODES)
    se = [r for r in proj if r.get("kind") == "self_evaluation"]
    if se:
        out += count_table("seed_projects.jsonl (self-evaluation tables)", se, ["S004"])
    if ev:
        out += count_table("seed_evaluation.jsonl", ev, EVAL_CODES)
    wi = [r for r in wr if r.get("kind") == "indicator"]
    if wi:
        out += count_table("written_examples.jsonl (indicator rows)", wi, IND_CODES)
        flagged = sum(1 for r in wi if any(r["labels"].values()))
        out.append(f"    flagged rows {flagged}, clean rows {len(wi) - flagged}; measurability: " +
                   ", ".join(f"{k} {v}" for k, v in Counter(r["measurability"] for r in wi).most_common()))
    we = [r for r in wr if r.get("kind") == "evaluation"]
    if we:
        out += count_table("written_examples.jsonl (evaluation rows)", we, EVAL_CODES)
    wt = [r for r in wr if r.get("kind") == "evaluation_table"]
    if wt:
        out += count_table("written_examples.jsonl (evaluation tables)", wt, ["S004"])
    print("\n".join(out))
    if ck.problems:
        print(f"\n{len(ck.problems)} problem(s):")
        for p in ck.problems[:200]:
            print("  " + p)
        return 1
    print("\nall label files valid")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
