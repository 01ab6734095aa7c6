"""Read stage: any supported file → :class:`~indicatorqa.model.Document`.

The format is chosen by content, not by the file name: a zip holding
``word/document.xml`` is a .docx whatever it is called, an OLE2 file is an .xls,
text is decoded (UTF-8, UTF-8 with BOM, GBK/GB18030) and then recognised as JSON,
the seed text export, or CSV/TSV.

Every reader promises to raise nothing but :class:`~indicatorqa.errors.InputError`.
:func:`read_file` enforces that promise at the boundary, so that a bug in one reader
becomes a clear message for that file, never a traceback in the middle of a batch.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import InputError
from ..model import Document

DEFAULT_MAX_BYTES = 50 * 1024 * 1024  # a real 绩效目标表 is kilobytes; 50 MB is generous

SUPPORTED_SUFFIXES = {".txt", ".text", ".csv", ".tsv", ".json", ".docx", ".xlsx", ".xlsm", ".xls"}

_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# An object, or a list of objects: "[bookmark: …]" at the top of a text export is not JSON.
_JSON_START = re.compile(r"\{|\[\s*[{\]]")


def decode_text(data: bytes, file: str) -> tuple[str, str]:
    """Decode user text without being told the encoding: returns (text, encoding).

    UTF-8 is tried first because GB18030 accepts almost any byte string and would
    "succeed" on UTF-8 input with garbage; UTF-8 rejects GBK text reliably.
    """
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            return data[3:].decode("utf-8"), "utf-8-sig"
        except UnicodeDecodeError as exc:
            raise InputError(f"文件以 UTF-8 BOM 开头，但第 {exc.start} 字节处不是有效的 UTF-8 文本", file) from None
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError:
            raise InputError("文件以 UTF-16 标记开头，但内容无法解码", file) from None
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError:
        raise InputError("无法识别文本编码（已尝试 UTF-8、GBK/GB18030），请另存为 UTF-8 后重试", file) from None
    return text, "gb18030"


def _looks_binary(data: bytes) -> bool:
    head = data[:8192]
    if b"\x00" in head:
        return True
    # Control characters other than tab/newline/carriage return/form feed are rare in text.
    control = sum(1 for b in head if b < 32 and b not in (9, 10, 12, 13))
    return control > max(8, len(head) // 100)


def utf16_without_bom(data: bytes) -> str | None:
    """"utf-16-le"/"utf-16-be" when ``data`` is UTF-16 text saved without a byte-order mark.

    Such text is full of NUL bytes (the high byte of every ASCII character) and would
    otherwise be refused as binary. It is recognised only when the NULs all fall on one
    byte parity (nearly), the whole file decodes strictly, and the result has no control characters.
    """
    if len(data) % 2 or len(data) < 4:
        return None
    head = data[:8192]
    even, odd = head[0::2].count(0), head[1::2].count(0)
    pairs = len(head) // 2
    # A CJK character can have a zero byte too (一 is U+4E00), so "all" means nearly all.
    if odd >= max(2, pairs // 10) and even * 8 <= odd:
        encoding = "utf-16-le"
    elif even >= max(2, pairs // 10) and odd * 8 <= even:
        encoding = "utf-16-be"
    else:
        return None
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError:
        return None
    if any(ord(ch) < 32 and ch not in "\t\n\r\f" for ch in text[:4096]):
        return None
    return encoding


def sniff(data: bytes) -> str:
    """Name the container format of raw bytes: docx, xlsx, zip, xls, ole, or text."""
    if data.startswith(_ZIP_MAGIC):
        return "zip"
    if data.startswith(_OLE_MAGIC):
        return "ole"
    return "text"


def read_bytes(data: bytes, file: str) -> Document:
    """Read one file's bytes; ``file`` is the name used in messages and sources."""
    if not data.strip():
        raise InputError("文件为空", file)
    kind = sniff(data)
    if kind == "zip":
        from . import officezip

        return officezip.read_zip(data, file)
    if kind == "ole":
        from . import xls

        return xls.read_xls(data, file)
    utf16 = utf16_without_bom(data) if b"\x00" in data[:8192] else None
    if utf16:
        return read_text(data.decode(utf16), file, utf16)
    if _looks_binary(data):
        raise InputError("不是文本文件，也不是 .docx/.xlsx/.xls 文件，无法读取", file)
    text, encoding = decode_text(data, file)
    return read_text(text, file, encoding)


