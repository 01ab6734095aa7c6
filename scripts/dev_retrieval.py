"""A development set for retrieval choices, apart from the benchmark (corpus/benchmark/dev/).

The benchmark (``scripts/bench_retrieval.py``) is the test: a setting chosen by its numbers would
be chosen on the test set. Settings (fusion weight and kind, how much the project's subject
weighs, which dense model) are chosen here instead, on flawed rows of the *written* examples
(``corpus/labels/written_examples.jsonl``: training data of the findings models, never a
retrieval query), judged by the benchmark's guide (``corpus/benchmark/GUIDE.md``).

    python scripts/dev_retrieval.py build            # sample the queries (query path as `suggest`)
    python scripts/dev_retrieval.py pool --depth 3   # unjudged (query, entry) pairs, random order
    python scripts/dev_retrieval.py merge FILE...    # judged pairs (id<TAB>entry<TAB>grade) → labels
    python scripts/dev_retrieval.py score            # recall@3 / MRR per variant

The query path is the product's (``suggest.suggestion_plan``): each
row is analysed by a findings engine trained without its project table (5 folds by table), so
an N003 verdict or a vague-claim slot is what ``check`` would give.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

import numpy as np  # noqa: E402

from indicatorqa.retrieve import Retriever, default_retriever, project_context, query_text  # noqa: E402
from indicatorqa.suggest import FIXABLE, arranged, offered  # noqa: E402

DEV = ROOT / "corpus" / "benchmark" / "dev"
QUERIES = DEV / "queries.jsonl"
PER_PROJECT = 2
SIZE = 120
SEED = 20261123


def build(args) -> int:
    from indicatorqa.analyse import Analyzer
    from indicatorqa.config import Config
    from indicatorqa.learn.models import Judge
    from indicatorqa.learn.train import _projects_from_rows, fit_all, load_indicator_rows
    from indicatorqa.suggest import suggestion_plan

    rows = load_indicator_rows()
    written = [r for r in rows if r["doc"] == "written"]
    flawed = [r for r in written if any(r["labels"].get(c) for c in FIXABLE)]
    rng = random.Random(SEED)
    by_table: dict = {}
    for r in flawed:
        by_table.setdefault(r["table"], []).append(r)
    picked = []
    for table in sorted(by_table):
        members = by_table[table]
        rng.shuffle(members)
        seen = set()
        for r in members:
            if r["name"] not in seen and len(seen) < PER_PROJECT:
                seen.add(r["name"])
                picked.append(r)
    rng.shuffle(picked)
    picked = picked[:SIZE]
    tables = sorted({r["table"] for r in picked})
    folds = [tables[i::5] for i in range(5)]
    out = []
    for n, fold in enumerate(folds):
        judge = Judge(fit_all([r for r in rows if not (r["doc"] == "written" and r["table"] in fold)]), {"fold": n})
        projects, index = _projects_from_rows([r for r in written if r["table"] in fold])
        analysed = Analyzer(Config(), judge).analyse(projects)
        where = {(m["table"], m["row"]): (p, ind) for p, members in zip(analysed, index) for ind, m in zip(p.indicators, members)}
        for r in picked:
            if r["table"] not in fold:
                continue
            project, ind = where[(r["table"], r["row"])]
            text, level2, vague, other = suggestion_plan(ind, project, judge)
            out.append({
                "id": f"d{len(out) + 1:03d}", "table": r["table"], "row": r["row"], "project": r["project"],
                "level1": r["level1"], "level2": r["level2"], "name": r["name"], "description": r["description"],
                "value": r["value"], "flags": sorted(c for c, v in r["labels"].items() if v),
                "engine": sorted({f.code for f in ind.findings}),
                "query": {"row": query_text(ind.name, ind.description, ind.value), "context": project_context(project.name),
                          "text": text, "level2": level2, "vague": vague, "other": other},
                "relevant": {}, "judged_0": [],
            })
        print(f"fold {n}: {len(fold)} tables", file=sys.stderr)
    out.sort(key=lambda q: q["id"])
    # Rebuilding (after a change to the query path) keeps the judgements already made.
    if QUERIES.exists():
        old = {(q["table"], q["row"]): q for q in load()}
        for q in out:
            if (q["table"], q["row"]) in old:
                q["relevant"], q["judged_0"] = old[(q["table"], q["row"])]["relevant"], old[(q["table"], q["row"])]["judged_0"]
    DEV.mkdir(parents=True, exist_ok=True)
    with QUERIES.open("w", encoding="utf-8") as f:
        for q in out:
            f.write(json.dumps(q, ensure_ascii=False) + "\n")
    print(f"{len(out)} queries from {len(tables)} tables → {QUERIES}")
    return 0


def load() -> list[dict]:
    return [json.loads(line) for line in QUERIES.open(encoding="utf-8")]


class WeightedContext(Retriever):
    """Row text and project subject scored apart: score(row) + ``alpha`` × score(subject).
    Queries are passed as ``row\\x00context``."""

    alpha: float = 1.0
    fusion: str = "linear"  # or "rrf"

    def score_all(self, query, mode="fused", query_vec=None, lex=None):
        row, _, ctx = query.partition("\x00")
        base = self._one(row, mode)
        if ctx and self.alpha:
            base = base + self.alpha * self._one(ctx, mode)
        return base

    def _one(self, text, mode):
        if self.fusion == "rrf" and mode == "fused":
            lex = Retriever.score_all(self, text, "lexical")
            dense = Retriever.score_all(self, text, "dense")
            return _rrf(lex) + _rrf(dense)
        return Retriever.score_all(self, text, mode)


def _rrf(scores: np.ndarray, k: int = 60) -> np.ndarray:
    ranks = np.empty(len(scores))
    ranks[np.argsort(-scores, kind="stable")] = np.arange(1, len(scores) + 1)
    return 1.0 / (k + ranks)


def variants(fine_tuned: Path | None = None) -> dict[str, tuple[Retriever, str]]:
    """name → (retriever, query form: 'text' as the product joins it, 'split' row\\x00context,
    'text-same' the product's text without the other-level place of ``suggest.other_level``)."""
    from indicatorqa.embed import load_embedder

    base = default_retriever()
    out: dict[str, tuple[Retriever, str]] = {"shipped (fused 0.5)": (base, "text"),
                                             "without the other-level place": (base, "text-same")}
    for w in (0.3, 0.7):
        out[f"fused {w}"] = (Retriever(base.entries, base.embedder, dense_weight=w, cache_dir=base.cache_dir, corpus_hash=base.corpus_hash), "text")
    rrf = Retriever(base.entries, base.embedder, cache_dir=base.cache_dir, corpus_hash=base.corpus_hash)
    out["rrf"] = (_wc(rrf, 1.0, "rrf"), "text")
    for a in (0.0, 0.5):
        out[f"context x{a}"] = (_wc(Retriever(base.entries, base.embedder, cache_dir=base.cache_dir, corpus_hash=base.corpus_hash), a, "linear"), "split")
    if fine_tuned is not None:
        # A static table from scripts/contrastive_finetune.py (not shipped; see docs/EMBEDDINGS.md).
        emb = load_embedder(str(fine_tuned))
        out["fine-tuned (fused 0.5)"] = (Retriever(base.entries, emb, cache_dir=base.cache_dir, corpus_hash=base.corpus_hash), "text")
    return out


def _wc(r: Retriever, alpha: float, fusion: str) -> Retriever:
    r.__class__ = WeightedContext
    r.alpha, r.fusion = alpha, fusion
    return r


def ranked(q: dict, retriever: Retriever, form: str, depth: int) -> list[str]:
    qq = q["query"]
    text = f"{qq['row']}\x00{qq['context']}" if form == "split" else qq["text"]
    level2 = qq["level2"]
    other = None if form == "text-same" else qq.get("other")
    hits = retriever.search(text, level2=level2, k=depth, outside=3)
    return [h.entry.id for h, _ in arranged(offered(hits, q["name"]), level2, qq["vague"], 3, other)][:depth]


def pool(args) -> int:
    qs = load()
    byid = {e.id: e for e in default_retriever().entries}
    pairs = set()
    for name, (r, form) in variants(args.fine_tuned).items():
        for q in qs:
            for eid in ranked(q, r, form, args.depth):
                if eid not in q["relevant"] and eid not in q["judged_0"]:
                    pairs.add((q["id"], eid))
    pairs = sorted(pairs)
    random.Random(SEED).shuffle(pairs)
    qmap = {q["id"]: q for q in qs}
    lines = []
    for qid, eid in sorted(pairs, key=lambda p: p[0]):  # grouped by query, entries in random order
        q, e = qmap[qid], byid[eid]
        lines.append("\t".join([qid, eid, "", q["project"], q["level2"], q["name"], q["description"], q["value"],
                                e.level2, e.name, e.description, e.value_pattern]))
    header = "\t".join(["query", "entry", "grade", "project", "row_level2", "row_name", "row_description", "row_value",
                        "entry_level2", "entry_name", "entry_description", "entry_value"])
    args.out.write_text(header + "\n" + "\n".join(lines) + "\n", encoding="utf-8")
    print(f"{len(pairs)} unjudged pairs → {args.out}")
    return 0


def merge(args) -> int:
    qs = load()
    qmap = {q["id"]: q for q in qs}
    n = 0
    for path in args.files:
        for line in Path(path).read_text(encoding="utf-8").splitlines()[1:]:
            cells = line.split("\t")
            if len(cells) < 3 or not cells[2].strip():
                continue
            q, eid, grade = qmap[cells[0]], cells[1], int(cells[2])
            if grade > 0:
                q["relevant"][eid] = grade
            elif eid not in q["judged_0"]:
                q["judged_0"].append(eid)
            n += 1
    with QUERIES.open("w", encoding="utf-8") as f:
        for q in qs:
            f.write(json.dumps(q, ensure_ascii=False) + "\n")
    print(f"{n} judgements merged")
    return 0


def score(args) -> int:
    """recall@3 and MRR per variant, and each variant's queries won and lost against the shipped
    setting with a two-sided sign test: on 120 queries a few queries either way is noise."""
    from math import comb

    qs = load()
    print(f"| variant | recall@3 | MRR@{args.depth} | unjudged in top 3 | won / lost vs shipped | sign test p |")
    print("|---|---|---|---|---|---|")
    base = None
    for name, (r, form) in variants(args.fine_tuned).items():
        hit, rr, unj = [], [], 0
        for q in qs:
            top = ranked(q, r, form, args.depth)
            hit.append(any(e in q["relevant"] for e in top[:3]))
            rr.append(next((1 / (i + 1) for i, e in enumerate(top) if e in q["relevant"]), 0.0))
            unj += sum(e not in q["relevant"] and e not in q["judged_0"] for e in top[:3])
        base = base or hit
        won = sum(a and not b for a, b in zip(hit, base))
        lost = sum(b and not a for a, b in zip(hit, base))
        n = won + lost
        p = min(1.0, 2 * sum(comb(n, i) for i in range(min(won, lost) + 1)) / 2**n) if n else 1.0
        print(f"| {name} | {statistics.mean(hit):.3f} | {statistics.mean(rr):.3f} | {unj} | {won} / {lost} | {p:.2f} |")
    return 0


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    sub.add_parser("build")
    p = sub.add_parser("pool")
    p.add_argument("--depth", type=int, default=3)
    p.add_argument("--out", type=Path, default=DEV / "to_judge.tsv")
    m = sub.add_parser("merge")
    m.add_argument("files", nargs="+")
    s = sub.add_parser("score")
    s.add_argument("--depth", type=int, default=20)
    for p in (p, s):
        p.add_argument("--fine-tuned", type=Path, help="also rank with this model directory (scripts/contrastive_finetune.py out=DIR)")
    args = ap.parse_args(argv)
    return {"build": build, "pool": pool, "merge": merge, "score": score}[args.cmd](args)


if __name__ == "__main__":
    raise SystemExit(main())
