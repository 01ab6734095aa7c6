"""Bad input: each case gives exactly one InputError whose text names the file (and row)."""

from __future__ import annotations

import io
import time
import zipfile

import pytest

import builders as B
from indicatorqa.errors import InputError
from indicatorqa.model import Indicator, Project
from indicatorqa.readers import officezip, read_bytes, read_file, read_paths

SMALL = [
    Project(
        unit="天津市科学技术信息研究所",
        unit_code="331201",
        name="网络运维",
        title="1.网络运维绩效目标表",
        budget=493.0,
        indicators=[
            Indicator(level1="产出指标", level2="数量指标", name="安全检测次数", description="全年安全检测次数", value="≥4次"),
            Indicator(level1="满意度指标", level2="服务对象满意度指标", name="使用人员满意度", description="问卷", value="≥99%"),
        ],
    )
]


def _error(path, **kwargs) -> InputError:
    with pytest.raises(InputError) as info:
        read_file(path, **kwargs)
    error = info.value
    assert str(error).startswith(f"文件 {path}"), str(error)
    assert "\n" not in str(error)
    return error


def _docx() -> bytes:
    return B.docx_bytes(SMALL, extra_tables=False)


def _xlsx() -> bytes:
    return B.xlsx_bytes(lambda wb: B.write_flat_sheet(wb.active, SMALL))


