"""The learned rules as scikit-learn pipelines, and the ``Judge`` that applies them.

Four estimators, each a plain Pipeline (fit/predict, no hidden state):

- ``measurability``: the class of a value: ok / vague (V001) / label (V002) /
  deferred (V003) / pseudo (V004), from the value's characters and jieba words, the name's
  characters, and the value grammar's parse.
- ``tautology_n001`` and ``tautology_n002``: does the description only repeat the name;
  do name, description and value say the same sentence.
- ``level2``: the canonical 二级指标 predicted from name and value (N003 when confident and
  different from the table's).
- ``generic_name``: the name is only a category word (N005).
- ``level2_unwritten`` (optional): the 二级指标 the row's own words point to, trained and applied
  without the table's written 一级/二级. ``level2`` sees the written level among its features and
  mostly echoes it, which keeps N003 precise; this one does not, so it is too eager for a
  finding (it disagrees with 22% of the curated corpus' levels) but right for one thing: the third
  suggestion of a flagged row may come from the level it names (``suggest.other_level``).

Evidence for a decision is the features that pushed it most (coefficient × value of a
linear model), turned into short readable strings.

Training and evaluation use the scikit-learn pipelines; ``save`` also exports each one to
plain data (``runtime.py``), and ``load_judge`` applies the exported files with numpy, so that
checking never imports scikit-learn (~1.8 s of every cold start). Model directories without
the exported files (trained before, or ``INDICATORQA_JUDGE_BACKEND=sklearn``) load the joblib
pipelines as before; both give the same numbers (tests/test_runtime.py). This module imports
scikit-learn only inside the functions that need it.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .features import record

MEASURABILITY_CLASSES = ("ok", "vague", "label", "deferred", "pseudo")
MEASURABILITY_CODE = {"vague": "V001", "label": "V002", "deferred": "V003", "pseudo": "V004"}
MODEL_NAMES = ("measurability", "tautology_n001", "tautology_n002", "level2", "generic_name")
# Models a Judge uses when its directory has them (a directory trained before they existed still loads).
OPTIONAL_MODELS = ("level2_unwritten",)
# Models whose records are blanked of the written levels, in training and in use.
UNWRITTEN = frozenset({"level2_unwritten"})


def unwritten(rec: dict) -> dict:
    """The record without the table's written 一级/二级 (for the models in ``UNWRITTEN``)."""
    return {**rec, "level1": "", "level2": ""}


class JiebaTokens:
    """Tokenizer for TfidfVectorizer: jieba with the domain dictionary (picklable)."""

    def __call__(self, text: str) -> list[str]:
        from ..segment import get_segmenter

        return get_segmenter().tokens(text)


def _chars(fields, ngram=(1, 3), min_df=1):
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.pipeline import Pipeline

    from .skfeatures import FieldText

    return Pipeline(
        [
            ("select", FieldText(fields)),
            ("tfidf", TfidfVectorizer(analyzer="char", ngram_range=ngram, min_df=min_df, sublinear_tf=True)),
        ]
    )


def _words(fields):
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.pipeline import Pipeline

    from .skfeatures import FieldText

    return Pipeline(
        [
            ("select", FieldText(fields)),
            (
                "tfidf",
                TfidfVectorizer(tokenizer=JiebaTokens(), token_pattern=None, lowercase=False, sublinear_tf=True),
            ),
        ]
    )


def _logreg(C: float = 4.0):
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(C=C, max_iter=4000, class_weight="balanced")


