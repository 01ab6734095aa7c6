"""In-domain texts for the sentence-level distillation of the static model (zh-static-e5-v2).

``scripts/build_static_embedding.py --recipe tokenlearn`` embeds every text made here with
the teacher and trains the static token table so that the mean of a text's token vectors
points where the teacher's sentence vector points.  This module only makes the texts.

Sources — all written for this repository, none derived from the seed tables:

* ``corpus/reference/curated.jsonl`` — the curated library (names, descriptions, keywords,
  value patterns with their typical ranges, range notes).  These are the documents the
  retriever ranks, so the model sees them exactly as it will embed them (``名称：描述``).
* ``corpus/labels/written_examples.jsonl`` — the annotator's made-up tables (indicator rows
  and self-evaluation rows; "They copy no seed row and no test set", corpus/LABELING.md).
* ``indicatorqa/data/dict.txt`` — the domain dictionary's terms, alone and 2–4 joined.
* the curated entries' ``keywords`` put into generic phrasings of vague indicators
  (``{kw}工作``, ``提升{kw}水平`` …, written here, not taken from any table), because vague
  indicators are what users ask rewrites for.

Never read here: ``corpus/seeds``, ``corpus/accepted`` (rows of the seed tables),
``seed_*`` files in ``corpus/labels``, ``corpus/benchmark`` — the benchmark's queries are
seed rows.

Determinism and growth: every random choice uses a ``random.Random`` seeded by the seed and
the entry's own id (or the written row's project/row), so adding a corpus entry adds its
texts and changes no other text (the teacher cache then embeds only the new ones).

Held-out split: ``group`` is the unit of the split — the curated entry id, the written
table's project, or the dictionary term — and ``split()`` sends a stable ~15 % of the groups
(by sha256) to validation.  Texts that combine two entries (name of one, description of the
other) are grouped with the first and dropped from training if either side is held out.
"""

from __future__ import annotations

import hashlib
import json
import random
import re
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CURATED = REPO / "corpus" / "reference" / "curated.jsonl"
WRITTEN = REPO / "corpus" / "labels" / "written_examples.jsonl"
DOMAIN_DICT = REPO / "indicatorqa" / "data" / "dict.txt"

# Generic phrasings of vague indicators (the kind a reviewer flags), filled with a curated
# entry's keywords.  Composed for this script from common budget wording, not from any table.
VAGUE_NAME_TEMPLATES = [
    "{kw}", "{kw}工作", "{kw}情况", "{kw}成效", "{kw}效果", "{kw}水平", "{kw}质量", "{kw}数量",
    "提升{kw}水平", "加强{kw}", "推进{kw}工作", "完善{kw}", "促进{kw}", "确保{kw}", "{kw}完成情况",
    "{kw}工作开展情况", "{kw}任务完成", "做好{kw}工作", "{kw}工作成效", "{kw}覆盖面", "{kw}及时性",
    "{kw}达标", "{kw}能力提升", "{kw}服务", "开展{kw}", "{kw}满意度", "{kw}完成率", "{kw}合格率",
    "{kw}项目", "{kw}支出", "{kw}成本", "{kw}影响", "{kw}长效机制",
]
VAGUE_VALUES = [
    "有效提升", "明显改善", "逐步提高", "持续推进", "达到预期", "按时完成", "良好", "优", "完成",
    "是", "显著提高", "全面完成", "稳步提升", "不断加强", "进一步完善", "按计划完成", "≥90%",
    "100%", "≥95%", "达标", "符合要求", "年底前完成", "较上年提高", "有所提升", "长期", "持续发挥作用",
]
QUERY_JOIN = [" ", "：", "，", "　"]
_CLAUSE_SPLIT = re.compile(r"[，。；、：（）()“”\s]+")
_YEARS = (2023, 2024, 2025, 2026)


@dataclass(frozen=True)
class Text:
    text: str
    kind: str
    group: str
    group2: str = ""  # a second group for texts combining two entries


def _rng(seed: int, *key) -> random.Random:
    h = hashlib.sha256(("|".join(map(str, (seed, *key)))).encode("utf-8")).digest()
    return random.Random(int.from_bytes(h[:8], "big"))


