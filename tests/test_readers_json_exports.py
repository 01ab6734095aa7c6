"""JSON exported by budget systems (Chinese labels, pinyin initials, envelopes) reads as projects.

Each export here is small and built in the test, the way 预算管理一体化系统 and similar
systems write them; the assertions are what a user sees in ``parse``: project names,
units, budgets in 万元, and indicator values joined from their parts (≥12台).
"""

from __future__ import annotations

import json

import pytest

from indicatorqa.cli import main
from indicatorqa.errors import InputError
from indicatorqa.readers import read_file


def _write(tmp_path, data, name: str = "export.json"):
    path = tmp_path / name
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
    return path


def _read(tmp_path, data, name: str = "export.json"):
    return read_file(_write(tmp_path, data, name)).projects


def _error(tmp_path, data, name: str = "export.json") -> str:
    path = _write(tmp_path, data, name)
    with pytest.raises(InputError) as info:
        read_file(path)
    message = str(info.value)
    assert message.startswith(f"文件 {path}"), message  # the file is named
    assert "\n" not in message and "Traceback" not in message
    return message


def _rows(project) -> list[tuple[str, str, str, str]]:
    return [(i.level1, i.level2, i.name, i.value) for i in project.indicators]


# ---------------------------------------------------------------------------
# Chinese labels


def test_chinese_labels_with_value_split_over_symbol_value_unit(tmp_path):
    export = {
        "项目名称": "农村实用技术培训",
        "单位名称": "331201某县农业农村局",
        "项目编码": "XM2025-017",
        "预算金额": "85.5",
        "年度绩效目标": "1.开展实用技术培训；2.提高农民收入。",
        "绩效指标": [
            {"一级指标": "产出指标", "二级指标": "数量指标", "三级指标": "培训人次", "计算符号": "≥",
             "指标值": 500, "计量单位": "人次", "指标值确定依据": "年度培训计划"},
            {"一级指标": "产出指标", "二级指标": "质量指标", "三级指标": "培训合格率", "计算符号": "",
             "指标值": "95", "计量单位": "%", "指标值确定依据": ""},
            {"一级指标": "满意度指标", "二级指标": "服务对象满意度指标", "三级指标": "学员满意度",
             "计算符号": "≥", "指标值": "90", "计量单位": "%", "指标描述": "问卷调查满意的学员占比"},
        ],
    }
    (project,) = _read(tmp_path, export)
    assert project.name == "农村实用技术培训"
    assert (project.unit, project.unit_code) == ("某县农业农村局", "331201")
    assert project.code == "XM2025-017"
    assert project.budget == 85.5
    assert [g.text for g in project.goals] == ["开展实用技术培训", "提高农民收入。"]
    assert _rows(project) == [
        ("产出指标", "数量指标", "培训人次", "≥500人次"),
        ("产出指标", "质量指标", "培训合格率", "95%"),
        ("满意度指标", "服务对象满意度指标", "学员满意度", "≥90%"),
    ]
    assert project.indicators[0].value_basis == "年度培训计划"
    assert project.indicators[2].description == "问卷调查满意的学员占比"


# ---------------------------------------------------------------------------
# Pinyin initials inside an envelope


_PINYIN_EXPORT = {
    "code": 0,
    "msg": "成功",
    "exportTime": "2025-02-10 15:04:22",
    "data": {
        "nd": "2025",
        "total": 2,
        "list": [
            {
                "xmdm": "341822250001",
                "xmmc": "乡村道路养护",
                "dwdm": "103005",
                "dwmc": "某县交通运输局",
                "xmzje": "120.00",
                "jedw": "万元",
                "ndmb": "完成县乡道路日常养护。",
                "shzt": "已审核",
                "jxzb": [
                    {"xh": 1, "yjzb": "产出指标", "ejzb": "数量指标", "sjzb": "养护里程", "zbz": "≥35",
                     "jldw": "公里", "zblx": "定量", "bz": ""},
                    {"xh": 2, "yjzb": "产出指标", "ejzb": "时效指标", "sjzb": "养护完成时间",
                     "zbz": "2025年11月30日前", "jldw": "", "zblx": "定量"},
                    {"xh": 3, "yjzb": "效益指标", "ejzb": "社会效益指标", "sjzb": "道路优良率",
                     "jsfh": "≥", "zbz": 85, "jldw": "%", "zbms": "优良路段里程占比"},
                ],
            },
            {
                "xmdm": "341822250002",
                "xmmc": "公交站台改造",
                "dwmc": "某县交通运输局",
                "xmzje": 42,
                "jxzb": [
                    {"yjzb": "产出指标", "ejzb": "数量指标", "sjzb": "改造站台数", "zbz": "12", "jldw": "个"},
                ],
            },
        ],
    },
}


