"""JSON in the data model's shape.

Three shapes are read:

* the contract ``{"schema": "indicatorqa/1", "projects": [...]}`` (what ``parse`` and
  ``check --format json`` print; a ``Document`` dump with ``file``/``format`` is read too);
* a list of projects;
* a single project.

Analysis fields (``score``, ``grade``, ``score_parts``, ``findings``, ``suggestions``)
and the ``errors`` list of an earlier run are **dropped**: a file read here is input
to a new check, and stale findings must never mix with fresh ones. So the output of
``check`` fed back in reads to what ``parse`` would have printed, and checking it
again gives the same findings.

A JSON that does not fit the model gets one Chinese line naming the file and the
JSON path of the first problem (``projects[0].indicators[3].value``).

Budget systems (预算管理一体化系统 and the like) export JSON of their own: Chinese labels
(项目名称, 三级指标, 指标值 …) or pinyin initials (xmmc, jxzb, sjzb, zbz, jldw …) in either
case, often wrapped in an envelope (``{"code": 0, "msg": "成功", "data": {"list": [...]}}``).
Such a document is recognised by its keys (``data/json_aliases.toml``), never by guessing:
only a key that the alias table or the table-header vocabulary names, and that is not
one of the model's own field names, makes a document an export. Its keys are mapped to
the model's fields; keys the table does not know are the system's own and are ignored.
The tool's own format keeps its strict checks: a document that uses only the model's
field names is validated as before, so a typo there is still reported.
"""

from __future__ import annotations

import json
import re
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

from pydantic import ValidationError

from ..errors import InputError
from .. import model
from ..model import SCHEMA_VERSION, Document, Goal, Indicator, Project, Source
from . import flat, form, grid

_PROJECT_ANALYSIS = ("score", "grade", "score_parts", "findings")
_INDICATOR_ANALYSIS = ("score", "findings", "suggestions")
_EVALUATION_ANALYSIS = ("findings",)
_CONTAINER_KEYS = {"schema", "projects", "errors", "file", "format", "encoding"}

_JSON_MESSAGES = (
    ("Expecting value", "此处缺少值"),
    ("Expecting ',' delimiter", "缺少逗号"),
    ("Expecting ':' delimiter", "缺少冒号"),
    ("Expecting property name enclosed in double quotes", "键名必须用双引号括起来（或多了一个逗号）"),
    ("Unterminated string", "字符串没有结束引号"),
    ("Invalid control character", "字符串中有控制字符（换行须写成 \\n）"),
    ("Invalid \\escape", "无效的转义符"),
    ("Invalid \\uXXXX escape", "无效的 \\u 转义"),
    ("Extra data", "JSON 结束后还有多余内容"),
)

# pydantic error types in plain Chinese; the web API uses the same words.
PYDANTIC_MESSAGES_ZH = {
    "missing": "缺少必填字段",
    "extra_forbidden": "不认识的字段",
    "string_type": "应为字符串",
    "float_type": "应为数字",
    "float_parsing": "应为数字",
    "int_type": "应为整数",
    "int_parsing": "应为整数",
    "int_from_float": "应为整数",
    "bool_type": "应为 true 或 false",
    "bool_parsing": "应为 true 或 false",
    "list_type": "应为列表",
    "dict_type": "应为对象",
    "model_type": "应为对象",
    "model_attributes_type": "应为对象",
    "literal_error": "取值不在允许的范围内",
    "enum": "取值不在允许的范围内",
    "string_pattern_mismatch": "格式不符合要求",
    "greater_than_equal": "数值太小",
    "greater_than": "数值太小",
    "less_than_equal": "数值太大",
    "less_than": "数值太大",
    "finite_number": "应为有限的数字",
    "too_short": "至少需要一项",
    "too_long": "项数过多",
    "string_too_short": "不能为空",
    "string_too_long": "文字过长",
    "json_invalid": "JSON 格式错误",
    "json_type": "应为 JSON",
}


def read_json(text: str, file: str) -> Document:
    """Read JSON text; raises :class:`InputError` only."""
    with grid.reading(file, "JSON 文件"):
        return _read_json(text, file)


def _reject_constant(name: str):
    raise InputError(f"JSON 中不允许出现 {name}（应为数字或 null）")


