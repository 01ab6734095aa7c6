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
from .readers import DEFAULT_MAX_BYTES, BatchResult, iter_input_files, read_paths

EXIT_OK, EXIT_FINDINGS, EXIT_INPUT = 0, 1, 2

_EPILOG = """\
示例 / examples:
  indicatorqa parse corpus/seeds                 # 读取目录下所有表格，终端表格显示
  indicatorqa parse a.docx b.xlsx --format json  # 输出 JSON（SPEC 约定格式，不含检查结果）
  indicatorqa parse 表.csv -o out.json            # 写入文件（读取全部成功后才写入）

退出码 / exit codes: 0 成功 success; 1 存在错误级问题 error findings; 2 输入或用法错误 input/usage error
"""


_CHECK_EPILOG = """\
示例 / examples:
  indicatorqa check corpus/seeds                       # 终端表格：问题、得分、改写建议
  indicatorqa check 表.xlsx --format json -o out.json   # SPEC 约定的 JSON（含 findings、score、suggestions）
  indicatorqa check 表.docx --select V001,V004          # 只看指标值是否可衡量
  indicatorqa check 目录/ --no-suggest --exit-zero      # 更快；有错误级问题也以 0 退出

配置：indicatorqa.toml 或 pyproject.toml 的 [tool.indicatorqa]（disable、severity、thresholds、words、suppress）。
单条指标忽略：在单元格中写 indicatorqa: ignore V001。规则说明：indicatorqa rules CODE。
退出码 / exit codes: 0 无错误级问题; 1 存在错误级问题 error findings; 2 输入或用法错误 input/usage error
"""


class _Parser(argparse.ArgumentParser):
    """argparse that exits with 2 and a Chinese line on usage errors."""

    def error(self, message: str):  # noqa: D401 - argparse API
        self.print_usage(sys.stderr)
        self.exit(EXIT_INPUT, f"indicatorqa：用法错误 / usage error：{message}\n")


def _add_input_args(p: argparse.ArgumentParser, output: bool = True) -> None:
    p.add_argument("paths", nargs="+", metavar="FILE|DIR", help="要读取的文件或目录 / files or directories to read")
    p.add_argument(
        "--max-size",
        type=float,
        default=DEFAULT_MAX_BYTES / 1048576,
        metavar="MB",
        help=f"单个文件大小上限（MB，默认 {DEFAULT_MAX_BYTES // 1048576}）/ per-file size limit in MB",
    )
    if output:
        p.add_argument("-o", "--output", metavar="FILE", help="写入文件而不是标准输出 / write to FILE instead of stdout")
    p.add_argument("--no-progress", action="store_true", help="不显示进度条 / hide the progress bar")


def add_check_args(p: argparse.ArgumentParser) -> None:
    """Options shared by the commands that run the checks (check, report)."""
    p.add_argument("--config", metavar="TOML", help="配置文件（默认查找 indicatorqa.toml 或 pyproject.toml）/ config file")
    p.add_argument("--models", metavar="DIR", help="已训练模型目录（默认 models/findings）/ trained models directory")
    p.add_argument("--select", metavar="CODES", help="只报告这些规则，逗号分隔，如 V001,N001 / only these rules")
    p.add_argument("--ignore", metavar="CODES", help="不报告这些规则，逗号分隔 / skip these rules")
    p.add_argument("--no-suggest", action="store_true", help="不生成改写建议（更快）/ skip rewrite suggestions")
    p.add_argument(
        "--embedder",
        metavar="NAME_OR_PATH",
        help="检索用的 sentence-transformers 模型（默认随包的 models/zh-static-e5-v2）/ embedding model for retrieval",
    )
    p.add_argument(
        "--exit-zero",
        action="store_true",
        help="发现错误级问题时也以 0 退出（输入错误仍为 2）/ exit 0 even when error findings are present",
    )
    p.add_argument(
        "--jobs",
        "-j",
        type=int,
        default=1,
        metavar="N",
        help="用 N 个进程读取和检查（大批量文件时更快，结果相同；0 = CPU 核数）/ worker processes for a batch of files",
    )


