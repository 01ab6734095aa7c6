"""Sentence-level distillation of a static token table ("tokenlearn"), and its held-out checks.

Used by ``scripts/build_static_embedding.py --recipe tokenlearn``.  The student is exactly
what sentence-transformers' ``StaticEmbedding`` + ``Normalize`` computes: a text's vector is
the L2-normalised mean of its tokens' rows (``[UNK]`` rows are zero but count in the mean).
Training moves the rows so that this vector points where the teacher's sentence vector
points (cosine loss, in the table's own PCA space) and so that cosines between texts, and
between each text and every curated document, follow the teacher's (see ``train``), with an
L2 pull towards the initial (model2vec) table so rows of rare tokens stay near the
word-level distillation; tokens never seen in training keep exactly their initial rows.
Any per-token weight the training "wants" is just the row's norm, so the result is a plain
table — nothing to fold in, and ``indicatorqa.embed.NumpyStaticEmbedder`` still applies.
"""

from __future__ import annotations

import math
import time

import numpy as np


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)


def token_ids(tokenizer, texts: list[str]) -> list[np.ndarray]:
    """Token ids as the saved model will see them (no special tokens, no padding)."""
    tokenizer.no_padding()
    encs = tokenizer.encode_batch(list(texts), add_special_tokens=False)
    return [np.asarray(e.ids, dtype=np.int64) for e in encs]


def student_encode(table: np.ndarray, ids: list[np.ndarray]) -> np.ndarray:
    out = np.zeros((len(ids), table.shape[1]), dtype=np.float32)
    for i, x in enumerate(ids):
        if len(x):
            out[i] = table[x].sum(axis=0) / np.float32(len(x))
    n = np.linalg.norm(out, axis=1, keepdims=True)
    return np.divide(out, n, out=np.zeros_like(out), where=n > 1e-12)


def l2n(x: np.ndarray) -> np.ndarray:
    n = np.linalg.norm(x, axis=1, keepdims=True)
    return np.divide(x, n, out=np.zeros_like(x), where=n > 1e-12)


def targets(teacher: np.ndarray, pca_mean: np.ndarray, components: np.ndarray, centre: np.ndarray | None) -> np.ndarray:
    """Teacher sentence vectors in the table's space: centred (by ``centre``, default the
    PCA's token mean) and rotated/reduced by the same PCA as the table."""
    c = pca_mean if centre is None else centre
    return ((teacher.astype(np.float64) - c) @ components.T).astype(np.float32)


def _affine_mse(student: "torch.Tensor", teacher: "torch.Tensor") -> "torch.Tensor":
    """Mean squared error between the student's cosines and the teacher's, after mapping the
    teacher's onto the student's scale by least squares (slope and offset fitted on the batch,
    not differentiated through): the teacher's cosines live in a narrow band (≈ 0.75–1, e5 is
    anisotropic), the student's centred ones do not, and only their order matters."""
    ss = student.detach()
    tc = teacher - teacher.mean()
    a = (tc * (ss - ss.mean())).sum() / (tc * tc).sum().clamp_min(1e-9)
    return ((student - (tc * a + ss.mean())) ** 2).mean()