def json_syntax_message(exc: json.JSONDecodeError) -> str:
    """A JSON syntax error in Chinese, with where it is (files and web requests alike)."""
    message = next((zh for en, zh in _JSON_MESSAGES if exc.msg.startswith(en)), exc.msg)
    return f"JSON 格式错误：第 {exc.lineno} 行第 {exc.colno} 列，{message}"


def _read_json(text: str, file: str) -> Document:
    try:
        data = json.loads(text, parse_constant=_reject_constant)
    except json.JSONDecodeError as exc:
        raise InputError(json_syntax_message(exc), file, row=None) from None
    except InputError as exc:
        raise InputError(exc.message, file) from None
    except RecursionError:
        raise InputError("JSON 嵌套过深，无法读取", file) from None
    except ValueError as exc:  # e.g. an integer literal with thousands of digits
        raise InputError(f"JSON 内容无效（{exc}）", file) from None

    if not (isinstance(data, dict) and "projects" in data):
        # The tool's own container is never an export; anything else may be one.
        export = _find_export(data, "", [], 0)
        if export is not None:
            return Document(file=file, format="json", projects=_read_export(export, file))
        if isinstance(data, dict) and _envelope_keys(data) and not set(data) & _PROJECT_NOT_ENVELOPE:
            # {"code": 0, "msg": "成功", "data": …} is an envelope, not a project of ours:
            # validating it as one would only report its msg key, which says nothing
            # about what is missing. A project of ours with a stray "data" key still
            # gets the strict check below.
            raise InputError(_no_export_message(data), file)
    items, prefix = _project_items(data, file)
    projects = []
    for k, item in enumerate(items):
        path = f"{prefix}[{k}]" if prefix is not None else ""
        if not isinstance(item, dict):
            raise InputError(f"JSON 数据不符合格式：{path or '顶层'} 应为项目对象", file)
        try:
            projects.append(Project.model_validate(_strip_analysis(item)))
        except ValidationError as exc:
            raise InputError(f"JSON 数据不符合格式：{_describe(exc, path)}", file) from None
    return Document(file=file, format="json", projects=projects)


def _project_items(data, file: str) -> tuple[list, str | None]:
    """The project objects of the three accepted shapes, and their JSON path prefix."""
    if isinstance(data, list):
        return data, ""
    if not isinstance(data, dict):
        raise InputError("JSON 顶层应为对象或列表（indicatorqa 报告、项目列表或单个项目）", file)
    if "projects" in data:
        unknown = sorted(set(data) - _CONTAINER_KEYS)
        if unknown:
            raise InputError(f"JSON 数据不符合格式：顶层有不认识的字段 {unknown[0]}", file)
        schema = data.get("schema")
        if schema is not None and schema != SCHEMA_VERSION:
            raise InputError(f"不支持的 JSON 版本 schema={schema!r}（支持 {SCHEMA_VERSION}）", file)
        projects = data["projects"]
        if not isinstance(projects, list):
            raise InputError("JSON 数据不符合格式：projects 应为列表", file)
        return projects, "projects"
    if not set(data) & set(Project.model_fields):
        raise InputError(
            f'JSON 不是 indicatorqa 数据：应为 {{"schema": "{SCHEMA_VERSION}", "projects": [...]}}、项目列表或单个项目；'
            f"预算系统导出的 JSON 应含{_expected('project', 'name')}和{_expected('project', 'indicators')}列表",
            file,
        )
    return [data], None


def _strip_analysis(item: dict) -> dict:
    item = {k: v for k, v in item.items() if k not in _PROJECT_ANALYSIS}
    for key, drop in (("indicators", _INDICATOR_ANALYSIS), ("evaluation", _EVALUATION_ANALYSIS)):
        rows = item.get(key)
        if isinstance(rows, list):
            item[key] = [{k: v for k, v in r.items() if k not in drop} if isinstance(r, dict) else r for r in rows]
    return item


def _json_path(prefix: str, loc: tuple) -> str:
    path = prefix
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        elif re.fullmatch(r"[A-Za-z_]\w*", str(part)):
            path += f".{part}" if path else str(part)
        else:
            # Pydantic names union branches and tagged types in the location; skip them.
            continue
    return path or "顶层"


