"""The trained learned-rule pipelines as plain data, applied with numpy (no scikit-learn).

Importing scikit-learn costs ~1.8 s of every cold start, for a computation that is small once
trained: select a text per record, count n-grams or jieba words against a fixed vocabulary,
tf-idf weight and l2-normalise them, vectorise the hand features, stack, and apply a logistic
regression. ``export`` turns a fitted pipeline (``models.build``) into a JSON spec
(vocabularies, settings, feature names) plus arrays (idf, coefficients, intercepts);
``models.save`` writes one ``<name>.linear.npz`` beside each ``<name>.joblib`` at every
``indicatorqa train``, and ``LinearPipeline`` applies it.

What a feature *is* is not repeated here: the texts and the hand features come from the same
functions of ``features.py`` that the scikit-learn transformers call; this module only does
what TfidfVectorizer, DictVectorizer, FeatureUnion and LogisticRegression do with them, in
the same order of floating-point operations, so the probabilities are **bit-identical** to
``Pipeline.predict_proba`` (and the feature rows identical, entry for entry, to
``models.transform``, so the evidence is the same): counts per row in column order, log +
1, × idf, l2 norm summed in stored order, blocks concatenated per row, the dot product
accumulated per row in stored order (``np.bincount`` adds in input order, as scipy's CSR
product does), the binary logistic through libm's ``exp`` (scipy's ``expit``) and the
multinomial softmax as scikit-learn writes it. tests/test_runtime.py checks all of it
against the scikit-learn pipelines.

A pipeline using something not handled here (another analyzer, stop words, a dense block…)
is not exported; ``models.load_judge`` then falls back to the joblib file for that model.
"""

from __future__ import annotations

import io
import json
import math
import re
import zipfile
from pathlib import Path

import numpy as np

from .features import facts, field_texts, residue_texts

FORMAT = "indicatorqa-linear/1"

_WHITE_SPACES = re.compile(r"\s\s+")  # TfidfVectorizer._white_spaces


class Unsupported(ValueError):
    """The pipeline uses something the runtime does not reproduce."""


# --- export (needs the fitted scikit-learn objects; imported by models.save) -------------


def _export_tfidf(tf, arrays: dict, key: str) -> dict:
    from .models import JiebaTokens

    checks = {
        "input": tf.input == "content",
        "strip_accents": tf.strip_accents is None,
        "preprocessor": tf.preprocessor is None,
        "stop_words": tf.stop_words is None,
        "binary": not tf.binary,
        "dtype": np.dtype(tf.dtype) == np.float64,
        "norm": tf.norm in ("l2", None),
    }
    bad = [k for k, ok in checks.items() if not ok]
    if bad:
        raise Unsupported(f"TfidfVectorizer settings {bad}")
    if tf.analyzer == "char":
        analyzer = "char"
    elif tf.analyzer is str.split:
        analyzer = "split"
    elif tf.analyzer == "word" and isinstance(tf.tokenizer, JiebaTokens):
        analyzer = "jieba"
    else:
        raise Unsupported(f"analyzer {tf.analyzer!r} / tokenizer {tf.tokenizer!r}")
    vocab = tf.vocabulary_
    terms = [None] * len(vocab)
    for term, j in vocab.items():
        terms[j] = term
    if any(t is None for t in terms):
        raise Unsupported("vocabulary indices are not 0..n-1")
    tfidf = tf._tfidf
    if tfidf.use_idf:
        arrays[f"{key}.idf"] = np.asarray(tfidf.idf_, dtype=np.float64)
    return {
        "analyzer": analyzer,
        "ngram_range": list(tf.ngram_range),
        "lowercase": bool(tf.lowercase),
        "sublinear_tf": bool(tfidf.sublinear_tf),
        "use_idf": bool(tfidf.use_idf),
        "norm": tf.norm,
        "terms": terms,
    }


