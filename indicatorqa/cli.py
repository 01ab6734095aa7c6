"""Command line: ``indicatorqa parse|check|rules|…``.

Exit codes (the same for every command): 0 all good, 1 error-level findings
present (``check``), 2 usage or input errors (a file could not be read).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

from . import __version__
from .errors import InputError
from .readers import DEFAULT_MAX_BYTES, BatchResult, iter_input_files, read_file

EXIT_OK, EXIT_FINDINGS, EXIT_INPUT = 0, 1, 2

_EPILOG = """\
示例 / examples:
  indicatorqa parse corpus/seeds                 # 读取目录下所有表格，终端表格显示
  indicatorqa parse a.docx b.xlsx --format json  # 输出 JSON（SPEC 约定格式，不含检查结果）
  indicatorqa parse 表.csv -o out.json            # 写入文件（读取全部成功后才写入）

退出码 / exit codes: 0 成功 success; 1 存在错误级问题 error findings; 2 输入或用法错误 input/usage error
"""


class _Parser(argparse.ArgumentParser):
    """argparse that exits with 2 and a Chinese line on usage errors."""

    def error(self, message: str):  # noqa: D401 - argparse API
        self.print_usage(sys.stderr)
        self.exit(EXIT_INPUT, f"indicatorqa：用法错误 / usage error：{message}\n")


def _add_input_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("paths", nargs="+", metavar="FILE|DIR", help="要读取的文件或目录 / files or directories to read")
    p.add_argument(
        "--max-size",
        type=float,
        default=DEFAULT_MAX_BYTES / 1048576,
        metavar="MB",
        help=f"单个文件大小上限（MB，默认 {DEFAULT_MAX_BYTES // 1048576}）/ per-file size limit in MB",
    )
    p.add_argument("-o", "--output", metavar="FILE", help="写入文件而不是标准输出 / write to FILE instead of stdout")
    p.add_argument("--no-progress", action="store_true", help="不显示进度条 / hide the progress bar")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="indicatorqa",
        description=(
            "预算绩效指标质量检查工具：读取绩效目标表/绩效自评表，指出每条指标的问题并给出量化改写建议。\n"
            "Quality checks for Chinese budget performance indicators (预算绩效指标)."
        ),
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"indicatorqa {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    p = sub.add_parser(
        "parse",
        help="读取表格并显示结构化结果 / read tables and show the data model",
        description=(
            "读取绩效目标表/自评表（文本导出、.docx、.xlsx/.xls、CSV/TSV、JSON；UTF-8 或 GBK 自动识别），"
            "显示项目与指标。\nRead performance tables (text export, .docx, .xlsx/.xls, CSV/TSV, JSON; "
            "UTF-8 or GBK detected) and show projects and indicators."
        ),
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _add_input_args(p)
    p.add_argument(
        "--format",
        choices=["table", "json"],
        default="table",
        help="输出格式：table 终端表格（默认），json 机器可读 / output format",
    )
    p.set_defaults(func=cmd_parse)
    return parser


def read_inputs(paths, max_mb: float, show_progress: bool) -> BatchResult:
    """Read every input; bad files are collected, never abort the batch."""
    max_bytes = int(max_mb * 1048576)
    files = list(iter_input_files(paths))
    result = BatchResult()
    progress = None
    if show_progress and len(files) > 3 and sys.stderr.isatty():
        from rich.progress import Progress

        progress = Progress(transient=True)
        progress.start()
        task = progress.add_task("读取文件", total=len(files))
    try:
        for path in files:
            try:
                result.documents.append(read_file(path, max_bytes=max_bytes))
            except InputError as exc:
                result.errors.append(exc)
            if progress is not None:
                progress.advance(task)
    finally:
        if progress is not None:
            progress.stop()
    if not files:
        result.errors.append(InputError("目录中没有可读取的表格文件（.txt .csv .tsv .json .docx .xlsx .xls）", ", ".join(map(str, paths))))
    return result


def write_output(text: str, output: str | None) -> None:
    """Write all output at once; to a file atomically, so a failure never leaves half a file."""
    if output is None:
        sys.stdout.write(text)
        if not text.endswith("\n"):
            sys.stdout.write("\n")
        sys.stdout.flush()
        return
    target = Path(output)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def report_errors(errors: list[InputError]) -> None:
    if not errors:
        return
    print(f"\n以下 {len(errors)} 个文件无法读取 / files that could not be read:", file=sys.stderr)
    for err in errors:
        print(f"  ✗ {err}", file=sys.stderr)


def cmd_parse(args) -> int:
    result = read_inputs(args.paths, args.max_size, not args.no_progress)
    projects = result.projects
    if args.format == "json":
        from .render.jsonout import build_report, report_to_json

        text = report_to_json(build_report(projects, result.errors), with_analysis=False)
    else:
        from .render.terminal import render_projects

        text = render_projects(projects)
    if projects or args.format == "json":
        write_output(text, args.output)
    report_errors(result.errors)
    return EXIT_INPUT if result.errors else EXIT_OK


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return EXIT_INPUT
    try:
        return args.func(args)
    except InputError as exc:
        print(f"indicatorqa：{exc}", file=sys.stderr)
        return EXIT_INPUT
    except KeyboardInterrupt:
        print("\n已中断 / interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
