"""Retrieval over the indicator corpus: BM25 over jieba tokens, dense embeddings, fused.

The corpus is every JSONL file under ``corpus/reference/`` (curated common indicators)
and ``corpus/accepted/`` (well-formed indicators of accepted tables, with provenance).
The index (BM25 statistics and entry embeddings) is built once and cached on disk under
the cache directory, keyed by a hash of the corpus files and the embedding model, so it
is rebuilt exactly when either changes.

Fusion: each ranking is turned into scores in [0, 1] (BM25 divided by the best score,
cosine similarity as is) and mixed with weight ``dense_weight``; entries whose canonical
二级指标 equals the query's come first ("same 二级指标 first, then any"). ``search(outside=n)``
also returns the best ``n`` entries of every other 二级指标 after that ranking, so that a
suggestion can move a row to the level it should be written under (``suggest.arranged``).
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import numpy as np

from .levels import canonical_level2

CORPUS_SUBDIRS = ("reference", "accepted")


@dataclass(frozen=True)
class CorpusEntry:
    id: str
    source: str
    level1: str
    level2: str
    name: str
    description: str
    value_pattern: str
    direction: str = ""
    unit: str = ""
    area: str = ""
    typical_range: dict | None = None
    keywords: tuple[str, ...] = ()
    provenance: str = ""

    @property
    def level2_canonical(self) -> str | None:
        return canonical_level2(self.level2)

    @property
    def text(self) -> str:
        return " ".join([self.name, self.description, " ".join(self.keywords)])

    @classmethod
    def from_dict(cls, d: dict) -> CorpusEntry:
        return cls(
            id=str(d["id"]),
            source=str(d.get("source", "")),
            level1=d.get("level1", ""),
            level2=d.get("level2", ""),
            name=d["name"],
            description=d.get("description", ""),
            value_pattern=d.get("value_pattern") or d.get("value", ""),
            direction=d.get("direction", ""),
            unit=d.get("unit", ""),
            area=d.get("area", ""),
            typical_range=d.get("typical_range"),
            keywords=tuple(d.get("keywords", ())),
            provenance=d.get("provenance", ""),
        )


def corpus_root() -> Path:
    return Path(__file__).resolve().parent.parent / "corpus"


def corpus_files(root: Path | None = None) -> list[Path]:
    root = root or corpus_root()
    files: list[Path] = []
    for sub in CORPUS_SUBDIRS:
        files += sorted((root / sub).glob("*.jsonl"))
    return files


def load_corpus(files: list[Path] | None = None) -> list[CorpusEntry]:
    entries, seen = [], set()
    for path in files if files is not None else corpus_files():
        with path.open(encoding="utf-8") as fh:
            for line in fh:
                line = line.strip()
                if not line:
                    continue
                entry = CorpusEntry.from_dict(json.loads(line))
                if entry.id not in seen:
                    seen.add(entry.id)
                    entries.append(entry)
    return entries


def _files_hash(files: list[Path]) -> str:
    h = hashlib.sha256()
    for p in files:
        h.update(p.name.encode())
        h.update(p.read_bytes())
    return h.hexdigest()[:16]


class BM25:
    """Okapi BM25 over token lists, as a sparse term-document weight matrix."""

    def __init__(self, docs: list[list[str]], k1: float = 1.2, b: float = 0.75):
        from scipy.sparse import csr_matrix

        self.vocab: dict[str, int] = {}
        rows, cols, vals = [], [], []
        lengths = np.array([len(d) for d in docs], dtype=np.float64)
        avg = lengths.mean() if len(docs) else 1.0
        df = Counter()
        for d in docs:
            df.update(set(d))
        n = len(docs)
        for t in df:
            self.vocab.setdefault(t, len(self.vocab))
        idf = np.zeros(len(self.vocab))
        for t, c in df.items():
            idf[self.vocab[t]] = math.log(1 + (n - c + 0.5) / (c + 0.5))
        for i, d in enumerate(docs):
            tf = Counter(d)
            norm = k1 * (1 - b + b * lengths[i] / avg)
            for t, f in tf.items():
                j = self.vocab[t]
                rows.append(i)
                cols.append(j)
                vals.append(idf[j] * f * (k1 + 1) / (f + norm))
        self.matrix = csr_matrix((vals, (rows, cols)), shape=(n, len(self.vocab)))

    def save(self, path: Path) -> None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(path.stem + ".tmp.npz")
            m = self.matrix
            np.savez(tmp, terms=np.array(list(self.vocab), dtype=str), data=m.data, indices=m.indices, indptr=m.indptr, shape=np.array(m.shape))
            tmp.replace(path)
        except OSError:
            pass  # a read-only cache only costs the rebuild

    @classmethod
    def load(cls, path: Path) -> BM25 | None:
        from scipy.sparse import csr_matrix

        try:
            with np.load(path, allow_pickle=False) as z:
                index = cls.__new__(cls)
                index.vocab = {str(t): i for i, t in enumerate(z["terms"])}
                index.matrix = csr_matrix((z["data"], z["indices"], z["indptr"]), shape=tuple(int(x) for x in z["shape"]))
            return index
        except (OSError, KeyError, ValueError, EOFError, zipfile.BadZipFile):
            return None  # a damaged cache file: the index is rebuilt

    def scores(self, query: list[str]) -> np.ndarray:
        idx = sorted({self.vocab[t] for t in query if t in self.vocab})
        if not idx:
            return np.zeros(self.matrix.shape[0])
        return np.asarray(self.matrix[:, idx].sum(axis=1)).ravel()


@dataclass
class Hit:
    entry: CorpusEntry
    score: float
    lexical: float = 0.0
    dense: float = 0.0


def _tokens(text: str) -> list[str]:
    from .segment import get_segmenter

    return get_segmenter().tokens(text, search=True)


@dataclass
class Retriever:
    entries: list[CorpusEntry]
    embedder: object | None = None  # indicatorqa.embed.Embedder; None: lexical only
    dense_weight: float = 0.5
    cache_dir: Path | None = None
    corpus_hash: str = ""
    _emb: np.ndarray | None = field(default=None, init=False, repr=False)

    @cached_property
    def bm25(self) -> BM25:
        """The BM25 index, cached on disk beside the embeddings (keyed by the corpus, the
        segmentation dictionary and the jieba version, which decide the tokens). Plain
        arrays (``.npz``, loaded without pickle), so a cache file cannot run code."""
        cache = None
        if self.cache_dir is not None and self.corpus_hash:
            import jieba

            from .segment import DICT_PATH

            h = hashlib.sha256(f"{self.corpus_hash}|{jieba.__version__}|".encode())
            try:
                h.update(DICT_PATH.read_bytes())
            except OSError:
                pass
            cache = self.cache_dir / f"bm25-{h.hexdigest()[:16]}.npz"
            index = BM25.load(cache)
            if index is not None and index.matrix.shape[0] == len(self.entries):
                return index
        index = BM25([_tokens(e.text) for e in self.entries])
        if cache is not None:
            index.save(cache)
        return index

    @cached_property
    def level2s(self) -> np.ndarray:
        return np.array([e.level2_canonical or "" for e in self.entries], dtype=object)

    def embeddings(self) -> np.ndarray | None:
        if self.embedder is None:
            return None
        if self._emb is None:
            cache = None
            if self.cache_dir is not None and self.corpus_hash:
                # The model's name and its weights' fingerprint: a model rebuilt under the same
                # name must not be served the old model's vectors.
                ident = f"{getattr(self.embedder, 'name', '')}|{getattr(self.embedder, 'fingerprint', '')}"
                model_id = hashlib.sha256(ident.encode()).hexdigest()[:12]
                cache = self.cache_dir / f"corpus-{self.corpus_hash}-{model_id}.npy"
                if cache.is_file():
                    try:
                        arr = np.load(cache, allow_pickle=False)
                    except (OSError, ValueError, EOFError, zipfile.BadZipFile):
                        arr = None  # a damaged cache file is rebuilt, not trusted
                    if arr is not None and arr.ndim == 2 and arr.shape[0] == len(self.entries):
                        self._emb = arr
                        return arr
            arr = np.asarray(self.embedder.encode([f"{e.name}：{e.description}" for e in self.entries]), dtype=np.float32)
            if cache is not None:
                try:
                    cache.parent.mkdir(parents=True, exist_ok=True)
                    tmp = cache.with_suffix(".tmp.npy")
                    np.save(tmp, arr)
                    tmp.replace(cache)
                except OSError:
                    pass  # a read-only cache only costs the rebuild
            self._emb = arr
        return self._emb

    def score_all(self, query: str, mode: str = "fused", query_vec: np.ndarray | None = None, lex=None) -> np.ndarray:
        if lex is None:
            lex = self.bm25.scores(_tokens(query)) if mode in ("fused", "lexical") else None
        elif mode not in ("fused", "lexical"):
            lex = None
        dense = None
        if mode in ("fused", "dense") and self.embedder is not None:
            emb = self.embeddings()
            qv = query_vec if query_vec is not None else np.asarray(self.embedder.encode([query]))[0]
            dense = emb @ qv
        if lex is not None and lex.max() > 0:
            lex = lex / lex.max()
        if mode == "lexical" or dense is None:
            return lex if lex is not None else np.zeros(len(self.entries))
        if mode == "dense":
            return dense
        return (1 - self.dense_weight) * lex + self.dense_weight * np.clip(dense, 0, None)

    def search_many(
        self, queries: list[tuple[str, str | None]], k: int = 3, mode: str = "fused", chunk: int = 2048, outside: int = 0
    ) -> list[list[Hit]]:
        """``search`` for many (query, level2) pairs: the query embeddings in one ``encode``
        call, each distinct query searched once.
        Returns the same hits as calling ``search`` on each pair."""
        if not self.entries:
            return [[] for _ in queries]
        by_text: dict[str, list[str | None]] = {}
        for q, level2 in dict.fromkeys(queries):
            by_text.setdefault(q, []).append(level2)
        texts = list(by_text)
        results: dict[tuple, list[Hit]] = {}
        use_lex = mode in ("fused", "lexical")
        use_dense = mode in ("fused", "dense") and self.embedder is not None
        if use_dense:
            self.embeddings()
        for start in range(0, len(texts), chunk):
            part = texts[start : start + chunk]
            # BM25 per query through ``scores`` itself: a sparse product over all queries is
            # faster but sums in another order (last-bit differences in the scores).
            lex = [self.bm25.scores(_tokens(t)) for t in part] if use_lex else None
            vecs = np.asarray(self.embedder.encode(part)) if use_dense else None
            for i, t in enumerate(part):
                qv = None if vecs is None else vecs[i]
                lx = None if lex is None else lex[i]
                for level2 in by_text[t]:
                    results[(t, level2)] = self.search(t, level2, k, mode, query_vec=qv, lex=lx, outside=outside)
        return [results[q] for q in queries]

    @cached_property
    def level_codes(self) -> tuple[np.ndarray, dict[str, int]]:
        """Each entry's canonical 二级指标 as a small integer (comparing ints over the whole
        corpus per query is what keeps a 100k-row batch fast), and the code of each level."""
        codes: dict[str, int] = {}
        arr = np.array([codes.setdefault(str(lv), len(codes)) for lv in self.level2s], dtype=np.int16)
        return arr, codes

    def search(
        self, query: str, level2: str | None = None, k: int = 3, mode: str = "fused", query_vec=None, lex=None,
        outside: int = 0,
    ) -> list[Hit]:
        """The top ``k`` entries, those of ``level2`` first; with ``outside``, then the best
        ``outside`` entries of each other 二级指标 not already among them (by score)."""
        if not self.entries:
            return []
        scores = self.score_all(query, mode, query_vec, lex=lex)
        order = np.argsort(-scores, kind="stable")
        extra: list[int] = []
        if level2:
            codes, index = self.level_codes
            in_order = codes[order]
            same_mask = in_order == index.get(level2, -1)
            top = np.concatenate([order[same_mask], order[~same_mask]])[:k]
            if outside > 0:
                # Group the ranking by level (a stable sort keeps each group best first) and keep
                # each group's first ``outside``; positions in ``order`` sorted back = by score.
                grouped = np.argsort(in_order, kind="stable")
                codes_sorted = in_order[grouped]
                within = np.arange(len(grouped)) - np.searchsorted(codes_sorted, codes_sorted)
                picked = np.sort(grouped[within < outside])
                taken = set(top.tolist())
                extra = [int(i) for i in order[picked[~same_mask[picked]]] if int(i) not in taken]
            order = top
        return [Hit(self.entries[i], float(scores[i])) for i in list(order[:k]) + extra]


_DEFAULT: dict[str, Retriever] = {}


def default_retriever(embedder_name: str | None = None, dense: bool = True) -> Retriever:
    """The retriever over the shipped corpus, built once per process (index cached on disk)."""
    from .segment import cache_dir

    key = f"{embedder_name}|{dense}"
    if key not in _DEFAULT:
        files = corpus_files()
        embedder = None
        if dense:
            from .embed import load_embedder

            embedder = load_embedder(embedder_name)
        _DEFAULT[key] = Retriever(load_corpus(files), embedder, cache_dir=cache_dir() / "index", corpus_hash=_files_hash(files))
    return _DEFAULT[key]


# Parts of a project name that say when or under which file, not what: years, bracketed
# remarks (（中央专款）, （2021年借款）) and document numbers (唐财教〔2021〕42号).
_PROJECT_NOISE = re.compile(
    r"[\u4e00-\u9fff]{1,4}[〔（(\[]\d{4}[〕）)\]]\d+号|[（(][^（）()]*[）)]|\d{4}\s*年度?|第[一二三四五六七八九十\d]+批|\d+号"
)


def project_context(project_name: str | None) -> str:
    """The subject words of a project name, for a query: ``2022年科技馆运行保障`` → ``科技馆运行保障``."""
    if not project_name:
        return ""
    return re.sub(r"\s+", " ", _PROJECT_NOISE.sub(" ", project_name)).strip()


def query_text(name: str, description: str = "", value: str = "", context: str = "") -> str:
    """What we search with: the name first; description and value only add words.

    ``context`` is the project's subject (:func:`project_context`). It comes last and only adds
    words: a bare or generic name (成本, 满意度, 对经济的影响) says what it measures only through
    the project it belongs to (corpus/benchmark/GUIDE.md §2 reads such rows the same way)."""
    parts = [name]
    if description and description != name:
        parts.append(description)
    if value and not re.fullmatch(r"[\d\s.%≥≤<>=百分比]+", value):
        parts.append(value)
    if context and context not in parts:
        parts.append(context)
    return " ".join(parts)
