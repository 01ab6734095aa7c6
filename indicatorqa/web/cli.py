"""``indicatorqa serve``: run the drafting assistant (web page + HTTP API) with uvicorn.

Kept apart from :mod:`indicatorqa.cli` so the web dependencies (fastapi, uvicorn,
sqlalchemy) are imported only when the server actually starts.
"""

from __future__ import annotations

import argparse
import ipaddress
import sys


_DEFAULT_MB = 10.0  # the same as app.DEFAULT_MAX_UPLOAD_MB; not imported, so --help needs no fastapi

_EPILOG = """\
示例 / examples:
  indicatorqa serve                                  # 本机使用：http://127.0.0.1:8000/
  indicatorqa serve --host 0.0.0.0 --port 8080       # 单位内网服务器（无登录，请只在内网开放）
  indicatorqa serve --db review.db                   # 启用审核存储（SQLite）；请求带 store=true 才保存
  indicatorqa serve --db postgresql+psycopg://user@host/iqa   # PostgreSQL（需安装 psycopg）

接口文档 / API docs: http://HOST:PORT/docs （离线可用 / offline），OpenAPI: /openapi.json
"""


def add_serve_parser(subparsers) -> argparse.ArgumentParser:
    p = subparsers.add_parser(
        "serve",
        help="启动填报助手网页与 HTTP API / run the drafting assistant web app and HTTP API",
        description=(
            "启动填报助手：网页上边填边查（问题即时显示、一键采用改写建议、上传表格、下载批注版 Excel），"
            "以及 HTTP API（POST /v1/check、/v1/suggest、/v1/xlsx，GET /v1/rules）。完全离线运行；草稿默认不保存。\n"
            "Run the drafting assistant: a web page with live findings and one-click rewrites, and the HTTP API. "
            "Works offline; drafts are not stored unless a request asks for it and --db is given."
        ),
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--host", default="127.0.0.1", help="监听地址（默认 127.0.0.1，仅本机）/ address to listen on")
    p.add_argument("--port", type=int, default=8000, help="端口（默认 8000）/ port")
    p.add_argument("--config", metavar="TOML", help="配置文件（默认查找 indicatorqa.toml 或 pyproject.toml）/ config file")
    p.add_argument("--models", metavar="DIR", help="已训练模型目录（默认 models/findings）/ trained models directory")
    p.add_argument(
        "--db",
        metavar="URL",
        help="审核存储数据库：文件路径（SQLite）或 SQLAlchemy URL；不给则不保存任何提交 / "
        "reviewer storage: a SQLite path or SQLAlchemy URL; without it nothing is stored",
    )
    p.add_argument(
        "--max-upload",
        type=float,
        default=_DEFAULT_MB,
        metavar="MB",
        help=f"单个请求（上传文件或 JSON）大小上限，MB（默认 {_DEFAULT_MB:g}）/ request size limit in MB",
    )
    p.add_argument("--log-level", default="info", choices=["critical", "error", "warning", "info", "debug"],
                   help="日志级别 / log level")
    p.set_defaults(func=cmd_serve)
    return p


def _is_loopback(host: str) -> bool:
    if host in ("localhost", ""):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def cmd_serve(args) -> int:
    from ..errors import InputError

    if not 0 < args.port < 65536:
        raise InputError(f"端口 {args.port} 无效（应为 1–65535）")
    if not args.max_upload > 0:
        raise InputError("--max-upload 应为正数（MB）")
    try:
        import uvicorn

        from .app import create_app, get_engine
    except ImportError as exc:
        raise InputError(
            f"缺少网页服务依赖（{exc.name}）：请安装 pip install fastapi uvicorn python-multipart sqlalchemy"
        ) from None
    if not _is_loopback(args.host):
        print(
            f"注意：正在 {args.host} 上对外提供服务。本服务没有登录认证，请只在单位内网开放。\n"
            "Note: no authentication; expose only on a trusted intranet.",
            file=sys.stderr,
        )
    print("正在加载模型与语料索引（约十几秒）… / loading models and the corpus index…", file=sys.stderr)
    # Loaded here, before the server starts, so a missing model is one Chinese line (exit 2)
    # rather than a startup traceback; the app's lifespan reuses this engine.
    get_engine(args.config, args.models)
    app = create_app(config_path=args.config, models_dir=args.models, db_url=args.db, max_upload_mb=args.max_upload)
    shown = "127.0.0.1" if args.host in ("0.0.0.0", "::") else args.host
    print(f"填报助手 / drafting assistant: http://{shown}:{args.port}/   API 文档 / docs: http://{shown}:{args.port}/docs",
          file=sys.stderr)
    uvicorn.run(app, host=args.host, port=args.port, log_level=args.log_level, server_header=False)
    return 0
