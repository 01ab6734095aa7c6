"""The HTTP API with FastAPI's TestClient: contract, uploads, every validation error,
size limits, suggestions, rules, health, reviewer storage and the feedback export."""

from __future__ import annotations

import importlib.util
import io
import json
import random
import re
from pathlib import Path

import openpyxl
import pytest
from fastapi.testclient import TestClient

import builders as B
from indicatorqa.learn.models import MODEL_NAMES
from indicatorqa.learn.train import load_indicator_rows, target
from indicatorqa.readers import read_paths
from indicatorqa.web.app import create_app, display_name
from indicatorqa.web.store import INDICATOR_CODES, export_feedback

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "corpus" / "seeds" / "002_13db869fc1a32b4a.txt"
CHINESE = re.compile(r"[\u4e00-\u9fff]")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def draft(value: str = "提升", **project) -> dict:
    body = {
        "name": "2025年基层干部业务能力培训",
        "budget": 20,
        "budget_year": 2025,
        "indicators": [
            {"level1": "产出指标", "level2": "数量指标", "name": "培训人次", "description": "参训人员签到人次", "value": value},
            {"level1": "产出指标", "level2": "质量指标", "name": "培训合格率", "description": "考核合格人数/参训人数×100%", "value": "≥95%"},
            {"level1": "满意度指标", "level2": "服务对象满意度指标", "name": "参训人员满意度", "description": "问卷调查", "value": "≥90%"},
        ],
    }
    body.update(project)
    return {"schema": "indicatorqa/1", "projects": [body]}


@pytest.fixture(scope="module")
def client():
    # The engine is loaded once per process and shared by every app built here.
    with TestClient(create_app()) as c:
        yield c


@pytest.fixture(scope="module")
def small_client():
    with TestClient(create_app(max_upload_mb=0.05)) as c:
        yield c


@pytest.fixture
def store_client(tmp_path):
    db = tmp_path / "review.db"
    with TestClient(create_app(db_url=str(db))) as c:
        c.db = db
        yield c


@pytest.fixture(scope="module")
def seed_projects():
    return read_paths([SEED]).projects


def detail(resp) -> str:
    data = resp.json()
    assert set(data) <= {"detail", "errors"}, data
    assert isinstance(data["detail"], str) and CHINESE.search(data["detail"]), data
    return data["detail"]


# --- good input -----------------------------------------------------------------------------


def test_check_json_answers_the_spec_shape(client):
    resp = client.post("/v1/check", json=draft())
    assert resp.status_code == 200
    assert resp.headers["content-type"].startswith("application/json")
    data = resp.json()
    assert data["schema"] == "indicatorqa/1"
    [project] = data["projects"]
    assert isinstance(project["score"], float) and 0 <= project["score"] <= 100
    assert project["grade"] in ("优", "良", "中", "差")
    assert set(project["score_parts"]) == {"完整性", "相关性", "适当性", "可行性"}
    first = project["indicators"][0]
    assert isinstance(first["score"], (int, float))
    v001 = next(f for f in first["findings"] if f["code"] == "V001")
    assert v001["slug"] == "vague-value" and v001["severity"] == "error"
    assert CHINESE.search(v001["message"]) and v001["evidence"] and 0 < v001["confidence"] <= 1
    assert first["suggestions"] and all(s["name"] and s["value"] for s in first["suggestions"])
    assert not any(f["code"].startswith("V00") for f in project["indicators"][1]["findings"])
    assert "X-Submission-Id" not in resp.headers


def test_check_answer_is_what_the_cli_contract_validates(client):
    from indicatorqa.model import Report

    data = client.post("/v1/check", json=draft()).json()
    Report.model_validate(data)  # extra="forbid": the answer has no field outside the contract


def test_analysis_fields_in_the_input_are_dropped_not_trusted(client):
    body = draft(value="≥600人次")
    stale = {"code": "V001", "slug": "vague-value", "severity": "error", "message": "旧结果"}
    body["projects"][0]["findings"] = [stale]
    body["projects"][0]["score"] = 1.0
    body["projects"][0]["indicators"][0]["findings"] = [stale]
    data = client.post("/v1/check", json=body).json()
    assert all(f["message"] != "旧结果" for f in data["projects"][0]["indicators"][0]["findings"])
    assert data["projects"][0]["score"] != 1.0