def export(pipe) -> tuple[dict, dict[str, np.ndarray]]:
    """A fitted ``Pipeline([("features", FeatureUnion), ("clf", LogisticRegression)])`` as
    (JSON-able spec, arrays). Raises ``Unsupported`` for anything not reproduced here."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import FeatureUnion, Pipeline

    from .skfeatures import DictFacts, FieldText, ResidueText

    if not isinstance(pipe, Pipeline) or [n for n, _ in pipe.steps] != ["features", "clf"]:
        raise Unsupported("not a features → clf pipeline")
    union, clf = pipe.named_steps["features"], pipe.named_steps["clf"]
    if not isinstance(union, FeatureUnion) or not isinstance(clf, LogisticRegression):
        raise Unsupported("features is not a FeatureUnion or clf not a LogisticRegression")
    arrays: dict[str, np.ndarray] = {}
    weights = union.transformer_weights or {}
    blocks = []
    for b, (name, trans) in enumerate(union.transformer_list):
        if trans is None or trans == "drop":
            continue
        block: dict = {"name": name, "weight": weights.get(name)}
        if isinstance(trans, DictFacts):
            vec = trans.vec_
            if not vec.sparse or np.dtype(vec.dtype) != np.float64:
                raise Unsupported("DictVectorizer must be sparse float64")
            block.update(kind="facts", facts=trans.kind, separator=vec.separator, features=list(vec.feature_names_))
            if [vec.vocabulary_[f] for f in vec.feature_names_] != list(range(len(vec.feature_names_))):
                raise Unsupported("DictVectorizer vocabulary is not in feature order")
        elif isinstance(trans, Pipeline) and len(trans.steps) == 2 and isinstance(trans.steps[1][1], TfidfVectorizer):
            select = trans.steps[0][1]
            if isinstance(select, FieldText):
                sel = {"select": "field", "fields": list(select.fields), "mark_empty": bool(select.mark_empty)}
            elif isinstance(select, ResidueText):
                sel = {"select": "residue", "field": select.field}
            else:
                raise Unsupported(f"text selector {type(select).__name__}")
            block.update(kind="text", **sel, tfidf=_export_tfidf(trans.steps[1][1], arrays, f"b{b}"))
        else:
            raise Unsupported(f"block {name}: {type(trans).__name__}")
        block["key"] = f"b{b}"
        blocks.append(block)
    classes = [str(c) for c in clf.classes_]
    coef = np.asarray(clf.coef_, dtype=np.float64)
    width = sum(len(b["features"]) if b["kind"] == "facts" else len(b["tfidf"]["terms"]) for b in blocks)
    if coef.shape[1] != width:
        raise Unsupported(f"coefficients for {coef.shape[1]} features, blocks give {width}")
    arrays["coef"] = coef
    arrays["intercept"] = np.asarray(clf.intercept_, dtype=np.float64)
    spec = {
        "format": FORMAT,
        "classes": classes,
        "blocks": blocks,
        "feature_names": [str(n) for n in union.get_feature_names_out()],
    }
    return spec, arrays


def write(pipe, path: Path) -> None:
    """Export ``pipe`` to ``path``: an .npz (readable by ``np.load``) holding the spec as UTF-8
    JSON bytes and the arrays; byte for byte the same for the same pipeline (fixed zip
    timestamps), so that a deterministic retrain gives the same file."""
    spec, arrays = export(pipe)
    raw = json.dumps(spec, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    members = {"spec": np.frombuffer(raw, dtype=np.uint8), **arrays}
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for key, array in members.items():
            info = zipfile.ZipInfo(f"{key}.npy", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            out = io.BytesIO()
            np.lib.format.write_array(out, np.ascontiguousarray(array), allow_pickle=False)
            zf.writestr(info, out.getvalue())
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(buf.getvalue())
    tmp.replace(path)


# --- runtime ------------------------------------------------------------------------------


class Rows:
    """A CSR matrix as three arrays (what ``Judge`` and ``explain`` read of a feature row)."""

    __slots__ = ("data", "indices", "indptr", "shape")

    def __init__(self, data, indices, indptr, shape):
        self.data, self.indices, self.indptr, self.shape = data, indices, indptr, shape

    def tocsr(self):
        return self


def _row_ids(indptr: np.ndarray) -> np.ndarray:
    return np.repeat(np.arange(len(indptr) - 1), np.diff(indptr))


class _TextBlock:
    def __init__(self, block: dict, arrays):
        self.select = block["select"]
        self.fields = tuple(block.get("fields") or ())
        self.mark_empty = block.get("mark_empty", True)
        self.field = block.get("field")
        t = block["tfidf"]
        self.analyzer = t["analyzer"]
        self.ngram_range = tuple(t["ngram_range"])
        self.lowercase = t["lowercase"]
        self.sublinear_tf = t["sublinear_tf"]
        self.norm = t["norm"]
        self.idf = arrays[f"{block['key']}.idf"] if t["use_idf"] else None
        self.vocab = {term: j for j, term in enumerate(t["terms"])}
        self.width = len(t["terms"])

    def texts(self, records) -> list[str]:
        if self.select == "field":
            return field_texts(records, self.fields, self.mark_empty)
        return residue_texts(records, self.field)

    def _char_ngrams(self, text: str) -> list[str]:
        # TfidfVectorizer's preprocessing (lowercase) and _char_ngrams.
        if self.lowercase:
            text = text.lower()
        text = _WHITE_SPACES.sub(" ", text)
        n_chars = len(text)
        min_n, max_n = self.ngram_range
        if min_n == 1:
            grams = list(text)
            min_n += 1
        else:
            grams = []
        for n in range(min_n, min(max_n + 1, n_chars + 1)):
            for i in range(n_chars - n + 1):
                grams.append(text[i : i + n])
        return grams

    def _words(self, tokens: list[str]) -> list[str]:
        # TfidfVectorizer._word_ngrams without stop words.
        min_n, max_n = self.ngram_range
        if max_n == 1:
            return tokens
        out = list(tokens) if min_n == 1 else []
        min_n = max(min_n, 2)
        for n in range(min_n, min(max_n + 1, len(tokens) + 1)):
            for i in range(len(tokens) - n + 1):
                out.append(" ".join(tokens[i : i + n]))
        return out

    def analyze(self, text: str) -> list[str]:
        if self.analyzer == "char":
            return self._char_ngrams(text)
        if self.analyzer == "split":
            return text.split()
        from ..segment import get_segmenter

        if self.lowercase:
            text = text.lower()
        return self._words(get_segmenter().tokens(text))

    def transform(self, records) -> Rows:
        vocab = self.vocab
        indices: list[int] = []
        counts: list[int] = []
        indptr = [0]
        for text in self.texts(records):
            counter: dict[int, int] = {}
            for gram in self.analyze(text):
                j = vocab.get(gram)
                if j is not None:
                    counter[j] = counter.get(j, 0) + 1
            for j in sorted(counter):  # CountVectorizer sorts each row's indices
                indices.append(j)
                counts.append(counter[j])
            indptr.append(len(indices))
        ind = np.asarray(indices, dtype=np.int32)
        ptr = np.asarray(indptr, dtype=np.int64)
        data = np.asarray(counts, dtype=np.float64)
        if self.sublinear_tf:
            np.log(data, data)
            data += 1.0
        if self.idf is not None:
            data *= self.idf[ind]
        if self.norm == "l2" and len(data):
            rows = _row_ids(ptr)
            norms = np.sqrt(np.bincount(rows, weights=data * data, minlength=len(ptr) - 1))
            norms[norms == 0.0] = 1.0  # sklearn leaves an all-zero row as it is
            data /= norms[rows]
        return Rows(data, ind, ptr, (len(ptr) - 1, self.width))


class _FactsBlock:
    def __init__(self, block: dict):
        self.kind = block["facts"]
        self.separator = block["separator"]
        self.vocab = {f: j for j, f in enumerate(block["features"])}
        self.width = len(block["features"])

    def transform(self, records) -> Rows:
        vocab, sep = self.vocab, self.separator
        indices: list[int] = []
        values: list[float] = []
        indptr = [0]
        for r in records:
            row = []
            for f, v in facts(self.kind, r).items():  # DictVectorizer._transform
                if isinstance(v, str):
                    f, v = f"{f}{sep}{v}", 1
                j = vocab.get(f)
                if j is not None:
                    row.append((j, float(v)))
            row.sort(key=lambda jv: jv[0])  # sort_indices (a row has no duplicate column)
            indices.extend(j for j, _ in row)
            values.extend(v for _, v in row)
            indptr.append(len(indices))
        return Rows(np.asarray(values, dtype=np.float64), np.asarray(indices, dtype=np.int32), np.asarray(indptr, dtype=np.int64), (len(indptr) - 1, self.width))


def _hstack(parts: list[Rows], n_rows: int) -> Rows:
    """Blocks side by side, each row's entries block after block (scipy's CSR hstack)."""
    lengths = [np.diff(p.indptr) for p in parts]
    total = np.zeros(n_rows, dtype=np.int64)
    for n in lengths:
        total += n
    indptr = np.zeros(n_rows + 1, dtype=np.int64)
    np.cumsum(total, out=indptr[1:])
    nnz = int(indptr[-1])
    data = np.empty(nnz, dtype=np.float64)
    indices = np.empty(nnz, dtype=np.int32)
    before = np.zeros(n_rows, dtype=np.int64)  # entries of earlier blocks in the row
    offset = 0
    for p, n in zip(parts, lengths):
        if len(p.data):
            rows = _row_ids(p.indptr)
            within = np.arange(len(p.data)) - p.indptr[:-1][rows]
            dest = indptr[:-1][rows] + before[rows] + within
            data[dest] = p.data
            indices[dest] = p.indices + offset
        before += n
        offset += p.shape[1]
    return Rows(data, indices, indptr, (n_rows, offset))


def _expit(x: float) -> float:
    # scipy.special.expit for float64: 1 / (1 + exp(-x)) with libm's exp (math.exp).
    try:
        return 1.0 / (1.0 + math.exp(-x))
    except OverflowError:
        return 0.0


class LinearPipeline:
    """An exported pipeline: ``transform`` records to feature rows, ``proba`` of rows."""

    def __init__(self, spec: dict, arrays):
        if spec.get("format") != FORMAT:
            raise ValueError(f"unknown model format {spec.get('format')!r}")
        self.classes_ = list(spec["classes"])
        self.blocks = [(_TextBlock(b, arrays) if b["kind"] == "text" else _FactsBlock(b), b.get("weight")) for b in spec["blocks"]]
        self.coef_ = np.asarray(arrays["coef"], dtype=np.float64)
        self.intercept_ = np.asarray(arrays["intercept"], dtype=np.float64)
        self.feature_names = spec["feature_names"]

    @classmethod
    def load(cls, path: str | Path) -> LinearPipeline:
        with zipfile.ZipFile(path) as zf:
            arrays = {}
            for member in zf.namelist():
                with zf.open(member) as fh:
                    arrays[member.removesuffix(".npy")] = np.lib.format.read_array(fh, allow_pickle=False)
        spec = json.loads(arrays.pop("spec").tobytes().decode("utf-8"))
        return cls(spec, arrays)

    def transform(self, records) -> Rows:
        records = list(records)
        parts = []
        for block, weight in self.blocks:
            rows = block.transform(records)
            if weight is not None:
                rows.data = rows.data * weight
            parts.append(rows)
        return _hstack(parts, len(records))

    def decision_function(self, x: Rows) -> np.ndarray:
        n = x.shape[0]
        rows = _row_ids(x.indptr)
        k = self.coef_.shape[0]
        scores = np.empty((n, k), dtype=np.float64)
        for c in range(k):
            scores[:, c] = np.bincount(rows, weights=x.data * self.coef_[c][x.indices], minlength=n)
        return scores + self.intercept_

    def proba(self, x: Rows) -> np.ndarray:
        scores = self.decision_function(x)
        if len(self.classes_) <= 2:
            p = np.array([_expit(v) for v in scores[:, 0]], dtype=np.float64)
            return np.stack([1 - p, p], axis=1)
        # sklearn.utils.extmath.softmax
        scores -= scores.max(axis=1).reshape(-1, 1)
        np.exp(scores, out=scores)
        scores /= scores.sum(axis=1).reshape(-1, 1)
        return scores

    def predict_proba(self, records) -> np.ndarray:
        return self.proba(self.transform(records))