def _describe(exc: ValidationError, prefix: str) -> str:
    errors = exc.errors(include_url=False)
    first = errors[0]
    path = _json_path(prefix, tuple(first.get("loc", ())))
    reason = PYDANTIC_MESSAGES_ZH.get(first.get("type", ""), f"取值无效（{first.get('msg', '')}）")
    got = ""
    if first.get("type") not in ("missing",) and "input" in first:
        shown = json.dumps(first["input"], ensure_ascii=False, default=str)
        if first.get("type") != "extra_forbidden":
            got = f"（收到 {shown[:40]}{'…' if len(shown) > 40 else ''}）"
    more = f"；另有 {len(errors) - 1} 处问题" if len(errors) > 1 else ""
    return f"{path}：{reason}{got}{more}"


# ---------------------------------------------------------------------------
# Exports of budget systems

# How deep envelopes are searched for the project list; real exports wrap two or three
# levels ({"data": {"page": {"records": [...]}}}), and a bound keeps hostile input cheap.
_MAX_ENVELOPE_DEPTH = 6
# How deep an indicator tree (一级 → 二级 → 三级 as nested children) is followed.
_MAX_TREE_DEPTH = 4
# Longer keys are text, not field names (and would only fill the lookup cache).
_MAX_KEY_LENGTH = 40

# Ranks of a key's match: an alias of the table (its position in the list), the model's
# own field name, the table-header vocabulary. A lower rank names the field better.
_RANK_OWN = 500
_RANK_VOCABULARY = 1000

# The model's own names, accepted in an export too (a system that copied some of them).
# They never make a document an export by themselves: that is what keeps the own
# format strict.
_OWN_NAMES = {
    "project": {
        "name": "name", "code": "code", "unit": "unit", "unitcode": "unit_code", "budget": "budget",
        "budgetfiscal": "budget_fiscal", "budgetother": "budget_other", "goals": "goals",
        "useoffunds": "use_of_funds", "budgetyear": "budget_year", "indicators": "indicators",
    },
    "indicator": {
        "level1": "level1", "level2": "level2", "name": "name", "description": "description",
        "value": "value", "valuebasis": "value_basis",
    },
}
_OWN_KEYS = frozenset(
    name
    for cls in (
        model.Project, model.Indicator, model.Source, model.Goal, model.Finding, model.Suggestion,
        model.EvaluationRow, model.BudgetExecution, model.SpendingPlanEntry, model.Document,
    )
    for name in cls.model_fields
) | {"schema", "errors"}
# A response code is the one model field name envelopes use as well.
_PROJECT_NOT_ENVELOPE = frozenset(Project.model_fields) - {"code"}

# flat.field_rank_of's fields (the table-header vocabulary) as this module names them, per level.
_VOCABULARY_FIELDS = {
    "project": {
        "project": "name", "project_code": "code", "unit": "unit", "unit_code": "unit_code",
        "budget": "budget", "budget_fiscal": "budget_fiscal", "budget_other": "budget_other",
        "goals": "goals", "use_of_funds": "use_of_funds", "budget_year": "budget_year",
    },
    "indicator": {
        f: f for f in (
            "level1", "level2", "name", "description", "value", "value_basis", "symbol",
            "direction", "measure_unit", "value_low", "value_high",
        )
    },
}
_INDICATOR_TEXT = ("level1", "level2", "name", "description", "value", "value_basis", "symbol",
                   "direction", "measure_unit", "value_low", "value_high")
_VALUE_FIELDS = ("value", "value_low", "value_high")
# An envelope's own fields that speak for every project in it (a unit's export of its
# projects names the unit once; {"nd": "2025", "list": [...]} names the year once).
_INHERITED = ("unit", "unit_code", "budget_year", "money_unit")
_YEAR = re.compile(r"(?<!\d)(?:19|20)\d{2}(?!\d)")


@dataclass(frozen=True)
class _Aliases:
    envelope: frozenset[str]
    fields: dict[str, dict[str, tuple[str, int]]]  # level → normalised key → (field, rank)
    labels: dict[tuple[str, str], str]
    examples: dict[tuple[str, str], list[str]]
    not_levels: frozenset[str]


