"""Self-contained HTML reports: one page per unit and an index page across units.

Everything is in the file: inline CSS, charts drawn here as inline SVG, no scripts, no
web fonts, no CDN, so a report opens on an intranet machine and prints on A4. Text
comes out in the Chinese font the machine has (the font stack names the usual ones on
Linux, Windows and macOS).

Every string that comes from the input (unit, project, indicator names, values, goals,
reasons, file names) goes through :func:`e` (``html.escape`` with quotes) before it
reaches the page, in text, attributes and SVG alike; an indicator named
``<script>alert(1)</script>`` shows as that text. Links to other reports are built from
the sanitised file names and percent-encoded.
"""

from __future__ import annotations

import datetime as dt
import html
import math
from collections import Counter, defaultdict
from urllib.parse import quote

from ..config import default_thresholds
from ..levels import LEVEL2_CANONICAL, canonical_level2
from ..model import Finding, Indicator, Project
from ..report import (
    GRADES,
    SEVERITY_ORDER,
    SEVERITY_ZH,
    GroupSummary,
    all_findings,
    completion,
    kind_label,
    project_title,
    severity_counts,
    unit_label,
    worst_severity,
)
from ..rules import catalogue
from ..scoring import PARTS, formula

FONT_STACK = '"Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", "PingFang SC", "Hiragino Sans GB", "WenQuanYi Micro Hei", sans-serif'

SEV_COLOUR = {"error": "#c62828", "warning": "#b26a00", "info": "#1f5fa8"}
GRADE_COLOUR = {"优": "#2e7d32", "良": "#7cb342", "中": "#e0a100", "差": "#c62828"}
GRADE_CLASS = {"优": "g-a", "良": "g-b", "中": "g-c", "差": "g-d"}
LEVEL2_LABEL = {
    "数量": "数量指标",
    "质量": "质量指标",
    "时效": "时效指标",
    "成本": "成本指标",
    "经济效益": "经济效益",
    "社会效益": "社会效益",
    "生态效益": "生态效益",
    "可持续影响": "可持续影响",
    "满意度": "满意度",
}
# The categories P001 expects in every target table; the coverage chart marks them.
EXPECTED_LEVEL2 = ("数量", "质量", "时效", "成本", "满意度")
WORST_LIMIT = 15
# A chart with hundreds of bars prints as a grey block; beyond this it shows the lowest scores.
CHART_LIMIT = 40

CSS = """
:root { --ink:#1f2933; --muted:#5f6b7a; --line:#d5dbe3; --accent:#1f4e79; --paper:#fff;
  --err:#c62828; --err-bg:#fde8e8; --warn:#9c5700; --warn-bg:#fff2cc; --info:#1f5fa8; --info-bg:#e3eefa; }
* { box-sizing: border-box; }
body { margin:0; background:#eef1f5; color:var(--ink); font-family:%(font)s; font-size:14px; line-height:1.6; }
main { max-width:1180px; margin:0 auto; background:var(--paper); padding:28px 40px 40px; }
a { color:#0b5cad; text-decoration:none; } a:hover { text-decoration:underline; }
header.top { border-bottom:3px solid var(--accent); padding-bottom:10px; }
header.top .kicker { color:var(--accent); font-weight:700; letter-spacing:.08em; font-size:13px; }
h1 { font-size:25px; margin:2px 0 6px; line-height:1.3; }
h2 { font-size:18px; margin:30px 0 10px; padding-left:10px; border-left:5px solid var(--accent); }
h3 { font-size:15px; margin:18px 0 6px; }
.meta { color:var(--muted); font-size:13px; }
.meta span + span::before { content:"｜"; margin:0 6px; color:#b0b8c3; }
nav.toc { margin:12px 0 0; font-size:13px; }
nav.toc a { margin-right:14px; white-space:nowrap; }
.cards { display:grid; grid-template-columns:repeat(auto-fit, minmax(160px, 1fr)); gap:12px; margin:18px 0 6px; }
.card { border:1px solid var(--line); border-radius:6px; padding:10px 14px; background:#fafbfc; }
.card .k { color:var(--muted); font-size:12px; }
.card .v { font-size:26px; font-weight:700; line-height:1.25; }
.card .s { font-size:12px; color:var(--muted); }
.keypoints { margin:12px 0 0; padding:10px 16px 10px 34px; background:#f6f8fb; border:1px solid var(--line); border-radius:6px; }
.keypoints li { margin:2px 0; }
table { border-collapse:collapse; width:100%%; font-size:13px; margin:6px 0 4px; }
th, td { border:1px solid var(--line); padding:4px 7px; vertical-align:top; text-align:left; }
th { background:#eaf0f7; font-weight:600; white-space:nowrap; }
td.num, th.num { text-align:right; font-variant-numeric:tabular-nums; white-space:nowrap; }
td.c { text-align:center; white-space:nowrap; }
tr.sev-error td.flag, td.sev-error { background:var(--err-bg); }
td.sev-warning { background:var(--warn-bg); }
td.sev-info { background:var(--info-bg); }
.badge { display:inline-block; padding:0 6px; border-radius:3px; font-size:12px; font-weight:700; line-height:1.6; white-space:nowrap; }
.b-error { background:var(--err-bg); color:var(--err); border:1px solid #f3b9b9; }
.b-warning { background:var(--warn-bg); color:var(--warn); border:1px solid #f0d58a; }
.b-info { background:var(--info-bg); color:var(--info); border:1px solid #b8d0ee; }
.grade { display:inline-block; min-width:24px; text-align:center; border-radius:3px; color:#fff; font-weight:700; padding:0 5px; }
.g-a { background:#2e7d32; } .g-b { background:#7cb342; } .g-c { background:#e0a100; } .g-d { background:#c62828; }
.finding { margin:2px 0; }
.sugg { background:#eef7ee; border-left:3px solid #2e7d32; padding:3px 8px; margin:2px 0; }
.sugg .v { font-weight:700; }
.muted { color:var(--muted); }
.small { font-size:12px; }
figure { margin:8px 0 12px; }
figcaption { color:var(--muted); font-size:12px; }
svg { max-width:100%%; height:auto; font-family:%(font)s; }
svg text { fill:#1f2933; }
.ruledoc { border:1px solid var(--line); border-radius:6px; padding:8px 12px; margin:8px 0; break-inside:avoid; }
.ruledoc p { margin:4px 0; white-space:pre-line; }
.ex { font-size:12px; }
.heat td { text-align:center; min-width:34px; }
.heat td.name { text-align:left; }
.h0 { background:#fbe4e4; color:#a33; } .h1 { background:#e7f1e4; } .h2 { background:#cfe6c8; } .h3 { background:#b2d8a6; }
footer { margin-top:34px; padding-top:10px; border-top:1px solid var(--line); color:var(--muted); font-size:12px; }
.note { color:var(--muted); font-size:12px; margin:2px 0 8px; }
@page { size:A4; margin:12mm; }
@media print {
  body { background:#fff; font-size:12px; }
  main { max-width:none; padding:0; }
  nav.toc, .noprint { display:none; }
  h2 { break-after:avoid; }
  figure, .card, tr { break-inside:avoid; }
  a { color:inherit; }
}
""" % {"font": FONT_STACK}


