"""The HTTP API and the drafting page: ``create_app()`` builds the FastAPI app.

Endpoints (all answers JSON unless noted; errors are ``{"detail": "中文说明"}`` with a 4xx):

- ``POST /v1/check``: the SPEC JSON (``{"schema": "indicatorqa/1", "projects": [...]}``) or a
  multipart upload (field ``file``: .docx/.xlsx/.xls/.csv/.tsv/.txt/.json) → the full SPEC shape
  with findings, scores, grades and suggestions. ``?store=true`` keeps it for reviewers.
- ``POST /v1/xlsx``: the same inputs → the annotated workbook as a download.
- ``POST /v1/suggest``: one indicator (+ budget, year, goals) → rewrites.
- ``GET /v1/rules``, ``GET /healthz``; ``/docs`` and ``/openapi.json`` (served offline).
- Reviewer storage (only with a database): ``GET /v1/submissions``, ``GET /v1/submissions/{id}``,
  ``POST /v1/findings/{id}/decision``.

Why it is built this way:

- The analyzer and the retriever take seconds to load, so they are loaded once at startup
  (lifespan), warmed, and shared; one lock serialises the engine, whose caches (the judge's
  probability cache, the retriever's lazily built index, jieba) were not written for threads.
  A check takes milliseconds, so the lock costs nothing noticeable.
- The request size limit is enforced by a middleware while the body streams in (and from
  Content-Length before reading anything), so a 1 GB upload is refused after 10 MB, not after
  it has filled memory.
- Uploads are read from memory: the bytes go to :func:`indicatorqa.readers.read_bytes`, never to
  a path. The upload's file name is used only as a label in messages (and made harmless first).
  Starlette may spool a large multipart part to a temporary file in the system temp directory;
  the form is closed (and that file deleted) before the answer is sent.
"""

from __future__ import annotations

import io
import json
import logging
import re
import threading
import time
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, Literal
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.openapi.utils import get_openapi
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException

from ..readers.jsonfile import PYDANTIC_MESSAGES_ZH, json_syntax_message
from starlette.formparsers import MultiPartException

from .. import __version__
from ..errors import InputError
from ..model import SCHEMA_VERSION, Indicator, Project, Report, Suggestion

log = logging.getLogger("indicatorqa.web")

DEFAULT_MAX_UPLOAD_MB = 10.0
# A 绩效目标表 has tens of indicators; a department's whole year a few thousand. Beyond this a
# single request would hold the engine for minutes: ask for batches (or use the CLI).
MAX_INDICATORS = 5000
STATIC_DIR = Path(__file__).resolve().parent / "static"
DOCS_STATIC = "/docs-static"

# Fields the analysis fills. A JSON input may carry them (e.g. a previous answer sent back
# after an edit): they are dropped, as the JSON file reader does, so stale findings never
# mix with fresh ones.
_PROJECT_ANALYSIS = ("score", "grade", "score_parts", "findings")
_INDICATOR_ANALYSIS = ("score", "findings", "suggestions")
_EVALUATION_ANALYSIS = ("findings",)

# Our own page may load nothing from anywhere else; the Swagger page needs an inline script.
_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)
_SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
]

_STATUS_ZH = {
    400: "请求无效",
    404: "没有这个地址",
    405: "不支持这种请求方法",
    413: "请求内容过大",
    415: "不支持的内容类型",
    422: "请求数据不符合格式",
}


# --- request models (documented in OpenAPI) ---------------------------------------------