def test_pinyin_export_in_envelope_reads_every_project(tmp_path):
    first, second = _read(tmp_path, _PINYIN_EXPORT)
    assert (first.name, first.code, first.unit, first.unit_code) == ("乡村道路养护", "341822250001", "某县交通运输局", "103005")
    assert first.budget == 120.0 and second.budget == 42.0
    assert [g.text for g in first.goals] == ["完成县乡道路日常养护。"]
    assert _rows(first) == [
        ("产出指标", "数量指标", "养护里程", "≥35公里"),
        ("产出指标", "时效指标", "养护完成时间", "2025年11月30日前"),
        ("效益指标", "社会效益指标", "道路优良率", "≥85%"),
    ]
    # 指标类型 (定量) and 备注 are the system's own fields: not mistaken for levels or values.
    assert first.indicators[2].description == "优良路段里程占比"
    assert _rows(second) == [("产出指标", "数量指标", "改造站台数", "12个")]
    # The envelope's 年度 speaks for every project in it.
    assert first.budget_year == second.budget_year == 2025
    assert "nd" in first.budget_year_evidence


def test_pinyin_export_parses_on_the_command_line(tmp_path, capsys):
    path = _write(tmp_path, _PINYIN_EXPORT, "预算系统导出.json")
    code = main(["parse", str(path), "--format", "json"])
    out, err = capsys.readouterr()
    assert code == 0, err
    projects = json.loads(out)["projects"]
    assert [p["name"] for p in projects] == ["乡村道路养护", "公交站台改造"]
    assert projects[0]["indicators"][0]["value"] == "≥35公里"


@pytest.mark.parametrize("envelope", ["rows", "records", "result", "items"])
def test_upper_case_keys_in_other_envelopes(tmp_path, envelope):
    export = {
        "success": True,
        envelope: [
            {
                "XMMC": "社区养老服务补助",
                "DWMC": "某区民政局",
                "YSJE": 60,
                "JXZB": [
                    {"YJZB": "产出指标", "EJZB": "数量指标", "SJZB": "补助养老机构数", "JSFH": "≥",
                     "ZBZ": "8", "JLDW": "家"},
                    {"YJZB": "满意度指标", "EJZB": "服务对象满意度指标", "SJZB": "老人满意度", "ZBZ": "≥90",
                     "JLDW": "%"},
                ],
            }
        ],
    }
    (project,) = _read(tmp_path, export)
    assert (project.name, project.unit, project.budget) == ("社区养老服务补助", "某区民政局", 60.0)
    assert [i.value for i in project.indicators] == ["≥8家", "≥90%"]


def test_payload_sent_as_a_json_string_inside_the_envelope(tmp_path):
    inner = [{"xmmc": "河道保洁", "jxzb": [{"sjzb": "保洁河道长度", "zbz": "≥20", "jldw": "公里"}]}]
    export = {"code": "0000", "msg": "查询成功", "data": json.dumps(inner, ensure_ascii=False)}
    (project,) = _read(tmp_path, export)
    assert project.name == "河道保洁"
    assert [i.value for i in project.indicators] == ["≥20公里"]


# ---------------------------------------------------------------------------
# Budgets in 元


@pytest.mark.parametrize(
    ("budget_fields", "expected"),
    [
        ({"ysje": 4600000, "jedw": "元"}, 460.0),  # a 金额单位 field says 元
        ({"预算金额（元）": "1,200,000.00"}, 120.0),  # the key names its unit, as a header does
        ({"YSJE": "350000元"}, 35.0),  # the amount itself says 元
        ({"xmzje": "95.00", "jedw": "万元"}, 95.0),  # 万元 stays as it is
    ],
)
def test_budget_in_yuan_is_converted_to_wanyuan(tmp_path, budget_fields, expected):
    export = {"data": [{"xmmc": "校舍维修", **budget_fields, "jxzb": [{"sjzb": "维修面积", "zbz": "≥800", "jldw": "平方米"}]}]}
    (project,) = _read(tmp_path, export)
    assert project.budget == pytest.approx(expected)


def test_money_unit_of_the_envelope_applies_to_its_projects(tmp_path):
    export = {"data": {"jedw": "元", "records": [
        {"xmmc": "甲", "ysje": 500000, "jxzb": [{"sjzb": "a", "zbz": "1", "jldw": "个"}]},
        {"xmmc": "乙", "ysje": 20000, "jxzb": [{"sjzb": "b", "zbz": "2", "jldw": "个"}]},
    ]}}
    assert [p.budget for p in _read(tmp_path, export)] == [pytest.approx(50.0), pytest.approx(2.0)]


# ---------------------------------------------------------------------------
# Other shapes systems export