# --- small helpers ------------------------------------------------------------------------


def e(value) -> str:
    """Escape anything for HTML text or a quoted attribute (also inside inline SVG)."""
    return html.escape("" if value is None else str(value), quote=True)


def _n(x: float | None, digits: int = 1) -> str:
    if x is None:
        return "—"
    return f"{x:.{digits}f}".rstrip("0").rstrip(".") if digits else f"{x:.0f}"


def _pct(x: float | None) -> str:
    return "—" if x is None else f"{x * 100:.0f}%"


def _text_width(text: str, size: float = 12) -> float:
    # Wide (CJK, full-width) characters are one em; Latin and digits about 0.6 em.
    return sum(size if ord(ch) > 0x2E80 else size * 0.6 for ch in text)


def _fit(text: str, px: float, size: float = 12) -> str:
    """Cut a label to the pixels available, with an ellipsis (the full text goes in <title>)."""
    if _text_width(text, size) <= px:
        return text
    out = ""
    for ch in text:
        if _text_width(out + ch + "…", size) > px:
            break
        out += ch
    return out + "…"


def grade_badge(grade: str | None) -> str:
    if not grade:
        return '<span class="muted">—</span>'
    return f'<span class="grade {GRADE_CLASS[grade]}">{e(grade)}</span>'


def sev_badge(severity: str) -> str:
    return f'<span class="badge b-{severity}">{e(SEVERITY_ZH[severity])}</span>'


def finding_html(f: Finding, link_rules: bool = True) -> str:
    code = f'<a href="#rule-{e(f.code)}">{e(f.code)}</a>' if link_rules else e(f.code)
    extra = ""
    if f.evidence:
        extra += f' <span class="muted small">证据：{e("；".join(f.evidence))}</span>'
    if f.confidence is not None:
        extra += f' <span class="muted small">把握度 {f.confidence:.0%}</span>'
    return f'<div class="finding">{sev_badge(f.severity)} <b>{code}</b> {e(f.message)}{extra}</div>'


def _page(title: str, body: str) -> str:
    return (
        "<!DOCTYPE html>\n"
        '<html lang="zh-CN">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        # No network: forbid every external load, so an odd link can never phone home.
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">\n"
        '<meta name="generator" content="indicatorqa">\n'
        f"<title>{e(title)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n<main>\n{body}\n</main>\n</body>\n</html>\n"
    )


# --- charts (inline SVG) ----------------------------------------------------------------------


def svg_hbars(
    rows: list[dict],
    *,
    max_value: float,
    label_width: int = 300,
    width: int = 1100,
    bar_height: int = 18,
    gap: int = 7,
    ticks: tuple = (),
    rules: tuple = (),
    title: str = "",
) -> str:
    """Horizontal bars. Each row: label, value, colour, text (shown at the bar end), tip.

    ``rules`` are vertical reference lines (value, label, colour), e.g. grade boundaries;
    their labels go under the plot so they never collide with the tick labels above it.
    """
    if not rows:
        return ""
    top = 22 if ticks else 6
    bottom = 20 if rules else 8
    # Room at the right for the longest value text, so "100%（13/13）" is never cut off.
    right = int(max(_text_width(str(r.get("text", _n(r["value"])))) for r in rows)) + 16
    plot = width - label_width - right
    plot_bottom = top + len(rows) * (bar_height + gap)
    height = plot_bottom + bottom
    scale = plot / max_value if max_value > 0 else 0
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" aria-label="{e(title)}">']
    if title:
        out.append(f"<title>{e(title)}</title>")
    for t in ticks:
        x = label_width + t * scale
        out.append(f'<line x1="{x:.1f}" y1="{top - 4}" x2="{x:.1f}" y2="{plot_bottom}" stroke="#e3e7ec" stroke-width="1"/>')
        out.append(f'<text x="{x:.1f}" y="{top - 8}" font-size="11" text-anchor="middle" fill="#5f6b7a">{e(t)}</text>')
    # Reference lines go under the bars: visible between them, never across a value label.
    for value, label, colour in rules:
        x = label_width + value * scale
        out.append(f'<line x1="{x:.1f}" y1="{top - 2}" x2="{x:.1f}" y2="{plot_bottom + 2}" stroke="{e(colour)}" stroke-width="1.5" stroke-dasharray="4 3"/>')
        out.append(f'<text x="{x:.1f}" y="{height - 4}" font-size="11" text-anchor="middle" font-weight="700" fill="{e(colour)}">{e(label)}</text>')
    for i, r in enumerate(rows):
        y = top + i * (bar_height + gap)
        label = str(r["label"])
        w = max(0.0, min(max_value, r["value"] or 0)) * scale
        tip = r.get("tip") or f"{label}：{r.get('text', r['value'])}"
        out.append("<g>")
        out.append(f"<title>{e(tip)}</title>")
        out.append(
            f'<text x="{label_width - 8}" y="{y + bar_height * 0.75:.1f}" font-size="12" text-anchor="end">{e(_fit(label, label_width - 12))}</text>'
        )
        out.append(f'<rect x="{label_width}" y="{y}" width="{plot}" height="{bar_height}" fill="#eef1f5" fill-opacity="0.6"/>')
        out.append(f'<rect x="{label_width}" y="{y}" width="{w:.1f}" height="{bar_height}" fill="{e(r.get("colour", "#1f4e79"))}" rx="2"/>')
        out.append(
            f'<text x="{label_width + w + 5:.1f}" y="{y + bar_height * 0.75:.1f}" font-size="12" font-weight="700" stroke="#fff" stroke-width="3" paint-order="stroke">{e(r.get("text", _n(r["value"])))}</text>'
        )
        out.append("</g>")
    out.append("</svg>")
    return "".join(out)