def is_heldout(group: str, fraction: float = 0.15, salt: str = "v2-split") -> bool:
    if not group:
        return False
    h = hashlib.sha256(f"{salt}|{group}".encode("utf-8")).digest()
    return int.from_bytes(h[:8], "big") / 2**64 < fraction


def read_curated(path: Path = CURATED) -> list[dict]:
    out = []
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                out.append(json.loads(line))
    return out


def read_written(path: Path = WRITTEN) -> list[dict]:
    out = []
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                r = json.loads(line)
                if r.get("source") == "written" and r.get("kind") in ("indicator", "evaluation"):
                    out.append(r)
    return out


def read_terms(path: Path = DOMAIN_DICT) -> list[str]:
    out = []
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            line = line.strip()
            if line and not line.startswith("#"):
                out.append(line.split()[0])
    return sorted(dict.fromkeys(out))


def fill_value(entry: dict, rng: random.Random) -> str:
    """The entry's value pattern with a plausible number (within its typical range) or year."""
    pat = entry.get("value_pattern") or ""
    if "{year}" in pat:
        pat = pat.replace("{year}", str(rng.choice(_YEARS)))
    if "{n}" in pat:
        tr = entry.get("typical_range") or {}
        lo, hi = tr.get("low"), tr.get("high")
        if isinstance(lo, (int, float)) and isinstance(hi, (int, float)) and hi >= lo:
            x = rng.uniform(lo, hi)
            n = int(round(x)) if (hi - lo) >= 5 or float(lo).is_integer() and float(hi).is_integer() else round(x, 1)
        else:
            n = rng.choice([1, 2, 5, 10, 20, 50, 90, 95, 100])
        pat = pat.replace("{n}", str(n))
    return pat


def query_text(name: str, description: str = "", value: str = "") -> str:
    """indicatorqa.retrieve.query_text, copied so this module needs no package import."""
    parts = [name]
    if description and description != name:
        parts.append(description)
    if value and not re.fullmatch(r"[\d\s.%≥≤<>=百分比]+", value):
        parts.append(value)
    return " ".join(parts)


def clauses(text: str, min_len: int = 4) -> list[str]:
    return [c for c in _CLAUSE_SPLIT.split(text or "") if len(c) >= min_len]


def curated_texts(entries: list[dict], seed: int) -> list[Text]:
    out: list[Text] = []
    by_area: dict[str, list[dict]] = {}
    for e in entries:
        by_area.setdefault(e.get("area", ""), []).append(e)
    for area in by_area:
        by_area[area].sort(key=lambda e: e["id"])
    for e in sorted(entries, key=lambda e: e["id"]):
        g = e["id"]
        rng = _rng(seed, "curated", g)
        name, desc = e["name"], e.get("description", "")
        kws = [k for k in e.get("keywords", []) if k]
        add = lambda t, kind, g2="": out.append(Text(t, kind, g, g2)) if t and t.strip() else None  # noqa: E731
        add(name, "c.name")
        add(desc, "c.desc")
        add(f"{name}：{desc}", "c.doc")  # what the retriever embeds
        for _ in range(2):
            add(query_text(name, desc, fill_value(e, rng)), "c.query")
        add(query_text(name, "", fill_value(e, rng)), "c.name_value")
        add(f"{e.get('level2', '')} {name}", "c.level_name")
        cl = clauses(desc)
        for c in cl:
            add(c, "c.clause")
        if len(cl) >= 2:
            i = rng.randrange(len(cl) - 1)
            add(cl[i] + cl[i + 1], "c.clause2")
            add(f"{name} {rng.choice(cl)}", "c.name_clause")
        if kws:
            add(" ".join(kws), "c.keywords")
            add(f"{name} {' '.join(kws)}", "c.name_keywords")
            for kw in rng.sample(kws, min(3, len(kws))):
                tpl = rng.choice(VAGUE_NAME_TEMPLATES)
                vague = tpl.format(kw=kw)
                add(vague, "c.vague_name")
                v = rng.choice(VAGUE_VALUES)
                same = rng.random() < 0.5  # half the time the description just repeats the name
                add(query_text(vague, vague if same else rng.choice([f"{vague}{v}", f"{kw}{v}", name]), v), "c.vague_query")
        note = (e.get("typical_range") or {}).get("note")
        if note:
            add(note, "c.note")
        # a name with another entry's description from the same area and level
        peers = [p for p in by_area[e.get("area", "")] if p["id"] != g and p.get("level2") == e.get("level2")]
        if peers:
            p = rng.choice(peers)
            add(query_text(name, p.get("description", ""), fill_value(e, rng)), "c.cross", p["id"])
            q = rng.choice(peers)
            add(f"{name}{rng.choice(['和', '及', '、'])}{q['name']}", "c.name_pair", q["id"])
    return out


