"""Features for the learned rules: pure functions over indicator records.

A record is a plain dict with the cells of one indicator row (``name``, ``description``,
``value``, ``level1``, ``level2``). This module holds what a feature *is*: the text each text
block sees (:func:`field_texts`, :func:`residue_texts`) and the named hand features
(:func:`value_facts`, :func:`pair_facts`, :func:`name_facts`, via :func:`facts`). It does not
import scikit-learn: two paths use it, and a change here reaches both after a retrain:

- training and ``indicatorqa eval``: the scikit-learn transformers ``FieldText``,
  ``ResidueText`` and ``DictFacts`` (``learn/skfeatures.py``; still importable from here, so
  that pickled pipelines load) call these functions;
- checking: the exported runtime (``learn/runtime.py``) calls the same functions and applies
  the fitted vocabularies and coefficients with numpy.

Hand features are named so that evidence reads as a reason (``值:无数字``,
``名称以率结尾×值为百分比``), and char n-grams/jieba tokens carry the words themselves.
"""

from __future__ import annotations

import difflib
import re
from functools import lru_cache

from ..config import default_words
from ..levels import canonical_level2
from ..values import parse_value

_PUNCT = re.compile(r"[\s，,。.、；;：:（）()\[\]【】“”\"'《》<>≥≤＞＜>=<%％\-—~～/]+")
_FILLERS = ("的", "数", "数量", "情况", "次数", "个数", "人数", "指标", "工作", "完成", "程度", "水平")
# Characters that carry no content of their own in a description.
_FILLER_CHARS = set("的数量情况个次人项对于和与及等在为是了全年度内各")
_RATE_END = re.compile(r"(率|度|比|比例|比重|占比|覆盖面)$")


def record(ind) -> dict:
    """An indicator (model object or dict) as a feature record.

    The value is its target without a bracketed remark after it (≥50公斤（以实测为准） →
    ≥50公斤, values.FLAG_REMARK): the remark says where the figure comes from, and its words
    (以…为准) would read as a target left to others."""
    if isinstance(ind, dict):
        rec = {k: str(ind.get(k) or "") for k in ("level1", "level2", "name", "description", "value")}
    else:
        rec = {
            "level1": ind.level1 or "",
            "level2": ind.level2 or "",
            "name": ind.name or "",
            "description": ind.description or "",
            "value": ind.value or "",
        }
    rec["value"] = _without_remark(rec["value"])
    return rec


def _without_remark(value: str) -> str:
    if not value.endswith((")", "）")):
        return value
    from ..values import FLAG_REMARK, parse_value

    pv = parse_value(value)
    if FLAG_REMARK not in pv.flags:
        return value
    cut = max(value.rfind("("), value.rfind("（"))
    return value[:cut].rstrip() if cut > 0 else value


def _clean(text: str) -> str:
    return _PUNCT.sub("", text or "")


_DIGITS = re.compile(r"\d+(?:\.\d+)?")


def _shape(text: str) -> str:
    """Numbers folded to one symbol: the classifier should learn "a percentage on 影响",
    not the particular figure 95 that the training tables happened to use."""
    return _DIGITS.sub("#", text)


@lru_cache(maxsize=65536)
def _parsed(value: str):
    return parse_value(value)


def _char_jaccard(a: str, b: str) -> float:
    sa, sb = set(a), set(b)
    if not sa and not sb:
        return 1.0
    return len(sa & sb) / len(sa | sb)


@lru_cache(maxsize=65536)
def _ratio(a: str, b: str) -> float:
    if not a and not b:
        return 1.0
    return difflib.SequenceMatcher(None, a, b, autojunk=False).ratio()


def field_texts(records, fields: tuple[str, ...] = ("value",), mark_empty: bool = True) -> list[str]:
    """One text field (or several joined) of each record, for a text vectorizer (``FieldText``)."""
    out = []
    for r in records:
        text = " | ".join(_shape(_clean(r.get(f, ""))) for f in fields)
        out.append(text if text.strip(" |") or not mark_empty else "∅")
    return out