def build(name: str):
    """A fresh, unfitted pipeline for one learned rule."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.pipeline import FeatureUnion, Pipeline

    from .skfeatures import DictFacts, ResidueText

    if name == "measurability":
        feats = FeatureUnion(
            [
                ("值字", _chars(("value",))),
                ("值词", _words(("value",))),
                ("名称字", _chars(("name",), ngram=(1, 2))),
                ("解析", DictFacts("value")),
            ]
        )
        # C chosen by leave-one-document-out over C ∈ {1, 4, 16} (see notebooks/EVALUATION.md).
        return Pipeline([("features", feats), ("clf", _logreg(1.0))])
    if name in ("tautology_n001", "tautology_n002"):
        field = "description" if name == "tautology_n001" else "value"
        residue = Pipeline(
            [
                ("select", ResidueText(field)),
                ("tfidf", TfidfVectorizer(analyzer=str.split, lowercase=False, sublinear_tf=True)),
            ]
        )
        prefix = "描述余词" if field == "description" else "值余词"
        return Pipeline([("features", FeatureUnion([("对比", DictFacts("pair")), (prefix, residue)])), ("clf", _logreg(2.0))])
    if name in ("level2", "level2_unwritten"):
        feats = FeatureUnion(
            [
                ("名称字", _chars(("name",), ngram=(1, 3))),
                ("名称词", _words(("name",))),
                ("值字", _chars(("value",), ngram=(1, 2))),
                ("解析", DictFacts("value")),
            ]
        )
        return Pipeline([("features", feats), ("clf", _logreg(4.0))])
    if name == "generic_name":
        feats = FeatureUnion([("名称", DictFacts("name")), ("名称字", _chars(("name",), ngram=(1, 2)))])
        # C chosen by leave-one-document-out over C ∈ {0.5, 2, 8}.
        return Pipeline([("features", feats), ("clf", _logreg(8.0))])
    raise KeyError(name)


def transform(est, X):
    """``est.transform(X)`` for the fitted FeatureUnion/Pipeline trees built above, without the
    per-call machinery (joblib dispatch in FeatureUnion, metadata routing, output wrapping)
    that costs ~10 ms a call and dominated checking one indicator. Same computation: each
    leaf's own ``transform``, transformer weights applied, sparse blocks stacked to CSR."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.pipeline import FeatureUnion, Pipeline

    if isinstance(est, FeatureUnion):
        from scipy import sparse

        blocks = []
        weights = est.transformer_weights or {}
        for name, trans in est.transformer_list:
            if trans is None or trans == "drop":
                continue
            if trans == "passthrough":
                return est.transform(X)  # not used by our pipelines; keep sklearn's handling
            r = transform(trans, X)
            w = weights.get(name)
            blocks.append(r if w is None else r * w)
        if not blocks:
            return est.transform(X)
        if any(sparse.issparse(b) for b in blocks):
            return sparse.hstack(blocks).tocsr()
        return np.hstack(blocks)
    if isinstance(est, TfidfVectorizer) and not isinstance(X, str):
        # TfidfVectorizer.transform = CountVectorizer.transform + TfidfTransformer.transform,
        # minus input validation (the counts are already a float64 CSR matrix).
        _, x = est._count_vocab(X, fixed_vocab=True)
        if est.binary:
            x.data.fill(1)
        if x.dtype not in (np.float64, np.float32):
            x = x.astype(np.float64)
        tf = est._tfidf
        if tf.sublinear_tf:
            np.log(x.data, x.data)
            x.data += 1.0
        if hasattr(tf, "idf_"):
            x.data *= tf.idf_[x.indices]
        if tf.norm is not None:
            from sklearn.preprocessing import normalize

            x = normalize(x, norm=tf.norm, copy=False)
        return x
    if isinstance(est, Pipeline):
        for _, step in est.steps:
            if step is None or step == "passthrough":
                continue
            X = transform(step, X)
        return X
    return est.transform(X)


def _readable(feature: str) -> str:
    """'值字__tfidf__提升' → '值:提升'; hand features keep their own names."""
    block, _, rest = feature.partition("__")
    token = rest.split("__")[-1] if rest else feature
    if block == "解析" or block in ("对比", "名称") and not token.startswith("tfidf"):
        return token
    prefix = {"值字": "值", "值词": "值", "名称字": "名称", "名称词": "名称", "描述余词": "描述多出的词", "值余词": "值多出的词"}.get(block, block)
    return f"{prefix}:{token}"