class CheckInput(BaseModel):
    """The SPEC JSON shape without analysis: projects with their indicators."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    schema_: Literal["indicatorqa/1"] = Field(SCHEMA_VERSION, alias="schema")
    projects: list[Project] = Field(..., min_length=1)


class IndicatorDraft(BaseModel):
    model_config = ConfigDict(extra="forbid")

    level1: str = Field("", max_length=200, description="一级指标")
    level2: str = Field("", max_length=200, description="二级指标，如 数量指标、社会效益指标")
    name: str = Field(..., min_length=1, max_length=2000, description="三级指标")
    description: str = Field("", max_length=5000, description="绩效指标描述")
    value: str = Field("", max_length=2000, description="指标值")


class SuggestRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    indicator: IndicatorDraft
    budget: float | None = Field(None, ge=0, description="项目预算（万元），用于成本类建议")
    year: int | None = Field(None, ge=1990, le=2100, description="预算年度，用于时效类建议")
    goals: list[str] = Field(default_factory=list, max_length=50, description="绩效目标，每条一项")
    k: int = Field(3, ge=1, le=10, description="建议条数")


class SuggestResponse(BaseModel):
    suggestions: list[Suggestion]


class DecisionRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    decision: Literal["accept", "dismiss"] = Field(..., description="accept 问题成立 / dismiss 问题不成立")
    reason: str = Field("", max_length=2000, description="理由（驳回时必填）")
    reviewer: str = Field("", max_length=64, description="审核人（可选）")

    @model_validator(mode="after")
    def _dismiss_needs_reason(self):
        if self.decision == "dismiss" and not self.reason.strip():
            raise ValueError("驳回（dismiss）一条问题时必须填写理由 reason")
        return self


# --- errors -------------------------------------------------------------------------------


class BodyTooLarge(HTTPException):
    """Raised from inside the body stream. An HTTPException, so that FastAPI's own body
    parsing passes it through instead of turning it into an English 400."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, _too_large(limit))


def _too_large(limit: int) -> str:
    return f"请求内容超过上限 {limit / 1048576:.3g} MB，请拆分后再提交（服务器可用 --max-upload 调整上限）"


_PYDANTIC_ZH = PYDANTIC_MESSAGES_ZH  # one table of messages for files and requests


def _json_path(loc) -> str:
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        elif re.fullmatch(r"[A-Za-z_]\w*", str(part)):
            path += f".{part}" if path else str(part)
        # Pydantic names union branches and function validators in the location; skip them.
    return path or "顶层"


def _error_text(err: dict) -> str:
    kind = err.get("type", "")
    if kind == "value_error":
        reason = str(err.get("msg", "")).removeprefix("Value error, ")
    else:
        reason = _PYDANTIC_ZH.get(kind, f"取值无效（{err.get('msg', '')}）")
    if kind == "literal_error" and err.get("ctx", {}).get("expected"):
        reason += f"（应为 {err['ctx']['expected']}）"
    if kind in ("greater_than_equal", "less_than_equal", "greater_than", "less_than") and err.get("ctx"):
        bound = next(iter(err["ctx"].values()))
        reason += f"（界限 {bound}）"
    got = ""
    if kind not in ("missing", "extra_forbidden", "value_error", "string_too_short") and "input" in err:
        try:
            shown = json.dumps(err["input"], ensure_ascii=False, default=str)
        except (TypeError, ValueError):
            shown = "…"
        got = f"（收到 {shown[:40]}{'…' if len(shown) > 40 else ''}）"
    return reason + got


def _validation_detail(errors: list[dict], prefix_drop: int = 0, intro: str = "请求数据不符合格式") -> JSONResponse:
    items = [{"path": _json_path(tuple(e.get("loc", ()))[prefix_drop:]), "message": _error_text(e)} for e in errors]
    # A whole-object rule (e.g. "dismiss needs a reason") has no path worth showing.
    shown = "；".join(i["message"] if i["path"] == "顶层" else f"{i['path']}：{i['message']}" for i in items[:5])
    more = f"；另有 {len(items) - 5} 处问题" if len(items) > 5 else ""
    return JSONResponse(status_code=422, content={"detail": f"{intro}：{shown}{more}", "errors": items[:50]})


class _Invalid(Exception):
    """A 422 with per-path errors, raised while reading our own JSON input."""

    def __init__(self, errors: list[dict], intro: str = "JSON 数据不符合格式") -> None:
        self.errors = errors
        self.intro = intro


# --- the engine ---------------------------------------------------------------------------


