"""Experiment (not part of the build): contrastive fine-tuning of the shipped static table.

    /work/venv/bin/python scripts/contrastive_finetune.py lam=100 epochs=1 out=/tmp/model

Pairs are distillation texts (``scripts/distill_texts.py``: vague phrasings made from an
entry's keywords, its name, name + value, clauses …) and the curated document they were made
from; loss = softmax cross-entropy over all curated documents (temperature ``tau``) + ``lam`` ×
the rows' squared distance to the shipped table. Entries held out by ``distill_texts.is_heldout``
are neither targets nor negatives; their vague phrasings give the held-out vague→entry MRR
printed per epoch (the weak label of ``tokenlearn.HeldOut``). No seed row, label or benchmark
query is read. Measured 2026-11-23 and not shipped: see docs/EMBEDDINGS.md ("Contrastive
fine-tuning").
"""
import sys, json, time, os, shutil
from pathlib import Path
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT)); sys.path.insert(0, str(ROOT / "scripts"))
import numpy as np, torch
from safetensors.numpy import load_file, save_file
from tokenizers import Tokenizer
import distill_texts as D

args = dict(a.split("=") for a in sys.argv[1:])
TAU = float(args.get("tau", 0.05)); LAM = float(args.get("lam", 1.0)); EPOCHS = int(args.get("epochs", 5)); LR = float(args.get("lr", 1e-3))
KINDS = args.get("kinds", "c.vague_query,c.vague_name,c.name,c.name_value,c.query,c.clause2,c.name_clause,c.keywords,c.level_name").split(",")
SRC = str(ROOT / "models" / "zh-static-e5-v2")
tok = Tokenizer.from_file(f"{SRC}/tokenizer.json"); tok.no_padding()
T0 = load_file(f"{SRC}/model.safetensors")["embedding.weight"].astype(np.float32)
texts = D.distillation_texts()
docs = sorted([t for t in texts if t.kind == "c.doc"], key=lambda t: t.group)
gi = {t.group: i for i, t in enumerate(docs)}
held = {t.group for t in docs if D.is_heldout(t.group)}
def ids(ts): return [np.array(e.ids, dtype=np.int64) for e in tok.encode_batch(ts, add_special_tokens=False)]
doc_ids = ids([t.text for t in docs])
train_q = [t for t in texts if t.kind in KINDS and t.group in gi and t.group not in held and not t.group2]
held_v = [t for t in texts if t.kind == "c.vague_query" and t.group in held]
held_n = [t for t in texts if t.kind == "c.name" and t.group in held]
print("docs", len(docs), "held groups", len(held), "train queries", len(train_q), "held vague", len(held_v), file=sys.stderr)
def enc_np(T, idl):
    out = np.zeros((len(idl), T.shape[1]), np.float32)
    for i, x in enumerate(idl):
        if len(x): out[i] = T[x].mean(0)
    n = np.linalg.norm(out, axis=1, keepdims=True); return out / np.maximum(n, 1e-12)
def mrr(q, d, target):
    s = q @ d.T; t = s[np.arange(len(target)), target]; r = (s > t[:, None]).sum(1) + 1; return float(np.mean(1 / r))
hv_ids, hv_t = ids([t.text for t in held_v]), np.array([gi[t.group] for t in held_v])
hn_ids, hn_t = ids([t.text for t in held_n]), np.array([gi[t.group] for t in held_n])
def evaluate(T):
    d = enc_np(T, doc_ids)
    return {"vague_entry": round(mrr(enc_np(T, hv_ids), d, hv_t), 4), "name_doc": round(mrr(enc_np(T, hn_ids), d, hn_t), 4)}
print("start", evaluate(T0), file=sys.stderr)
# torch training
def bag(idl):
    flat = torch.tensor(np.concatenate([x for x in idl]) if idl else np.zeros(0, np.int64))
    offs = torch.tensor(np.cumsum([0] + [len(x) for x in idl[:-1]]))
    return flat, offs
emb = torch.nn.EmbeddingBag.from_pretrained(torch.tensor(T0), freeze=False, mode="mean")
T0t = torch.tensor(T0)
q_ids = ids([t.text for t in train_q]); q_tgt = torch.tensor([gi[t.group] for t in train_q])
keep = [i for i, x in enumerate(q_ids) if len(x)]
q_ids = [q_ids[i] for i in keep]; q_tgt = q_tgt[keep]
touched = torch.zeros(len(T0), dtype=torch.bool)
for x in q_ids + doc_ids: touched[torch.tensor(x)] = True
opt = torch.optim.Adam(emb.parameters(), lr=LR)
dflat, doffs = bag(doc_ids)
train_doc_mask = torch.tensor([t.group not in held for t in docs])
torch.manual_seed(0); rng = np.random.default_rng(0)
B = 256
for ep in range(EPOCHS):
    order = rng.permutation(len(q_ids)); tot = 0
    for s in range(0, len(order), B):
        b = order[s:s+B]
        qf, qo = bag([q_ids[i] for i in b])
        q = torch.nn.functional.normalize(emb(qf, qo), dim=1)
        d = torch.nn.functional.normalize(emb(dflat, doffs), dim=1)
        logits = q @ d.T / TAU
        logits = logits.masked_fill(~train_doc_mask[None, :], -1e4)  # held-out docs are not negatives or targets
        loss = torch.nn.functional.cross_entropy(logits, q_tgt[b])
        reg = ((emb.weight - T0t)[touched] ** 2).sum(1).mean()
        (loss + LAM * reg).backward(); opt.step(); opt.zero_grad(); tot += loss.item() * len(b)
    T = emb.weight.detach().numpy()
    print("epoch", ep, round(tot / len(order), 4), evaluate(T), file=sys.stderr)
out = args.get("out")
if out:
    shutil.rmtree(out, ignore_errors=True); shutil.copytree(SRC, out)
    save_file({"embedding.weight": np.ascontiguousarray(emb.weight.detach().numpy())}, f"{out}/model.safetensors")
    print("saved", out, file=sys.stderr)
