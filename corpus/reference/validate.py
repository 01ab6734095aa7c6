"""Validate corpus/reference/curated.jsonl (stdlib only).

    python corpus/reference/validate.py [FILE]

Checks every entry's schema, the value pattern (a direction and a unit, or a deadline
date), the name (not a bare category word, not a template placeholder), the description
(not a repetition of the name), the fit between 二级指标 and the kind of value, the
direction of rates and costs, the typical range, and uniqueness of ids and names. Prints
the count per area × 二级指标 and every problem; exits 1 when there is an error.
"""

from __future__ import annotations

import json
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path

DEFAULT = Path(__file__).resolve().parent / "curated.jsonl"

AREAS = [
    "training_meetings", "publicity", "it_operations_security", "grants_subsidies",
    "science_popularization", "construction_maintenance", "procurement", "inspection_supervision",
    "talent_programmes", "research_projects", "enterprise_services", "public_venues", "general_management",
    "science_administration", "science_association",
    # Sector areas (fifth session): the work other departments fund.
    "health", "education", "agriculture_rural", "water", "transport", "civil_affairs",
    "employment_social_security", "culture_tourism", "ecology_forestry", "emergency_management", "market_regulation",
    "public_services",
]
LEVEL2_OF_LEVEL1 = {
    "产出指标": {"数量指标", "质量指标", "时效指标", "成本指标"},
    "成本指标": {"成本指标"},
    "效益指标": {"经济效益指标", "社会效益指标", "生态效益指标", "可持续影响指标"},
    "满意度指标": {"服务对象满意度指标"},
}
LEVEL2 = ["数量指标", "质量指标", "时效指标", "成本指标", "经济效益指标", "社会效益指标",
          "生态效益指标", "可持续影响指标", "服务对象满意度指标"]
LEVEL2_SHORT = {"数量指标": "数量", "质量指标": "质量", "时效指标": "时效", "成本指标": "成本",
                "经济效益指标": "经济", "社会效益指标": "社会", "生态效益指标": "生态",
                "可持续影响指标": "可持续", "服务对象满意度指标": "满意度"}
REQUIRED = {"id": str, "source": str, "area": str, "level1": str, "level2": str, "name": str,
            "description": str, "value_pattern": str, "direction": str, "unit": str, "keywords": list}
DIRECTIONS = {"≥", "≤", "=", "deadline"}

# Category words that are not a measurable 三级指标 on their own.
BARE_NAMES = {
    "数量", "质量", "时效", "成本", "效益", "满意度", "社会效益", "经济效益", "生态效益", "可持续影响",
    "社会影响", "经济影响", "生态影响", "影响", "效果", "产出", "满意", "时间", "进度", "服务对象满意度",
    "数量指标", "质量指标", "时效指标", "成本指标", "效益指标", "满意度指标", "社会效益指标",
    "经济效益指标", "生态效益指标", "可持续影响指标", "服务对象满意度指标", "完成时间", "完成情况",
    "工作质量", "工作效果", "社会公众满意度", "群众满意度", "项目成本", "经济成本",
}
PLACEHOLDERS = ["XX", "xx", "××", "ＸＸ", "目标内容", "待填", "请填写", "填写说明", "**", "＊＊", "【", "】", "示例", "此处填写", "……"]
VAGUE = ["提升", "提高", "显著", "明显", "有效", "良好", "逐步", "逐年", "持续", "进一步", "大幅", "满意", "及时",
         "按时", "确保", "达到预期", "符合要求"]

MONEY_UNITS = ("元", "万元", "亿元")
TIME_UNITS = ("个工作日", "天", "小时", "分钟", "个月", "年", "周", "秒")
RATE_WORDS = ("率", "占比", "比例", "比重", "满意度", "增幅", "降幅")
GROWTH_WORDS = ("增长率", "增幅", "增速")
# Names whose smaller value is better.
NEGATIVE_RATE_WORDS = ("差错", "错误", "事故", "发生率", "返修", "纠错", "败诉", "重复发生", "投诉率",
                       "违规", "偏差", "流失", "空置", "失败")
NEGATIVE_AMOUNT_WORDS = ("成本", "费用", "经费", "支出", "定额", "标准", "单价", "上限", "资助额", "补助额")
NEGATIVE_TIME_WORDS = ("时限", "时长", "用时", "耗时", "周期", "工期", "响应")
BENEFIT_WORDS = ("节约", "节省", "减少", "减负", "挽回", "追回", "收回", "核减", "审减", "压减", "增加", "收入")
SURVEY_WORDS = ("问卷", "调查", "评价", "回访", "测评", "打分")


def unit_class(unit: str) -> str:
    base = unit.split("/", 1)[0]
    if unit == "日期":
        return "date"
    if base in ("%", "‰", "个百分点"):
        return "percent"
    if base.endswith("元"):
        return "money"
    if base in TIME_UNITS:
        return "time"
    return "count"