class Engine:
    """The loaded analyzer and retriever, shared by all requests."""

    def __init__(self, config_path: str | None = None, models_dir: str | None = None) -> None:
        from ..cli import build_analyzer, build_retriever

        self.analyzer = build_analyzer(config_path, models_dir)
        self.retriever = build_retriever()
        self.lock = threading.Lock()

    def warm(self) -> None:
        """Build the retrieval index and touch every model once, so the first user waits for nothing."""
        self.retriever.embeddings()
        _ = self.retriever.bm25
        sample = Project(
            name="预热",
            budget=10.0,
            budget_year=2025,
            indicators=[
                Indicator(level1="产出指标", level2="数量指标", name="培训人次", value="提升"),
                Indicator(level1="满意度指标", level2="服务对象满意度指标", name="参训人员满意度", value="≥90%"),
            ],
        )
        self.check([sample])

    def check(self, projects: list[Project]) -> list[Project]:
        from ..cli import check_projects

        with self.lock, _fast_sklearn():
            return check_projects(projects, self.analyzer, self.retriever)

    def suggest(self, indicator: Indicator, project: Project, k: int) -> list[Suggestion]:
        from ..suggest import suggest

        with self.lock, _fast_sklearn():
            # Checked first, as in a table: the findings decide where rewrites are looked for.
            checked = self.analyzer.analyse([project.model_copy(update={"indicators": [indicator]})])[0]
            return suggest(checked.indicators[0], checked, self.retriever, k=k, judge=self.analyzer.judge, config=self.analyzer.config)

    def predict_level2(self, indicator: Indicator) -> str | None:
        judge = self.analyzer.judge
        if judge is None or not indicator.name:
            return None
        with self.lock:
            return judge.verdict("level2", indicator).label


def _fast_sklearn():
    """sklearn re-validates parameters and checks arrays for NaN on every predict; for a fitted
    pipeline fed our own text features that is pure overhead, about a fifth of a one-indicator
    check. The setting is thread-local, so it is entered in the worker thread that runs the check."""
    import sklearn

    return sklearn.config_context(assume_finite=True, skip_parameter_validation=True)


_ENGINES: dict[tuple, Engine] = {}
_ENGINES_LOCK = threading.Lock()


def get_engine(config_path: str | None = None, models_dir: str | None = None) -> Engine:
    """One warmed engine per configuration per process (tests build several apps)."""
    key = (str(config_path) if config_path else None, str(models_dir) if models_dir else None)
    with _ENGINES_LOCK:
        engine = _ENGINES.get(key)
        if engine is None:
            engine = Engine(config_path, models_dir)
            engine.warm()
            _ENGINES[key] = engine
        return engine


# --- middleware: size limit and security headers -------------------------------------------