def run_checks(args, analyzer, retriever):
    """Read the inputs and check them, with ``--jobs`` worker processes when asked: (read result, projects)."""
    jobs = getattr(args, "jobs", 1) or os.cpu_count() or 1
    if jobs > 1:
        from . import parallel

        if parallel.available():
            return parallel.check_files(args.paths, args.max_size, analyzer, retriever, jobs)
    result = read_inputs(args.paths, args.max_size, not args.no_progress)
    return result, check_projects(result.projects, analyzer, retriever)


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

    p = sub.add_parser(
        "check",
        help="检查指标质量并给出问题与建议 / check indicators and report findings",
        description=(
            "检查绩效指标：指标值是否可衡量、描述是否重复名称、归类是否正确、成本是否超预算、自评得分是否一致……\n"
            "每条问题给出规则代码（可在配置中停用或调整级别）、原因和证据。\n"
            "Check indicators against the rule catalogue (see `indicatorqa rules`)."
        ),
        epilog=_CHECK_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _add_input_args(p)
    p.add_argument(
        "--format",
        choices=["table", "json", "markdown"],
        default="table",
        help="输出格式：table 终端表格（默认），json（SPEC 约定），markdown / output format",
    )
    add_check_args(p)
    p.set_defaults(func=cmd_check)

    p = sub.add_parser(
        "suggest",
        help="为一条指标给出量化改写建议 / suggest quantified rewrites for one indicator",
        description=(
            "从语料库检索相似的规范指标，给出名称、描述和带方向与单位的指标值。\n"
            "示例：indicatorqa suggest \"提升基层科协组织能力\" --value 提升 --level2 社会效益指标"
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("name", metavar="三级指标", help="三级指标名称 / the indicator name")
    p.add_argument("--value", default="", help="指标值 / the value")
    p.add_argument("--description", default="", help="绩效指标描述 / the description")
    p.add_argument("--level2", default="", help="二级指标，如 数量指标、社会效益指标 / the level-2 category")
    p.add_argument("--budget", type=float, help="项目预算（万元），用于成本类建议 / project budget in 万元")
    p.add_argument("--year", type=int, help="预算年度，用于时效类建议 / budget year")
    p.add_argument("-k", type=int, default=3, help="建议条数（默认 3）/ number of suggestions")
    p.add_argument("--format", choices=["table", "json"], default="table")
    p.add_argument("--embedder", metavar="NAME_OR_PATH", help="sentence-transformers 模型 / embedding model")
    p.add_argument("--config", metavar="TOML", help="配置文件（默认查找 indicatorqa.toml 或 pyproject.toml）/ config file")
    p.add_argument("--models", metavar="DIR", help="已训练模型目录（默认 models/findings）/ trained models directory")
    p.set_defaults(func=cmd_suggest)

    p = sub.add_parser("schema", help="输出数据模型的 JSON Schema / print the JSON Schema of the data model")
    p.set_defaults(func=cmd_schema)

    p = sub.add_parser(
        "corpus",
        help="管理指标语料库 / manage the indicator corpus",
        description="corpus add：把已审核通过的表格中没有错误或警告的指标加入语料库（corpus/accepted/，按单位分文件，自动去重）。",
    )
    corpus_sub = p.add_subparsers(dest="corpus_command", metavar="ACTION", parser_class=_Parser)
    pa = corpus_sub.add_parser("add", help="加入已审核通过的表格 / add accepted tables")
    _add_input_args(pa)
    pa.add_argument("--config", metavar="TOML", help="配置文件 / config file")
    pa.add_argument("--models", metavar="DIR", help="已训练模型目录 / trained models directory")
    pa.add_argument("--corpus-dir", metavar="DIR", help="写入目录（默认 corpus/accepted）/ target directory")
    pa.set_defaults(func=cmd_corpus_add)

    from .report import add_report_parser

    add_report_parser(sub)

    from .web.cli import add_serve_parser

    add_serve_parser(sub)

    p = sub.add_parser(
        "rules",
        help="列出规则目录，或解释一条规则 / list the rule catalogue or explain one rule",
        description="不带参数列出全部规则；带规则代码（如 V001）或名称（如 vague-value）显示说明和正反例。",
    )
    p.add_argument("rule", nargs="?", metavar="CODE", help="规则代码或名称 / rule code or slug")
    p.set_defaults(func=cmd_rules)

    p = sub.add_parser(
        "train",
        help="用 corpus/labels 重新训练判定模型 / retrain the learned rules from corpus/labels",
        description="读取 corpus/labels 下的标注数据，训练 V001–V004、N001/N002、N003、N005 的分类器（以及改写建议所用、不看表中所填二级指标的二级指标模型），保存到 models/findings。",
    )
    p.add_argument("--out", metavar="DIR", help="模型输出目录 / output directory")
    p.add_argument("--no-eval", action="store_true", help="不做留一文档评估（更快）/ skip the leave-one-document-out evaluation")
    p.add_argument("--extra", nargs="*", default=[], metavar="JSONL", help="额外的标注文件 / extra labeled JSONL files")
    p.add_argument(
        "--feedback",
        metavar="DB",
        help="并入审核意见（indicatorqa serve --db 保存的接受/驳回）/ fold reviewer decisions from this database into the labeled data",
    )
    p.set_defaults(func=cmd_train)

    p = sub.add_parser(
        "eval",
        help="留一文档评估：每条规则的精确率/召回率/F1 / per-rule precision, recall, F1 (leave one document out)",
        description="每次留出一个种子文档，用其余数据训练，检查留出的文档；打印每条规则的 P/R/F1 和判错的例子。",
    )
    p.add_argument("--errors", type=int, default=10, metavar="N", help="每条规则最多显示 N 个判错例子 / misjudged examples per rule")
    p.add_argument("--markdown", metavar="FILE", help="同时写出 Markdown 报告 / also write a Markdown report")
    p.set_defaults(func=cmd_eval)
    return parser


def read_inputs(paths, max_mb: float, show_progress: bool) -> BatchResult:
    """Read every input; bad files are collected, never abort the batch."""
    max_bytes = int(max_mb * 1048576)
    files = list(iter_input_files(paths))
    progress = None
    if show_progress and len(files) > 3 and sys.stderr.isatty():
        from rich.progress import Progress

        progress = Progress(transient=True)
        progress.start()
        task = progress.add_task("读取文件", total=len(files))
    try:
        tick = (lambda _path: progress.advance(task)) if progress is not None else None
        result = read_paths(files, max_bytes=max_bytes, progress=tick)
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


def _codes(text: str | None) -> set[str]:
    return {c.strip().upper() for c in (text or "").replace("，", ",").split(",") if c.strip()}


def build_analyzer(config_path: str | None = None, models_dir: str | None = None, select=None, ignore=None):
    from .analyse import Analyzer
    from .config import load_config
    from .learn.models import load_judge
    from .rules import catalogue

    config = load_config(config_path)
    unknown = (_codes(select) | _codes(ignore)) - set(catalogue())
    if unknown:
        raise InputError(f"未知的规则代码：{', '.join(sorted(unknown))}（运行 indicatorqa rules 查看全部规则）")
    disabled = set(config.disable) | _codes(ignore)
    if select:
        disabled |= set(catalogue()) - _codes(select)
    config = config.model_copy(update={"disable": sorted(disabled)})
    try:
        judge = load_judge(models_dir)
    except FileNotFoundError as exc:
        raise InputError(str(exc)) from None
    return Analyzer(config, judge)


def check_projects(projects, analyzer, retriever=None):
    """analyse → score → suggest: the stages after reading, shared by CLI, reports and the API."""
    from .scoring import score_project

    analysed = analyzer.analyse(projects)
    for project in analysed:
        score_project(project)
    if retriever is not None:
        from .suggest import add_suggestions

        add_suggestions(analysed, retriever, judge=analyzer.judge, config=analyzer.config)
    return analysed


def build_retriever(embedder: str | None = None):
    from .retrieve import default_retriever

    try:
        return default_retriever(embedder)
    except (OSError, ValueError) as exc:
        raise InputError(f"无法加载检索模型：{exc}") from None


def cmd_check(args) -> int:
    analyzer = build_analyzer(args.config, args.models, args.select, args.ignore)
    retriever = None if args.no_suggest else build_retriever(args.embedder)
    result, projects = run_checks(args, analyzer, retriever)
    result.documents.clear()  # only the analysed copies are rendered: free the originals of a big batch
    if args.format == "json":
        from .render.jsonout import build_report, report_to_json

        text = report_to_json(build_report(projects, result.errors))
    elif args.format == "markdown":
        from .render.markdown import render_markdown

        text = render_markdown(projects)
    else:
        from .render.terminal import render_projects

        text = render_projects(projects, with_findings=True)
    if projects or args.format == "json":
        write_output(text, args.output)
    report_errors(result.errors)
    if result.errors:
        return EXIT_INPUT
    has_error = any(f.severity == "error" for p in projects for f in p.all_findings())
    return EXIT_FINDINGS if has_error and not args.exit_zero else EXIT_OK


def cmd_suggest(args) -> int:
    from .model import Indicator, Project
    from .suggest import suggest

    ind = Indicator(level2=args.level2, name=args.name, description=args.description, value=args.value)
    project = Project(name="", budget=args.budget, budget_year=args.year, budget_year_evidence="命令行参数" if args.year else "",
                      indicators=[ind])
    # The row is checked first, as `check` does: what is wrong with it decides where rewrites are
    # looked for (an N003 level, a vague 效益 claim's output measures).
    analyzer = build_analyzer(args.config, args.models)
    project = analyzer.analyse([project])[0]
    suggestions = suggest(project.indicators[0], project, build_retriever(args.embedder), k=args.k, judge=analyzer.judge, config=analyzer.config)
    if args.format == "json":
        import json

        print(json.dumps([s.model_dump(mode="json", exclude_none=True) for s in suggestions], ensure_ascii=False, indent=2))
        return EXIT_OK
    if not suggestions:
        print("语料库中没有找到相似的指标。")
        return EXIT_OK
    for i, sg in enumerate(suggestions, 1):
        print(f"{i}. {sg.name}：{sg.value}")
        print(f"   描述：{sg.description}")
        if sg.basis:
            print(f"   数值依据：{sg.basis}")
        if sg.note:
            print(f"   说明：{sg.note}")
        print(f"   来源：{sg.source}（相似度 {sg.similarity:.2f}）")
    return EXIT_OK


def cmd_corpus_add(args) -> int:
    from .corpus import add_projects

    analyzer = build_analyzer(args.config, args.models)
    result = read_inputs(args.paths, args.max_size, not args.no_progress)
    projects = check_projects(result.projects, analyzer)
    added = add_projects(projects, Path(args.corpus_dir) if args.corpus_dir else None)
    total = sum(len(p.indicators) for p in projects)
    for path, n in added.items():
        print(f"{path}：新增 {n} 条")
    print(f"共检查 {total} 条指标，新增 {sum(added.values())} 条无问题指标到语料库")
    report_errors(result.errors)
    return EXIT_INPUT if result.errors else EXIT_OK


def cmd_schema(args) -> int:
    import json

    from .model import Report

    print(json.dumps(Report.model_json_schema(by_alias=True), ensure_ascii=False, indent=2))
    return EXIT_OK


def cmd_rules(args) -> int:
    from .rules import catalogue, get

    sev = {"error": "错误", "warning": "警告", "info": "提示"}
    if args.rule:
        try:
            rule = get(args.rule)
        except KeyError:
            raise InputError(f"没有规则“{args.rule}”（运行 indicatorqa rules 查看全部规则）") from None
        lines = [
            f"{rule.code} {rule.slug}：{rule.title}",
            f"类别：{rule.family}　默认级别：{sev[rule.severity]}（{rule.severity}）　判定方式：{'分类器' if rule.learned else '规则'}",
            "",
            rule.doc,
        ]
        if rule.bad:
            lines += ["", "会被指出的写法 / flagged:"] + [f"  ✗ {x}" for x in rule.bad]
        if rule.good:
            lines += ["", "合格的写法 / fine:"] + [f"  ✓ {x}" for x in rule.good]
        lines += ["", f"停用：在 indicatorqa.toml 中写 disable = [\"{rule.code}\"]；单条指标：在指标值确定依据中写 indicatorqa: ignore {rule.code}"]
        print("\n".join(lines))
        return EXIT_OK
    rows = [f"{'代码':<6}{'名称':<28}{'级别':<6}说明"]
    for rule in catalogue().values():
        rows.append(f"{rule.code:<6}{rule.slug:<28}{sev[rule.severity]:<6}{rule.title}")
    rows.append("\n运行 indicatorqa rules CODE 查看一条规则的说明与例子。")
    print("\n".join(rows))
    return EXIT_OK


def cmd_train(args) -> int:
    from .learn.train import train

    print("训练中（含留一文档评估，约需一两分钟）…" if not args.no_eval else "训练中…", file=sys.stderr)
    extra = [Path(x) for x in args.extra]
    feedback_file = None
    if args.feedback:
        from .web.store import export_feedback

        fd, name = tempfile.mkstemp(prefix="iqa-feedback-", suffix=".jsonl")
        os.close(fd)
        feedback_file = Path(name)
        n = export_feedback(args.feedback, feedback_file)  # InputError if the database does not exist
        print(f"审核意见：{n} 条已审核的指标并入训练数据", file=sys.stderr)
        extra.append(feedback_file)
    try:
        meta = train(Path(args.out) if args.out else None, extra=extra, evaluate=not args.no_eval)
    finally:
        if feedback_file is not None:
            feedback_file.unlink(missing_ok=True)
    print(f"已训练 {meta['trained_rows']} 条标注数据，数据哈希 {meta['training_data_sha256'][:12]}，用时 {meta['seconds']} 秒")
    from .learn.report import format_metrics

    if meta["metrics_lodo"]:
        print(format_metrics(meta["metrics_lodo"]))
    return EXIT_OK


def _metrics(c) -> dict:
    return {"precision": c.precision, "recall": c.recall, "f1": c.f1, "tp": c.tp, "fp": c.fp, "fn": c.fn}


def cmd_eval(args) -> int:
    from .learn.report import evaluation_markdown, format_counts, format_metrics
    from .learn.train import evaluate_fact_rules, evaluate_lodo, load_indicator_rows

    rows = load_indicator_rows()
    result = evaluate_lodo(rows, progress=lambda d: print(f"  已评估文档 {d}", file=sys.stderr))
    print(format_counts(result["counts"], result["folds"], errors=args.errors))
    facts = evaluate_fact_rules()
    result["fact_counts"] = facts["counts"]
    print("项目规则与自评规则（全部种子表，无需训练）")
    print(format_metrics({c: _metrics(x) for c, x in facts["counts"].items()}))
    if args.markdown:
        write_output(evaluation_markdown(result, errors=args.errors), args.markdown)
        print(f"报告已写入 {args.markdown}", file=sys.stderr)
    return EXIT_OK


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
