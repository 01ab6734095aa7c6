"""Printing evaluation results: per-rule precision / recall / F1 and the misjudged rows."""

from __future__ import annotations

from ..rules import catalogue


def _f(x) -> str:
    return "  —  " if x is None else f"{x:.3f}"


def format_metrics(metrics: dict) -> str:
    lines = [f"{'规则':<22}{'P':>7}{'R':>7}{'F1':>7}{'TP':>5}{'FP':>5}{'FN':>5}"]
    for code, m in metrics.items():
        lines.append(f"{code:<22}{_f(m['precision']):>7}{_f(m['recall']):>7}{_f(m['f1']):>7}{m['tp']:>5}{m['fp']:>5}{m['fn']:>5}")
    return "\n".join(lines)


def _row_text(e: dict) -> str:
    extra = f"  证据：{'、'.join(e['evidence'])}" if e.get("evidence") else ""
    return f"[{e['kind']}] {e['doc']} ｜ {e.get('level2', '')} ｜ {e['name']} ｜ {e['description']} ｜ {e['value']}{extra}"


def format_counts(counts: dict, folds: list[str], errors: int = 10) -> str:
    rules = catalogue()
    metrics = {
        code: {"precision": c.precision, "recall": c.recall, "f1": c.f1, "tp": c.tp, "fp": c.fp, "fn": c.fn}
        for code, c in counts.items()
    }
    out = [f"留一文档评估（{len(folds)} 折：{', '.join(folds)}）", "", format_metrics(metrics), ""]
    for code, c in counts.items():
        if not c.errors or errors <= 0:
            continue
        title = rules[code].title if code in rules else code
        out.append(f"— {code} {title}：判错 {len(c.errors)} 条，显示 {min(errors, len(c.errors))} 条")
        out += ["  " + _row_text(e) for e in c.errors[:errors]]
        out.append("")
    return "\n".join(out)


def evaluation_markdown(result: dict, errors: int = 10) -> str:
    counts, folds = result["counts"], result["folds"]
    rules = catalogue()
    out = [
        "# Findings engine: leave-one-document-out evaluation",
        "",
        f"Reproduce: `indicatorqa eval --markdown notebooks/EVALUATION.md`. Folds (held-out seed documents): {', '.join(folds)}.",
        "Each fold trains the classifiers on the other documents plus the written examples, then runs the full",
        "analyser (every check, as the CLI runs it) on the held-out document and compares with corpus/labels.",
        "",
        "Reading these numbers: the labels are one annotator's (corpus/LABELING.md, with its doubts);",
        "there are only four seed documents, so each fold's test set is one unit's style; rules with",
        "no or one seed positive (V003, V005, V007, N004, N006) are scored on almost nothing — their",
        "tests with written positive and negative rows (tests/test_checks_rules.py) say more. Written",
        "examples are training data only and never scored here.",
        "",
        "Where the training data was shaped by these folds' misses (read before quoting a number): the",
        "`description_fillers` word list and the 48 `labeling-lead-3` written rows for N001/N002 were",
        "written after reading the tautology misses of earlier runs of this evaluation. They copy no seed",
        "wording, but the N001/N002 figures are optimistic for it; corpus/LABELING.md §2 gives the",
        "figure measured without those rows.",
        "",
        "| rule | title | precision | recall | F1 | TP | FP | FN |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for code, c in counts.items():
        title = rules[code].title if code in rules else ""
        out.append(f"| {code} | {title} | {_f(c.precision)} | {_f(c.recall)} | {_f(c.f1)} | {c.tp} | {c.fp} | {c.fn} |")
    if result.get("fact_counts"):
        out += [
            "",
            "## Project and self-evaluation rules",
            "",
            "These follow from parsed facts (no training); every seed table is checked against",
            "corpus/labels/seed_projects.jsonl and seed_evaluation.jsonl. N004 here is the placeholder",
            "check on the goals.",
            "",
            "| rule | title | precision | recall | F1 | TP | FP | FN |",
            "|---|---|---|---|---|---|---|---|",
        ]
        for code, c in result["fact_counts"].items():
            title = rules[code].title if code in rules else ""
            out.append(f"| {code} | {title} | {_f(c.precision)} | {_f(c.recall)} | {_f(c.f1)} | {c.tp} | {c.fp} | {c.fn} |")
    out += ["", "## Misjudged rows", ""]
    for code, c in counts.items():
        if c.errors:
            out.append(f"### {code} ({len(c.errors)})")
            out.append("")
            out += ["- " + _row_text(e).replace("|", "\\|") for e in c.errors[:errors]]
            out.append("")
    return "\n".join(out)
