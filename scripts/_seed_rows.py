"""Throwaway extractor of indicator rows from the seed text exports.

Used by scripts/measure_embeddings.py only while ``indicatorqa.readers`` cannot read the
seeds yet (the seed reader is being written in parallel).  It understands exactly the
seed export layout: a header of tab-prefixed cells 一级指标/二级指标/三级指标/绩效指标描述/
指标值[/指标值确定依据], then rows of the same number of cells separated by blank lines;
a line without the leading tab continues the previous cell.  Not a product reader.
"""

from __future__ import annotations

from pathlib import Path

HEADER = ["一级指标", "二级指标", "三级指标", "绩效指标描述", "指标值"]


def _groups(lines):
    group = []
    for line in lines:
        if line.strip() == "" and not line.startswith("\t"):
            if group:
                yield group
                group = []
            continue
        group.append(line)
    if group:
        yield group


def _cells(group):
    cells = []
    for line in group:
        if line.startswith("\t") or not cells:
            cells.append(line.lstrip("\t").strip())
        else:
            cells[-1] += line.strip()
    return cells


def extract(path) -> list[dict]:
    rows = []
    lines = Path(path).read_text(encoding="utf-8").splitlines()
    ncols = 0
    level1 = ""
    table = 0
    for group in _groups(lines):
        cells = _cells(group)
        if cells[:5] == HEADER:
            ncols = len(cells)
            table += 1
            level1 = ""
            continue
        if not ncols:
            continue
        if len(cells) != ncols:
            ncols = 0
            continue
        l1, l2, name, desc, value = cells[:5]
        level1 = l1 or level1
        rows.append({"file": Path(path).name, "table": table, "level1": level1, "level2": l2,
                     "name": name, "description": desc, "value": value})
    return rows


def seed_rows(directory="corpus/seeds") -> list[dict]:
    out = []
    for p in sorted(Path(directory).glob("*.txt")):
        out.extend(extract(p))
    return out


if __name__ == "__main__":
    rows = seed_rows()
    print(len(rows), "rows", len({(r["file"], r["table"]) for r in rows}), "tables")
    print(sum(1 for r in rows if r["description"] and r["description"] != r["name"]), "name≠description")
    from collections import Counter
    print(Counter(r["level2"] for r in rows).most_common())