def residue_texts(records, field: str = "description") -> list[str]:
    """The words of one field of each record that the name does not already say.

    A tautological description leaves only boilerplate here (与专项相关的, 开展, 情况) while an
    explanatory one leaves content (奖补企业, 以评估报告为准); a vectorizer over this residue
    lets the classifier learn which leftover words are filler. ``∅`` when nothing is left.
    """
    from ..segment import get_segmenter

    seg = get_segmenter()
    out = []
    for r in records:
        name = _clean(r.get("name", ""))
        text = _clean(r.get(field, ""))
        if field == "value" and _bare_direction(text):
            # A bare 提升 re-uses no wording of the name (LABELING.md §5): it is not the
            # empty residue of a repeated sentence.
            out.append("〈仅方向词〉")
            continue
        tokens = seg.tokens(text)
        rest = [t for t in tokens if not all(c in name for c in t)]
        out.append(" ".join(rest) if rest else "∅")
    return out


def _bare_direction(value: str) -> bool:
    """The value is one direction or approval word (提高, 提升, 满意) and nothing else."""
    return bool(value) and value in default_words()["vague"]


def value_facts(r: dict) -> dict[str, float]:
    """What the value grammar and the word lists say about a value, as named features."""
    words = default_words()
    value = (r.get("value") or "").strip()
    name = _clean(r.get("name", ""))
    pv = _parsed(value)
    f: dict[str, float] = {}
    f[f"值类型:{pv.kind}"] = 1.0
    f["值:有数字"] = float(pv.number is not None)
    f["值:无数字"] = float(pv.number is None)
    f["值:有方向"] = float(pv.direction is not None)
    f["值:有单位"] = float(bool(pv.unit))
    f["值:为空"] = float(not value)
    f["值长度"] = min(len(value), 60) / 60.0
    is_percent = pv.kind == "percent"
    f["值为百分比"] = float(is_percent)
    # A share or a rate: 率 at the end, a positive marker, a share defined by statistics
    # (健康素养水平), or a change against last year (较上年, 同比) in the name or the value.
    rate_name = (
        bool(_RATE_END.search(name))
        or any(m in name for m in (*words["positive_markers"], *words["share_names"]))
        or any(m in name or m in value for m in words["change_rate_markers"])
    )
    f["名称以率结尾"] = float(rate_name)
    f["名称以率结尾×值为百分比"] = float(rate_name and is_percent)
    f["名称非比率×值为百分比"] = float(is_percent and not rate_name)
    f["名称含满意"] = float("满意" in name)
    vclean = _clean(value)
    f["值=名称"] = float(bool(vclean) and vclean == name)
    f["值包含于名称"] = float(bool(vclean) and vclean in name and vclean != name)
    f["值与名称相似"] = _ratio(vclean, name)
    f["值含方向词"] = float(any(w in value for w in words["vague"]))
    f["值含待定词"] = float(any(w in value for w in words["deferred"]))
    f["值含正式核验或标准"] = float(any(w in value for w in words["verifiable_standards"]))
    f["值为分级"] = float(pv.grade is not None)
    f["值含年份或日期"] = float(bool(re.search(r"(19|20)\d{2}|年底|年末|月底|月前|日前|季度", value)))
    f["值含顿号或列举"] = float("、" in value or "等" in value[-2:])
    level2 = canonical_level2(r.get("level2", "")) or canonical_level2(r.get("level1", "")) or "未知"
    f[f"二级:{level2}"] = 1.0
    f[f"二级:{level2}×值类型:{pv.kind}"] = 1.0
    return f


