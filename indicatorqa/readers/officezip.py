"""Zip containers: .docx and .xlsx, opened safely.

Before any member is decompressed, the central directory is checked against limits
that no real 绩效目标表 comes near but a zip bomb exceeds at once: the number of
members, the total uncompressed size, and the compression ratio of large members.
The check costs microseconds, so a bomb is refused before a byte is inflated.
The declared sizes can be trusted here because :mod:`zipfile` stops at the declared
size when inflating and then fails the CRC check.

The kind of document is read from the package relationships (``_rels/.rels``), then
from the member names, never from the file name.
"""

from __future__ import annotations

import io
import re
import zipfile

from ..errors import InputError
from ..model import Document
from . import grid

MAX_MEMBERS = 10_000
# Total uncompressed size of all members. A 200,000-row sheet is about 100 MB of XML.
MAX_TOTAL_UNCOMPRESSED = 512 * 1024 * 1024
# Deflate cannot exceed ~1030:1; OOXML parts stay well under 100:1 even for sheets
# of empty styled rows. The ratio only counts for members large enough to matter.
MAX_RATIO = 200
RATIO_MIN_SIZE = 1024 * 1024

_CORRUPT = "文件已损坏（不是完整的 zip/Office 文件，可能下载或复制不完整），请重新导出后再试"


def open_zip(data: bytes, file: str) -> zipfile.ZipFile:
    """Open a zip and vet its central directory; raises :class:`InputError` only."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except zipfile.LargeZipFile:
        raise InputError("文件过大（ZIP64），无法读取", file) from None
    except (zipfile.BadZipFile, EOFError, OSError, ValueError, NotImplementedError, OverflowError, IndexError):
        raise InputError(_CORRUPT, file) from None
    except Exception:  # noqa: BLE001 - struct.error and friends from a mangled directory
        raise InputError(_CORRUPT, file) from None
    check_limits(infos, file)
    return zf


def check_limits(infos: list[zipfile.ZipInfo], file: str) -> None:
    if len(infos) > MAX_MEMBERS:
        raise InputError(f"压缩包内文件过多（{len(infos)} 个，上限 {MAX_MEMBERS}），疑似恶意文件，已拒绝读取", file)
    total = 0
    for info in infos:
        total += info.file_size
        if total > MAX_TOTAL_UNCOMPRESSED:
            raise InputError(
                f"解压后大小超过上限 {MAX_TOTAL_UNCOMPRESSED // 1048576} MB，疑似压缩炸弹，已拒绝读取", file
            )
        if info.file_size >= RATIO_MIN_SIZE and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise InputError(
                f"压缩比异常（{info.filename} 压缩比超过 {MAX_RATIO}:1），疑似压缩炸弹，已拒绝读取", file
            )
        if info.flag_bits & 0x1:
            raise InputError("文件已加密，请取消密码保护后再读取", file)


def read_member(zf: zipfile.ZipFile, name: str, file: str) -> bytes:
    """One member's bytes; a broken member (bad CRC, truncated data) is an InputError."""
    try:
        return zf.read(name)
    except KeyError:
        raise InputError(f"文件不完整：缺少 {name}", file) from None
    except RuntimeError:
        raise InputError("文件已加密，请取消密码保护后再读取", file) from None
    except Exception:  # noqa: BLE001 - zlib.error, BadZipFile (CRC), EOFError, NotImplementedError
        raise InputError(f"{_CORRUPT}（{name} 无法解压）", file) from None


_OFFICE_DOCUMENT = re.compile(
    rb'<(?:\w+:)?Relationship\b[^>]*\bType="[^"]*/officeDocument"[^>]*>', re.S
)
_TARGET = re.compile(rb'\bTarget="([^"]+)"')


def main_part(zf: zipfile.ZipFile, file: str) -> str | None:
    """The package's main part as named in _rels/.rels (word/document.xml, xl/workbook.xml)."""
    names = set(zf.namelist())
    if "_rels/.rels" not in names:
        return None
    rels = read_member(zf, "_rels/.rels", file)
    for rel in _OFFICE_DOCUMENT.finditer(rels):
        target = _TARGET.search(rel.group(0))
        if target:
            return target.group(1).decode("utf-8", "replace").lstrip("/")
    return None


def kind_of(zf: zipfile.ZipFile, file: str) -> tuple[str, str | None]:
    """('docx'|'xlsx', main part) or an InputError saying what the zip is instead."""
    names = set(zf.namelist())
    main = main_part(zf, file)
    if main and main in names:
        if main.startswith("word/"):
            return "docx", main
        if main.startswith("xl/") and main.endswith(".xml"):
            return "xlsx", main
    if "word/document.xml" in names:
        return "docx", "word/document.xml"
    if "xl/workbook.xml" in names:
        return "xlsx", "xl/workbook.xml"
    # Not Word, not Excel: say what it is, so the user knows what to convert.
    if main and main.endswith(".bin") or "xl/workbook.bin" in names:
        raise InputError("这是 Excel 二进制工作簿（.xlsb），暂不支持，请另存为 .xlsx 后再读取", file)
    if any(n.startswith("ppt/") for n in names):
        raise InputError("这是 PowerPoint 文件，不是 .docx/.xlsx 表格文件", file)
    if "mimetype" in names:
        mimetype = read_member(zf, "mimetype", file)[:100]
        if b"opendocument" in mimetype:
            raise InputError("这是 OpenDocument 文件（.odt/.ods），请另存为 .docx 或 .xlsx 后再读取", file)
    if "[Content_Types].xml" in names:
        raise InputError("这是 Office 文件，但既不是 Word 文档（缺少 word/document.xml）也不是 Excel 工作簿（缺少 xl/workbook.xml）", file)
    raise InputError("这是 zip 压缩包，不是 .docx 或 .xlsx 文件（缺少 word/document.xml 和 xl/workbook.xml），请解压后读取其中的表格文件", file)


def read_zip(data: bytes, file: str) -> Document:
    """Read a .docx or .xlsx from its bytes; raises :class:`InputError` only."""
    with grid.reading(file, "文件"):
        zf = open_zip(data, file)
        with zf:
            kind, main = kind_of(zf, file)
            if kind == "docx":
                from . import docx

                return docx.read_docx(zf, main, file)
            from . import xlsx

            return xlsx.read_xlsx(zf, data, file)