def test_budget_year_is_inferred_when_absent(client):
    body = draft()
    del body["projects"][0]["budget_year"]
    project = client.post("/v1/check", json=body).json()["projects"][0]
    assert project["budget_year"] == 2025 and project["budget_year_evidence"]


def test_upload_seed_text(client, seed_projects):
    resp = client.post("/v1/check", files={"file": ("002.txt", SEED.read_bytes(), "text/plain")})
    assert resp.status_code == 200
    projects = resp.json()["projects"]
    assert len(projects) == len(seed_projects)
    assert all(p["grade"] in ("优", "良", "中", "差") for p in projects)
    assert projects[0]["source"]["file"] == "002.txt"


def test_upload_seed_derived_csv(client, seed_projects):
    data = B.csv_text(seed_projects).encode("gb18030")  # GBK text, as Excel in China saves it
    resp = client.post("/v1/check", files={"file": ("表格.csv", data, "text/csv")})
    assert resp.status_code == 200, resp.text
    got = resp.json()["projects"]
    assert [p["name"] for p in got] == [p.name for p in seed_projects]
    assert [i["name"] for i in got[0]["indicators"]] == [i.name for i in seed_projects[0].indicators]


def test_upload_seed_derived_xlsx(client, seed_projects):
    data = B.xlsx_bytes(lambda wb: B.write_form_sheet(wb.active, seed_projects))
    resp = client.post("/v1/check", files={"file": ("目标表.xlsx", data, XLSX_TYPE)})
    assert resp.status_code == 200, resp.text
    got = resp.json()["projects"]
    assert len(got) == len(seed_projects)
    assert sum(len(p["indicators"]) for p in got) == sum(len(p.indicators) for p in seed_projects)


def test_xlsx_download_is_an_annotated_workbook(client, seed_projects):
    resp = client.post("/v1/xlsx", files={"file": ("002.txt", SEED.read_bytes())})
    assert resp.status_code == 200
    assert resp.headers["content-type"] == XLSX_TYPE
    assert resp.headers["content-disposition"].startswith("attachment;")
    assert "filename*=UTF-8''" in resp.headers["content-disposition"]
    wb = openpyxl.load_workbook(io.BytesIO(resp.content))
    assert wb.sheetnames[:2] == ["汇总", "问题清单"] and len(wb.sheetnames) == 2 + len(seed_projects)
    resp = client.post("/v1/xlsx", json=draft())
    assert resp.status_code == 200
    openpyxl.load_workbook(io.BytesIO(resp.content))


# --- validation errors: 422 naming the JSON path ---------------------------------------------


def _with(mutate):
    body = draft()
    mutate(body)
    return body


@pytest.mark.parametrize(
    "body, path, words",
    [
        (_with(lambda b: b["projects"][0]["indicators"][0].update(value=123)), "projects[0].indicators[0].value", "字符串"),
        (_with(lambda b: b["projects"][0].update(budget="很多")), "projects[0].budget", "数字"),
        (_with(lambda b: b["projects"][0].update(budget_year=2025.5)), "projects[0].budget_year", "整数"),
        (_with(lambda b: b["projects"][0].update(indicators={"name": "x"})), "projects[0].indicators", "列表"),
        (_with(lambda b: b["projects"][0]["indicators"][1].update(colour="红")), "projects[0].indicators[1].colour", "不认识的字段"),
        (_with(lambda b: b["projects"][0].update(kind="draft")), "projects[0].kind", "允许的范围"),
        (_with(lambda b: b.update(extra=1)), "extra", "不认识的字段"),
        (_with(lambda b: b.update(schema="indicatorqa/0")), "schema", "允许的范围"),
        (_with(lambda b: b.update(projects=[])), "projects", "至少"),
        ({"schema": "indicatorqa/1"}, "projects", "缺少必填字段"),
        ({"projects": ["项目"]}, "projects[0]", "对象"),
    ],
)
def test_each_validation_error_is_422_naming_the_path(client, body, path, words):
    resp = client.post("/v1/check", json=body)
    assert resp.status_code == 422
    text = detail(resp)
    assert f"{path}：" in text and words in text, text
    assert any(e["path"] == path for e in resp.json()["errors"])


@pytest.mark.parametrize(
    "raw, words",
    [
        (b'{"projects": [', "JSON 格式错误：第 1 行"),
        (b'{"projects": [{"name": "a",}]}', "JSON 格式错误"),
        (b"", "请求体为空"),
        (b"[1, 2]", "顶层应为对象"),
        (b'{"projects": [{"budget": NaN}]}', "NaN"),
        (b"\xff\xfe\x00garbage", "JSON"),
        (b'"just a string"', "顶层应为对象"),
    ],
)
def test_bad_json_is_422_in_chinese(client, raw, words):
    resp = client.post("/v1/check", content=raw, headers={"content-type": "application/json"})
    assert resp.status_code == 422
    assert words in detail(resp)