class SklearnModel:
    """A fitted scikit-learn pipeline seen through the interface the Judge uses (the same one
    as ``runtime.LinearPipeline``): ``classes_``, ``coef_``, ``feature_names``,
    ``transform(records)`` → CSR rows, ``proba(rows)``, ``predict_proba(records)``."""

    def __init__(self, pipe):
        self.pipe = pipe
        self.features = pipe.named_steps["features"]
        self.clf = pipe.named_steps["clf"]
        self.classes_ = [str(c) for c in self.clf.classes_]
        self.coef_ = self.clf.coef_
        self._names = None

    @property
    def feature_names(self):
        # Computing names walks every vocabulary; do it once per fitted pipeline.
        if self._names is None:
            self._names = self.features.get_feature_names_out()
        return self._names

    def transform(self, records):
        return transform(self.features, list(records)).tocsr()

    def proba(self, x):
        return self.clf.predict_proba(x)

    def predict_proba(self, records):
        return self.pipe.predict_proba(list(records))


_WRAPPED: dict[int, SklearnModel] = {}


def as_model(pipe):
    """A Judge model: exported pipelines as they are, scikit-learn pipelines wrapped (once per
    pipeline: the wrapper keeps the feature names, which take a walk over every vocabulary)."""
    if not hasattr(pipe, "named_steps"):
        return pipe
    hit = _WRAPPED.get(id(pipe))
    if hit is None or hit.pipe is not pipe:
        if len(_WRAPPED) >= 32:  # e.g. one set of pipelines per evaluation fold: bounded
            _WRAPPED.clear()
        hit = _WRAPPED[id(pipe)] = SklearnModel(pipe)
    return hit


def explain(pipe, rec: dict, target_class, top: int = 3, x=None) -> list[str]:
    """The features of one record that pushed it most towards ``target_class``
    (``pipe``: a fitted pipeline or an exported ``runtime.LinearPipeline``; ``x``: the
    record's feature row as (data, indices) when already computed, e.g. by
    ``Judge.prefetch``)."""
    model = as_model(pipe)
    if x is None:
        row = model.transform([rec])
        data, indices = row.data, row.indices
    else:
        data, indices = x
    classes = [str(c) for c in model.classes_]
    target_class = str(target_class)
    if len(classes) == 2:
        coef = model.coef_[0] if target_class == classes[1] else -model.coef_[0]
    else:
        coef = model.coef_[classes.index(target_class)]
    contrib = data * coef[indices]
    order = np.argsort(-contrib)
    names = model.feature_names
    out: list[str] = []
    for i in order:
        if contrib[i] <= 0 or len(out) >= top:
            break
        text = _readable(str(names[indices[i]]))
        if text not in out:
            out.append(text)
    return out


@dataclass
class Verdict:
    label: str
    confidence: float
    evidence: list[str]