def train(
    table0: np.ndarray,
    ids: list[np.ndarray],
    y: np.ndarray,
    *,
    teacher_raw: np.ndarray | None = None,
    doc_ids: list[np.ndarray] | None = None,
    doc_teacher: np.ndarray | None = None,
    epochs: int = 10,
    lr: float = 3e-4,
    reg: float = 1.0,
    sim_weight: float = 0.0,
    doc_weight: float = 0.0,
    batch: int = 128,
    seed: int = 0,
    threads: int = 1,
    callback=None,
    every: int = 5,
) -> np.ndarray:
    """Adam on the rows of ``table0``.  Loss of a batch B of training texts:

    * ``mean_B (1 − cos(student, y))`` — the student vector (normalised mean of token rows)
      against the teacher's, centred and PCA-rotated into the table's space (``y``);
    * ``+ sim_weight · affine-MSE(cos_student(B×B), cos_teacher(B×B))`` over the batch's pairs
      (raw teacher vectors ``teacher_raw``): the pairwise geometry the teacher ranks by;
    * ``+ doc_weight · affine-MSE(cos_student(B×D), cos_teacher(B×D))`` against every
      document ``D`` (``doc_ids``/``doc_teacher``: the curated entries as the retriever embeds
      them) — each training text ranks the corpus as the teacher does;
    * ``+ reg · Σ_rows ‖row − row₀‖² / n_rows`` — a pull towards the model2vec table.

    Row 0 ([UNK]) stays zero.  Deterministic for a given seed and thread count.
    """
    import torch

    torch.set_num_threads(threads)
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    # Only rows of tokens that occur in the training texts or documents can move (the others
    # get no gradient, and Adam leaves a row with zero gradient where it is): train those
    # rows alone, ids remapped, [UNK] kept at zero.
    seen = np.zeros(len(table0), dtype=bool)
    for x in [*ids, *(doc_ids or [])]:
        seen[x] = True
    seen[0] = True
    rows = np.flatnonzero(seen)  # rows[0] == 0 ([UNK])
    local = np.full(len(table0), -1, dtype=np.int64)
    local[rows] = np.arange(len(rows))
    W0 = torch.tensor(table0[rows], dtype=torch.float32)
    W = torch.nn.Parameter(W0.clone())
    opt = torch.optim.Adam([W], lr=lr)
    Y = torch.tensor(l2n(y), dtype=torch.float32)
    T = torch.tensor(l2n(teacher_raw), dtype=torch.float32) if teacher_raw is not None else None
    lengths = np.array([len(x) for x in ids])
    keep = np.flatnonzero(lengths > 0)
    n_rows = max(len(rows) - 1, 1)
    flat = [torch.tensor(local[x]) for x in ids]
    mask0 = torch.ones(len(rows), 1)
    mask0[0] = 0.0
    use_docs = bool(doc_weight and doc_ids and T is not None)
    if use_docs:
        d_len = np.array([len(x) for x in doc_ids])
        d_inp = torch.tensor(np.concatenate([local[x] for x in doc_ids]))
        d_offs = torch.tensor(np.concatenate([[0], np.cumsum(d_len)[:-1]]), dtype=torch.long)
        Dt = torch.tensor(l2n(doc_teacher), dtype=torch.float32)
    F = torch.nn.functional

    def full(w: np.ndarray) -> np.ndarray:
        out = table0.copy()
        out[rows] = w
        out[0] = 0.0
        return out.astype(np.float32)

    t0 = time.time()
    for ep in range(1, epochs + 1):
        order = rng.permutation(keep)
        tot, nb = 0.0, 0
        for s in range(0, len(order), batch):
            b = order[s : s + batch]
            inp = torch.cat([flat[i] for i in b])
            offs = torch.tensor(np.concatenate([[0], np.cumsum(lengths[b])[:-1]]), dtype=torch.long)
            sn = F.normalize(F.embedding_bag(inp, W, offs, mode="mean"), dim=1)
            loss = (1 - (sn * Y[b]).sum(1)).mean()
            if sim_weight and T is not None:
                off = ~torch.eye(len(b), dtype=torch.bool)
                loss = loss + sim_weight * _affine_mse((sn @ sn.T)[off], (T[b] @ T[b].T)[off])
            if use_docs:
                D = F.normalize(F.embedding_bag(d_inp, W, d_offs, mode="mean"), dim=1)
                loss = loss + doc_weight * _affine_mse((sn @ D.T).ravel(), (T[b] @ Dt.T).ravel())
            if reg:
                d = W - W0
                loss = loss + reg * (d * d).sum() / n_rows
            opt.zero_grad()
            loss.backward()
            W.grad.mul_(mask0)
            opt.step()
            tot += float(loss.detach())
            nb += 1
        if callback is not None and (ep % every == 0 or ep == epochs):
            callback(ep, full(W.detach().numpy()), tot / nb, time.time() - t0)
    return full(W.detach().numpy())


# ---------------------------------------------------------------------------------------
# Held-out checks (none uses seed text).


def mrr_of(ranks: np.ndarray) -> float:
    return float(np.mean(1.0 / ranks)) if len(ranks) else float("nan")


def rank_of(scores: np.ndarray, target: np.ndarray) -> np.ndarray:
    """1-based rank of column ``target[i]`` in row i of ``scores`` (only strictly greater
    scores count, so ties go in the target's favour)."""
    t = scores[np.arange(len(target)), target]
    return (scores > t[:, None]).sum(axis=1) + 1