def check_entry(e: dict, where: str) -> tuple[list[str], list[str]]:
    errors: list[str] = []
    warnings: list[str] = []
    for key, typ in REQUIRED.items():
        if key not in e:
            errors.append(f"{where}: missing field {key}")
        elif not isinstance(e[key], typ):
            errors.append(f"{where}: field {key} should be {typ.__name__}")
    if errors:
        return errors, warnings
    extra = set(e) - set(REQUIRED) - {"typical_range"}
    if extra:
        errors.append(f"{where}: unknown fields {sorted(extra)}")
    if e["source"] != "curated":
        errors.append(f"{where}: source must be 'curated'")
    if not re.fullmatch(r"curated/[a-z_]+/\d{3}", e["id"]):
        errors.append(f"{where}: malformed id {e['id']!r}")
    if e["area"] not in AREAS:
        errors.append(f"{where}: unknown area {e['area']!r}")
    if e["level1"] not in LEVEL2_OF_LEVEL1:
        errors.append(f"{where}: unknown level1 {e['level1']!r}")
    elif e["level2"] not in LEVEL2_OF_LEVEL1[e["level1"]]:
        errors.append(f"{where}: level2 {e['level2']!r} does not belong under {e['level1']!r}")
    if e["direction"] not in DIRECTIONS:
        errors.append(f"{where}: unknown direction {e['direction']!r}")

    name, desc, pat, unit, d, l2 = e["name"], e["description"], e["value_pattern"], e["unit"], e["direction"], e["level2"]

    # --- no placeholders anywhere --------------------------------------------------------
    for field in ("name", "description", "value_pattern", "unit"):
        text = e[field].replace("{n}", "").replace("{year}", "")
        for p in PLACEHOLDERS:
            if p in text:
                errors.append(f"{where}: placeholder {p!r} in {field}")
        if "{" in text or "}" in text:
            errors.append(f"{where}: stray brace in {field}")
    # --- name -----------------------------------------------------------------------------
    if name in BARE_NAMES or re.sub(r"(指标|情况)$", "", name) in BARE_NAMES:
        errors.append(f"{where}: bare category name {name!r}")
    if len(name) < 4:
        errors.append(f"{where}: name too short to say what is counted: {name!r}")
    if re.search(r"[≥≤<>=\d]", name.replace("6月底", "").replace("12345", "")):
        warnings.append(f"{where}: name contains a number or comparison: {name!r}")
    # --- description ------------------------------------------------------------------------
    rest = desc.replace(name, "")
    if desc.strip() == name.strip() or len(rest) < 15:
        errors.append(f"{where}: description only repeats the name")
    if len(desc) < 25:
        errors.append(f"{where}: description too short to give scope, formula and source")
    if not re.search(r"以.{1,40}(为准|统计|核对|核算|计算|比对|确认|为依据)|据.{1,20}统计|通过.{1,30}(统计|核查|调查)|问卷|调查|回访|评价表", desc):
        warnings.append(f"{where}: description names no data source")
    # --- value pattern ----------------------------------------------------------------------
    if d == "deadline":
        if not re.fullmatch(r"\{year\}年(\d{1,2})月(\d{1,2})日前", pat):
            errors.append(f"{where}: deadline pattern must read '{{year}}年M月D日前': {pat!r}")
        if unit != "日期":
            errors.append(f"{where}: deadline unit must be 日期")
        if "typical_range" in e:
            errors.append(f"{where}: a deadline takes no typical_range")
    else:
        m = re.fullmatch(r"([≥≤=])\{n\}(.+)", pat)
        if not m:
            errors.append(f"{where}: value pattern needs direction + {{n}} + unit: {pat!r}")
        else:
            if m.group(1) != d:
                errors.append(f"{where}: direction {d!r} differs from the pattern's {m.group(1)!r}")
            if m.group(2) != unit:
                errors.append(f"{where}: unit {unit!r} differs from the pattern's {m.group(2)!r}")
        for w in VAGUE:
            if w in pat:
                errors.append(f"{where}: vague word {w!r} in the value")
        tr = e.get("typical_range")
        if not isinstance(tr, dict) or not {"low", "high", "note"} <= set(tr):
            errors.append(f"{where}: typical_range needs low, high and note")
        else:
            low, high = tr["low"], tr["high"]
            if not all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in (low, high)):
                errors.append(f"{where}: typical_range low/high must be numbers")
            elif low > high:
                errors.append(f"{where}: typical_range low > high")
            elif unit == "%" and (low < 0 or (high > 100 and not any(g in name for g in GROWTH_WORDS))):
                errors.append(f"{where}: percentage range outside 0–100")
            if not str(tr["note"]).strip():
                errors.append(f"{where}: typical_range note is empty")
    # --- kind of value versus 二级指标 and name ------------------------------------------------
    uc = unit_class(unit)
    if uc == "percent" and not any(w in name for w in RATE_WORDS):
        errors.append(f"{where}: percentage on a name that is no rate or ratio: {name!r}")
    if l2 == "成本指标" and (uc != "money" or d != "≤"):
        errors.append(f"{where}: a cost indicator needs an amount with ≤")
    if l2 == "时效指标" and uc not in ("time", "date", "percent"):
        errors.append(f"{where}: a 时效指标 needs a date, a length of time or a timeliness rate")
    if l2 == "服务对象满意度指标":
        if uc != "percent" or d != "≥":
            errors.append(f"{where}: satisfaction needs ≥ a percentage")
        if "满意度" not in name or name in BARE_NAMES:
            errors.append(f"{where}: satisfaction name must name the respondents: {name!r}")
        if not any(w in desc for w in SURVEY_WORDS):
            errors.append(f"{where}: satisfaction description must say how it is surveyed")
    if l2 == "数量指标" and uc in ("money", "time", "date"):
        errors.append(f"{where}: a 数量指标 counts things, not money or time")
    if uc == "percent" and d != "deadline":
        negative = any(w in name for w in NEGATIVE_RATE_WORDS)
        if negative and d != "≤":
            errors.append(f"{where}: a rate of something bad needs ≤")
        if not negative and d == "≤":
            errors.append(f"{where}: a rate of something good needs ≥")
    if uc == "money" and any(w in name for w in NEGATIVE_AMOUNT_WORDS) and not any(w in name for w in BENEFIT_WORDS) and d != "≤":
        errors.append(f"{where}: a cost or spending amount needs ≤")
    if uc == "time" and any(w in name for w in NEGATIVE_TIME_WORDS) and d != "≤":
        errors.append(f"{where}: a duration or time limit needs ≤")
    # --- keywords -------------------------------------------------------------------------------
    kws = e["keywords"]
    if not 2 <= len(kws) <= 8 or not all(isinstance(k, str) and k.strip() for k in kws):
        errors.append(f"{where}: keywords should be 2–8 non-empty words")
    return errors, warnings


