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
"""

from __future__ import annotations

import json
import re

from pydantic import ValidationError

from ..errors import InputError
from ..model import SCHEMA_VERSION, Document, Project
from . import grid

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
            f'JSON 不是 indicatorqa 数据：应为 {{"schema": "{SCHEMA_VERSION}", "projects": [...]}}、项目列表或单个项目',
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