def svg_ratio_chart(rows: list[dict], *, label_width: int = 330, width: int = 1100, bar_height: int = 16, gap: int = 6) -> str:
    """Actual / target on a log scale around 100%: left of the line short of target, right beyond it."""
    if not rows:
        return ""
    lo, hi = -2.0, 3.0  # log2: 25% … 800%
    top, right = 24, 80
    plot = width - label_width - right
    height = top + len(rows) * (bar_height + gap) + 8

    def x_of(ratio: float) -> float:
        v = math.log2(max(ratio, 2**lo)) if ratio > 0 else lo
        return label_width + (min(max(v, lo), hi) - lo) / (hi - lo) * plot

    x1 = x_of(1.0)
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" aria-label="实际完成值与目标值之比">']
    for t, label in ((0.25, "25%"), (0.5, "50%"), (1, "100%"), (1.5, "150%"), (2, "200%"), (4, "400%"), (8, "≥800%")):
        x = x_of(t)
        out.append(f'<line x1="{x:.1f}" y1="{top - 4}" x2="{x:.1f}" y2="{height - 4}" stroke="{"#5f6b7a" if t == 1 else "#e3e7ec"}" stroke-width="{1.5 if t == 1 else 1}"/>')
        out.append(f'<text x="{x:.1f}" y="{top - 9}" font-size="11" text-anchor="middle" fill="#5f6b7a">{label}</text>')
    for i, r in enumerate(rows):
        y = top + i * (bar_height + gap)
        xr = x_of(r["ratio"])
        left, w = (min(x1, xr), abs(xr - x1))
        out.append(f"<g><title>{e(r['tip'])}</title>")
        out.append(f'<text x="{label_width - 8}" y="{y + bar_height * 0.78:.1f}" font-size="12" text-anchor="end">{e(_fit(r["label"], label_width - 12))}</text>')
        out.append(f'<rect x="{left:.1f}" y="{y}" width="{max(w, 2):.1f}" height="{bar_height}" fill="{e(r["colour"])}" rx="2"/>')
        tx = max(xr, x1) + 5
        out.append(f'<text x="{tx:.1f}" y="{y + bar_height * 0.78:.1f}" font-size="12" font-weight="700">{e(_pct(r["ratio"]))}</text></g>')
    out.append("</svg>")
    return "".join(out)


