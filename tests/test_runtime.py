"""The exported learned rules (numpy, no scikit-learn) give the scikit-learn pipelines' answers.

``indicatorqa train`` saves each pipeline as a joblib file (training, evaluation, fallback) and
as plain data (``learn/runtime.py``) that ``load_judge`` applies with numpy, so that checking
does not import scikit-learn. Here: the same feature rows, probabilities and evidence on every
labeled row; the fallback to joblib; the export written by ``save``; no sklearn on the path.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from indicatorqa.learn.features import record
from indicatorqa.learn.models import MODEL_NAMES, OPTIONAL_MODELS, SklearnModel, default_model_dir, explain, load_judge, save
from indicatorqa.learn.runtime import LinearPipeline
from indicatorqa.learn.train import load_indicator_rows

ROOT = Path(__file__).resolve().parent.parent
ALL_MODELS = (*MODEL_NAMES, *OPTIONAL_MODELS)  # the shipped directory has the optional ones too
SEED = ROOT / "corpus" / "seeds" / "000_cab285404ad495ca.txt"


@pytest.fixture(scope="module")
def judges():
    return load_judge(backend="auto"), load_judge(backend="sklearn")


@pytest.fixture(scope="module")
def rows():
    # Every seed row and written example of corpus/labels.
    recs = [record(r) for r in load_indicator_rows()]
    assert len(recs) > 1000
    return recs


def test_shipped_models_load_as_the_numpy_runtime(judges):
    fast, slow = judges
    assert fast.backend == "numpy"
    assert all(isinstance(m, LinearPipeline) for m in fast.models.values())
    assert slow.backend == "sklearn"


@pytest.mark.parametrize("name", ALL_MODELS)
def test_same_rows_probabilities_and_evidence(judges, rows, name):
    fast, slow = judges
    a, b = fast.models[name], slow.models[name]
    assert a.classes_ == b.classes_
    xa, xb = a.transform(rows), b.transform(rows)
    # Entry for entry the same feature rows (order included: evidence breaks ties by it).
    assert np.array_equal(xa.indptr, xb.indptr)
    assert np.array_equal(xa.indices, xb.indices)
    assert np.array_equal(xa.data, xb.data)
    pa = a.predict_proba(rows)
    pb = slow.pipelines[name].predict_proba(rows)  # the plain scikit-learn path
    np.testing.assert_allclose(pa, pb, rtol=0, atol=1e-9)
    assert np.array_equal(pa, b.proba(xb))  # in fact bit-identical on this machine
    for i, rec in enumerate(rows):
        lo, hi = xa.indptr[i], xa.indptr[i + 1]
        for label in a.classes_:
            got = explain(a, rec, label, x=(xa.data[lo:hi], xa.indices[lo:hi]))
            want = explain(b, rec, label, x=(xb.data[lo:hi], xb.indices[lo:hi]))
            assert got == want, (name, rec, label)


def test_one_record_path_and_batch_path_agree(judges, rows):
    fast, slow = judges
    some = rows[::97]
    for name in ALL_MODELS:
        for rec in some:
            assert fast.probabilities(name, rec) == pytest.approx(slow.probabilities(name, rec), abs=1e-9)
            label = max(fast.probabilities(name, rec).items(), key=lambda kv: kv[1])[0]
            assert fast.evidence(name, rec, label) == slow.evidence(name, rec, label)


def _copy_models(tmp_path: Path) -> Path:
    out = tmp_path / "findings"
    shutil.copytree(default_model_dir(), out)
    return out


def test_model_dir_without_export_falls_back_to_joblib(tmp_path, judges):
    d = _copy_models(tmp_path)
    meta = json.loads((d / "manifest.json").read_text("utf-8"))
    meta.pop("runtime")
    (d / "manifest.json").write_text(json.dumps(meta), "utf-8")
    for f in d.glob("*.linear.npz"):
        f.unlink()
    judge = load_judge(d)
    assert judge.backend == "sklearn"
    rec = {"level1": "产出指标", "level2": "质量指标", "name": "验收合格率", "description": "验收合格率", "value": "提升"}
    assert judge.probabilities("measurability", rec) == pytest.approx(judges[0].probabilities("measurability", rec), abs=1e-9)


def test_export_of_other_joblib_files_is_not_used(tmp_path):
    # An exported file is used only beside the joblib file it was exported from.
    d = _copy_models(tmp_path)
    meta = json.loads((d / "manifest.json").read_text("utf-8"))
    meta["runtime"]["level2"]["source_sha256"] = "0" * 64
    (d / "manifest.json").write_text(json.dumps(meta), "utf-8")
    judge = load_judge(d)
    assert isinstance(judge.models["level2"], SklearnModel)
    assert isinstance(judge.models["measurability"], LinearPipeline)


def test_save_writes_the_export_deterministically(tmp_path, judges):
    slow = judges[1]
    for out in (tmp_path / "a", tmp_path / "b"):
        save(slow.pipelines, {"version": 1}, out)
    meta = json.loads((tmp_path / "a" / "manifest.json").read_text("utf-8"))
    assert sorted(meta["runtime"]) == sorted(ALL_MODELS)
    for name, entry in meta["runtime"].items():
        assert entry["source_sha256"] == meta["files"][name]["sha256"]
        assert (tmp_path / "a" / entry["file"]).read_bytes() == (tmp_path / "b" / entry["file"]).read_bytes()
        with np.load(tmp_path / "a" / entry["file"], allow_pickle=False) as z:  # a plain .npz
            assert "coef" in z.files
    judge = load_judge(tmp_path / "a")
    assert judge.backend == "numpy"
    rec = {"level1": "效益指标", "level2": "社会效益指标", "name": "群众满意度", "description": "群众满意度", "value": "明显提高"}
    for name in ALL_MODELS:
        assert judge.probabilities(name, rec) == pytest.approx(slow.probabilities(name, rec), abs=1e-9)


def test_check_does_not_import_sklearn(tmp_path):
    code = (
        "import sys\n"
        "from indicatorqa.cli import main\n"
        f"rc = main(['check', {str(SEED)!r}, '--no-suggest', '--format', 'json', '-o', {str(tmp_path / 'out.json')!r}])\n"
        "heavy = sorted(m for m in ('sklearn', 'joblib', 'torch', 'sentence_transformers', 'fastapi') if m in sys.modules)\n"
        "print(rc, heavy)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split()[-1] == "[]", out.stdout