def written_texts(rows: list[dict], seed: int) -> list[Text]:
    out: list[Text] = []
    projects = set()
    for r in sorted(rows, key=lambda r: (r.get("table", 0), r.get("row", 0), r.get("name", ""))):
        g = "written:" + str(r.get("project") or r.get("table"))
        rng = _rng(seed, "written", r.get("table"), r.get("row"), r.get("name"))
        add = lambda t, kind: out.append(Text(t, kind, g)) if t and t.strip() else None  # noqa: E731
        name = r.get("name", "")
        if g not in projects:
            projects.add(g)
            add(r.get("project", ""), "w.project")
        if r["kind"] == "indicator":
            desc, value = r.get("description", ""), r.get("value", "")
            add(name, "w.name")
            if desc and desc != name:
                add(desc, "w.desc")
                add(f"{name}：{desc}", "w.doc")
            add(query_text(name, desc, value), "w.query")
            add(f"{rng.choice(QUERY_JOIN).join([name, value])}", "w.name_value")
        else:
            add(name, "w.name")
            add(query_text(name, "", r.get("target", "")), "w.name_target")
            if r.get("reason"):
                add(r["reason"], "w.reason")
    return out


def dict_texts(terms: list[str], seed: int, combos: int = 3000) -> list[Text]:
    out = [Text(t, "d.term", "dict:" + t) for t in terms]
    rng = _rng(seed, "dict-combos", len(terms))
    # The combination stream depends on the term list; it is small and cheap to re-embed.
    for _ in range(combos):
        k = rng.randint(2, 4)
        picked = rng.sample(terms, k)
        out.append(Text(rng.choice(["", " ", "和"]).join(picked), "d.combo", "dict:" + picked[0], "dict:" + picked[1]))
    return out


def distillation_texts(seed: int = 0, curated: Path = CURATED, written: Path = WRITTEN, domain_dict: Path = DOMAIN_DICT,
                       dict_combos: int = 3000) -> list[Text]:
    """Every distillation text, deduplicated by text (the first occurrence keeps its group)."""
    texts = curated_texts(read_curated(curated), seed) + written_texts(read_written(written), seed) \
        + dict_texts(read_terms(domain_dict), seed, dict_combos)
    seen: dict[str, Text] = {}
    for t in texts:
        s = t.text.strip()
        if s and s not in seen:
            seen[s] = Text(s, t.kind, t.group, t.group2)
    return list(seen.values())


def split(texts: list[Text], fraction: float = 0.15) -> tuple[list[Text], list[Text]]:
    """(train, held-out): a text is held out if its group is; a text touching a held-out
    group through ``group2`` is dropped from training (and not used for validation)."""
    train, held = [], []
    for t in texts:
        if is_heldout(t.group, fraction):
            held.append(t)
        elif not is_heldout(t.group2, fraction):
            train.append(t)
    return train, held


if __name__ == "__main__":  # a summary, for the docs
    import collections

    ts = distillation_texts()
    tr, ho = split(ts)
    print(len(ts), "texts;", len(tr), "train,", len(ho), "held out")
    for k, n in sorted(collections.Counter(t.kind for t in ts).items()):
        print(f"  {k:16s} {n}")
    print("mean length", sum(len(t.text) for t in ts) / len(ts))