class HeldOut:
    """Validation on the held-out distillation texts.

    * agreement — queries are held-out query-like texts (written rows as the product forms
      them, and the vague phrasings made from curated keywords); the documents are
      every curated entry as the retriever embeds it (``名称：描述``).  For each query, the
      teacher's own top document is looked up in the student's ranking: MRR of that rank
      ("does the student put first what the teacher puts first"), the same over the
      training documents only (in the product every document is trained on; a held-out
      entry's document is not, so the first number is pessimistic), and the share of the
      teacher's top 10 in the student's top 10.
    * name→description MRR on held-out curated entries (candidates: all curated
      descriptions), and vague-phrasing→source-entry MRR (a weak label: the entry whose
      keyword the phrasing was made from) — both also for the teacher, for the ratio.
    * cosine to the teacher target on held-out texts.
    """

    # Query-like texts that do not contain a document's own text (c.query, c.name_value and
    # c.cross do, and the student finds their entry as surely as the teacher: no signal).
    QUERY_KINDS = ("w.query", "w.name_value", "c.vague_query")

    def __init__(self, tokenizer, texts, vec_of, held_groups):
        import collections

        self.tokenizer = tokenizer
        docs = [t for t in texts if t.kind == "c.doc"]
        docs.sort(key=lambda t: t.group)
        self.doc_group = [t.group for t in docs]
        gi = {g: i for i, g in enumerate(self.doc_group)}
        self.doc_ids = token_ids(tokenizer, [t.text for t in docs])
        self.doc_t = l2n(np.stack([vec_of[t.text] for t in docs]))
        held = [t for t in texts if t.group in held_groups]
        q = [t for t in held if t.kind in self.QUERY_KINDS]
        self.q_ids = token_ids(tokenizer, [t.text for t in q])
        self.q_t = l2n(np.stack([vec_of[t.text] for t in q]))
        self.train_docs = np.array([g not in held_groups for g in self.doc_group])
        tscore = self.q_t @ self.doc_t.T
        self.t_top1_train = (self.q_t @ self.doc_t[self.train_docs].T).argmax(1)
        self.t_top1 = tscore.argmax(1)
        self.t_top10 = np.argsort(-tscore, axis=1)[:, :10]
        self.q_kinds = collections.Counter(t.kind for t in q)
        # name → description on held-out curated entries
        descs = sorted((t for t in texts if t.kind == "c.desc"), key=lambda t: t.group)
        di = {t.group: i for i, t in enumerate(descs)}
        names = [t for t in held if t.kind == "c.name" and t.group in di]
        self.desc_ids = token_ids(tokenizer, [t.text for t in descs])
        self.desc_t = l2n(np.stack([vec_of[t.text] for t in descs]))
        self.n_ids = token_ids(tokenizer, [t.text for t in names])
        self.n_t = l2n(np.stack([vec_of[t.text] for t in names]))
        self.n_target = np.array([di[t.group] for t in names])
        vq = [t for t in held if t.kind == "c.vague_query" and t.group in gi]
        self.v_ids = token_ids(tokenizer, [t.text for t in vq])
        self.v_t = l2n(np.stack([vec_of[t.text] for t in vq]))
        self.v_target = np.array([gi[t.group] for t in vq])
        self.all_ids = token_ids(tokenizer, [t.text for t in held])
        self.sizes = {"agreement_queries": len(q), "documents": len(docs), "name_desc_queries": len(names),
                      "descriptions": len(descs), "vague_queries": len(vq), "held_texts": len(held)}
        self.teacher = {
            "name_desc_mrr": mrr_of(rank_of(self.n_t @ self.desc_t.T, self.n_target)),
            "vague_entry_mrr": mrr_of(rank_of(self.v_t @ self.doc_t.T, self.v_target)),
        }

    def __call__(self, table: np.ndarray, held_targets: np.ndarray | None = None) -> dict:
        d = student_encode(table, self.doc_ids)
        q = student_encode(table, self.q_ids)
        s = q @ d.T
        agree = mrr_of(rank_of(s, self.t_top1))
        top10 = np.argsort(-s, axis=1)[:, :10]
        overlap = float(np.mean([len(set(a) & set(b)) / 10 for a, b in zip(top10, self.t_top10)]))
        nd = mrr_of(rank_of(student_encode(table, self.n_ids) @ student_encode(table, self.desc_ids).T, self.n_target))
        ve = mrr_of(rank_of(student_encode(table, self.v_ids) @ d.T, self.v_target))
        agree_train = mrr_of(rank_of(s[:, self.train_docs], self.t_top1_train))
        out = {"agree_mrr": agree, "agree_mrr_train_docs": agree_train, "top10_overlap": overlap, "name_desc_mrr": nd, "vague_entry_mrr": ve}
        if held_targets is not None:
            out["held_cos"] = float(np.mean(np.sum(student_encode(table, self.all_ids) * l2n(held_targets), axis=1)))
        return out


def fmt(m: dict) -> str:
    return " ".join(f"{k}={v:.4f}" if isinstance(v, float) and not math.isnan(v) else f"{k}={v}" for k, v in m.items())