def _norm_key(key: str) -> str:
    """A key reduced for lookup: XMMC, xm_mc, xmMc and 预算金额（元） as xmmc / 预算金额."""
    text = form.normalize_label(key)
    return re.sub(r"[\s_\-.]", "", text).casefold()


@lru_cache(maxsize=1)
def _aliases() -> _Aliases:
    data = tomllib.loads(resources.files("indicatorqa").joinpath("data/json_aliases.toml").read_text("utf-8"))
    fields: dict[str, dict[str, tuple[str, int]]] = {}
    labels: dict[tuple[str, str], str] = {}
    examples: dict[tuple[str, str], list[str]] = {}
    for level in ("project", "indicator"):
        table: dict[str, tuple[str, int]] = {}
        for fld, entry in data[level].items():
            for rank, key in enumerate(entry["keys"]):
                table.setdefault(_norm_key(key), (fld, rank))
            labels[(level, fld)] = entry.get("label", fld)
            examples[(level, fld)] = list(entry.get("examples", entry["keys"][:3]))
        fields[level] = table
    keys = data["envelope"]["keys"]
    return _Aliases(
        envelope=frozenset(_norm_key(k) for k in keys),
        fields=fields,
        labels=labels,
        examples=examples,
        not_levels=frozenset(data.get("levels", {}).get("not_levels", ())),
    )


@lru_cache(maxsize=4096)
def _resolve(key: str, level: str) -> tuple[str, int] | None:
    """(field, rank) a key of an export names at ``level`` ("project" or "indicator")."""
    if len(key) > _MAX_KEY_LENGTH:
        return None
    norm = _norm_key(key)
    hit = _aliases().fields[level].get(norm)
    if hit is not None:
        return hit
    own = _OWN_NAMES[level].get(norm)
    if own is not None:
        return own, _RANK_OWN
    vocabulary = flat.field_rank_of(key)
    if vocabulary is not None:
        fld = _VOCABULARY_FIELDS[level].get(vocabulary[0])
        if fld is not None:
            return fld, _RANK_VOCABULARY + vocabulary[1]
    return None


def _expected(level: str, fld: str) -> str:
    """A field as messages name it: 项目名称（如 xmmc、projectName）."""
    aliases = _aliases()
    label = aliases.labels[(level, fld)]
    shown = [e for e in aliases.examples[(level, fld)] if e != label]
    return f"{label}（如 {'、'.join(shown)}）" if shown else label


def _text(value: object) -> str:
    """A JSON value as the text of a table cell; objects have no text of their own."""
    if value is None:
        return ""
    if isinstance(value, str):
        return form.clean_cell(value)
    if isinstance(value, bool | int | float):
        return grid.format_number(value)
    if isinstance(value, list):
        return "\n".join(t for t in (_text(v) for v in value if not isinstance(v, dict | list)) if t)
    return ""


# A candidate value of a field: (sort key, key as written, value). The sort key starts
# with where the key sits (0 the object, 1 an object inside it, 2 an envelope around it)
# and its rank; a lower key wins.
_Candidate = tuple[tuple[int, ...], str, object]


@dataclass
class _Scan:
    """What one object of an export holds, by field, at the project and indicator level."""

    project: dict[str, list[_Candidate]] = field(default_factory=dict)
    indicator: dict[str, list[_Candidate]] = field(default_factory=dict)
    evidence: set[str] = field(default_factory=set)  # project fields named by export keys
    row_evidence: set[str] = field(default_factory=set)  # indicator fields named by export keys
    direct_evidence: set[str] = field(default_factory=set)  # project fields named by the object's own keys
    lists: list[tuple[str, str, list]] = field(default_factory=list)  # (field or "", key, list)

    def candidates(self, level: str, fld: str) -> list[_Candidate]:
        return sorted((self.project if level == "project" else self.indicator).get(fld, ()), key=lambda c: c[0])

    def text(self, level: str, fld: str) -> str:
        for _order, _key, value in self.candidates(level, fld):
            text = _text(value)
            if text:
                return text
        return ""

    def first(self, level: str, fld: str) -> tuple[str, object] | None:
        """The best (key, value) of a field that is filled in."""
        for _order, key, value in self.candidates(level, fld):
            if _text(value) or (isinstance(value, list) and value):
                return key, value
        return None

    @property
    def is_project(self) -> bool:
        """Names a project (its name or its indicator list) with an export's keys."""
        return "name" in self.evidence or "indicators" in self.evidence

    @property
    def is_direct_project(self) -> bool:
        """Names a project with keys of its own, not only through objects inside it."""
        return "name" in self.direct_evidence or "indicators" in self.direct_evidence

    @property
    def is_row(self) -> bool:
        """One indicator per object, project fields repeated (a table row as JSON)."""
        ev = self.row_evidence
        return bool(ev & set(_VALUE_FIELDS)) and bool(ev & {"name", "description"})

    @property
    def is_weak_project(self) -> bool:
        return bool(self.evidence & {"code", "unit", "unit_code"})