class Judge:
    """Loaded learned models; the checks in ``checks/learned.py`` ask it for verdicts.

    ``pipelines``: name → fitted scikit-learn pipeline or exported ``runtime.LinearPipeline``
    (``load_judge`` gives the latter when the model directory has the exported files)."""

    def __init__(self, pipelines: dict, meta: dict | None = None):
        missing = [n for n in MODEL_NAMES if n not in pipelines]
        if missing:
            raise ValueError(f"missing models: {missing}")
        self.pipelines = pipelines
        self.models = {name: as_model(p) for name, p in pipelines.items()}
        self.meta = meta or {}
        self._cache: dict[tuple, dict] = {}
        self._rows: dict[tuple, tuple] = {}  # key → (feature matrix, row) kept by ``prefetch``

    CACHE_MAX = 100_000

    @property
    def backend(self) -> str:
        """``numpy`` when every model is an exported pipeline, else ``sklearn``."""
        return "sklearn" if any(isinstance(m, SklearnModel) for m in self.models.values()) else "numpy"

    @staticmethod
    def _as_seen(name: str, rec: dict) -> dict:
        """The record as model ``name`` sees it (without the written levels for ``UNWRITTEN``)."""
        return unwritten(rec) if name in UNWRITTEN else rec

    def _proba(self, name: str, rec: dict) -> dict[str, float]:
        rec = self._as_seen(name, rec)
        key = self._key(name, rec)
        hit = self._cache.get(key)
        if hit is None:
            model = self.models[name]
            probs = model.predict_proba([rec])[0]
            hit = {c: float(p) for c, p in zip(model.classes_, probs)}
            if len(self._cache) > self.CACHE_MAX:
                self._cache.clear()
                self._rows.clear()
            self._cache[key] = hit
        return hit

    @staticmethod
    def _key(name: str, rec: dict) -> tuple:
        return (name, rec["level1"], rec["level2"], rec["name"], rec["description"], rec["value"])

    def prefetch(self, indicators, names=MODEL_NAMES, chunk: int = 4096) -> None:
        """Compute the verdicts of ``names`` for many indicators at once (one transform and one
        ``predict_proba`` per model and chunk instead of one per indicator) and keep them, with
        the feature rows that ``evidence`` explains, in the cache the per-indicator calls read.
        Results are the same as the one-record path: every feature and the linear model are
        row-wise, so a row's numbers do not depend on the other rows of the batch."""
        recs = {}
        for ind in indicators:
            rec = record(ind)
            recs.setdefault(self._key("", rec), rec)
        if not recs:
            return
        todo_all = list(recs.values())
        # Feature rows are only kept for the batch at hand (they are the bulk of the memory).
        self._rows.clear()
        if len(self._cache) + len(todo_all) * len(names) > self.CACHE_MAX:
            self._cache.clear()
        for name in names:
            # Every record of the batch, cached or not: ``evidence`` needs its feature row.
            todo = [self._as_seen(name, r) for r in todo_all]
            model = self.models[name]
            classes = model.classes_
            for start in range(0, len(todo), chunk):
                part = todo[start : start + chunk]
                x = model.transform(part)
                probs = model.proba(x)
                for i, (rec, row) in enumerate(zip(part, probs)):
                    key = self._key(name, rec)
                    self._cache[key] = dict(zip(classes, map(float, row)))
                    self._rows[key] = (x, i)

    def predict_batch(self, name: str, records: list[dict]) -> list[dict[str, float]]:
        """Class probabilities per record, each distinct record (as the model sees it) computed
        once: rows repeat across a batch (the same common indicator in many tables). Nothing is
        kept in the cache."""
        model = self.models[name]
        seen = [self._as_seen(name, r) for r in records]
        distinct: dict[tuple, dict] = {}
        for rec in seen:
            distinct.setdefault(self._key(name, rec), rec)
        probs = model.predict_proba(list(distinct.values())) if distinct else []
        by_key = {key: dict(zip(model.classes_, map(float, row))) for key, row in zip(distinct, probs)}
        return [by_key[self._key(name, rec)] for rec in seen]

    def verdict(self, name: str, ind) -> Verdict:
        rec = record(ind)
        proba = self._proba(name, rec)
        label = max(proba, key=proba.get)
        return Verdict(label, proba[label], [])

    def evidence(self, name: str, ind, label: str) -> list[str]:
        rec = self._as_seen(name, record(ind))
        row = self._rows.get(self._key(name, rec))
        if row is not None:
            x, i = row
            lo, hi = x.indptr[i], x.indptr[i + 1]
            return explain(self.models[name], rec, label, x=(x.data[lo:hi], x.indices[lo:hi]))
        return explain(self.models[name], rec, label)

    def probabilities(self, name: str, ind) -> dict[str, float]:
        return self._proba(name, record(ind))

    def probability(self, name: str, ind, label) -> float:
        return self._proba(name, record(ind)).get(str(label), 0.0)


# --- persistence -----------------------------------------------------------------------


def default_model_dir() -> Path:
    """models/findings/ beside the package (repo layout), or inside it (installed copy)."""
    here = Path(__file__).resolve().parent.parent
    for candidate in (here.parent / "models" / "findings", here / "data" / "models" / "findings"):
        if (candidate / "manifest.json").is_file():
            return candidate
    return here.parent / "models" / "findings"


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def save(pipelines: dict, meta: dict, directory: Path) -> None:
    """The joblib pipelines (training, evaluation, fallback) and their exported runtime files
    (checking), with a manifest of both."""
    import joblib

    directory.mkdir(parents=True, exist_ok=True)
    files = {}
    for name, pipe in pipelines.items():
        path = directory / f"{name}.joblib"
        joblib.dump(pipe, path, compress=3)
        files[name] = {"file": path.name, "sha256": _sha256(path)}
    _write_manifest(directory, {**meta, "files": files, "runtime": export_runtime(pipelines, directory, files)})


