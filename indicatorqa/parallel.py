"""``--jobs N``: read and check a batch of files in N worker processes.

The batch step is a pure function of its inputs; the one thing that crosses projects is
P008 (boilerplate: a project's indicator set copied from another project of the batch).
So the run is:

1. read the files in the workers (one task per file, results kept in file order; a bad
   file is recorded and the batch goes on, as in :func:`indicatorqa.cli.read_inputs`);
2. in the parent, for the whole batch, the other project each project's P008 compares with
   (:meth:`Analyzer.batch_others`, a sparse product: fast);
3. analyse → score → suggest in the workers, in contiguous parts of about
   ``PART_INDICATORS`` indicators, results kept in order.

The findings, scores and suggestions are those of one process over the same batch
(tests/test_parallel.py). Workers are forked after the models and the retrieval index are
loaded, so no worker loads a model (copy-on-write); where ``fork`` is not available the
command runs in one process.
"""

from __future__ import annotations

import multiprocessing as mp
import os

from .errors import InputError
from .readers import BatchResult, iter_input_files, read_file

PART_INDICATORS = 2000

# Set in the parent before forking; the workers find them here.
_STATE: dict = {}


def _read_one(args):
    path, max_bytes = args
    try:
        return read_file(path, max_bytes=max_bytes), None
    except InputError as exc:
        return None, exc.to_dict()


def _check_part(args):
    from .scoring import score_project

    projects, others = args
    analyzer, retriever = _STATE["analyzer"], _STATE["retriever"]
    analysed = analyzer.analyse(projects, others=others)
    for project in analysed:
        score_project(project)
    if retriever is not None:
        from .suggest import add_suggestions

        add_suggestions(analysed, retriever, judge=analyzer.judge, config=analyzer.config)
    return analysed


def _parts(projects, size: int):
    part, count = [], 0
    for i, p in enumerate(projects):
        part.append(i)
        count += len(p.indicators)
        if count >= size:
            yield part
            part, count = [], 0
    if part:
        yield part


def available() -> bool:
    return "fork" in mp.get_all_start_methods()


def check_files(paths, max_mb: float, analyzer, retriever, jobs: int) -> tuple[BatchResult, list]:
    """Read ``paths`` and check every project with ``jobs`` processes: (read result, analysed projects)."""
    max_bytes = int(max_mb * 1048576)
    files = list(iter_input_files(paths))
    result = BatchResult()
    if retriever is not None:
        retriever.bm25  # noqa: B018 - build the index once, before forking
        retriever.embeddings()
    # tokenizers' thread pool does not survive a fork; the static model does not need it.
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    _STATE.update(analyzer=analyzer, retriever=retriever)
    ctx = mp.get_context("fork")
    try:
        with ctx.Pool(jobs) as pool:
            for doc, err in pool.imap(_read_one, [(f, max_bytes) for f in files], chunksize=1):
                if err is not None:
                    result.errors.append(InputError(err["message"], err["file"], err["row"]))
                else:
                    result.documents.append(doc)
            projects = result.projects
            others = analyzer.batch_others(projects)
            tasks = [([projects[i] for i in part], [others[i] for i in part]) for part in _parts(projects, PART_INDICATORS)]
            analysed = [p for chunk in pool.imap(_check_part, tasks, chunksize=1) for p in chunk]
    finally:
        _STATE.clear()
    if not files:
        result.errors.append(InputError("目录中没有可读取的表格文件（.txt .csv .tsv .json .docx .xlsx .xls）", ", ".join(map(str, paths))))
    return result, analysed
