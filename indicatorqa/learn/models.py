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

Evidence for a decision is the features that pushed it most (coefficient × value of a
linear model), turned into short readable strings.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion, Pipeline

from .features import DictFacts, FieldText, ResidueText, record

MEASURABILITY_CLASSES = ("ok", "vague", "label", "deferred", "pseudo")
MEASURABILITY_CODE = {"vague": "V001", "label": "V002", "deferred": "V003", "pseudo": "V004"}
MODEL_NAMES = ("measurability", "tautology_n001", "tautology_n002", "level2", "generic_name")


class JiebaTokens:
    """Tokenizer for TfidfVectorizer: jieba with the domain dictionary (picklable)."""

    def __call__(self, text: str) -> list[str]:
        from ..segment import get_segmenter

        return get_segmenter().tokens(text)


def _chars(fields, ngram=(1, 3), min_df=1):
    return Pipeline(
        [
            ("select", FieldText(fields)),
            ("tfidf", TfidfVectorizer(analyzer="char", ngram_range=ngram, min_df=min_df, sublinear_tf=True)),
        ]
    )


def _words(fields):
    return Pipeline(
        [
            ("select", FieldText(fields)),
            (
                "tfidf",
                TfidfVectorizer(tokenizer=JiebaTokens(), token_pattern=None, lowercase=False, sublinear_tf=True),
            ),
        ]
    )


def _logreg(C: float = 4.0) -> LogisticRegression:
    return LogisticRegression(C=C, max_iter=4000, class_weight="balanced")


def build(name: str) -> Pipeline:
    """A fresh, unfitted pipeline for one learned rule."""
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
    if name == "level2":
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


_NAMES: dict[int, np.ndarray] = {}


def _feature_names(pipe: Pipeline) -> np.ndarray:
    # Computing names walks every vocabulary; do it once per fitted pipeline.
    key = id(pipe)
    if key not in _NAMES:
        _NAMES[key] = pipe.named_steps["features"].get_feature_names_out()
    return _NAMES[key]


def explain(pipe: Pipeline, rec: dict, target_class, top: int = 3, x=None) -> list[str]:
    """The features of one record that pushed it most towards ``target_class``
    (``x``: the record's feature row as (data, indices) when already computed, e.g. by
    ``Judge.prefetch``)."""
    feats = pipe.named_steps["features"]
    clf = pipe.named_steps["clf"]
    if x is None:
        x = transform(feats, [rec]).tocsr()
        data, indices = x.data, x.indices
    else:
        data, indices = x
    classes = [str(c) for c in clf.classes_]
    target_class = str(target_class)
    if len(classes) == 2:
        coef = clf.coef_[0] if target_class == classes[1] else -clf.coef_[0]
    else:
        coef = clf.coef_[classes.index(target_class)]
    contrib = data * coef[indices]
    order = np.argsort(-contrib)
    names = _feature_names(pipe)
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
    """Loaded learned models; the checks in ``checks/learned.py`` ask it for verdicts."""

    def __init__(self, pipelines: dict[str, Pipeline], meta: dict | None = None):
        missing = [n for n in MODEL_NAMES if n not in pipelines]
        if missing:
            raise ValueError(f"missing models: {missing}")
        self.pipelines = pipelines
        self.meta = meta or {}
        self._cache: dict[tuple, dict] = {}
        self._rows: dict[tuple, tuple] = {}  # key → (feature matrix, row) kept by ``prefetch``

    CACHE_MAX = 100_000

    def _proba(self, name: str, rec: dict) -> dict[str, float]:
        key = self._key(name, rec)
        hit = self._cache.get(key)
        if hit is None:
            pipe = self.pipelines[name]
            probs = pipe.predict_proba([rec])[0]
            hit = {str(c): float(p) for c, p in zip(pipe.named_steps["clf"].classes_, probs)}
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
            todo = todo_all
            pipe = self.pipelines[name]
            feats, clf = pipe.named_steps["features"], pipe.named_steps["clf"]
            classes = [str(c) for c in clf.classes_]
            for start in range(0, len(todo), chunk):
                part = todo[start : start + chunk]
                x = transform(feats, part).tocsr()
                probs = clf.predict_proba(x)
                for i, (rec, row) in enumerate(zip(part, probs)):
                    key = self._key(name, rec)
                    self._cache[key] = dict(zip(classes, map(float, row)))
                    self._rows[key] = (x, i)

    def predict_batch(self, name: str, records: list[dict]) -> list[dict[str, float]]:
        pipe = self.pipelines[name]
        probs = pipe.predict_proba(records)
        classes = [str(c) for c in pipe.named_steps["clf"].classes_]
        return [dict(zip(classes, map(float, row))) for row in probs]

    def verdict(self, name: str, ind) -> Verdict:
        rec = record(ind)
        proba = self._proba(name, rec)
        label = max(proba, key=proba.get)
        return Verdict(label, proba[label], [])

    def evidence(self, name: str, ind, label: str) -> list[str]:
        rec = record(ind)
        row = self._rows.get(self._key(name, rec))
        if row is not None:
            x, i = row
            lo, hi = x.indptr[i], x.indptr[i + 1]
            return explain(self.pipelines[name], rec, label, x=(x.data[lo:hi], x.indices[lo:hi]))
        return explain(self.pipelines[name], rec, label)

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


def save(pipelines: dict[str, Pipeline], meta: dict, directory: Path) -> None:
    import joblib

    directory.mkdir(parents=True, exist_ok=True)
    files = {}
    for name, pipe in pipelines.items():
        path = directory / f"{name}.joblib"
        joblib.dump(pipe, path, compress=3)
        files[name] = {"file": path.name, "sha256": hashlib.sha256(path.read_bytes()).hexdigest()}
    meta = {**meta, "files": files}
    (directory / "manifest.json").write_text(json.dumps(meta, ensure_ascii=False, indent=2, sort_keys=True) + "\n", "utf-8")


_LOADED: dict[str, Judge] = {}


def load_judge(directory: str | Path | None = None) -> Judge:
    """Load the trained models once per process. Raises FileNotFoundError with a Chinese hint."""
    import joblib

    directory = Path(directory) if directory else default_model_dir()
    key = str(directory.resolve())
    if key in _LOADED:
        return _LOADED[key]
    manifest = directory / "manifest.json"
    if not manifest.is_file():
        raise FileNotFoundError(f"找不到已训练的模型（{manifest}）：请先运行 indicatorqa train")
    meta = json.loads(manifest.read_text("utf-8"))
    pipelines = {}
    for name, entry in meta["files"].items():
        path = directory / entry["file"]
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        if digest != entry["sha256"]:
            raise FileNotFoundError(f"模型文件 {path} 与清单不符（可能已损坏）：请重新运行 indicatorqa train")
        pipelines[name] = joblib.load(path)
    judge = Judge(pipelines, meta)
    _LOADED[key] = judge
    return judge
