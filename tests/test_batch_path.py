"""The fast batch path gives the same results as the one-at-a-time path (issue 7)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from indicatorqa.cli import build_analyzer, build_retriever, check_projects, main
from indicatorqa.readers import read_paths

SEEDS = Path(__file__).resolve().parent.parent / "corpus" / "seeds"


@pytest.fixture(scope="module")
def projects():
    return read_paths([SEEDS]).projects


class _NoPrefetch:
    """A judge without ``prefetch``: every verdict computed for one record at a time."""

    def __init__(self, judge):
        from indicatorqa.learn.models import Judge

        self._j = Judge(judge.pipelines, judge.meta)

    def __getattr__(self, name):
        if name == "prefetch":
            raise AttributeError(name)
        return getattr(self._j, name)


def _dump(projects):
    return [p.model_dump(mode="json") for p in projects]


def test_batched_verdicts_give_identical_findings(projects):
    from indicatorqa.analyse import Analyzer
    from indicatorqa.learn.models import Judge

    base = build_analyzer()
    slow = Analyzer(base.config, _NoPrefetch(base.judge))
    fast = Analyzer(base.config, Judge(base.judge.pipelines, base.judge.meta))
    a, b = slow.analyse(projects), fast.analyse(projects)
    assert sum(len(i.findings) for p in a for i in p.indicators) > 100
    assert _dump(a) == _dump(b)


def test_boilerplate_candidates_match_the_pairwise_loop(projects):
    from indicatorqa.checks.projects import _norm, _signature, boilerplate_candidates

    got = boilerplate_candidates(projects, 3)
    for p, cand in zip(projects, got):
        best, best_score = None, 0.0
        if len(p.indicators) >= 3:
            mine = _signature(p)
            for o in projects:
                if o is p or len(o.indicators) < 3 or _norm(o.name) == _norm(p.name):
                    continue
                theirs = _signature(o)
                ov = len(mine & theirs) / len(mine | theirs)
                if ov > best_score:
                    best, best_score = o, ov
        assert cand == ([best] if best is not None else [])


def test_search_many_equals_search(projects):
    from indicatorqa.suggest import suggestion_query

    retriever = build_retriever()
    queries = [suggestion_query(i) for p in projects for i in p.indicators][:120]
    many = retriever.search_many(queries, k=9)
    for q, hits in zip(queries, many):
        one = retriever.search(q[0], level2=q[1], k=9)
        assert [(h.entry.id, h.score) for h in hits] == [(h.entry.id, h.score) for h in one]


def test_numpy_static_embedder_is_bit_identical():
    from indicatorqa.embed import NumpyStaticEmbedder, SentenceTransformerEmbedder, default_model_path, load_embedder

    assert isinstance(load_embedder(), NumpyStaticEmbedder)
    texts = ["培训人次", "", "，。、", "科普基地接待人次 ≥ 5000 人次", "OA系统运行稳定率" * 50, "按时完成", "满意度≥90%"]
    a = NumpyStaticEmbedder(default_model_path()).encode(texts)
    b = SentenceTransformerEmbedder(default_model_path()).encode(texts)
    np.testing.assert_allclose(a, b, atol=1e-6)


def test_jobs_gives_the_same_json(tmp_path, projects):
    out1, out2 = tmp_path / "one.json", tmp_path / "two.json"
    main(["check", str(SEEDS), "--format", "json", "-o", str(out1), "--exit-zero"])
    main(["check", str(SEEDS), "--format", "json", "-o", str(out2), "--exit-zero", "--jobs", "2"])
    assert json.loads(out1.read_text("utf-8")) == json.loads(out2.read_text("utf-8"))
    assert len(json.loads(out2.read_text("utf-8"))["projects"]) == len(projects)


def test_check_projects_suggestions_unchanged_by_batching(projects):
    """add_suggestions (batched search) == suggest() per indicator."""
    from indicatorqa.suggest import FIXABLE, suggest

    retriever = build_retriever()
    analyzer = build_analyzer()
    analysed = check_projects(projects[:10], analyzer, retriever)
    for p in analysed:
        for ind in p.indicators:
            if any(f.code in FIXABLE for f in ind.findings):
                assert ind.suggestions == suggest(ind, p, retriever, judge=analyzer.judge)