def _write_manifest(directory: Path, meta: dict) -> None:
    (directory / "manifest.json").write_text(json.dumps(meta, ensure_ascii=False, indent=2, sort_keys=True) + "\n", "utf-8")


def export_runtime(pipelines: dict, directory: Path, files: dict) -> dict:
    """Write ``<name>.linear.npz`` for every pipeline the runtime reproduces; the manifest
    entries (each names the joblib file it was exported from, by hash: ``load_judge`` uses an
    exported file only beside that very joblib file). A pipeline the runtime does not
    reproduce is left to the joblib file, with a warning."""
    from . import runtime

    entries = {}
    for name, pipe in pipelines.items():
        path = directory / f"{name}.linear.npz"
        try:
            runtime.write(pipe, path)
        except runtime.Unsupported as exc:
            path.unlink(missing_ok=True)
            print(f"indicatorqa：模型 {name} 不能导出为免 scikit-learn 的格式（{exc}），检查时将加载 joblib 文件", file=sys.stderr)
            continue
        entries[name] = {"file": path.name, "sha256": _sha256(path), "format": runtime.FORMAT, "source_sha256": files[name]["sha256"]}
    return entries


def reexport(directory: str | Path | None = None) -> dict:
    """Export the runtime files of an existing model directory from its joblib pipelines
    (e.g. models trained before the export existed), without retraining; updates the manifest."""
    directory = Path(directory) if directory else default_model_dir()
    meta = json.loads((directory / "manifest.json").read_text("utf-8"))
    pipelines = load_judge(directory, backend="sklearn").pipelines
    meta["runtime"] = export_runtime(pipelines, directory, meta["files"])
    _write_manifest(directory, meta)
    _LOADED.clear()
    return meta["runtime"]


_LOADED: dict[str, Judge] = {}


def _load_runtime(directory: Path, meta: dict) -> dict:
    """The exported pipelines named in the manifest, by model name: those that are there, in
    this format and exported from the joblib file the manifest lists."""
    from .runtime import FORMAT, LinearPipeline

    out = {}
    for name, entry in (meta.get("runtime") or {}).items():
        path = directory / entry["file"]
        source = (meta.get("files") or {}).get(name, {}).get("sha256")
        if entry.get("format") != FORMAT or entry.get("source_sha256") != source or not path.is_file():
            continue
        data = path.read_bytes()
        if hashlib.sha256(data).hexdigest() != entry["sha256"]:
            raise FileNotFoundError(f"模型文件 {path} 与清单不符（可能已损坏）：请重新运行 indicatorqa train")
        out[name] = LinearPipeline.load(io.BytesIO(data))
    return out


def load_judge(directory: str | Path | None = None, backend: str | None = None) -> Judge:
    """Load the trained models once per process: the exported runtime files where the manifest
    has them (no scikit-learn), the joblib pipelines otherwise. ``backend="sklearn"`` (or
    ``INDICATORQA_JUDGE_BACKEND=sklearn``) loads only the joblib pipelines. Raises
    FileNotFoundError with a Chinese hint."""
    directory = Path(directory) if directory else default_model_dir()
    backend = (backend or os.environ.get("INDICATORQA_JUDGE_BACKEND") or "auto").lower()
    key = f"{directory.resolve()}|{backend}"
    if key in _LOADED:
        return _LOADED[key]
    manifest = directory / "manifest.json"
    if not manifest.is_file():
        raise FileNotFoundError(f"找不到已训练的模型（{manifest}）：请先运行 indicatorqa train")
    meta = json.loads(manifest.read_text("utf-8"))
    pipelines = {} if backend == "sklearn" else _load_runtime(directory, meta)
    for name, entry in meta["files"].items():
        if name in pipelines:
            continue
        import joblib

        path = directory / entry["file"]
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        if digest != entry["sha256"]:
            raise FileNotFoundError(f"模型文件 {path} 与清单不符（可能已损坏）：请重新运行 indicatorqa train")
        pipelines[name] = joblib.load(path)
    judge = Judge(pipelines, meta)
    _LOADED[key] = judge
    return judge
