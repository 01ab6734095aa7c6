"""Training data, training, and leave-one-document-out evaluation of the findings engine.

Labeled rows live in ``corpus/labels/`` (see corpus/LABELING.md):

- ``seed_indicators.jsonl``: every indicator row of the seed tables, labeled per rule;
- ``written_examples.jsonl``: rows we wrote for rules with few seed positives
  (``doc == "written"``); they are only ever used for training, never scored;
- ``seed_projects.jsonl`` / ``seed_evaluation.jsonl``: project and self-evaluation labels.

Evaluation runs the real analyser (the same checks the CLI runs) with models trained
without the held-out document, so the numbers describe what a user gets.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from .models import MODEL_NAMES, OPTIONAL_MODELS, UNWRITTEN, Judge, build, save, unwritten

INDICATOR_RULES = ("V001", "V002", "V003", "V004", "V005", "V006", "V007", "V008", "V009",
                   "N001", "N002", "N003", "N004", "N005", "N006")
GROUPS = {"不可衡量 V001–V004": ("V001", "V002", "V003", "V004"), "同义反复 N001/N002": ("N001", "N002")}


def repo_root() -> Path:
    return Path(__file__).resolve().parents[2]


def labels_dir() -> Path:
    return repo_root() / "corpus" / "labels"


def load_jsonl(path: Path) -> list[dict]:
    rows = []
    with path.open(encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            line = line.strip()
            if line:
                try:
                    rows.append(json.loads(line))
                except json.JSONDecodeError as exc:
                    raise ValueError(f"{path}:{n}: {exc}") from None
    return rows


def load_indicator_rows(directory: Path | None = None, extra: Iterable[Path] = ()) -> list[dict]:
    directory = directory or labels_dir()
    rows = load_jsonl(directory / "seed_indicators.jsonl")
    written = directory / "written_examples.jsonl"
    if written.exists():
        rows += load_jsonl(written)
    for path in extra:
        rows += load_jsonl(Path(path))
    # The written file also holds self-evaluation rows and tables (kind != indicator).
    return [r for r in rows if r.get("kind", "indicator") == "indicator"]


def target(row: dict, model: str) -> str:
    labels = row["labels"]
    if model == "measurability":
        return row["measurability"]
    if model == "tautology_n001":
        return str(int(labels["N001"]))
    if model == "tautology_n002":
        return str(int(labels["N002"]))
    if model in ("level2", "level2_unwritten"):
        return row["level2_canonical"]
    if model == "generic_name":
        return str(int(labels["N005"]))
    raise KeyError(model)


def data_hash(rows: list[dict]) -> str:
    h = hashlib.sha256()
    for r in rows:
        h.update(json.dumps(r, ensure_ascii=False, sort_keys=True).encode("utf-8"))
    return h.hexdigest()


def fit_all(rows: list[dict]) -> dict:
    from .features import record

    X = [record(r) for r in rows]
    pipelines = {}
    for name in (*MODEL_NAMES, *OPTIONAL_MODELS):
        y = [target(r, name) for r in rows]
        if len(set(y)) < 2:
            raise ValueError(f"model {name}: training data has a single class {set(y)}")
        pipelines[name] = build(name).fit([unwritten(x) for x in X] if name in UNWRITTEN else X, y)
    return pipelines


# --- evaluation -------------------------------------------------------------------------


@dataclass
class Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0
    errors: list[dict] = field(default_factory=list)

    def add(self, gold: bool, pred: bool, example: dict) -> None:
        if gold and pred:
            self.tp += 1
        elif pred:
            self.fp += 1
            self.errors.append({**example, "kind": "误报 FP"})
        elif gold:
            self.fn += 1
            self.errors.append({**example, "kind": "漏报 FN"})
        else:
            self.tn += 1

    @property
    def precision(self) -> float | None:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else None

    @property
    def recall(self) -> float | None:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else None

    @property
    def f1(self) -> float | None:
        p, r = self.precision, self.recall
        if p is None or r is None:
            return None
        return 0.0 if p + r == 0 else 2 * p * r / (p + r)


def _projects_from_rows(rows: list[dict]):
    """Group labeled rows back into projects (by doc + table) so the analyser can run on them."""
    from ..model import Indicator, Project

    grouped: dict[tuple, list[dict]] = defaultdict(list)
    for r in rows:
        grouped[(r["doc"], r.get("table"), r.get("project", ""))].append(r)
    projects, index = [], []
    for (doc, table, name), members in grouped.items():
        inds = [
            Indicator(level1=m["level1"], level2=m["level2"], name=m["name"], description=m["description"], value=m["value"])
            for m in members
        ]
        projects.append(Project(name=name or f"{doc}#{table}", unit=doc, indicators=inds))
        index.append(members)
    return projects, index


def heldout_documents(rows: list[dict]) -> list[str]:
    """The documents a leave-one-document-out split holds out: written and feedback rows only
    ever train; the held-out folds are real documents."""
    return sorted({r["doc"] for r in rows if r.get("source", "seed") not in ("written", "feedback") and r["doc"] != "written"})


def lodo_folds(rows: list[dict], docs: Iterable[str], config=None):
    """For each held-out document: the judge trained on every other row, and the document's rows
    analysed by the full analyser with it, as ``(doc, judge, analysed projects, labeled rows
    per project)``."""
    from ..analyse import Analyzer

    for doc in docs:
        judge = Judge(fit_all([r for r in rows if r["doc"] != doc]), {"fold": doc})
        projects, index = _projects_from_rows([r for r in rows if r["doc"] == doc])
        yield doc, judge, Analyzer(config, judge).analyse(projects), index


def evaluate_lodo(rows: list[dict], config=None, progress=None) -> dict:
    """Leave one seed document out: train on the rest (and the written rows), check the held-out one."""
    from ..config import Config

    docs = heldout_documents(rows)
    counts = {code: Counts() for code in (*INDICATOR_RULES, *GROUPS)}
    for doc, _judge, analysed, index in lodo_folds(rows, docs, config or Config()):
        for project, members in zip(analysed, index):
            for ind, gold_row in zip(project.indicators, members):
                found = {f.code: f for f in ind.findings}
                example = {
                    "doc": doc,
                    "name": ind.name,
                    "description": ind.description,
                    "value": ind.value,
                    "level2": ind.level2,
                }
                for code in INDICATOR_RULES:
                    gold = bool(gold_row["labels"].get(code, 0))
                    pred = code in found
                    ex = {**example, "evidence": found[code].evidence if pred else [], "message": found[code].message if pred else ""}
                    counts[code].add(gold, pred, ex)
                for group, codes in GROUPS.items():
                    gold = any(gold_row["labels"].get(c, 0) for c in codes)
                    pred = any(c in found for c in codes)
                    counts[group].add(gold, pred, {**example, "found": sorted(c for c in codes if c in found)})
        if progress:
            progress(doc)
    return {"folds": docs, "counts": counts}


PROJECT_RULES = ("P001", "P002", "P003", "P004", "P005", "P006", "P007", "P008", "N004")
EVALUATION_RULES = ("S001", "S002", "S003")


def evaluate_fact_rules(config=None, seeds: Path | None = None) -> dict:
    """Project (P) and self-evaluation (S) rules against corpus/labels, on the parsed seed tables.

    These rules follow from parsed facts (no training), so every seed table is scored directly.
    N004 here is the project-level placeholder check (template text in the goals).
    """
    from ..analyse import Analyzer
    from ..config import Config
    from ..readers import read_paths

    config = config or Config()
    seeds = seeds or repo_root() / "corpus" / "seeds"
    projects = read_paths([seeds]).projects
    analysed = Analyzer(config).analyse(projects)
    by_key = {(Path(p.source.file).stem, p.source.table): p for p in analysed if p.source and p.source.file}
    counts = {code: Counts() for code in (*PROJECT_RULES, "S004", *EVALUATION_RULES)}
    for gold in load_jsonl(labels_dir() / "seed_projects.jsonl"):
        project = by_key.get((gold["doc"], gold["table"]))
        if project is None:
            raise ValueError(f"label row {gold['doc']}#{gold['table']} has no parsed table")
        found = {f.code for f in project.findings} | {f.code for i in project.indicators for f in i.findings}
        example = {"doc": gold["doc"], "name": project.name, "description": "", "value": "", "level2": "项目"}
        for code, value in gold["labels"].items():
            if code in counts:
                counts[code].add(bool(value), code in found, example)
    evaluation_rows = {}
    for p in analysed:
        for r in p.evaluation:
            evaluation_rows[(Path(p.source.file).stem, r.source.row if r.source else None)] = r
    for gold in load_jsonl(labels_dir() / "seed_evaluation.jsonl"):
        row = evaluation_rows.get((gold["doc"], gold["row"]))
        if row is None:
            raise ValueError(f"label row {gold['doc']} row {gold['row']} has no parsed evaluation row")
        found = {f.code for f in row.findings}
        example = {"doc": gold["doc"], "name": row.name, "description": "", "value": f"{row.target} → {row.actual}", "level2": ""}
        for code in EVALUATION_RULES:
            counts[code].add(bool(gold["labels"].get(code, 0)), code in found, example)
    return {"counts": counts}


def train(out_dir: Path | None = None, extra: Iterable[Path] = (), evaluate: bool = True) -> dict:
    import sklearn

    from .models import default_model_dir

    rows = load_indicator_rows(extra=extra)
    started = time.time()
    metrics = {}
    if evaluate:
        result = evaluate_lodo(rows)
        metrics = {
            code: {"precision": c.precision, "recall": c.recall, "f1": c.f1, "tp": c.tp, "fp": c.fp, "fn": c.fn}
            for code, c in result["counts"].items()
        }
    pipelines = fit_all(rows)
    meta = {
        "version": 1,
        "trained_rows": len(rows),
        "training_data_sha256": data_hash(rows),
        "sklearn": sklearn.__version__,
        "metrics_lodo": metrics,
        "seconds": round(time.time() - started, 1),
    }
    save(pipelines, meta, Path(out_dir) if out_dir else default_model_dir())
    return meta