def table(entries: list[dict]) -> str:
    counts = Counter((e.get("area"), e.get("level2")) for e in entries)
    cols = [LEVEL2_SHORT[l] for l in LEVEL2]
    width = max(len(a) for a in AREAS)
    lines = [f"{'area':<{width}} | " + " | ".join(f"{c}" for c in cols) + " | total"]
    lines.append("-" * len(lines[0].encode("gbk", "replace")))
    for a in AREAS:
        row = [counts[(a, l)] for l in LEVEL2]
        lines.append(f"{a:<{width}} | " + " | ".join(f"{n:>{len(c.encode('gbk'))}}" for n, c in zip(row, cols)) + f" | {sum(row):>5}")
    tot = [sum(counts[(a, l)] for a in AREAS) for l in LEVEL2]
    lines.append(f"{'total':<{width}} | " + " | ".join(f"{n:>{len(c.encode('gbk'))}}" for n, c in zip(tot, cols)) + f" | {sum(tot):>5}")
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    path = Path(argv[1]) if len(argv) > 1 else DEFAULT
    entries, errors, warnings = [], [], []
    with path.open(encoding="utf-8") as fh:
        for no, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                e = json.loads(line)
            except json.JSONDecodeError as exc:
                errors.append(f"line {no}: not JSON ({exc})")
                continue
            if not isinstance(e, dict):
                errors.append(f"line {no}: not an object")
                continue
            entries.append(e)
            err, warn = check_entry(e, f"line {no} {e.get('id', '?')} {e.get('name', '')}")
            errors += err
            warnings += warn

    # --- uniqueness -------------------------------------------------------------------------
    ids = Counter(e.get("id") for e in entries)
    errors += [f"duplicate id {i}" for i, n in ids.items() if n > 1]
    by_name = defaultdict(list)
    for e in entries:
        by_name[e.get("name")].append(e)
    for name, group in by_name.items():
        if len(group) > 1:
            descs = {g.get("description") for g in group}
            areas = {g.get("area") for g in group}
            if len(descs) < len(group) or len(areas) < len(group):
                errors.append(f"duplicate name {name!r} ({', '.join(g['id'] for g in group)})")
            else:
                warnings.append(f"name {name!r} used in several areas ({', '.join(g['id'] for g in group)})")
    descs = Counter(e.get("description") for e in entries)
    errors += [f"duplicate description {d[:30]!r}…" for d, n in descs.items() if n > 1]

    # --- balance --------------------------------------------------------------------------------
    counts = Counter(e.get("area") for e in entries)
    for a in AREAS:
        if counts[a] < 40:
            warnings.append(f"area {a}: only {counts[a]} entries")
    core = ["数量指标", "质量指标", "时效指标", "成本指标", "经济效益指标", "社会效益指标", "可持续影响指标", "服务对象满意度指标"]
    pairs = Counter((e.get("area"), e.get("level2")) for e in entries)
    for a in AREAS:
        if counts[a] == 0:
            continue
        for l in core:
            if pairs[(a, l)] == 0:
                warnings.append(f"area {a}: no {l}")

    print(table(entries))
    print(f"\n{len(entries)} entries, {len(by_name)} distinct names, {len(errors)} errors, {len(warnings)} warnings")
    for w in warnings:
        print("warning:", w)
    for e in errors:
        print("error:", e)
    return 1 if errors else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