def read_text(text: str, file: str, encoding: str | None = None) -> Document:
    """Read decoded text: JSON, the seed text export, or CSV/TSV."""
    stripped = text.lstrip("\ufeff \t\r\n")
    if not stripped:
        raise InputError("文件为空", file)
    from . import seedtext

    if _JSON_START.match(stripped):
        from . import jsonfile

        doc = jsonfile.read_json(stripped, file)
    elif seedtext.looks_like(text):
        doc = seedtext.read_seedtext(text, file)
    else:
        from . import csvfile

        doc = csvfile.read_csv(text, file)
    doc.encoding = encoding
    return doc


def read_file(path: str | os.PathLike, max_bytes: int = DEFAULT_MAX_BYTES) -> Document:
    """Read one file from disk. Raises only :class:`InputError`."""
    path = Path(path)
    name = str(path)
    try:
        if not path.exists():
            raise InputError("文件不存在", name)
        if path.is_dir():
            raise InputError("这是一个目录，不是文件", name)
        size = path.stat().st_size
        if size > max_bytes:
            raise InputError(
                f"文件大小 {size / 1048576:.1f} MB 超过上限 {max_bytes / 1048576:.1f} MB（可用 --max-size 调整）", name
            )
        with path.open("rb") as fh:
            data = fh.read(max_bytes + 1)
        if len(data) > max_bytes:
            raise InputError(f"文件超过上限 {max_bytes / 1048576:.1f} MB", name)
        doc = read_bytes(data, name)
    except InputError:
        raise
    except PermissionError:
        raise InputError("没有读取权限", name) from None
    except OSError as exc:
        raise InputError(f"读取失败：{exc.strerror or exc}", name) from None
    except RecursionError:
        raise InputError("文件结构嵌套过深，无法读取", name) from None
    except MemoryError:
        raise InputError("文件内容过大，内存不足以读取", name) from None
    except Exception as exc:  # noqa: BLE001 - the boundary promise: only InputError leaves a reader
        raise InputError(f"文件内容无法解析（{type(exc).__name__}）", name) from None
    if not any(p.indicators or p.evaluation for p in doc.projects):
        raise InputError("没有找到绩效指标表（需要包含 三级指标 和 指标值 列的表格）", name)
    return doc


def iter_input_files(paths: Iterable[str | os.PathLike]) -> Iterator[Path]:
    """Expand directories (recursively, sorted) into the supported files they hold.

    A file named explicitly is always tried, whatever its suffix; inside a directory
    only files with a supported suffix are taken, so that README.md or images next to
    the tables are not reported as errors.
    """
    for p in paths:
        p = Path(p)
        if p.is_dir():
            for child in sorted(p.rglob("*")):
                if child.is_file() and child.suffix.lower() in SUPPORTED_SUFFIXES and not child.name.startswith(("~$", ".")):
                    yield child
        else:
            yield p


@dataclass
class BatchResult:
    documents: list[Document] = field(default_factory=list)
    errors: list[InputError] = field(default_factory=list)

    @property
    def projects(self):
        return [p for d in self.documents for p in d.projects]


def read_paths(paths: Iterable[str | os.PathLike], max_bytes: int = DEFAULT_MAX_BYTES, progress=None) -> BatchResult:
    """Read many files; a bad file is recorded and the batch goes on."""
    result = BatchResult()
    files = list(iter_input_files(paths))
    for path in files:
        try:
            result.documents.append(read_file(path, max_bytes=max_bytes))
        except InputError as exc:
            result.errors.append(exc)
        if progress is not None:
            progress(path)
    return result
