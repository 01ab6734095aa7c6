"""Chinese word segmentation with the budget-performance domain dictionary.

:class:`Segmenter` wraps a *private* ``jieba.Tokenizer`` — never jieba's global one — so
that loading our dictionary does not change segmentation for other code in the same
process, and other code's ``jieba.add_word`` calls do not change ours.

The dictionary is ``indicatorqa/data/dict.txt`` (package data, so it is there in an
installed package too; ``corpus/DICT.md`` documents where its terms come from).  It is in
jieba's user-dictionary format, ``词 词频 词性``.  We add its words ourselves instead of
calling ``load_userdict`` for one reason: a frequency in our file never *lowers* the
frequency jieba already gives a common word (jieba's ``add_word`` would overwrite it and
could change how ordinary text around the word is cut).  The embedding build script
(scripts/build_static_embedding.py) applies the same rule to its tokenizer scores.

jieba prints "Building prefix dict…" to stderr and caches its prefix dictionary in the
system temp dir.  Here the messages are silenced while *our* tokenizer initialises (the
logger level is restored afterwards) and the cache goes to a directory we control:
``$INDICATORQA_CACHE_DIR/jieba`` or ``~/.cache/indicatorqa/jieba``, with the jieba version in
the file name so an upgrade never reads a stale cache; if neither is writable the temp dir
is used.

Loading that cache is most of a cold start's segmentation cost, and most of *that* was the
way jieba reads it: ``marshal.load`` on an open file reads the 9 MB object by object (1.2 s
here), ``marshal.loads`` of the bytes takes 0.35 s.  So we keep our own cache of the
*finished* prefix dictionary — jieba's plus the domain words, i.e. the tokenizer's state
after the ``add_word`` loop below — in the same directory, keyed by the jieba version, the
size and mtime of jieba's dictionary and the bytes of ours, and load it with
``marshal.loads``.  Segmentation is the same (it is the same dictionary); on a miss the
tokenizer is built as before and the cache written.  A missing or unwritable cache only
costs ~1.5 s per process.
"""

from __future__ import annotations

import hashlib
import logging
import marshal
import os
import sys
import tempfile
import threading
import unicodedata
from functools import lru_cache
from pathlib import Path

DICT_PATH = Path(__file__).resolve().parent / "data" / "dict.txt"

__all__ = ["DICT_PATH", "Segmenter", "get_segmenter", "read_user_dict", "cache_dir"]

_init_lock = threading.Lock()


def cache_dir() -> Path:
    """The project's cache directory (created on demand by callers)."""
    env = os.environ.get("INDICATORQA_CACHE_DIR")
    if env:
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "indicatorqa"


def _writable_dir(path: Path) -> Path | None:
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return path if os.access(path, os.W_OK) else None


def read_user_dict(path: str | os.PathLike = DICT_PATH) -> list[tuple[str, int | None, str | None]]:
    """Parse a jieba user dictionary: ``词 [词频] [词性]`` per line; blank and ``#`` lines skipped."""
    entries = []
    with open(path, encoding="utf-8-sig") as fh:
        for line in fh:
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            parts = line.split()
            word = parts[0]
            freq = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else None
            tag = parts[-1] if len(parts) > 1 and not parts[-1].isdigit() else None
            entries.append((word, freq, tag))
    return entries


def _is_token(piece: str) -> bool:
    """A piece worth keeping as a token: it has a letter, digit or CJK character."""
    return any(unicodedata.category(c)[0] in "LN" for c in piece)