def pair_facts(r: dict) -> dict[str, float]:
    """How much the description and value only repeat the name (N001/N002)."""
    name = _clean(r.get("name", ""))
    desc = _clean(r.get("description", ""))
    value = _clean(r.get("value", ""))
    f: dict[str, float] = {}
    f["描述为空"] = float(not desc)
    f["描述=名称"] = float(bool(desc) and desc == name)
    f["描述与名称字符重合"] = _char_jaccard(name, desc)
    f["描述与名称编辑相似"] = _ratio(name, desc)
    residue = desc.replace(name, "", 1) if name and name in desc else None
    f["描述包含名称"] = float(residue is not None)
    if residue is not None:
        f["描述=名称+少量字"] = float(len(residue) <= 4)
        f["描述=名称+虚词"] = float(residue in _FILLERS or all(ch in "的数量情况次个人" for ch in residue))
    f["描述比名称长"] = float(len(desc) > len(name) + 4)
    f["描述长度比"] = min(len(desc) / max(len(name), 1), 5.0) / 5.0
    # What the description adds beyond the name, boilerplate words (与专项相关的, 开展工作) not
    # counted: a tautology adds no content.
    from ..segment import get_segmenter

    fillers = set(default_words()["description_fillers"])
    rest = [t for t in get_segmenter().tokens(desc) if not all(c in name for c in t)]
    content = [t for t in rest if t not in fillers]
    new_chars = {c for t in content for c in t if "\u4e00" <= c <= "\u9fff"} - _FILLER_CHARS
    f["描述新增字数"] = min(len(new_chars), 12) / 12.0
    f["描述新增字≤2"] = float(bool(desc) and len(new_chars) <= 2)
    f["描述新增字≤5"] = float(bool(desc) and len(new_chars) <= 5)
    f["描述不长于名称"] = float(bool(desc) and len(desc) <= len(name))
    filler_share = sum(1 for t in rest if t in fillers) / len(rest) if rest else 1.0
    f["描述多出的词多为套话"] = filler_share
    f["描述多出的词全为套话"] = float(bool(desc) and filler_share == 1.0)
    f["值=名称"] = float(bool(value) and value == name)
    f["值与名称编辑相似"] = _ratio(name, value)
    f["值=描述"] = float(bool(value) and value == desc)
    # N002: the value re-uses the name's wording (not one shared word like 提升).
    value_cjk = [c for c in value if "\u4e00" <= c <= "\u9fff"]
    shared = sum(1 for c in value_cjk if c in name or c in desc)
    # A one-word value (提升, 满意) always shares its characters with the name; only a value of
    # some length that re-uses the name's wording says the same sentence again.
    f["值中名称字数"] = min(shared, 8) / 8.0
    f["值中名称字比例(≥4字)"] = shared / len(value_cjk) if len(value_cjk) >= 4 else 0.0
    f["值≥6字且多为名称字"] = float(len(value_cjk) >= 6 and shared / len(value_cjk) >= 0.7)
    f["值含名称"] = float(bool(name) and len(name) >= 4 and name in value)
    # LABELING.md §5: a bare direction or approval word (提高, 提升, 满意) is V001 alone, not
    # N002, although the name contains it: the value states no sentence of its own to repeat.
    f["值仅为方向词"] = float(_bare_direction(value))
    pv = _parsed(r.get("value", ""))
    f["值无数字"] = float(not pv.is_quantified)
    f["三栏相同"] = float(bool(name) and name == desc == value)
    return f


def name_facts(r: dict) -> dict[str, float]:
    """Whether the name names a countable thing or only a category (N005)."""
    words = default_words()
    name = _clean(r.get("name", ""))
    f: dict[str, float] = {}
    f["名称长度"] = min(len(name), 20) / 20.0
    f["名称≤3字"] = float(len(name) <= 3)
    f["名称为类别词"] = float(name in words["generic_names"])
    f["名称含类别词"] = float(any(g in name for g in words["generic_names"]))
    stripped = re.sub(r"(指标|情况)$", "", name)
    f["名称去指标后为类别词"] = float(stripped in words["generic_names"])
    level2 = canonical_level2(r.get("level2", "")) or "未知"
    f["名称=二级指标"] = float(bool(name) and (name in (r.get("level2") or "") or canonical_level2(name) == level2 and len(name) <= 6))
    return f


_FACTS_MEMO: dict[tuple, dict[str, float]] = {}


def facts(kind: str, r: dict) -> dict[str, float]:
    """The hand features of one kind (``value``, ``pair`` or ``name``) of a record, memoised:
    two models share each kind (measurability and level2 the value's, N001 and N002 the
    pair's), so they are computed once per record. The dict is shared: do not modify it."""
    key = (kind, r.get("level1", ""), r.get("level2", ""), r.get("name", ""), r.get("description", ""), r.get("value", ""))
    hit = _FACTS_MEMO.get(key)
    if hit is None:
        hit = {"value": value_facts, "pair": pair_facts, "name": name_facts}[kind](r)
        if len(_FACTS_MEMO) >= 50_000:
            _FACTS_MEMO.clear()
        _FACTS_MEMO[key] = hit
    return hit


def __getattr__(name: str):
    # The scikit-learn transformers used to live here; pickled pipelines refer to them by
    # this module's name. Imported on demand, so that the runtime never imports sklearn.
    if name in ("FieldText", "ResidueText", "DictFacts"):
        from . import skfeatures

        return getattr(skfeatures, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