class GuardMiddleware:
    """Pure ASGI (no per-request task overhead): a body size limit and response headers."""

    def __init__(self, app, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.max_bytes
        for name, value in scope.get("headers", ()):
            if name == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    await _send_json(send, 400, {"detail": "请求头 Content-Length 无效"})
                    return
                if declared > limit:
                    # Refuse before reading a byte of the body.
                    await _send_json(send, 413, {"detail": _too_large(limit)})
                    return
        received = 0

        async def guarded_receive():
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(limit)
            return message

        path = scope.get("path", "")
        own_page = not (path.startswith("/docs") or path.startswith(DOCS_STATIC))
        started = False

        async def send_with_headers(message):
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                headers = list(message.get("headers", []))
                headers.extend(_SECURITY_HEADERS)
                if own_page:
                    headers.append((b"content-security-policy", _CSP.encode()))
                message = {**message, "headers": headers}
            await send(message)

        try:
            await self.app(scope, guarded_receive, send_with_headers)
        except BodyTooLarge:
            if started:
                raise
            await _send_json(send, 413, {"detail": _too_large(limit)})


async def _send_json(send, status: int, content: dict) -> None:
    body = json.dumps(content, ensure_ascii=False).encode("utf-8")
    await send({
        "type": "http.response.start",
        "status": status,
        "headers": [(b"content-type", b"application/json; charset=utf-8"), (b"content-length", str(len(body)).encode()),
                    *_SECURITY_HEADERS],
    })
    await send({"type": "http.response.body", "body": body})


# --- reading the input of /v1/check and /v1/xlsx ----------------------------------------------


def display_name(raw: str | None) -> str:
    """The upload's name as a label for messages: last path component, printable, short.

    Never used to build a path (uploads are read from memory)."""
    name = (raw or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if ch.isprintable()).strip().strip(".")
    return name[:120] or "上传文件"


def _strip_analysis(data: dict) -> dict:
    projects = data.get("projects")
    if not isinstance(projects, list):
        return data
    cleaned = []
    for item in projects:
        if isinstance(item, dict):
            item = {k: v for k, v in item.items() if k not in _PROJECT_ANALYSIS}
            for key, drop in (("indicators", _INDICATOR_ANALYSIS), ("evaluation", _EVALUATION_ANALYSIS)):
                rows = item.get(key)
                if isinstance(rows, list):
                    item[key] = [{k: v for k, v in r.items() if k not in drop} if isinstance(r, dict) else r for r in rows]
        cleaned.append(item)
    return {**data, "projects": cleaned}


def _reject_constant(name: str):
    raise ValueError(f"JSON 中不允许出现 {name}（应为数字或 null）")


def projects_from_json(body: bytes) -> list[Project]:
    """Validate the SPEC JSON shape; raises :class:`HTTPException` (422) with a Chinese message naming the path."""
    if not body.strip():
        raise HTTPException(422, '请求体为空：应为 JSON {"schema": "indicatorqa/1", "projects": [...]}')
    try:
        data = json.loads(body, parse_constant=_reject_constant)
    except json.JSONDecodeError as exc:
        raise HTTPException(422, json_syntax_message(exc)) from None
    except UnicodeDecodeError:
        raise HTTPException(422, "请求体不是 UTF-8 编码的 JSON") from None
    except RecursionError:
        raise HTTPException(422, "JSON 嵌套过深，无法读取") from None
    except ValueError as exc:
        raise HTTPException(422, f"JSON 内容无效：{exc}") from None
    if not isinstance(data, dict):
        raise HTTPException(422, 'JSON 数据不符合格式：顶层应为对象 {"schema": "indicatorqa/1", "projects": [...]}')
    try:
        parsed = CheckInput.model_validate(_strip_analysis(data))
    except ValidationError as exc:
        raise _Invalid(exc.errors(include_url=False)) from None
    return parsed.projects


def read_upload(data: bytes, name: str) -> list[Project]:
    """Read an uploaded file's bytes; any failure is a 400 naming the file."""
    from ..readers import read_bytes

    try:
        doc = read_bytes(data, name)
    except InputError as exc:
        raise HTTPException(400, str(exc)) from None
    except RecursionError:
        raise HTTPException(400, f"文件 {name}：文件结构嵌套过深，无法读取") from None
    except MemoryError:
        raise HTTPException(400, f"文件 {name}：文件内容过大，内存不足以读取") from None
    except Exception as exc:  # noqa: BLE001 - a reader bug is still the user's bad file, never a 500
        log.warning("reader failed on an upload: %s", type(exc).__name__)
        raise HTTPException(400, f"文件 {name}：文件内容无法解析（{type(exc).__name__}）") from None
    if not any(p.indicators or p.evaluation for p in doc.projects):
        raise HTTPException(400, f"文件 {name}：没有找到绩效指标表（需要包含 三级指标 和 指标值 列的表格）")
    return doc.projects


_MULTIPART_ZH = (
    ("Too many files", "一次只能上传一个文件（字段 file）"),
    ("Too many fields", "表单字段过多"),
    ("Part exceeded maximum size", "表单字段内容过长"),
    ("Missing boundary", "multipart 请求缺少 boundary"),
)


def _flag(text: str | None, name: str) -> bool:
    if text is None or text == "":
        return False
    low = str(text).strip().lower()
    if low in ("1", "true", "yes", "on"):
        return True
    if low in ("0", "false", "no", "off"):
        return False
    raise HTTPException(422, f"{name}：应为 true 或 false（收到 {str(text)[:20]!r}）")


async def read_input(request: Request) -> tuple[list[Project], str, str, bool]:
    """(projects, source, display file name, store flag) from a JSON body or a multipart upload."""
    store = _flag(request.query_params.get("store"), "store")
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media == "application/json" or media.endswith("+json"):
        body = await request.body()
        return projects_from_json(body), "json", "", store
    if media == "multipart/form-data":
        try:
            form = await request.form(max_files=1, max_fields=10)
        except (MultiPartException, HTTPException) as exc:
            # Starlette turns a MultiPartException into an English HTTPException(400).
            if isinstance(exc, BodyTooLarge):
                raise
            message = getattr(exc, "message", None) or str(getattr(exc, "detail", ""))
            text = next((zh for en, zh in _MULTIPART_ZH if message.startswith(en)), f"上传的表单格式错误（{message[:80]}）")
            raise HTTPException(400, text) from None
        try:
            upload = form.get("file")
            if upload is None or isinstance(upload, str):
                raise HTTPException(422, "缺少上传文件：表单字段 file 应为一个文件（.docx/.xlsx/.xls/.csv/.txt）")
            name = display_name(upload.filename)
            data = await upload.read()
            form_store = form.get("store")
            if isinstance(form_store, str):
                store = store or _flag(form_store, "store")
        finally:
            await form.close()  # deletes a spooled temporary file, if Starlette made one
        projects = await run_in_threadpool(read_upload, data, name)
        return projects, "upload", name, store
    shown = media or "（无）"
    raise HTTPException(
        415, f"不支持的内容类型 {shown[:60]}：请发送 JSON（application/json）或上传文件（multipart/form-data，字段名 file）"
    )


def _fill_years(projects: list[Project]) -> None:
    """A JSON project without budget_year gets it inferred, as the file readers do (P005 needs it)."""
    from ..budgetyear import infer_budget_year

    for p in projects:
        if p.budget_year is not None:
            continue
        title = "\n".join(t for t in (p.title, p.name) if t)
        texts = [p.use_of_funds] + [g.text for g in p.goals] + [f"{i.name} {i.description}" for i in p.indicators]
        p.budget_year, p.budget_year_evidence = infer_budget_year(title, texts, [i.value for i in p.indicators])


def _limit_size(projects: list[Project]) -> None:
    total = sum(len(p.indicators) + len(p.evaluation) for p in projects)
    if total > MAX_INDICATORS:
        raise HTTPException(413, f"指标共 {total} 条，超过单次请求上限 {MAX_INDICATORS} 条，请分批提交（或使用命令行 indicatorqa check）")


def _report_dict(projects: list[Project]) -> dict:
    from ..render.jsonout import build_report, report_to_dict

    return report_to_dict(build_report(projects))


def _download_name(projects: list[Project]) -> str:
    first = projects[0] if projects else None
    title = (first.unit or first.name) if first else ""
    title = re.sub(r'[\\/:*?"<>|\x00-\x1f\x7f]', "", title).strip()[:60] or "indicatorqa"
    return f"{title}_指标审核批注.xlsx"


# --- OpenAPI: bodies we parse ourselves are still documented ---------------------------------

_CHECK_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {"schema": {"$ref": "#/components/schemas/CheckInput"}},
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "properties": {
                        "file": {"type": "string", "format": "binary", "description": ".docx/.xlsx/.xls/.csv/.tsv/.txt/.json"},
                        "store": {"type": "boolean", "description": "保存供审核（需服务器启用存储）"},
                    },
                    "required": ["file"],
                }
            },
        },
    }
}
_STORE_PARAM = {
    "name": "store",
    "in": "query",
    "required": False,
    "schema": {"type": "boolean", "default": False},
    "description": "保存本次提交及其问题，供审核人员处理（默认不保存；服务器须以 --db 启动）",
}
_ERRORS = {
    400: {"description": "文件无法读取（信息中含文件名）", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorDetail"}}}},
    413: {"description": "请求内容过大", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorDetail"}}}},
    415: {"description": "不支持的内容类型", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorDetail"}}}},
    422: {"description": "数据不符合格式（信息中含 JSON 路径）", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorDetail"}}}},
}


class ErrorDetail(BaseModel):
    detail: str = Field(..., description="中文说明")
    errors: list[dict[str, str]] | None = Field(None, description="每处问题的 JSON 路径 path 与说明 message")


def _openapi(app: FastAPI):
    def build() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        for model in (CheckInput, Report, ErrorDetail):
            js = model.model_json_schema(by_alias=True, ref_template="#/components/schemas/{model}")
            for name, sub in js.pop("$defs", {}).items():
                components.setdefault(name, sub)
            components[model.__name__] = js
        app.openapi_schema = schema
        return schema

    return build


# --- the app --------------------------------------------------------------------------------


def create_app(
    config_path: str | None = None,
    models_dir: str | None = None,
    db_url: str | None = None,
    store: bool = False,
    max_upload_mb: float = DEFAULT_MAX_UPLOAD_MB,
) -> FastAPI:
    """Build the app. Storage is on when ``db_url`` is given or ``store`` is true
    (then SQLite ``indicatorqa-review.db`` in the working directory)."""
    storage_on = bool(db_url) or store
    max_bytes = int(max_upload_mb * 1048576)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        app.state.engine = await run_in_threadpool(get_engine, config_path, models_dir)
        app.state.store = None
        if storage_on:
            from .store import Store

            app.state.store = await run_in_threadpool(Store, db_url)
        try:
            yield
        finally:
            if app.state.store is not None:
                app.state.store.close()

    app = FastAPI(
        title="indicatorqa 预算绩效指标检查 API",
        version=__version__,
        description=(
            "检查预算绩效目标表的指标质量：每条指标的问题、得分与量化改写建议，项目的四项得分与等级。"
            "输入与输出均为 SPEC 约定的 JSON（schema indicatorqa/1）；也可上传 .docx/.xlsx/.xls/.csv/文本文件。"
            "错误均为 {\"detail\": \"中文说明\"}。"
        ),
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
    )
    app.add_middleware(GuardMiddleware, max_bytes=max_bytes)
    app.openapi = _openapi(app)
    app.state.max_bytes = max_bytes
    app.state.storage_on = storage_on

    # --- error handlers: JSON {"detail": 中文} everywhere ---
    @app.exception_handler(HTTPException)
    async def _http_error(request: Request, exc: HTTPException):
        detail = exc.detail
        if not isinstance(detail, str) or not re.search(r"[\u4e00-\u9fff]", detail):
            detail = _STATUS_ZH.get(exc.status_code, "请求失败")
        return JSONResponse(status_code=exc.status_code, content={"detail": detail}, headers=getattr(exc, "headers", None))

    @app.exception_handler(RequestValidationError)
    async def _validation_error(request: Request, exc: RequestValidationError):
        errors = list(exc.errors())
        # FastAPI prefixes body errors with "body"; the client knows its body as the top level.
        for e in errors:
            loc = tuple(e.get("loc", ()))
            if loc and loc[0] in ("body", "query", "path"):
                e["loc"] = loc[1:] if loc[0] == "body" else loc
        return _validation_detail(errors)

    @app.exception_handler(_Invalid)
    async def _invalid(request: Request, exc: _Invalid):
        return _validation_detail(exc.errors, intro=exc.intro)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception):
        log.exception("unexpected error on %s", request.url.path)
        return JSONResponse(status_code=500, content={"detail": "服务器内部错误，请联系管理员（详情见服务器日志）"})

    # --- pages ---
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    docs_static = _docs_static_dir()
    if docs_static is not None:
        app.mount(DOCS_STATIC, StaticFiles(directory=docs_static), name="docs-static")

    @app.get("/", include_in_schema=False)
    def index():
        return FileResponse(STATIC_DIR / "index.html", media_type="text/html; charset=utf-8",
                            headers={"cache-control": "no-cache"})

    @app.get("/docs", include_in_schema=False)
    def docs():
        if docs_static is None:
            return HTMLResponse(_plain_docs_html())
        return get_swagger_ui_html(
            openapi_url="/openapi.json",
            title="indicatorqa API",
            swagger_js_url=f"{DOCS_STATIC}/swagger-ui-bundle.js",
            swagger_css_url=f"{DOCS_STATIC}/swagger-ui.css",
            swagger_favicon_url=f"{DOCS_STATIC}/favicon.png",
        )

    # --- API ---
    @app.get("/healthz", summary="健康检查", tags=["服务"])
    def healthz(request: Request):
        return {
            "status": "ok",
            "version": __version__,
            "schema": SCHEMA_VERSION,
            "storage": request.app.state.store is not None,
            "max_upload_mb": round(request.app.state.max_bytes / 1048576, 3),
        }

    @app.get("/v1/rules", summary="规则目录", tags=["检查"])
    def rules():
        from ..rules import catalogue

        return {
            "rules": [
                {"code": r.code, "slug": r.slug, "title": r.title, "severity": r.severity, "field": r.field,
                 "family": r.family, "learned": r.learned, "doc": r.doc, "bad": list(r.bad), "good": list(r.good)}
                for r in catalogue().values()
            ]
        }

    @app.post(
        "/v1/check",
        summary="检查指标：JSON 或上传文件",
        tags=["检查"],
        openapi_extra={**_CHECK_BODY, "parameters": [_STORE_PARAM]},
        responses={200: {"description": "SPEC 约定的完整结果", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Report"}}}}, **_ERRORS},
    )
    async def check(request: Request):
        projects, source, name, store_flag = await read_input(request)
        _limit_size(projects)
        state = request.app.state
        if store_flag and state.store is None:
            raise HTTPException(409, "服务器未启用审核存储：请用 indicatorqa serve --db 数据库 启动后再保存（默认不保存草稿）")
        _fill_years(projects)
        started = time.perf_counter()
        checked = await run_in_threadpool(state.engine.check, projects)
        report = _report_dict(checked)
        # The engine's own time, so a client (and bench/bench_api.py) can tell it from the network.
        headers = {"Server-Timing": f"check;dur={(time.perf_counter() - started) * 1000:.1f}"}
        if store_flag:
            sub_id = await run_in_threadpool(
                state.store.save, checked, report, source, name, state.engine.predict_level2
            )
            headers.update({"X-Submission-Id": str(sub_id), "Location": f"/v1/submissions/{sub_id}"})
        return JSONResponse(report, headers=headers)

    @app.post(
        "/v1/xlsx",
        summary="下载批注版 Excel",
        tags=["检查"],
        openapi_extra=_CHECK_BODY,
        responses={200: {"description": "批注版 .xlsx", "content": {"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {}}}, **_ERRORS},
    )
    async def xlsx(request: Request):
        projects, _source, _name, _store = await read_input(request)
        _limit_size(projects)
        _fill_years(projects)
        checked = await run_in_threadpool(request.app.state.engine.check, projects)
        data = await run_in_threadpool(_workbook_bytes, checked)
        filename = _download_name(checked)
        return Response(
            data,
            media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            headers={"Content-Disposition": f"attachment; filename=\"indicatorqa-review.xlsx\"; filename*=UTF-8''{quote(filename)}"},
        )

    @app.post("/v1/suggest", summary="为一条指标给出量化改写建议", tags=["检查"], response_model=SuggestResponse,
              responses={422: _ERRORS[422]})
    async def suggest_one(body: SuggestRequest, request: Request):
        from ..model import Goal

        d = body.indicator
        ind = Indicator(level1=d.level1, level2=d.level2, name=d.name, description=d.description, value=d.value)
        project = Project(
            name="",
            budget=body.budget,
            budget_year=body.year,
            budget_year_evidence="请求参数 year" if body.year else "",
            goals=[Goal(number=n, text=t) for n, t in enumerate(body.goals, 1) if t.strip()],
        )
        found = await run_in_threadpool(request.app.state.engine.suggest, ind, project, body.k)
        return {"suggestions": [s.model_dump(mode="json", exclude_none=True) for s in found]}

    # --- reviewer storage ---
    def _store(request: Request):
        st = request.app.state.store
        if st is None:
            raise HTTPException(409, "服务器未启用审核存储：请用 indicatorqa serve --db 数据库 启动")
        return st

    @app.get("/v1/submissions", summary="已保存的提交（审核用）", tags=["审核"])
    def submissions(request: Request):
        return {"submissions": _store(request).list_submissions()}

    @app.get("/v1/submissions/{submission_id}", summary="一次提交：结果、问题编号与审核意见", tags=["审核"])
    def submission(submission_id: int, request: Request):
        found = _store(request).submission(submission_id)
        if found is None:
            raise HTTPException(404, f"没有编号为 {submission_id} 的提交")
        return found

    @app.post("/v1/findings/{finding_id}/decision", summary="审核意见：接受或驳回一条问题", tags=["审核"],
              responses={404: {"description": "没有这条问题"}, 409: {"description": "未启用存储"}, 422: _ERRORS[422]})
    def decide(finding_id: int, body: DecisionRequest, request: Request):
        result = _store(request).decide(finding_id, body.decision, body.reason.strip(), body.reviewer.strip())
        if result is None:
            raise HTTPException(404, f"没有编号为 {finding_id} 的问题")
        return result

    return app


def _workbook_bytes(projects: list[Project]) -> bytes:
    from ..render.xlsx import build_workbook

    buffer = io.BytesIO()
    build_workbook(projects).save(buffer)
    return buffer.getvalue()


def _docs_static_dir() -> Path | None:
    """Swagger UI files shipped by the fastapi-offline package (no CDN); None if not installed."""
    try:
        import fastapi_offline
    except ImportError:
        return None
    path = Path(fastapi_offline.__file__).resolve().parent / "static"
    return path if (path / "swagger-ui-bundle.js").is_file() else None


def _plain_docs_html() -> str:
    return (
        "<!doctype html><meta charset=utf-8><title>indicatorqa API</title>"
        "<p>接口说明见 <a href=/openapi.json>/openapi.json</a>（安装 fastapi-offline 后此处显示交互式文档）。</p>"
    )
