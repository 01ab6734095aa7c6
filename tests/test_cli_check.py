"""`indicatorqa check` / `rules`: the JSON contract with findings, exit codes, config files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from indicatorqa.cli import main
from indicatorqa.config import load_config
from indicatorqa.errors import InputError

SEEDS = Path(__file__).resolve().parent.parent / "corpus" / "seeds"
SEED_002 = SEEDS / "002_13db869fc1a32b4a.txt"


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_check_json_is_the_spec_contract(capsys):
    code, out, err = run(capsys, "check", str(SEED_002), "--format", "json", "--no-suggest")
    assert code == 1, err  # the seed has error-level findings
    data = json.loads(out)
    assert data["schema"] == "indicatorqa/1"
    project = data["projects"][0]
    assert {"unit", "name", "budget", "score", "grade", "findings", "indicators"} <= set(project)
    assert project["grade"] in {"优", "良", "中", "差"} and 0 <= project["score"] <= 100
    findings = [f for ind in project["indicators"] for f in ind["findings"]]
    assert findings
    for f in findings:
        assert {"code", "slug", "severity", "message"} <= set(f)
    learned = [f for f in findings if f["code"] in {"V001", "V002", "V003", "V004"}]
    assert learned and all(f["evidence"] and 0 < f["confidence"] <= 1 for f in learned)


def test_check_with_suggestions_in_json(capsys):
    code, out, _ = run(capsys, "check", str(SEED_002), "--format", "json", "--select", "V001")
    data = json.loads(out)
    vague = [i for p in data["projects"] for i in p["indicators"] if any(f["code"] == "V001" for f in i["findings"])]
    assert vague and all(i["suggestions"] for i in vague)
    assert {f["code"] for p in data["projects"] for i in p["indicators"] for f in i["findings"]} == {"V001"}


def test_exit_codes_and_exit_zero(capsys):
    assert run(capsys, "check", str(SEED_002), "--no-suggest")[0] == 1
    assert run(capsys, "check", str(SEED_002), "--no-suggest", "--exit-zero")[0] == 0
    # only a rule the file does not break: no error-level findings
    assert run(capsys, "check", str(SEED_002), "--no-suggest", "--select", "V007")[0] == 0


def test_unknown_rule_code_is_a_usage_error(capsys):
    code, _, err = run(capsys, "check", str(SEED_002), "--select", "X999")
    assert code == 2 and "X999" in err


def test_markdown_output(capsys):
    code, out, _ = run(capsys, "check", str(SEED_002), "--format", "markdown", "--no-suggest")
    assert out.startswith("# indicatorqa 检查结果") and "| # | 二级指标 |" in out


def test_config_file_disables_and_changes_severity(tmp_path, capsys, monkeypatch):
    (tmp_path / "indicatorqa.toml").write_text('disable = ["V001", "V002", "V003", "V004"]\n[severity]\nN002 = "info"\n', "utf-8")
    monkeypatch.chdir(tmp_path)
    code, out, _ = run(capsys, "check", str(SEED_002), "--format", "json", "--no-suggest")
    codes = [(f["code"], f["severity"]) for p in json.loads(out)["projects"] for i in p["indicators"] for f in i["findings"]]
    assert not any(c in {"V001", "V002", "V003", "V004"} for c, _ in codes)
    assert all(s == "info" for c, s in codes if c == "N002")


def test_pyproject_tool_section_is_read(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.indicatorqa]\ndisable = ["P006"]\n[tool.indicatorqa.thresholds]\ns001_ratio = 2.0\n', "utf-8")
    cfg = load_config(tmp_path / "pyproject.toml")
    assert cfg.disable == ["P006"] and cfg.threshold("s001_ratio") == 2.0


def test_bad_config_names_the_file(tmp_path):
    bad = tmp_path / "indicatorqa.toml"
    bad.write_text('disable = ["VAGUE"]\n', "utf-8")
    with pytest.raises(InputError) as exc:
        load_config(bad)
    assert "indicatorqa.toml" in str(exc.value) and "VAGUE" in str(exc.value)


def test_rules_catalogue_and_one_rule(capsys):
    code, out, _ = run(capsys, "rules")
    assert code == 0 and out.count("\n") >= 27 and "V001" in out and "S004" in out
    code, out, _ = run(capsys, "rules", "pseudo-quantified")
    assert code == 0 and "V004" in out and "对经济的影响" in out and "✓" in out
    code, _, err = run(capsys, "rules", "Z001")
    assert code == 2 and "Z001" in err


def test_markdown_output_keeps_input_inert():
    from indicatorqa.model import Indicator, Project
    from indicatorqa.render.markdown import render_markdown

    hostile = Indicator(level2="数量指标", name="<img src=x onerror=alert(1)>", description="[点我](javascript:alert(1))", value="a|b")
    text = render_markdown([Project(name="<script>alert(1)</script>", indicators=[hostile])])
    assert "<img" not in text and "<script>" not in text and "](javascript:" not in text
    assert "&lt;img src=x onerror=alert(1)&gt;" in text and "a\\|b" in text