def _scan(obj: dict, inherited: _Scan | None = None) -> _Scan:
    """Map an object's keys, and those of objects directly inside it ({"xmxx": {...}}).

    Keys of the object itself come before those of inner objects, which come before
    what an envelope around it says (``inherited``).
    """
    scan = _Scan()
    entries = [(0, k, v) for k, v in obj.items()]
    entries += [(1, k, v) for inner in obj.values() if isinstance(inner, dict) for k, v in inner.items()]
    for order, (depth, key, value) in enumerate(entries):
        if not isinstance(key, str):
            continue
        project_hit = _resolve(key, "project")
        indicator_hit = _resolve(key, "indicator")
        if isinstance(value, list):
            is_list_field = project_hit is not None and project_hit[0] == "indicators"
            scan.lists.append(("indicators" if is_list_field else "", key, value))
            if is_list_field and project_hit[1] != _RANK_OWN and key not in _OWN_KEYS:
                scan.evidence.add("indicators")
                if depth == 0:
                    scan.direct_evidence.add("indicators")
        for level, hit, bucket, evidence in (
            ("project", project_hit, scan.project, scan.evidence),
            ("indicator", indicator_hit, scan.indicator, scan.row_evidence),
        ):
            if hit is None or hit[0] == "indicators" or isinstance(value, dict):
                continue
            bucket.setdefault(hit[0], []).append(((depth, hit[1], order), key, value))
            if hit[1] != _RANK_OWN and key not in _OWN_KEYS:
                evidence.add(hit[0])
                if depth == 0 and level == "project":
                    scan.direct_evidence.add(hit[0])
    if inherited is not None:
        for fld in _INHERITED:
            for order, key, value in inherited.project.get(fld, ()):
                scan.project.setdefault(fld, []).append(((2, *order), key, value))
    return scan


def _envelope_keys(obj: dict) -> list[str]:
    """The keys of an object that wrap further data (data, list, rows …), in table order."""
    envelope = _aliases().envelope
    return [
        k for k, v in obj.items()
        if isinstance(k, str) and isinstance(v, dict | list | str) and _norm_key(k) in envelope
    ]


@dataclass
class _Export:
    records: list  # the project objects (or indicator rows) as found
    path: str  # JSON path of the list ("" for the top level)
    single: bool  # one object rather than a list
    context: _Scan | None  # what the envelopes around it say


def _find_export(node: object, path: str, envelopes: list[dict], depth: int) -> _Export | None:
    """The projects of a budget system's export, or None when ``node`` holds none."""
    if depth > _MAX_ENVELOPE_DEPTH:
        return None
    context = _context(envelopes)
    if isinstance(node, list):
        for record in node:
            if isinstance(record, dict):
                scan = _scan(record)
                if scan.is_project or scan.is_row or scan.is_weak_project:
                    return _Export(node, path, False, context)
        return None
    if not isinstance(node, dict):
        return None
    scan = _scan(node)
    if scan.is_direct_project or scan.is_row:
        return _Export([node], path, True, context)
    # {"data": {"xmxx": {…}, "jxzb": […]}}: the project is inside the envelope, even
    # though the envelope's inner objects name project fields too.
    for key in _envelope_keys(node):
        inner = node[key]
        if isinstance(inner, str):
            # Some systems send the payload as a JSON string inside the envelope.
            inner = _inner_json(inner)
            if inner is None:
                continue
        found = _find_export(inner, f"{path}.{key}" if path else key, [*envelopes, node], depth + 1)
        if found is not None:
            return found
    if scan.is_project or scan.is_weak_project:
        return _Export([node], path, True, context)
    return None