def test_all_errors_are_listed_not_only_the_first(client):
    body = _with(lambda b: b["projects"][0]["indicators"][0].update(value=1, name=2))
    data = client.post("/v1/check", json=body).json()
    paths = {e["path"] for e in data["errors"]}
    assert {"projects[0].indicators[0].value", "projects[0].indicators[0].name"} <= paths


# --- uploads that cannot be read: 400 naming the file ------------------------------------------


@pytest.mark.parametrize(
    "name, data, words",
    [
        ("图片.png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4, "不是文本文件"),
        ("坏表.xlsx", b"PK\x03\x04" + b"\x00" * 64, ""),
        ("空.csv", b"   \n", "文件为空"),
        ("说明.txt", "这是一段说明文字，不是指标表。\n第二行。".encode(), ""),
        ("坏表.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, ""),
    ],
)
def test_unreadable_upload_is_400_naming_the_file(client, name, data, words):
    resp = client.post("/v1/check", files={"file": (name, data, "application/octet-stream")})
    assert resp.status_code == 400, resp.text
    text = detail(resp)
    assert name in text and words in text


def test_upload_name_is_a_label_never_a_path(client, tmp_path):
    resp = client.post("/v1/check", files={"file": ("../../../tmp/evil.csv", b"\x00\x01\x02" * 100)})
    assert resp.status_code == 400
    text = detail(resp)
    assert text.startswith("文件 evil.csv：")
    assert display_name("C:\\Users\\me\\表.xlsx") == "表.xlsx"
    assert display_name("a\x07b\u202e.csv") == "ab.csv"
    assert display_name("") == "上传文件" and display_name("...") == "上传文件"
    assert len(display_name("a" * 1000)) == 120


def test_multipart_without_file_field_is_422(client):
    resp = client.post("/v1/check", data={"note": "没有文件"}, files={"other": ("a.txt", b"x")})
    assert resp.status_code == 422
    assert "file" in detail(resp)


def test_two_files_are_refused(client):
    files = [("file", ("a.txt", SEED.read_bytes())), ("file", ("b.txt", SEED.read_bytes()))]
    resp = client.post("/v1/check", files=files)
    assert resp.status_code == 400
    assert "一个文件" in detail(resp)


def test_other_content_types_are_415(client):
    resp = client.post("/v1/check", content="三级指标,指标值", headers={"content-type": "text/csv"})
    assert resp.status_code == 415
    assert "multipart/form-data" in detail(resp)


def test_bad_input_never_gives_a_500(client):
    rng = random.Random(6)
    seed_bytes = SEED.read_bytes()
    for _ in range(25):
        cut = seed_bytes[: rng.randrange(1, len(seed_bytes))]
        blob = bytearray(cut)
        for _ in range(rng.randrange(0, 20)):
            blob[rng.randrange(len(blob))] = rng.randrange(256)
        resp = client.post("/v1/check", files={"file": ("随机.txt", bytes(blob))})
        assert resp.status_code in (200, 400), resp.text
    for raw in (b"{}", b'{"projects": null}', b'{"projects": [{"indicators": [null]}]}', b"[[[[[[[[[[]]]]]]]]]]",
                '{"projects": [{"goals": [{"number": "一", "text": 1}]}]}'.encode(), b"9" * 5000):
        resp = client.post("/v1/check", content=raw, headers={"content-type": "application/json"})
        assert resp.status_code == 422, (raw[:40], resp.text)
        detail(resp)


# --- size limits: 413 while reading -------------------------------------------------------------


def test_oversized_upload_is_413(small_client):
    big = b"\xe4\xb8\x80" * 40_000  # 120 KB > 0.05 MB
    resp = small_client.post("/v1/check", files={"file": ("大文件.csv", big)})
    assert resp.status_code == 413
    assert "0.05 MB" in detail(resp)


def test_oversized_json_is_413(small_client):
    body = draft()
    body["projects"][0]["use_of_funds"] = "经费" * 40_000
    resp = small_client.post("/v1/check", json=body)
    assert resp.status_code == 413
    detail(resp)


def test_limit_holds_without_content_length(small_client):
    """A chunked body has no Content-Length: the limit is counted while the body streams in."""
    sent = []

    def chunks():
        for _ in range(100):
            sent.append(1)
            yield b" " * 4096

    resp = small_client.post("/v1/check", content=chunks(), headers={"content-type": "application/json"})
    assert resp.status_code == 413
    detail(resp)


def test_limit_applies_to_every_endpoint(small_client):
    resp = small_client.post(
        "/v1/suggest", content=json.dumps({"indicator": {"name": "培训" * 30_000}}), headers={"content-type": "application/json"}
    )
    assert resp.status_code == 413


def test_too_many_indicators_is_413(client):
    body = draft()
    body["projects"][0]["indicators"] = [{"name": f"指标{i}", "value": "≥1次"} for i in range(5001)]
    resp = client.post("/v1/check", json=body)
    assert resp.status_code == 413
    assert "5000" in detail(resp)


# --- suggest, rules, health, docs ------------------------------------------------------------


def test_suggest_one_indicator(client):
    resp = client.post("/v1/suggest", json={"indicator": {"level2": "数量指标", "name": "培训人次", "value": "提升"},
                                            "budget": 20, "year": 2025, "goals": ["全年培训基层干部600人次"]})
    assert resp.status_code == 200
    suggestions = resp.json()["suggestions"]
    assert 1 <= len(suggestions) <= 3
    assert all(s["name"] and s["value"] and s["source"].startswith("corpus:") for s in suggestions)
    # The goal states 600人次: the number comes from the project's own evidence.
    assert any("600" in s["value"] for s in suggestions), suggestions


@pytest.mark.parametrize(
    "body, path",
    [
        ({"indicator": {"name": ""}}, "indicator.name"),
        ({"indicator": {"value": "提升"}}, "indicator.name"),
        ({"indicator": {"name": "培训人次"}, "k": 0}, "k"),
        ({"indicator": {"name": "培训人次"}, "year": "明年"}, "year"),
        ({"indicator": {"name": "培训人次", "unit": "次"}}, "indicator.unit"),
        ({"indicator": "培训人次"}, "indicator"),
    ],
)
def test_suggest_validation(client, body, path):
    resp = client.post("/v1/suggest", json=body)
    assert resp.status_code == 422
    assert f"{path}：" in detail(resp)


def test_suggest_bad_json_is_422_in_chinese(client):
    resp = client.post("/v1/suggest", content=b"{oops", headers={"content-type": "application/json"})
    assert resp.status_code == 422
    assert "JSON" in detail(resp)


def test_rules(client):
    rules = client.get("/v1/rules").json()["rules"]
    by_code = {r["code"]: r for r in rules}
    assert by_code["V001"]["slug"] == "vague-value" and by_code["V001"]["learned"] is True
    assert {"P001", "N003", "S004"} <= set(by_code)


def test_healthz_and_storage_off_by_default(client):
    data = client.get("/healthz").json()
    assert data["status"] == "ok" and data["storage"] is False and data["max_upload_mb"] == 10
    resp = client.post("/v1/check?store=true", json=draft())
    assert resp.status_code == 409 and "--db" in detail(resp)
    assert client.get("/v1/submissions").status_code == 409
    assert client.post("/v1/findings/1/decision", json={"decision": "accept"}).status_code == 409


def test_openapi_and_offline_docs(client):
    spec = client.get("/openapi.json").json()
    body = spec["paths"]["/v1/check"]["post"]["requestBody"]["content"]
    assert {"application/json", "multipart/form-data"} <= set(body)
    assert "CheckInput" in spec["components"]["schemas"] and "Report" in spec["components"]["schemas"]
    assert {"/v1/suggest", "/v1/xlsx", "/v1/rules", "/healthz", "/v1/findings/{finding_id}/decision"} <= set(spec["paths"])
    html = client.get("/docs").text
    assert "swagger" in html.lower()
    assert not re.search(r"""(src|href)=["']?https?://""", html), "the docs page loads from the network"
    for asset in re.findall(r"""(?:src|href)=["'](/docs-static/[^"']+)""", html):
        assert client.get(asset).status_code == 200, asset


def test_page_is_served_with_a_strict_policy(client):
    resp = client.get("/")
    assert resp.status_code == 200 and "预算绩效指标填报助手" in resp.text
    assert "default-src 'self'" in resp.headers["content-security-policy"]
    assert resp.headers["x-content-type-options"] == "nosniff"
    assert not re.search(r"""(src|href)=["']?https?://""", resp.text)
    for asset in ("/static/app.js", "/static/app.css"):
        text = client.get(asset).text
        assert "http://" not in text and "https://" not in text, asset
    js = client.get("/static/app.js").text
    assert not re.search(r"\.innerHTML\s*=|\.outerHTML\s*=|insertAdjacentHTML|document\.write|eval\(", js)


def test_unknown_routes_and_methods_answer_in_chinese(client):
    resp = client.get("/v1/nothing")
    assert resp.status_code == 404 and detail(resp)
    resp = client.get("/v1/check")
    assert resp.status_code == 405 and detail(resp)


# --- storage for reviewers --------------------------------------------------------------------


def test_nothing_is_stored_without_store_true(store_client):
    assert store_client.get("/healthz").json()["storage"] is True
    assert store_client.post("/v1/check", json=draft()).status_code == 200
    assert store_client.get("/v1/submissions").json()["submissions"] == []


def test_decisions_are_stored_and_exported_as_labels(store_client, tmp_path):
    body = draft()
    body["projects"][0]["indicators"].append(
        {"level1": "产出指标", "level2": "质量指标", "name": "媒体报道次数", "description": "", "value": "≥5次"}
    )
    resp = store_client.post("/v1/check?store=true", json=body)
    assert resp.status_code == 200
    sub_id = int(resp.headers["X-Submission-Id"])
    assert resp.headers["Location"] == f"/v1/submissions/{sub_id}"
    listing = store_client.get("/v1/submissions").json()["submissions"]
    assert [s["id"] for s in listing] == [sub_id]

    sub = store_client.get(f"/v1/submissions/{sub_id}").json()
    assert sub["report"]["projects"][0]["name"] == body["projects"][0]["name"]
    v001 = next(f for f in sub["findings"] if f["code"] == "V001")
    assert v001["indicator"] == 0 and v001["decision"] is None
    project_level = [f for f in sub["findings"] if f["indicator"] is None]
    assert all(f["code"].startswith("P") for f in project_level)

    # Validation of decisions.
    resp = store_client.post(f"/v1/findings/{v001['id']}/decision", json={"decision": "dismiss"})
    assert resp.status_code == 422 and "理由" in detail(resp)
    resp = store_client.post(f"/v1/findings/{v001['id']}/decision", json={"decision": "maybe", "reason": "x"})
    assert resp.status_code == 422 and "decision：" in detail(resp)
    resp = store_client.post("/v1/findings/999999/decision", json={"decision": "accept"})
    assert resp.status_code == 404 and "999999" in detail(resp)

    # A reviewer accepts V001 and dismisses N003 (if the engine raised it) with a reason.
    resp = store_client.post(f"/v1/findings/{v001['id']}/decision", json={"decision": "accept", "reviewer": "张三"})
    assert resp.status_code == 200 and resp.json()["decision"] == "accept"
    n003 = next((f for f in sub["findings"] if f["code"] == "N003"), None)
    if n003:
        resp = store_client.post(f"/v1/findings/{n003['id']}/decision",
                                 json={"decision": "dismiss", "reason": "本单位把宣传质量按报道次数考核"})
        assert resp.status_code == 200
    sub = store_client.get(f"/v1/submissions/{sub_id}").json()
    assert next(f for f in sub["findings"] if f["id"] == v001["id"])["decision"]["decision"] == "accept"

    out = tmp_path / "feedback.jsonl"
    n = export_feedback(str(store_client.db), out)
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert n == len(rows) == (2 if n003 else 1)
    first = rows[0]
    assert first["source"] == "feedback" and first["kind"] == "indicator" and first["doc"] == "feedback"
    assert first["name"] == "培训人次" and first["value"] == "提升"
    assert set(first["labels"]) == set(INDICATOR_CODES)
    assert first["labels"]["V001"] == 1 and first["measurability"] == "vague"
    assert "V001 accepted by reviewer" in first["note"]
    if n003:
        dismissed = rows[1]
        assert dismissed["labels"]["N003"] == 0 and dismissed["level2_canonical"] == "质量"
        assert "本单位把宣传质量按报道次数考核" in dismissed["note"]

    # The rows pass the label validator and load into training.
    checker = _label_checker()
    for k, r in enumerate(rows):
        checker.indicator(f"feedback:{k}", r)
    assert checker.problems == []
    loaded = load_indicator_rows(extra=[out])
    fed = [r for r in loaded if r.get("source") == "feedback"]
    assert len(fed) == n
    for r in fed:
        for model in MODEL_NAMES:
            target(r, model)


def test_a_dismissed_finding_becomes_a_negative_label(store_client, tmp_path):
    resp = store_client.post("/v1/check?store=true", json=draft(value="提升"))
    sub = store_client.get(f"/v1/submissions/{resp.headers['X-Submission-Id']}").json()
    v001 = next(f for f in sub["findings"] if f["code"] == "V001")
    store_client.post(f"/v1/findings/{v001['id']}/decision", json={"decision": "accept", "reason": "先接受"})
    store_client.post(f"/v1/findings/{v001['id']}/decision", json={"decision": "dismiss", "reason": "复核后认为可以"})
    out = tmp_path / "fb.jsonl"
    assert export_feedback(str(store_client.db), out) == 1
    row = json.loads(out.read_text(encoding="utf-8"))
    # The latest decision counts.
    assert row["labels"]["V001"] == 0 and row["measurability"] == "ok"
    assert "V001 dismissed by reviewer: 复核后认为可以" in row["note"]


def test_upload_store_via_form_field(store_client):
    resp = store_client.post("/v1/check", files={"file": ("002.txt", SEED.read_bytes())}, data={"store": "true"})
    assert resp.status_code == 200
    sub = store_client.get(f"/v1/submissions/{resp.headers['X-Submission-Id']}").json()
    assert sub["source"] == "upload" and sub["filename"] == "002.txt" and sub["findings"]
    resp = store_client.post("/v1/check?store=maybe", json=draft())
    assert resp.status_code == 422 and "store" in detail(resp)


def _label_checker():
    spec = importlib.util.spec_from_file_location("check_labels", ROOT / "corpus" / "labels" / "check_labels.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.Checker()


def test_an_accepted_level_mismatch_moves_the_row_to_the_predicted_level(store_client, tmp_path):
    body = draft()
    body["projects"][0]["indicators"] = [
        {"level1": "产出指标", "level2": "质量指标", "name": "媒体报道次数", "description": "", "value": "≥5次"}
    ]
    resp = store_client.post("/v1/check?store=true", json=body)
    sub = store_client.get(f"/v1/submissions/{resp.headers['X-Submission-Id']}").json()
    n003 = next(f for f in sub["findings"] if f["code"] == "N003")
    assert store_client.post(f"/v1/findings/{n003['id']}/decision", json={"decision": "accept"}).status_code == 200
    out = tmp_path / "fb.jsonl"
    assert export_feedback(str(store_client.db), out) == 1
    row = json.loads(out.read_text(encoding="utf-8"))
    assert row["labels"]["N003"] == 1 and row["level2_canonical"] == "数量"
    checker = _label_checker()
    checker.indicator("feedback", row)
    assert checker.problems == []


def test_serve_command_line():
    import argparse

    from indicatorqa.errors import InputError
    from indicatorqa.web.cli import add_serve_parser, cmd_serve

    parser = argparse.ArgumentParser(prog="indicatorqa")
    sub = parser.add_subparsers(dest="command")
    serve = add_serve_parser(sub)
    args = parser.parse_args(["serve"])
    assert (args.host, args.port, args.db, args.max_upload, args.func) == ("127.0.0.1", 8000, None, 10.0, cmd_serve)
    args = parser.parse_args(["serve", "--host", "0.0.0.0", "--port", "8080", "--db", "r.db", "--max-upload", "2",
                              "--config", "c.toml", "--models", "m"])
    assert (args.host, args.port, args.db, args.max_upload, args.config, args.models) == ("0.0.0.0", 8080, "r.db", 2.0, "c.toml", "m")
    text = serve.format_help()
    assert "填报助手" in text and "drafting assistant" in text and "--max-upload" in text
    with pytest.raises(InputError, match="端口"):
        cmd_serve(parser.parse_args(["serve", "--port", "70000"]))
    with pytest.raises(InputError, match="max-upload"):
        cmd_serve(parser.parse_args(["serve", "--max-upload", "0"]))


def test_export_feedback_refuses_a_missing_database(tmp_path):
    from indicatorqa.errors import InputError

    with pytest.raises(InputError, match="不存在"):
        export_feedback(str(tmp_path / "typo.db"), tmp_path / "out.jsonl")
    assert not (tmp_path / "typo.db").exists() and not (tmp_path / "out.jsonl").exists()