def test_one_row_per_indicator_groups_into_projects(tmp_path):
    # A grid API ({"total": n, "rows": [...]}) repeats the project on every indicator row;
    # a blank 项目名称 is the one above, as in a table with merged cells.
    export = {"total": 3, "rows": [
        {"dwmc": "某局", "xmmc": "项目甲", "yjzb": "产出指标", "ejzb": "数量指标", "sjzb": "场次", "zbz": "≥4", "jldw": "场"},
        {"dwmc": "某局", "xmmc": "", "yjzb": "产出指标", "ejzb": "质量指标", "sjzb": "合格率", "zbz": "100", "jldw": "%"},
        {"dwmc": "某局", "xmmc": "项目乙", "yjzb": "效益指标", "ejzb": "社会效益指标", "sjzb": "受益人数", "zbz": "≥300", "jldw": "人"},
    ]}
    first, second = _read(tmp_path, export)
    assert (first.name, second.name) == ("项目甲", "项目乙")
    assert [i.value for i in first.indicators] == ["≥4场", "100%"]
    assert _rows(second) == [("效益指标", "社会效益指标", "受益人数", "≥300人")]


def test_indicator_tree_gives_levels_to_its_leaves(tmp_path):
    export = {"data": {
        "xmxx": {"xmmc": "森林防火", "dwmc": "某县林业局"},
        "jxzb": [{"zbmc": "产出指标", "children": [
            {"zbmc": "数量指标", "children": [{"zbmc": "巡护次数", "zbz": "≥120", "jldw": "次"}]},
            {"zbmc": "质量指标", "children": [{"zbmc": "火情处置率", "zbz": "100", "jldw": "%"}]},
        ]}],
    }}
    (project,) = _read(tmp_path, export)
    assert (project.name, project.unit) == ("森林防火", "某县林业局")
    assert _rows(project) == [
        ("产出指标", "数量指标", "巡护次数", "≥120次"),
        ("产出指标", "质量指标", "火情处置率", "100%"),
    ]


# ---------------------------------------------------------------------------
# Exports that cannot be read: one clear message, naming file and expected fields


def test_export_without_indicators_says_which_fields_were_expected(tmp_path):
    export = {"code": 0, "msg": "成功", "data": {"list": [{"xmmc": "办公设备购置", "ysje": 12}]}}
    message = _error(tmp_path, export)
    assert "没有找到绩效指标列表" in message
    assert "data.list[0]" in message
    assert "jxzb" in message and "三级指标" in message and "指标值" in message
    assert "不认识的字段" not in message  # not the own format's complaint about msg


def test_export_without_project_name_says_which_fields_were_expected(tmp_path):
    export = {"data": [{"dwmc": "某局", "jxzb": [{"sjzb": "培训人次", "zbz": "≥50", "jldw": "人次"}]}]}
    message = _error(tmp_path, export)
    assert "没有项目名称" in message and "data[0]" in message
    assert "xmmc" in message and "项目名称" in message


def test_envelope_without_recognisable_projects(tmp_path):
    export = {"code": 0, "msg": "成功", "data": {"list": [{"id": 1, "status": "ok"}]}}
    message = _error(tmp_path, export)
    assert "不是 indicatorqa 数据" in message and "data" in message
    assert "xmmc" in message and "jxzb" in message


def test_indicators_without_recognisable_fields(tmp_path):
    export = {"data": [{"xmmc": "图书采购", "jxzb": [{"foo": "册数", "bar": "≥500"}]}]}
    message = _error(tmp_path, export)
    assert "data[0].jxzb" in message and "sjzb" in message and "zbz" in message


# ---------------------------------------------------------------------------
# The tool's own format keeps its strict checks


@pytest.mark.parametrize(
    ("extra", "reported"),
    [
        ({"budjet": 12}, "budjet"),  # a typo of budget
        ({"Unit": "某局"}, "Unit"),  # the own field name in the wrong case is no export key
        ({"data": {"x": 1}}, "data"),  # a stray key named like an envelope
    ],
)
def test_own_format_still_reports_unknown_fields(tmp_path, extra, reported):
    own = {"name": "项目", "indicators": [{"name": "培训人次", "value": "≥50人次"}]}
    # The same project with an export's key for its unit is read as an export …
    (project,) = _read(tmp_path, {**own, "dwmc": "某局"}, "export.json")
    assert project.unit == "某局" and project.indicators[0].value == "≥50人次"
    # … while an unknown key in the tool's own format is still an error naming it.
    message = _error(tmp_path, {**own, **extra}, "own.json")
    assert f"{reported}：不认识的字段" in message


def test_own_container_stays_strict_inside_and_out(tmp_path):
    # The own container is never taken for an export, even with export keys in it.
    export_keys = {"schema": "indicatorqa/1", "projects": [{"xmmc": "甲", "jxzb": []}]}
    assert "projects[0].xmmc：不认识的字段" in _error(tmp_path, export_keys, "own.json")
    # A bare {"foo": 1} is neither: the message says what either format needs.
    message = _error(tmp_path, {"foo": 1}, "neither.json")
    assert "不是 indicatorqa 数据" in message and "xmmc" in message and "jxzb" in message
