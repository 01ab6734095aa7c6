"""`indicatorqa parse`: what a user sees on the terminal and in JSON, and the exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from indicatorqa.cli import main

SEEDS = Path(__file__).resolve().parent.parent / "corpus" / "seeds"


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_parse_seeds_json_is_the_contract_without_findings(capsys):
    code, out, err = run(capsys, "parse", str(SEEDS), "--format", "json")
    assert code == 0, err
    data = json.loads(out)
    assert data["schema"] == "indicatorqa/1"
    targets = [p for p in data["projects"] if p["kind"] == "target"]
    assert len(targets) == 47
    assert sum(len(p["indicators"]) for p in targets) == 386
    evaluation = [p for p in data["projects"] if p["kind"] == "self_evaluation"]
    assert len(evaluation) == 1 and evaluation[0]["total_score"] == 93.95
    first = targets[0]["indicators"][0]
    assert {"level1", "level2", "name", "description", "value"} <= set(first)
    # parse output carries no analysis
    assert "findings" not in first and "score" not in first and "grade" not in targets[0]


def test_parse_table_shows_projects_and_totals(capsys):
    code, out, _ = run(capsys, "parse", str(SEEDS / "000_cab285404ad495ca.txt"))
    assert code == 0
    assert "市科技局网络安全和网络科技环境运维" in out
    assert "≥18篇" in out
    assert "共 12 个项目" in out


def test_parse_writes_output_file_atomically(tmp_path, capsys):
    target = tmp_path / "out" / "seeds.json"
    code, out, _ = run(capsys, "parse", str(SEEDS), "--format", "json", "-o", str(target))
    assert code == 0 and out == ""
    assert json.loads(target.read_text("utf-8"))["schema"] == "indicatorqa/1"
    assert [p.name for p in target.parent.iterdir()] == ["seeds.json"]  # no temp file left behind


def test_bad_file_in_batch_exit_2_and_good_files_still_read(tmp_path, capsys):
    bad = tmp_path / "坏文件.txt"
    bad.write_bytes(b"\x00\x01\x02garbage\xff" * 50)
    code, out, err = run(capsys, "parse", str(SEEDS / "001_605062abf738873e.txt"), str(bad), "--format", "json")
    assert code == 2
    data = json.loads(out)
    assert len(data["projects"]) == 12
    assert data["errors"][0]["file"].endswith("坏文件.txt")
    assert "坏文件.txt" in err and "Traceback" not in err


def test_missing_file_is_one_chinese_line(capsys, tmp_path):
    code, out, err = run(capsys, "parse", str(tmp_path / "nope.xlsx"))
    assert code == 2
    assert "nope.xlsx" in err and "文件不存在" in err
    assert "Traceback" not in err


def test_size_limit_is_configurable(capsys, tmp_path):
    code, _, err = run(capsys, "parse", str(SEEDS / "002_13db869fc1a32b4a.txt"), "--max-size", "0.01")
    assert code == 2 and "超过上限" in err


def test_usage_error_exit_2(capsys):
    code = None
    try:
        main(["parse", "--format", "yaml", str(SEEDS)])
    except SystemExit as exc:
        code = exc.code
    assert code == 2
    assert "用法错误" in capsys.readouterr().err


def test_help_is_bilingual():
    out = subprocess.run(
        [sys.executable, "-m", "indicatorqa.cli", "parse", "--help"], capture_output=True, text=True, check=True
    ).stdout
    assert "读取" in out and "Read" in out and "--format" in out


def test_schema_command_exports_json_schema(capsys):
    code, out, _ = run(capsys, "schema")
    schema = json.loads(out)
    assert code == 0
    assert "Project" in schema["$defs"] and "Indicator" in schema["$defs"]