def _inner_json(text: str) -> object | None:
    text = text.strip()
    if not text.startswith(("{", "[")):
        return None
    try:
        return json.loads(text, parse_constant=_reject_constant)
    except (ValueError, InputError, RecursionError):
        return None


def _context(envelopes: list[dict]) -> _Scan | None:
    """What the envelopes say for all their projects; the innermost speaks first."""
    if not envelopes:
        return None
    merged = _Scan()
    for rank, envelope in enumerate(reversed(envelopes)):
        scan = _scan(envelope)
        for fld in _INHERITED:
            for (_depth, r, order), key, value in scan.project.get(fld, ()):
                merged.project.setdefault(fld, []).append(((rank, r, order), key, value))
    return merged


def _no_export_message(data: dict) -> str:
    where = "、".join(_envelope_keys(data)[:3])
    return (
        f"JSON 不是 indicatorqa 数据，{where} 下也没有找到预算系统导出的项目：每个项目应有"
        f"{_expected('project', 'name')}和{_expected('project', 'indicators')}列表，"
        f"每条指标应有{_expected('indicator', 'name')}和{_expected('indicator', 'value')}"
    )


def _no_name_message(where: str) -> str:
    return f"预算系统导出的 JSON 中的项目没有项目名称{where}：应有{_expected('project', 'name')}等字段"


def _location(export: _Export, k: int) -> str:
    """The JSON path of the ``k``-th record: data.list[1]."""
    if export.single:
        return export.path or "顶层"
    return f"{export.path}[{k}]"


def _path(export: _Export, k: int, key: str = "") -> str:
    """Where a record (or one of its keys) sits, for messages: （位置：data.list[1].jxzb）."""
    return f"（位置：{_location(export, k)}{'.' + key if key else ''}）"


def _read_export(export: _Export, file: str) -> list[Project]:
    scans = [(k, _scan(r, export.context)) for k, r in enumerate(export.records) if isinstance(r, dict)]
    nested = [(k, s, _indicator_list(s)) for k, s in scans]
    if any(lst is not None for _k, _s, lst in nested):
        projects = _nested_projects(export, nested, file)
    elif any(s.is_row for _k, s in scans):
        projects = _row_projects(export, scans, file)
    else:
        first = next((k for k, s in scans if s.is_project or s.is_weak_project), 0)
        raise InputError(
            f"预算系统导出的 JSON 中没有找到绩效指标列表{_path(export, first)}：项目应有"
            f"{_expected('project', 'indicators')}等字段，每条指标应有{_expected('indicator', 'name')}和"
            f"{_expected('indicator', 'value')}",
            file,
        )
    flat._infer_years(projects, "")
    return grid.finish_projects(projects)


def _indicator_list(scan: _Scan) -> tuple[str, list] | None:
    """The project's indicator list: under a key the table names, else a list that reads as one."""
    for fld, key, value in scan.lists:
        if fld == "indicators":
            return key, value
    for _fld, key, value in scan.lists:
        if _looks_like_indicators(value, 0):
            return key, value
    return None


def _looks_like_indicators(items: list, depth: int) -> bool:
    # A sample of each level is enough to tell, and keeps a hostile tree cheap.
    for item in items[:10]:
        if not isinstance(item, dict):
            continue
        scan = _scan(item)
        has_value = any(scan.indicator.get(f) for f in _VALUE_FIELDS)
        if has_value and (scan.indicator.get("name") or scan.indicator.get("description")):
            return True
        if depth < _MAX_TREE_DEPTH - 1 and scan.indicator and any(
            _looks_like_indicators(lst, depth + 1) for _f, _k, lst in scan.lists
        ):
            return True
    return False