def svg_line(points: list[tuple[str, float | None]], *, width: int = 720, height: int = 240, y_max: float = 100, y_min: float = 0, label: str = "") -> str:
    """A small line chart (score per year); points without a value are skipped."""
    pts = [(x, y) for x, y in points if y is not None]
    if not pts:
        return ""
    left, right, top, bottom = 48, 24, 18, 34
    pw, ph = width - left - right, height - top - bottom
    n = len(points)
    step = pw / max(1, n - 1)
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" aria-label="{e(label)}">']

    def y_of(v):
        return top + ph - (v - y_min) / (y_max - y_min) * ph

    for t in range(int(y_min), int(y_max) + 1, 20):
        y = y_of(t)
        out.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" stroke="#e3e7ec"/>')
        out.append(f'<text x="{left - 6}" y="{y + 4:.1f}" font-size="11" text-anchor="end" fill="#5f6b7a">{t}</text>')
    coords = []
    for i, (x, y) in enumerate(points):
        cx = left + (i * step if n > 1 else pw / 2)
        out.append(f'<text x="{cx:.1f}" y="{height - 12}" font-size="12" text-anchor="middle">{e(x)}</text>')
        if y is not None:
            coords.append((cx, y_of(y), y))
    if len(coords) > 1:
        path = " ".join(f"{cx:.1f},{cy:.1f}" for cx, cy, _ in coords)
        out.append(f'<polyline points="{path}" fill="none" stroke="#1f4e79" stroke-width="2.5"/>')
    for cx, cy, v in coords:
        out.append(f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="4.5" fill="#1f4e79"/>')
        out.append(f'<text x="{cx:.1f}" y="{cy - 9:.1f}" font-size="12" font-weight="700" text-anchor="middle">{e(_n(v))}</text>')
    out.append("</svg>")
    return "".join(out)


# --- sections -------------------------------------------------------------------------------


def _name(p: Project, s: GroupSummary) -> str:
    """A project's name, with its budget year when the report spans several years."""
    title = project_title(p)
    return f"{title}（{p.budget_year}）" if len(s.years) > 1 and p.budget_year else title


def _rule_title(code: str) -> str:
    rule = catalogue().get(code)
    return rule.title if rule else code


def _key_points(s: GroupSummary) -> list[str]:
    """The few sentences a reviewer needs before reading tables (HTML, already escaped)."""
    points = []
    weak = [p for p in s.projects if p.grade in ("中", "差")]
    if weak:
        names = "、".join(f"“{e(_name(p, s))}”（{_n(p.score)}）" for p in sorted(weak, key=lambda p: p.score or 0)[:5])
        more = f" 等 {len(weak)} 个" if len(weak) > 5 else ""
        points.append(f"<b>{len(weak)} 个项目评为中或差</b>，建议退回修改：{names}{more}。")
    else:
        scored = [p for p in s.projects if p.score is not None]
        lowest = min(scored, key=lambda p: p.score) if scored else None
        tail = f"得分最低的是“{e(_name(lowest, s))}”（{_n(lowest.score)}）。" if lowest and len(scored) > 1 else ""
        points.append(f"没有评为中或差的项目。{tail}")
    err_projects = [p for p in s.projects if any(f.severity == "error" for f in all_findings(p))]
    if err_projects:
        n_err = s.severities["error"]
        points.append(f"{len(err_projects)} 个项目共有 <b>{n_err} 个错误级问题</b>（必须修改），见“待改进指标”和批注版 Excel。")
    by_rule = Counter(f.code for p in s.projects for f in all_findings(p))
    if by_rule:
        top = "；".join(f'<a href="#rule-{e(c)}">{e(c)}</a> {e(_rule_title(c))} {n} 处' for c, n in by_rule.most_common(3))
        points.append(f"最常见的问题：{top}。")
    low = [ev for p in s.projects for ev in p.evaluation if (c := completion(ev)).met is False]
    if low:
        points.append(f"自评表中 {len(low)} 项指标未完成年度目标。")
    if len(s.years) > 1:
        points.append(f"包含 {len(s.years)} 个预算年度（{'、'.join(map(str, s.years))}），见“跨年度趋势”。")
    return points


def _summary_section(s: GroupSummary) -> str:
    g = s.grades
    sev = s.severities
    mean = _n(s.mean_score)
    cards = [
        ("项目", f"{len(s.projects)}", f"三级指标 {s.indicators} 条" + (f"，自评指标 {s.evaluation_rows} 条" if s.evaluation_rows else "")),
        ("平均得分", mean, f"等级 {s.grade}" if s.grade else ""),
        ("等级分布", " ".join(f"{k}{g[k]}" for k in GRADES if g[k]) or "—", "优≥90 良≥80 中≥60 差<60"),
        ("问题", f"{s.findings}", f"错误 {sev['error']}　警告 {sev['warning']}　提示 {sev['info']}"),
    ]
    html_cards = "".join(
        f'<div class="card"><div class="k">{e(k)}</div><div class="v">{e(v)}</div><div class="s">{e(sub)}</div></div>' for k, v, sub in cards
    )
    points = "".join(f"<li>{p}</li>" for p in _key_points(s))
    return f'<section id="summary"><h2>概览</h2><div class="cards">{html_cards}</div><ul class="keypoints">{points}</ul></section>'


def _score_chart(s: GroupSummary, title: str) -> str:
    bounds = formula()["grade"]
    rows = []
    ordered = sorted(s.projects, key=lambda p: (p.score if p.score is not None else -1, project_title(p)))
    for p in ordered[:CHART_LIMIT]:
        rows.append(
            {
                "label": _name(p, s),
                "value": p.score or 0,
                "colour": GRADE_COLOUR.get(p.grade or "", "#8a96a3"),
                "text": f"{_n(p.score)} {p.grade or ''}",
                "tip": f"{_name(p, s)}：{_n(p.score)}（{p.grade or '—'}）",
            }
        )
    grade_lines = tuple((bounds[g], f"{g}≥{bounds[g]}", GRADE_COLOUR[g]) for g in ("中", "良", "优"))
    return svg_hbars(rows, max_value=100, ticks=(0, 20, 40, 60, 80, 100), rules=grade_lines, title=title)


def _projects_section(s: GroupSummary) -> str:
    multi_unit = len(s.units) > 1
    mixed = len({p.kind for p in s.projects}) > 1
    head = "<tr><th>#</th>" + ("<th>单位</th>" if multi_unit else "") + "<th>项目名称</th>" + ("<th>表格</th>" if mixed else "")
    head += "<th class=num>年度</th><th class=num>预算（万元）</th><th class=num>指标</th>"
    head += "".join(f"<th class=num>{p}</th>" for p in PARTS) + "<th class=num>得分</th><th>等级</th><th class=num>错误</th><th class=num>警告</th><th class=num>提示</th></tr>"
    body = []
    ordered = sorted(s.projects, key=lambda p: (p.score if p.score is not None else -1, project_title(p)))
    for i, p in enumerate(ordered, 1):
        c = severity_counts(all_findings(p))
        parts = p.score_parts or {}
        cells = [f"<td class=num>{i}</td>"]
        if multi_unit:
            cells.append(f"<td>{e(unit_label(p))}</td>")
        cells += [
            f"<td>{e(project_title(p))}" + ("" if mixed or p.kind == "target" else f' <span class="muted small">（{e(kind_label(p))}）</span>') + "</td>",
            *([f"<td>{e(kind_label(p))}</td>"] if mixed else []),
            f"<td class=num>{e(p.budget_year or '—')}</td>",
            f"<td class=num>{'—' if p.budget is None else f'{p.budget:,.2f}'}</td>",
            f"<td class=num>{len(p.indicators) or len(p.evaluation)}</td>",
        ]
        cells += [f"<td class=num>{_n(parts.get(part))}</td>" for part in PARTS]
        cells += [f"<td class=num><b>{_n(p.score)}</b></td>", f"<td class=c>{grade_badge(p.grade)}</td>"]
        for sev in ("error", "warning", "info"):
            cls = f" sev-{sev}" if c[sev] else ""
            cells.append(f'<td class="num{cls}">{c[sev]}</td>')
        body.append("<tr>" + "".join(cells) + "</tr>")
    weights = formula()["weight"]
    weight_text = "，".join(f"{p} {weights[p]}%" for p in PARTS)
    chart = _score_chart(s, "各项目质量得分")
    limited = f"，仅显示得分最低的 {CHART_LIMIT} 个" if len(s.projects) > CHART_LIMIT else ""
    return (
        '<section id="projects"><h2>项目得分与等级</h2>'
        f'<figure>{chart}<figcaption>各项目质量得分（0–100，由低到高排列{e(limited)}；虚线为等级分界）。得分 = 四个维度加权：{e(weight_text)}，方法见 docs/SCORING.md。</figcaption></figure>'
        f"<table><thead>{head}</thead><tbody>{''.join(body)}</tbody></table></section>"
    )


def _rules_section(s: GroupSummary) -> str:
    counts: Counter = Counter()
    projects_with: dict[str, set] = defaultdict(set)
    severities: dict[str, Counter] = defaultdict(Counter)
    for p in s.projects:
        for f in all_findings(p):
            counts[f.code] += 1
            projects_with[f.code].add(id(p))
            severities[f.code][f.severity] += 1
    if not counts:
        return '<section id="rules"><h2>问题按规则</h2><p>未发现问题。</p></section>'
    rules = catalogue()
    ordered = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    rows = []
    for code, n in ordered:
        sev = severities[code].most_common(1)[0][0]
        rows.append({"label": f"{code} {_rule_title(code)}", "value": n, "colour": SEV_COLOUR[sev], "text": str(n)})
    chart = svg_hbars(rows, max_value=max(counts.values()) * 1.08, label_width=260, title="问题按规则")
    body = []
    for code, n in ordered:
        rule = rules.get(code)
        sev = severities[code].most_common(1)[0][0]
        body.append(
            f'<tr><td><a href="#rule-{e(code)}"><b>{e(code)}</b></a></td><td style="min-width:11em">{e(rule.title if rule else code)}<br><span class="muted small">{e(rule.slug if rule else "")}</span></td>'
            f"<td class=c>{sev_badge(sev)}</td><td class=num>{n}</td><td class=num>{len(projects_with[code])}</td>"
            f'<td class="small">{e(rule.family if rule else "")}：{e((rule.doc.splitlines() or [""])[0] if rule else "")}</td></tr>'
        )
    return (
        '<section id="rules"><h2>问题按规则</h2>'
        f"<figure>{chart}<figcaption>颜色表示级别：红色错误，橙色警告，蓝色提示。点击规则代码查看规则说明（与 <code>indicatorqa rules 代码</code> 相同）。</figcaption></figure>"
        "<table><thead><tr><th>代码</th><th>规则</th><th>级别</th><th class=num>数量</th><th class=num>涉及项目</th><th>说明</th></tr></thead>"
        f"<tbody>{''.join(body)}</tbody></table></section>"
    )


def _coverage_section(s: GroupSummary) -> str:
    targets = [p for p in s.projects if p.kind == "target" and p.indicators]
    if not targets:
        return ""
    matrix = []
    for p in targets:
        c = Counter(canonical_level2(i.level2) or canonical_level2(i.level1) or "" for i in p.indicators)
        matrix.append((p, c))
    rows = []
    for level in LEVEL2_CANONICAL:
        covered = sum(1 for _, c in matrix if c.get(level))
        share = covered / len(matrix)
        expected = level in EXPECTED_LEVEL2
        colour = ("#2e7d32" if share >= 0.999 else "#e0a100" if share >= 0.5 else "#c62828") if expected else "#7b8da3"
        rows.append(
            {
                "label": LEVEL2_LABEL[level] + ("（应有）" if expected else ""),
                "value": share * 100,
                "colour": colour,
                "text": f"{share:.0%}（{covered}/{len(matrix)}）",
                "tip": f"{LEVEL2_LABEL[level]}：{covered} 个项目有此类指标，共 {len(matrix)} 个",
            }
        )
    chart = svg_hbars(rows, max_value=100, label_width=170, ticks=(0, 25, 50, 75, 100), title="二级指标覆盖率")
    head = "<tr><th>项目</th>" + "".join(f"<th class=num>{e(LEVEL2_LABEL[lv])}</th>" for lv in LEVEL2_CANONICAL) + "<th class=num>未识别</th></tr>"
    body = []
    for p, c in sorted(matrix, key=lambda pc: (project_title(pc[0]), pc[0].budget_year or 0)):
        cells = [f'<td class="name">{e(_name(p, s))}</td>']
        for level in LEVEL2_CANONICAL:
            n = c.get(level, 0)
            cls = ("h0" if level in EXPECTED_LEVEL2 else "") if n == 0 else f"h{min(3, n)}"
            cells.append(f'<td class="{cls}">{n or ("✗" if level in EXPECTED_LEVEL2 else "")}</td>')
        cells.append(f"<td>{c.get('', 0) or ''}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return (
        '<section id="coverage"><h2>二级指标覆盖</h2>'
        f"<figure>{chart}<figcaption>有该类二级指标的项目占比。标“应有”的类别缺失时会报 P001；效益类按项目内容选用。</figcaption></figure>"
        '<h3>各项目的指标条数</h3><p class="note">✗ 表示缺少应有的类别。</p>'
        f'<table class="heat"><thead>{head}</thead><tbody>{"".join(body)}</tbody></table></section>'
    )


def _worst_section(s: GroupSummary) -> str:
    items: list[tuple[Project, int, Indicator]] = [
        (p, i, ind) for p in s.projects for i, ind in enumerate(p.indicators, 1) if ind.findings and (ind.score or 0) < 100
    ]
    if not any(p.indicators for p in s.projects):
        return ""
    if not items:
        return '<section id="worst"><h2>待改进指标与改写建议</h2><p>没有存在问题的三级指标。</p></section>'
    items.sort(key=lambda t: (t[2].score if t[2].score is not None else 0, SEVERITY_ORDER[worst_severity(t[2].findings) or "info"], -len(t[2].findings)))
    shown = items[:WORST_LIMIT]
    any_sugg = any(ind.suggestions for _, _, ind in items)
    body = []
    for p, row, ind in shown:
        findings = "".join(finding_html(f) for f in ind.findings)
        if ind.suggestions:
            sg = ind.suggestions[0]
            sugg = f'<div class="sugg"><span class="v">{e(sg.name)}：{e(sg.value)}</span>'
            if sg.description:
                sugg += f'<br><span class="small">描述：{e(sg.description)}</span>'
            if sg.basis:
                sugg += f'<br><span class="small muted">数值依据：{e(sg.basis)}</span>'
            src = f"{sg.source}" + (f"，相似度 {sg.similarity:.2f}" if sg.similarity is not None else "")
            sugg += f'<br><span class="small muted">来源：{e(src)}</span></div>'
            for other in ind.suggestions[1:3]:
                note = f'（{e(other.note)}）' if other.note else ""
                sugg += f'<div class="small muted">或：{e(other.name)}：{e(other.value)}{note}</div>'
        else:
            sugg = '<span class="muted small">—</span>'
        body.append(
            f"<tr><td class=num><b>{_n(ind.score, 0)}</b></td>"
            f'<td>{e(_name(p, s))}<br><span class="muted small">第 {row} 条 · {e(ind.level2 or ind.level1 or "")}</span></td>'
            f"<td><b>{e(ind.name)}</b>" + (f'<br><span class="small muted">{e(ind.description)}</span>' if ind.description and ind.description != ind.name else "") + "</td>"
            f"<td>{e(ind.value)}</td><td>{findings}</td>" + (f"<td>{sugg}</td>" if any_sugg else "") + "</tr>"
        )
    note = f"共 {len(items)} 条指标存在问题，这里列出得分最低的 {len(shown)} 条；全部问题见批注版 Excel 的“问题清单”。"
    if not any_sugg:
        note += "本次未生成改写建议（使用了 --no-suggest 或检索模型不可用）。"
    return (
        '<section id="worst"><h2>待改进指标与改写建议</h2>'
        f'<p class="note">{e(note)} 建议中的数字只在有依据时给出（项目目标、预算或语料库常见范围），否则留“【待填】”。</p>'
        "<table><thead><tr><th class=num>得分</th><th style=\"width:18%\">项目</th><th style=\"width:18%\">三级指标</th><th style=\"width:11%\">指标值</th><th>问题</th>"
        + ("<th style=\"width:26%\">建议改写</th>" if any_sugg else "")
        + "</tr></thead>"
        f"<tbody>{''.join(body)}</tbody></table></section>"
    )


def _ratio_bucket(ratio: float | None, met: bool | None, too_low: float) -> str:
    if ratio is None:
        return "无法比较"
    if met is False:
        return "未完成目标"
    if abs(ratio - 1) <= 0.1:
        return "与目标基本持平（±10%）"
    if ratio < 1:
        return "低于上限 10% 以上"
    if ratio < too_low:
        return f"超出目标 10%–{(too_low - 1) * 100:.0f}%"
    return f"超出目标 {(too_low - 1) * 100:.0f}% 以上（目标偏低）"


def _selfeval_section(s: GroupSummary) -> str:
    evals = [p for p in s.projects if p.evaluation]
    if not evals:
        return ""
    too_low = default_thresholds()["s001_ratio"]
    rows, buckets = [], Counter()
    for p in evals:
        for ev in p.evaluation:
            done = completion(ev)
            bucket = _ratio_bucket(done.ratio, done.met, too_low)
            buckets[bucket] += 1
            rows.append((p, ev, done, bucket))
    order = [
        "未完成目标",
        "与目标基本持平（±10%）",
        f"超出目标 10%–{(too_low - 1) * 100:.0f}%",
        f"超出目标 {(too_low - 1) * 100:.0f}% 以上（目标偏低）",
        "低于上限 10% 以上",
        "无法比较",
    ]
    colours = ["#c62828", "#2e7d32", "#7cb342", "#e0a100", "#1f5fa8", "#9aa5b1"]
    hist = [
        {"label": b, "value": buckets.get(b, 0), "colour": c, "text": f"{buckets.get(b, 0)} 项"}
        for b, c in zip(order, colours)
        if buckets.get(b, 0)
    ]
    chart_hist = svg_hbars(hist, max_value=max(x["value"] for x in hist) * 1.1, label_width=260, title="目标设定准确性")
    deviating = [
        r for r in rows if r[2].ratio is not None and (r[2].met is False or abs(r[2].ratio - 1) > 0.1)
    ]
    deviating.sort(key=lambda r: -(r[2].ratio or 0))
    ratio_rows = []
    for p, ev, done, bucket in deviating:
        colour = "#c62828" if done.met is False else "#e0a100" if done.ratio >= too_low else "#1f5fa8" if done.ratio < 1 else "#7cb342"
        ratio_rows.append(
            {
                "label": ev.name,
                "ratio": done.ratio,
                "colour": colour,
                "tip": f"{ev.name}：目标 {ev.target}，实际 {ev.actual}（{_pct(done.ratio)}）",
            }
        )
    chart_ratio = svg_ratio_chart(ratio_rows)
    comparable = sum(1 for r in rows if r[2].ratio is not None)
    cards = [
        ("自评指标", str(len(rows)), f"可与目标比较 {comparable} 项"),
        ("未完成目标", str(buckets.get("未完成目标", 0)), "实际未达到年度指标值"),
        ("目标偏低", str(buckets.get(order[3], 0)), f"实际 ≥ 目标的 {too_low:g} 倍（S001）"),
        ("基本持平", str(buckets.get(order[1], 0)), "实际与目标相差不超过 10%"),
    ]
    html_cards = "".join(
        f'<div class="card"><div class="k">{e(k)}</div><div class="v">{e(v)}</div><div class="s">{e(sub)}</div></div>' for k, v, sub in cards
    )
    exec_parts = []
    for p in evals:
        total = f"自评总分 {_n(p.total_score, 2)}" if p.total_score is not None else ""
        if p.execution is not None:
            ex = p.execution
            exec_parts.append(
                f"<li>{e(_name(p, s))}：{e(total)}；预算执行率 {e(ex.rate or '—')}（全年预算 {e(_n(ex.annual, 2))} 万元，执行 {e(_n(ex.executed, 2))} 万元），"
                f"得分 {e(_n(ex.score, 2))}/{e(_n(ex.weight, 2))}</li>"
            )
        elif total:
            exec_parts.append(f"<li>{e(_name(p, s))}：{e(total)}</li>")
    body = []
    for p, ev, done, bucket in rows:
        flag = worst_severity(ev.findings)
        findings = "".join(finding_html(f) for f in ev.findings)
        ratio_cls = " sev-error" if done.met is False else (" sev-warning" if done.ratio and done.ratio >= too_low else "")
        body.append(
            f"<tr><td class=c>{e(ev.goal if ev.goal is not None else '')}</td><td>{e(ev.name)}<br><span class='muted small'>{e(ev.level2)}</span></td>"
            f"<td>{e(ev.target)}</td><td>{e(ev.actual)}</td><td class=\"num{ratio_cls}\">{_pct(done.ratio)}</td>"
            f"<td class=num>{e(_n(ev.weight, 2))}</td><td class=num>{e(_n(ev.score, 2))}</td>"
            f'<td class="small">{e(ev.reason)}</td><td{" class=sev-" + flag if flag else ""}>{findings}</td></tr>'
        )
    return (
        '<section id="selfeval"><h2>自评：目标设定准确性</h2>'
        + (f"<ul>{''.join(exec_parts)}</ul>" if exec_parts else "")
        + f'<div class="cards">{html_cards}</div>'
        f"<figure>{chart_hist}<figcaption>按“实际完成值 ÷ 年度指标值”分档。超出很多说明年初目标定得过低，未完成需说明偏差原因。</figcaption></figure>"
        + (
            f"<h3>偏离目标 10% 以上的指标</h3><figure>{chart_ratio}<figcaption>实际 ÷ 目标（对数刻度，竖线为 100%）。红色未完成，橙色目标偏低（≥{too_low:g} 倍），绿色超出不多，蓝色低于上限（成本、时限类）。</figcaption></figure>"
            if ratio_rows
            else ""
        )
        + "<h3>逐项对照</h3><table><thead><tr><th>目标</th><th style=\"width:22%\">三级指标</th><th style=\"width:11%\">年度指标值</th><th style=\"width:14%\">实际完成值</th>"
        "<th class=num>完成比例</th><th class=num>分值</th><th class=num>得分</th><th style=\"width:20%\">偏差原因分析及改进措施</th><th style=\"width:20%\">问题</th></tr></thead>"
        f"<tbody>{''.join(body)}</tbody></table></section>"
    )


def _trends_section(s: GroupSummary) -> str:
    if len(s.years) < 2:
        return ""
    by_year: dict[int, list[Project]] = defaultdict(list)
    for p in s.projects:
        if p.budget_year:
            by_year[p.budget_year].append(p)
    points, body = [], []
    rule_year: dict[str, Counter] = defaultdict(Counter)
    for year in s.years:
        ps = by_year[year]
        scores = [p.score for p in ps if p.score is not None]
        mean = sum(scores) / len(scores) if scores else None
        points.append((str(year), mean))
        findings = [f for p in ps for f in all_findings(p)]
        n_ind = sum(len(p.indicators) + len(p.evaluation) for p in ps)
        per100 = 100 * len(findings) / n_ind if n_ind else None
        c = severity_counts(findings)
        for f in findings:
            rule_year[f.code][year] += 1
        grades = Counter(p.grade for p in ps)
        body.append(
            f"<tr><td>{year}</td><td class=num>{len(ps)}</td><td class=num>{n_ind}</td><td class=num><b>{_n(mean)}</b></td>"
            f"<td>{' '.join(f'{g}{grades[g]}' for g in GRADES if grades[g]) or '—'}</td>"
            f"<td class=num>{_n(per100)}</td><td class=num>{c['error']}</td><td class=num>{c['warning']}</td><td class=num>{c['info']}</td></tr>"
        )
    lows = [v for _, v in points if v is not None]
    y_min = max(0, min(60, int(min(lows) // 20 * 20))) if lows else 0
    chart = svg_line(points, y_min=y_min, label="平均得分按预算年度")
    rule_head = "<tr><th>规则</th>" + "".join(f"<th class=num>{y}</th>" for y in s.years) + "</tr>"
    rule_body = "".join(
        f'<tr><td><a href="#rule-{e(code)}">{e(code)}</a> {e(_rule_title(code))}</td>' + "".join(f"<td class=num>{cnt.get(y, 0) or ''}</td>" for y in s.years) + "</tr>"
        for code, cnt in sorted(rule_year.items(), key=lambda kv: (-sum(kv[1].values()), kv[0]))
    )
    return (
        '<section id="trends"><h2>跨年度趋势</h2>'
        f"<figure>{chart}<figcaption>各预算年度项目平均质量得分。</figcaption></figure>"
        "<table><thead><tr><th>预算年度</th><th class=num>项目</th><th class=num>指标</th><th class=num>平均得分</th><th>等级分布</th>"
        "<th class=num>每百条指标问题数</th><th class=num>错误</th><th class=num>警告</th><th class=num>提示</th></tr></thead>"
        f"<tbody>{''.join(body)}</tbody></table>"
        f"<h3>各规则问题数按年度</h3><table><thead>{rule_head}</thead><tbody>{rule_body}</tbody></table></section>"
    )


def _rule_docs_section(s: GroupSummary) -> str:
    codes = sorted({f.code for p in s.projects for f in all_findings(p)})
    if not codes:
        return ""
    rules = catalogue()
    parts = []
    for code in codes:
        rule = rules.get(code)
        if rule is None:
            continue
        how = "分类器判定" if rule.learned else "规则判定"
        ex = ""
        if rule.bad:
            ex += '<div class="ex">会被指出：' + "；".join(f"✗ {e(x)}" for x in rule.bad) + "</div>"
        if rule.good:
            ex += '<div class="ex">合格写法：' + "；".join(f"✓ {e(x)}" for x in rule.good) + "</div>"
        parts.append(
            f'<div class="ruledoc" id="rule-{e(code)}"><b>{e(code)} {e(rule.slug)}：{e(rule.title)}</b> {sev_badge(rule.severity)} '
            f'<span class="muted small">{e(rule.family)} · {how}</span><p>{e(rule.doc)}</p>{ex}</div>'
        )
    return (
        '<section id="rule-docs"><h2>规则说明</h2><p class="note">与命令 <code>indicatorqa rules 代码</code> 的说明相同；'
        "可在 indicatorqa.toml 中停用规则或调整级别。</p>" + "".join(parts) + "</section>"
    )


# --- pages ----------------------------------------------------------------------------------


def _sources(projects: list[Project]) -> list[str]:
    seen = []
    for p in projects:
        f = p.source.file if p.source and p.source.file else None
        if f and f not in seen:
            seen.append(f)
    return seen


def render_unit_html(s: GroupSummary, generated: dt.datetime | None = None, by: str = "unit", xlsx_name: str | None = None) -> str:
    """The report for one group (a unit by default) as a complete HTML document."""
    generated = generated or dt.datetime.now().replace(microsecond=0)
    sections = [
        ("summary", "概览", _summary_section(s)),
        ("projects", "项目得分", _projects_section(s)),
        ("rules", "问题按规则", _rules_section(s)),
        ("coverage", "二级指标覆盖", _coverage_section(s)),
        ("worst", "待改进指标", _worst_section(s)),
        ("selfeval", "自评", _selfeval_section(s)),
        ("trends", "跨年度趋势", _trends_section(s)),
        ("rule-docs", "规则说明", _rule_docs_section(s)),
    ]
    toc = "".join(f'<a href="#{sid}">{e(name)}</a>' for sid, name, body in sections if body)
    kicker = {"unit": "单位报告", "project": "项目报告", "all": "汇总报告"}.get(by, "报告")
    meta = []
    if by != "unit" or len(s.units) > 1:
        meta.append(f"<span>单位：{e('、'.join(s.units[:6]))}{' 等' if len(s.units) > 6 else ''}</span>")
    else:
        meta.append(f"<span>单位：{e(s.units[0] if s.units else s.title)}</span>")
    meta.append(f"<span>预算年度：{e('、'.join(map(str, s.years)) or '未注明')}</span>")
    meta.append(f"<span>生成：{generated:%Y-%m-%d %H:%M}</span>")
    links = ['<a href="index.html">← 返回总览</a>']
    if xlsx_name:
        links.append(f'<a href="{e(quote(xlsx_name))}">下载批注版 Excel（{e(xlsx_name)}）</a>')
    sources = _sources(s.projects)
    src = ""
    if sources:
        shown = "、".join(sources[:5]) + (f" 等 {len(sources)} 个文件" if len(sources) > 5 else "")
        src = f'<div class="meta">数据来源：{e(shown)}</div>'
    header = (
        f'<header class="top"><div class="kicker">预算绩效指标质量审核 · {e(kicker)}</div>'
        f"<h1>{e(s.title)}</h1><div class=\"meta\">{''.join(meta)}</div>{src}"
        f'<nav class="toc noprint">{"".join(links)}　{toc}</nav></header>'
    )
    footer = (
        "<footer>本报告由 indicatorqa 离线生成：逐条指标按规则目录检查（规则代码稳定，可在配置中停用或调整级别），"
        "每个项目按完整性、相关性、适当性、可行性四个维度评分，等级：优 ≥90，良 ≥80，中 ≥60，差 &lt;60（详见 docs/SCORING.md）。"
        "问题与建议供审核参考，以财政部门审核意见为准。</footer>"
    )
    return _page(f"{s.title} · 预算绩效指标质量审核报告", header + "".join(body for _, _, body in sections) + footer)


def render_index_html(summaries: list[GroupSummary], errors=(), generated: dt.datetime | None = None, by: str = "unit") -> str:
    """The page across groups: ranked by mean score, each linking to its report and workbook."""
    generated = generated or dt.datetime.now().replace(microsecond=0)
    noun = {"unit": "单位", "project": "项目", "all": "汇总"}.get(by, "单位")
    projects = [p for s in summaries for p in s.projects]
    scores = [p.score for p in projects if p.score is not None]
    mean = sum(scores) / len(scores) if scores else None
    findings = [f for p in projects for f in all_findings(p)]
    sev = severity_counts(findings)
    grades = Counter(p.grade for p in projects if p.grade)
    ranked = sorted(summaries, key=lambda s: (-(s.mean_score if s.mean_score is not None else -1), s.severities["error"], s.title))
    cards = [
        (f"{noun}数", str(len(summaries)), ""),
        ("项目", str(len(projects)), f"三级指标 {sum(s.indicators for s in summaries)} 条"),
        ("平均得分", _n(mean), "全部项目的平均"),
        ("等级分布", " ".join(f"{g}{grades[g]}" for g in GRADES if grades[g]) or "—", "优≥90 良≥80 中≥60 差<60"),
        ("问题", str(len(findings)), f"错误 {sev['error']}　警告 {sev['warning']}　提示 {sev['info']}"),
    ]
    html_cards = "".join(
        f'<div class="card"><div class="k">{e(k)}</div><div class="v">{e(v)}</div><div class="s">{e(sub)}</div></div>' for k, v, sub in cards
    )
    bars = [
        {
            "label": s.title,
            "value": s.mean_score or 0,
            "colour": GRADE_COLOUR.get(s.grade or "", "#8a96a3"),
            "text": f"{_n(s.mean_score)} {s.grade or ''}",
        }
        for s in ranked
    ]
    bounds = formula()["grade"]
    chart = svg_hbars(
        bars,
        max_value=100,
        ticks=(0, 20, 40, 60, 80, 100),
        rules=tuple((bounds[g], f"{g}≥{bounds[g]}", GRADE_COLOUR[g]) for g in ("中", "良", "优")),
        title=f"{noun}平均得分",
    )
    body = []
    for rank, s in enumerate(ranked, 1):
        page = quote(f"{s.stem}.html")
        book = quote(f"{s.stem}.xlsx")
        gd = " ".join(f"{g}{s.grades[g]}" for g in GRADES if s.grades.get(g)) or "—"
        c = s.severities
        body.append(
            f"<tr><td class=num>{rank}</td><td><a href=\"{e(page)}\"><b>{e(s.title)}</b></a></td>"
            f"<td class=num>{len(s.projects)}</td><td class=num>{s.indicators + s.evaluation_rows}</td>"
            f"<td>{e('、'.join(map(str, s.years)) or '—')}</td><td class=num><b>{_n(s.mean_score)}</b></td><td class=c>{grade_badge(s.grade)}</td>"
            f"<td>{e(gd)}</td>"
            + "".join(f'<td class="num{" sev-" + k if c[k] else ""}">{c[k]}</td>' for k in ("error", "warning", "info"))
            + f'<td><a href="{e(page)}">报告</a> · <a href="{e(book)}">Excel</a></td></tr>'
        )
    err_html = ""
    errors = list(errors)
    if errors:
        items = "".join(
            f"<li><b>{e(getattr(x, 'file', None) or '')}</b>：{e(getattr(x, 'message', str(x)))}"
            + (f"（第 {e(x.row)} 行）" if getattr(x, "row", None) is not None else "")
            + "</li>"
            for x in errors
        )
        err_html = f'<section id="errors"><h2>无法读取的文件（{len(errors)} 个）</h2><p class="note">这些文件未计入上面的统计，请修正后重新运行。</p><ul>{items}</ul></section>'
    header = (
        '<header class="top"><div class="kicker">预算绩效指标质量审核 · 总览</div>'
        f"<h1>各{e(noun)}绩效目标质量排名</h1>"
        f'<div class="meta"><span>{e(noun)} {len(summaries)} 个</span><span>项目 {len(projects)} 个</span><span>生成：{generated:%Y-%m-%d %H:%M}</span></div></header>'
    )
    table = (
        f'<section id="ranking"><h2>{e(noun)}排名</h2><figure>{chart}<figcaption>按项目平均质量得分排名（虚线为等级分界）。点击名称打开该{e(noun)}的报告。</figcaption></figure>'
        f"<table><thead><tr><th class=num>排名</th><th>{e(noun)}</th><th class=num>项目</th><th class=num>指标</th><th>预算年度</th>"
        "<th class=num>平均得分</th><th>等级</th><th>项目等级分布</th><th class=num>错误</th><th class=num>警告</th><th class=num>提示</th><th>文件</th></tr></thead>"
        f"<tbody>{''.join(body)}</tbody></table></section>"
    )
    footer = "<footer>本页由 indicatorqa 离线生成。评分方法见 docs/SCORING.md；各报告与批注版 Excel 位于同一目录。</footer>"
    summary = f'<section id="summary"><h2>概览</h2><div class="cards">{html_cards}</div></section>'
    return _page(f"预算绩效指标质量审核 · {noun}排名", header + summary + table + err_html + footer)
