#!/usr/bin/env python
"""Pool unjudged candidates for the retrieval benchmark (TREC-style pooling).

The first labels (corpus/benchmark/GUIDE.md §4) were found by reading the corpus by topic, which
misses acceptable entries a reader did not think to grep for. Pooling closes that gap the usual
way: the union of every method's top ``--depth`` results (lexical, default model, teacher, fused,
all on the product query path) that has no label yet is written out for judging by the same guide.

The pool file lists, per query, the candidates in a random order (fixed seed) without saying which
method found them or at what rank, so the judge cannot favour one system. Judgements go back into
``queries.jsonl`` (grade 1/2 into ``relevant``; grade 0 into ``judged_0`` so the pair is not pooled
again), and GUIDE.md's change log says what was pooled.

    /work/venv/bin/python corpus/benchmark/pool.py --depth 5 --out /tmp/pool.jsonl
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))
sys.path.insert(0, str(ROOT))

import bench_retrieval as bench  # noqa: E402
from indicatorqa.retrieve import Retriever, _files_hash, corpus_files, default_retriever, load_corpus  # noqa: E402
from indicatorqa.suggest import arranged, offered  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--depth", type=int, default=5)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--no-teacher", action="store_true")
    args = ap.parse_args()

    queries = bench.load_queries()
    prepared = bench.product_queries(queries)
    files = corpus_files()
    entries = load_corpus(files)
    fused = default_retriever()
    runs = [(default_retriever(dense=False), "lexical"), (fused, "dense"), (fused, "fused")]
    if not args.no_teacher:
        from indicatorqa.embed import TeacherEmbedder
        from indicatorqa.segment import cache_dir

        runs.append((Retriever(entries, TeacherEmbedder(), cache_dir=cache_dir() / "index", corpus_hash=_files_hash(files)), "dense"))
    by_id = {e.id: e for e in entries}
    rng = random.Random(0)
    n_pairs = 0
    with args.out.open("w", encoding="utf-8") as fh:
        for q, (text, level2, vague, other) in zip(queries, prepared):
            judged = set(q["relevant"]) | set(q.get("judged_0", []))
            pool: set[str] = set()
            for retriever, mode in runs:
                hits = retriever.search(text, level2=level2, k=args.depth * 3, mode=mode, outside=3)
                pool.update([h.entry.id for h, _ in arranged(offered(hits, q["name"]), level2, vague, 3, other)][: args.depth])
            todo = sorted(pool - judged)
            rng.shuffle(todo)
            n_pairs += len(todo)
            fh.write(json.dumps({
                "id": q["id"], "project": q.get("project", ""), "level2": q["level2"], "name": q["name"],
                "description": q.get("description", ""), "value": q["value"], "flags": q.get("flags", []),
                "level2_true": q.get("level2_true"),
                "candidates": [{"entry": e, "level2": by_id[e].level2, "name": by_id[e].name,
                                "description": by_id[e].description, "value_pattern": by_id[e].value_pattern} for e in todo],
            }, ensure_ascii=False) + "\n")
    print(f"{n_pairs} unjudged (query, entry) pairs from {len(queries)} queries written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