def _nested_projects(export: _Export, nested: list, file: str) -> list[Project]:
    projects = []
    nonempty_list = None
    for k, scan, found in nested:
        if found is None and not scan.is_project:
            continue  # a summary or status object next to the projects
        where = _path(export, k)
        name = scan.text("project", "name")
        if not name:
            raise InputError(_no_name_message(where), file)
        project = _project(scan, file)
        if found is not None:
            key, items = found
            rows: list[tuple[str, str, dict[str, str]]] = []
            _indicator_rows(items, ("", ""), 0, rows)
            project.indicators = _indicators(rows, file)
            if items and nonempty_list is None:
                nonempty_list = _path(export, k, key)
        projects.append(project)
    if not any(p.indicators for p in projects):
        if nonempty_list is not None:
            raise InputError(
                f"预算系统导出的 JSON 中的绩效指标没有可识别的字段{nonempty_list}：每条指标应有"
                f"{_expected('indicator', 'name')}和{_expected('indicator', 'value')}",
                file,
            )
        raise InputError("预算系统导出的 JSON 中，所有项目的绩效指标列表都是空的", file)
    return projects


def _row_projects(export: _Export, scans: list[tuple[int, _Scan]], file: str) -> list[Project]:
    """Projects of rows that each hold one indicator; rows of one 单位 + 项目名称 form one project."""
    groups: dict[tuple[str, str], list[_Scan]] = {}
    carry = {"unit": "", "name": ""}
    for k, scan in scans:
        if not scan.is_row:
            continue
        scan = _row_scan(scan)
        for fld in carry:
            text = scan.text("project", fld)
            if text and not form.is_ditto(text):
                carry[fld] = text  # a blank or 同上 cell is the one above, as in tables
        if not carry["name"]:
            raise InputError(_no_name_message(_path(export, k)), file)
        groups.setdefault((carry["unit"], carry["name"]), []).append(scan)
    projects = []
    for (unit, name), rows in groups.items():
        project = _project(_first_filled(rows), file)
        project.unit, code = form.split_unit(unit)
        project.unit_code = project.unit_code or code
        project.name = name
        texts = [_row_texts(s) for s in rows]
        project.indicators = _indicators([(t["level1"], t["level2"], t) for t in texts], file)
        projects.append(project)
    return projects


def _row_scan(scan: _Scan) -> _Scan:
    """A row's keys, each given to one level: the one whose name it matches better.

    In a row a key is a project field or an indicator field, not both: 单位 is the
    measure unit there (the table lists it as such), while 单位名称 stays the unit's name;
    the model's own ``name`` is the indicator's (a tie goes to the indicator, the row's
    own subject).
    """
    best_project = {c[1]: c[0][1] for cands in scan.project.values() for c in cands if c[0][0] < 2}
    best_indicator = {c[1]: c[0][1] for cands in scan.indicator.values() for c in cands}
    row = _Scan(evidence=scan.evidence, row_evidence=scan.row_evidence, lists=scan.lists)
    for fld, cands in scan.project.items():
        kept = [c for c in cands if c[0][0] == 2 or c[1] not in best_indicator or c[0][1] < best_indicator[c[1]]]
        if kept:
            row.project[fld] = kept
    for fld, cands in scan.indicator.items():
        kept = [c for c in cands if c[1] not in best_project or c[0][1] <= best_project[c[1]]]
        if kept:
            row.indicator[fld] = kept
    return row


def _first_filled(scans: list[_Scan]) -> _Scan:
    """One scan whose project fields are the first filled-in value of each over the rows."""
    merged = _Scan()
    for n, scan in enumerate(scans):
        for fld, cands in scan.project.items():
            # Any row's own cell before what the envelope says for all of them.
            merged.project.setdefault(fld, []).extend(
                ((order[0] == 2, n, *order[1:]), key, value) for order, key, value in cands
            )
    return merged


def _project(scan: _Scan, file: str) -> Project:
    unit, code = form.split_unit(scan.text("project", "unit"))
    project = Project(
        unit=unit,
        unit_code=scan.text("project", "unit_code") or code,
        name=scan.text("project", "name"),
        code=scan.text("project", "code"),
        use_of_funds=scan.text("project", "use_of_funds"),
        source=Source(file=file),
    )
    unit_scale = _money_unit_scale(scan.text("project", "money_unit"))
    for fld in ("budget", "budget_fiscal", "budget_other"):
        setattr(project, fld, _amount(scan, fld, unit_scale))
    goals = scan.first("project", "goals")
    if goals is not None:
        project.goals = _goals(goals[1])
    year = scan.first("project", "budget_year")
    if year is not None:
        text = _text(year[1])
        m = _YEAR.search(text)
        if m:
            project.budget_year = int(m.group(0))
            project.budget_year_evidence = f"JSON 字段：{year[0]} {text}"
    return project