def _rezip(data: bytes, replace: dict[str, bytes | None]) -> bytes:
    """The same package with members replaced (None: removed)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            if info.filename in replace:
                if replace[info.filename] is not None:
                    target.writestr(info.filename, replace[info.filename])
            else:
                target.writestr(info, source.read(info.filename))
        for name, content in replace.items():
            if content is not None and name not in source.namelist():
                target.writestr(name, content)
    return out.getvalue()


def test_good_files_read(tmp_path):
    for name, data in (("a.docx", _docx()), ("b.xlsx", _xlsx()), ("c.csv", B.csv_text(SMALL).encode("gbk"))):
        path = tmp_path / name
        path.write_bytes(data)
        doc = read_file(path)
        assert [i.value for i in doc.projects[0].indicators] == ["≥4次", "≥99%"]


def test_missing_file(tmp_path):
    assert "不存在" in _error(tmp_path / "没有这个文件.docx").message


def test_directory_given_as_file(tmp_path):
    assert "目录" in _error(tmp_path).message


@pytest.mark.parametrize("content", [b"", b"   \r\n\t\n", b"\xef\xbb\xbf"])
def test_empty_file(tmp_path, content):
    path = tmp_path / "empty.csv"
    path.write_bytes(content)
    assert "空" in _error(path).message


def test_binary_junk(tmp_path):
    path = tmp_path / "junk.txt"
    path.write_bytes(bytes(range(256)) * 40)
    assert "不是文本文件" in _error(path).message


def test_text_without_any_table(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("会议纪要\n今天讨论了绩效目标的编制。\n下周再议。\n", encoding="utf-8")
    assert "没有找到绩效指标表" in _error(path).message


def test_truncated_docx_and_xlsx(tmp_path):
    for name, data in (("t.docx", _docx()), ("t.xlsx", _xlsx())):
        for cut in (len(data) // 2, len(data) - 30, 100):
            path = tmp_path / name
            path.write_bytes(data[:cut])
            assert "损坏" in _error(path).message


def test_zip_that_is_not_office(tmp_path):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("readme.txt", "hello")
    path = tmp_path / "archive.docx"
    path.write_bytes(out.getvalue())
    message = _error(path).message
    assert "不是 .docx 或 .xlsx" in message and "word/document.xml" in message


def test_docx_without_document_part(tmp_path):
    path = tmp_path / "hollow.docx"
    path.write_bytes(_rezip(_docx(), {"word/document.xml": None}))
    message = _error(path).message
    assert "word/document.xml" in message


def test_broken_xml_inside_docx(tmp_path):
    data = _docx()
    xml = zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml")
    path = tmp_path / "broken.docx"
    path.write_bytes(_rezip(data, {"word/document.xml": xml[: len(xml) // 2]}))
    message = _error(path).message
    assert "损坏" in message and "XML" in message


def test_broken_xml_inside_xlsx(tmp_path):
    data = _xlsx()
    path = tmp_path / "broken.xlsx"
    path.write_bytes(_rezip(data, {"xl/worksheets/sheet1.xml": b"<worksheet><sheetData><row r='1'><c"}))
    assert "损坏" in _error(path).message


def test_xlsx_without_sheet_part(tmp_path):
    path = tmp_path / "hollow.xlsx"
    path.write_bytes(_rezip(_xlsx(), {"xl/worksheets/sheet1.xml": None}))
    assert "损坏" in _error(path).message


def test_entity_expansion_is_not_performed(tmp_path):
    """A billion-laughs document.xml must neither hang nor expand."""
    data = _docx()
    laughs = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        + b"".join(b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10) for i in range(1, 10))
        + b']><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>&lol9;</w:t></w:r></w:p></w:body></w:document>'
    )
    path = tmp_path / "lol.docx"
    path.write_bytes(_rezip(data, {"word/document.xml": laughs}))
    started = time.perf_counter()
    _error(path)
    assert time.perf_counter() - started < 2


def test_zip_bomb_is_refused_fast(tmp_path):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", b"\0" * (64 << 20))
    data = out.getvalue()
    assert len(data) < 200_000
    path = tmp_path / "bomb.docx"
    path.write_bytes(data)
    started = time.perf_counter()
    message = _error(path).message
    assert time.perf_counter() - started < 1
    assert "压缩炸弹" in message


def test_total_uncompressed_size_is_capped(tmp_path, monkeypatch):
    # Many members each under the ratio limit, together too large to inflate.
    monkeypatch.setattr(officezip, "MAX_TOTAL_UNCOMPRESSED", 1 << 20)
    data = _rezip(_docx(), {f"word/media/pad{i}.bin": bytes(range(256)) * 1024 for i in range(8)})
    path = tmp_path / "big.docx"
    path.write_bytes(data)
    assert "压缩炸弹" in _error(path).message


def test_too_many_members(tmp_path, monkeypatch):
    monkeypatch.setattr(officezip, "MAX_MEMBERS", 50)
    data = _rezip(_docx(), {f"customXml/item{i}.xml": b"<a/>" for i in range(60)})
    path = tmp_path / "many.docx"
    path.write_bytes(data)
    assert "文件过多" in _error(path).message


def test_encrypted_zip_member(tmp_path):
    data = bytearray(_docx())
    # Set the "encrypted" flag on every entry of the central directory.
    pos = data.find(b"PK\x01\x02")
    while pos != -1:
        data[pos + 8] |= 1
        pos = data.find(b"PK\x01\x02", pos + 4)
    path = tmp_path / "locked.docx"
    path.write_bytes(bytes(data))
    assert "加密" in _error(path).message


def _ole_with_stream(name: str) -> bytes:
    """A real OLE2 container (an .xls from xlwt) whose Workbook stream is renamed."""
    data = bytearray(B.xls_bytes([["a"]]))
    old = "Workbook".encode("utf-16-le") + b"\0\0"
    entry = data.find(old)
    encoded = name.encode("utf-16-le") + b"\0\0"
    data[entry : entry + 64] = encoded.ljust(64, b"\0")
    data[entry + 64 : entry + 66] = len(encoded).to_bytes(2, "little")
    return bytes(data)


def test_legacy_word_and_encrypted_ole_files(tmp_path):
    pytest.importorskip("xlwt")
    for stream, expected in (("WordDocument", ".doc"), ("EncryptedPackage", "密码"), ("Contents", "没有 Excel 工作簿")):
        path = tmp_path / "old.doc"
        path.write_bytes(_ole_with_stream(stream))
        assert expected in _error(path).message
    path = tmp_path / "broken.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 1000)
    assert "损坏" in _error(path).message


def test_docx_without_indicator_table(tmp_path):
    import docx

    document = docx.Document()
    document.add_paragraph("部门预算说明")
    table = document.add_table(rows=2, cols=3)
    for c, text in enumerate(["科目编码", "科目名称", "金额"]):
        table.cell(0, c).text = text
    buffer = io.BytesIO()
    document.save(buffer)
    path = tmp_path / "说明.docx"
    path.write_bytes(buffer.getvalue())
    message = _error(path).message
    assert "1 个表格" in message and "三级指标" in message


def test_docx_table_missing_value_column(tmp_path):
    import docx

    document = docx.Document()
    table = document.add_table(rows=2, cols=3)
    for c, text in enumerate(["一级指标", "二级指标", "三级指标"]):
        table.cell(0, c).text = text
    buffer = io.BytesIO()
    document.save(buffer)
    path = tmp_path / "缺列.docx"
    path.write_bytes(buffer.getvalue())
    message = _error(path).message
    assert "第 1 张表" in message and "指标值" in message


def test_file_over_size_limit(tmp_path):
    path = tmp_path / "big.csv"
    path.write_bytes(B.csv_text(SMALL).encode("utf-8") * 20)
    message = _error(path, max_bytes=1000).message
    assert "超过上限" in message


def test_csv_missing_required_column_names_it(tmp_path):
    path = tmp_path / "cols.csv"
    path.write_text("一级指标,二级指标,三级指标,绩效指标描述\n产出指标,数量指标,培训人次,全年培训人次\n", encoding="utf-8")
    message = _error(path).message
    assert "指标值" in message and "第 1 行" in message


def test_csv_shifted_row_names_the_row(tmp_path):
    path = tmp_path / "shift.csv"
    path.write_text("三级指标,指标值\n培训人次,≥500人次\n服务质量,提升,显著\n", encoding="utf-8")
    error = _error(path)
    assert error.row == 3 and "第 3 行" in str(error)


def test_xlsx_missing_required_column_names_sheet_and_row(tmp_path):
    def build(wb):
        ws = wb.active
        ws.title = "指标"
        ws.append(["项目名称", "预算数"])
        ws.append(["一级指标", "二级指标", "三级指标", "绩效指标描述"])
        ws.append(["产出指标", "数量指标", "培训人次", "全年培训人次"])

    path = tmp_path / "cols.xlsx"
    path.write_bytes(B.xlsx_bytes(build))
    message = _error(path).message
    assert "工作表“指标”" in message and "第 2 行" in message and "指标值" in message


def test_xlsx_without_indicator_sheet(tmp_path):
    def build(wb):
        wb.active.append(["姓名", "电话"])
        wb.active.append(["张三", "123"])

    path = tmp_path / "contacts.xlsx"
    path.write_bytes(B.xlsx_bytes(build))
    assert "没有找到绩效指标表" in _error(path).message


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('{"schema": "indicatorqa/1", "projects": [{"name": "x", "indicators": [{"value": 3}]}]}', "projects[0].indicators[0].value"),
        ('{"schema": "indicatorqa/1", "projects": [{"nmae": "x"}]}', "projects[0].nmae"),
        ('{"schema": "indicatorqa/9", "projects": []}', "schema"),
        ('[{"name": "x", "budget": NaN}]', "NaN"),
        ('{"projects": [1, 2,]}', "第 1 行"),
        ('{"foo": 1}', "不是 indicatorqa 数据"),
    ],
)
def test_json_errors_name_the_path(tmp_path, text, expected):
    path = tmp_path / "bad.json"
    path.write_text(text, encoding="utf-8")
    assert expected in _error(path).message


def test_deeply_nested_json():
    from indicatorqa.readers.jsonfile import read_json

    with pytest.raises(InputError):
        read_json('{"a":' * 50_000 + "1" + "}" * 50_000, "deep.json")


def test_batch_reads_good_files_and_lists_bad_ones(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "good.docx").write_bytes(_docx())
    (tmp_path / "sub" / "good.xlsx").write_bytes(_xlsx())
    (tmp_path / "good.csv").write_bytes(B.csv_text(SMALL).encode("gb18030"))
    (tmp_path / "README.md").write_text("# 说明\n", encoding="utf-8")
    (tmp_path / "junk.txt").write_bytes(b"\x00\x01\x02binary" * 100)
    (tmp_path / "empty.csv").write_bytes(b"")
    (tmp_path / "cut.xlsx").write_bytes(_xlsx()[:500])
    before = {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}

    result = read_paths([tmp_path])

    assert sorted(d.format for d in result.documents) == ["csv", "docx", "xlsx"]
    assert sorted(e.file.rsplit("/", 1)[-1] for e in result.errors) == ["cut.xlsx", "empty.csv", "junk.txt"]
    assert all(isinstance(e, InputError) and e.file in str(e) for e in result.errors)
    # Nothing the user gave is modified.
    assert before == {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}


def test_bad_input_never_escapes_as_another_exception():
    """The docx/xlsx readers keep the promise even when called on bytes directly."""
    for data in (_docx()[:-1], _xlsx()[:300], b"PK\x03\x04" + b"\xff" * 200, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" * 70):
        with pytest.raises(InputError):
            read_bytes(data, "x")