class Segmenter:
    """jieba segmentation with the domain dictionary, on a private tokenizer.

    ``hmm`` (default False) controls jieba's HMM guessing of unknown words.  It is off by
    default because it glues neighbouring single characters into "new words" that are
    neither in the dictionary nor stable across contexts (e.g. 达/95 → 达95-like joins),
    which hurts exact term matching; unknown words then fall back to single characters,
    which lexical retrieval still matches.
    """

    def __init__(self, dict_path: str | os.PathLike | None = DICT_PATH, hmm: bool = False):
        import jieba

        self.hmm = hmm
        self.dict_path = Path(dict_path) if dict_path is not None else None
        tk = jieba.Tokenizer()
        cdir = _writable_dir(cache_dir() / "jieba") or Path(tempfile.gettempdir())
        tk.tmp_dir = str(cdir)
        tk.cache_file = str(cdir / f"jieba-{jieba.__version__}-indicatorqa.cache")
        prefix_cache = cdir / f"prefix-{jieba.__version__}-{self._prefix_key(jieba)}.marshal"
        self.words: list[str] = []
        if not self._load_prefix(tk, prefix_cache):
            logger = logging.getLogger("jieba")
            with _init_lock:
                level = logger.level
                logger.setLevel(logging.WARNING)
                try:
                    tk.initialize()
                finally:
                    logger.setLevel(level)
            if self.dict_path is not None:
                for word, freq, tag in read_user_dict(self.dict_path):
                    # Never lower jieba's own frequency for a word (see module docstring).
                    f = max(freq or 1, tk.FREQ.get(word, 0))
                    if freq is None:
                        f = max(f, tk.suggest_freq(word, tune=False))
                    tk.add_word(word, f, tag)
                    self.words.append(word)
            self._save_prefix(tk, prefix_cache)
        self._tk = tk
        self._memo: dict[tuple[str, bool], tuple[str, ...]] = {}

    PREFIX_FORMAT = "1"
    PREFIX_KEEP = 4

    def _prefix_key(self, jieba) -> str:
        """What the finished prefix dictionary depends on: jieba's dictionary file (size and
        mtime: it is 5 MB, and changes only with the package), the bytes of ours, and the
        Python version (marshal's format)."""
        h = hashlib.sha256(f"{self.PREFIX_FORMAT}|{jieba.__version__}|{sys.version_info[:2]}|".encode())
        try:
            st = os.stat(os.path.join(os.path.dirname(jieba.__file__), "dict.txt"))
            h.update(f"{st.st_size}|{st.st_mtime_ns}|".encode())
        except OSError:
            h.update(b"?|")
        h.update(self.dict_path.read_bytes() if self.dict_path is not None else b"(none)")
        return h.hexdigest()[:16]

    def _load_prefix(self, tk, path: Path) -> bool:
        try:
            freq, total, tags, words = marshal.loads(path.read_bytes())
        except (OSError, EOFError, ValueError, TypeError):
            return False
        tk.FREQ, tk.total, tk.user_word_tag_tab = freq, total, tags
        tk.initialized = True
        self.words = words
        return True

    def _save_prefix(self, tk, path: Path) -> None:
        try:
            tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
            tmp.write_bytes(marshal.dumps((tk.FREQ, tk.total, tk.user_word_tag_tab, self.words)))
            os.replace(tmp, path)
            # 9 MB each: keep the few most recent (other dictionaries, older versions of ours).
            old = sorted(path.parent.glob("prefix-*.marshal"), key=lambda p: p.stat().st_mtime, reverse=True)
            for stale in old[self.PREFIX_KEEP :]:
                stale.unlink(missing_ok=True)
        except OSError:
            pass  # an unwritable cache only costs the rebuild

    def cut(self, text: str, hmm: bool | None = None) -> list[str]:
        """jieba's precise mode: every character of ``text`` ends up in exactly one piece."""
        return self._tk.lcut(text, HMM=self.hmm if hmm is None else hmm)

    def cut_for_search(self, text: str, hmm: bool | None = None) -> list[str]:
        """jieba's search mode: long words are also emitted as their dictionary sub-words."""
        return self._tk.lcut_for_search(text, HMM=self.hmm if hmm is None else hmm)

    def tokens(self, text: str, search: bool = False) -> list[str]:
        """Tokens for lexical matching: NFKC, cut, then lowercased; whitespace and punctuation dropped.

        Lowercasing comes after cutting because jieba's dictionary is case-sensitive
        (``OA系统`` is a term, ``oa系统`` is not).
        """
        # The same texts come back many times in a batch (one description feeds several
        # classifiers and the retrieval query; templates repeat across projects): memoised.
        key = (text, search)
        hit = self._memo.get(key)
        if hit is None:
            norm = unicodedata.normalize("NFKC", text)
            pieces = self.cut_for_search(norm) if search else self.cut(norm)
            hit = tuple(p.lower() for p in pieces if _is_token(p))
            if len(self._memo) >= self.MEMO_MAX:
                self._memo.clear()
            self._memo[key] = hit
        return list(hit)

    MEMO_MAX = 200_000

    def __contains__(self, word: str) -> bool:
        return bool(self._tk.FREQ.get(word))


@lru_cache(maxsize=4)
def get_segmenter(dict_path: str | None = None, hmm: bool = False) -> Segmenter:
    """The process-wide segmenter (built once: ~1 s with a warm jieba cache)."""
    return Segmenter(DICT_PATH if dict_path is None else dict_path, hmm=hmm)