def _money_unit_scale(text: str) -> float:
    """Factor to 万元 of a 金额单位 field (元, 万元, 金额单位：元); 1 when it says none."""
    if not text:
        return 1.0
    note = text if "单位" in text else f"单位：{text}"
    factor = form.money_unit_factor(note)
    return 1.0 if factor is None else factor


def _amount(scan: _Scan, fld: str, unit_scale: float) -> float | None:
    for _order, key, value in scan.candidates("project", fld):
        text = _text(value)
        if not text:
            continue
        # A key such as 预算金额（元） names its own unit, as a table header does;
        # otherwise a 金额单位 field of the export says it.
        scale = flat._money_scale(key)
        if scale == 1.0 and "万元" not in key:
            scale = unit_scale
        amount = form.parse_amount(text, scale)
        if amount is not None:
            return amount
    return None


def _goals(value: object) -> list[Goal]:
    if isinstance(value, list):
        texts = []
        for item in value:
            if isinstance(item, dict):
                # A goal object ({"xh": 1, "mbnr": "…"}): its text is its longest string.
                strings = [_text(v) for v in item.values() if isinstance(v, str)]
                text = max(strings, key=len, default="")
            else:
                text = _text(item)
            if text:
                texts.append(text)
        if len(texts) == 1:
            return form.split_goals(texts[0])
        return [Goal(number=n, text=t) for n, t in enumerate(texts, start=1)]
    return form.split_goals(_text(value))


def _row_texts(scan: _Scan) -> dict[str, str]:
    return {fld: scan.text("indicator", fld) for fld in _INDICATOR_TEXT}


def _indicator_rows(items: list, levels: tuple[str, str], depth: int, out: list) -> None:
    """Indicator rows of a list, following nested children (一级 → 二级 → 三级 trees)."""
    for item in items:
        if not isinstance(item, dict):
            continue
        scan = _scan(item)
        texts = _row_texts(scan)
        children = [lst for _f, _k, lst in scan.lists if any(isinstance(x, dict) for x in lst)]
        if children and depth < _MAX_TREE_DEPTH and not any(texts[f] for f in _VALUE_FIELDS):
            level1, level2 = texts["level1"], texts["level2"]
            heading = texts["name"] or texts["description"]
            if not (level1 or level2) and heading:
                # A tree node named only by its name: the depth says which level it is.
                if not levels[0]:
                    level1 = heading
                elif not levels[1]:
                    level2 = heading
            level1 = level1 or levels[0]
            level2 = level2 or (levels[1] if level1 == levels[0] else "")
            before = len(out)
            for child in children:
                _indicator_rows(child, (level1, level2), depth + 1, out)
            if len(out) > before:
                continue
        out.append((texts["level1"] or levels[0], texts["level2"] or levels[1], texts))


def _indicators(rows: list[tuple[str, str, dict[str, str]]], file: str) -> list[Indicator]:
    not_levels = _aliases().not_levels
    indicators = []
    level1 = level2 = ""
    for cell1, cell2, t in rows:
        cell1 = "" if cell1 in not_levels else cell1
        cell2 = "" if cell2 in not_levels else cell2
        level1, level2 = form.filled_levels(level1, level2, cell1, cell2)
        name, description = t["name"], t["description"]
        if not name and description:
            name, description = description, ""  # no name field: the description names it, as in tables
        if t["value_low"] or t["value_high"]:
            value = form.join_bounds(t["value_low"], t["value_high"], t["measure_unit"])
        elif t["symbol"] or t["measure_unit"] or t["direction"]:
            value = form.join_value(t["symbol"], t["value"], t["measure_unit"], t["direction"])
        else:
            value = t["value"]
        if not (name or description or value):
            continue
        indicators.append(
            Indicator(
                level1=level1,
                level2=level2,
                name=name,
                description=description,
                value=value,
                value_basis=t["value_basis"],
                source=Source(file=file, row=len(indicators) + 1),
            )
        )
    return indicators
