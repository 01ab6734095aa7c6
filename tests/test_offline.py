"""Offline guarantee: check (with suggestions) and report run with the network blocked.

Government machines are often on intranets (SPEC): everything, models included, must
work after install without a connection. Each run is a fresh interpreter started with
HF_HUB_OFFLINE / TRANSFORMERS_OFFLINE / HF_DATASETS_OFFLINE removed from the
environment, so the test proves we do not depend on those switches; in the blocked
run every way out (connect, connect_ex, create_connection, getaddrinfo, sendto) raises
before any package is imported. The JSON must equal that of a run with the network
allowed, and the blocked run must not even have tried to connect.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "corpus" / "seeds"

DRIVER = r'''
import json, socket, sys
attempts = []
if sys.argv[1] == "blocked":
    def refuse(*args, **kwargs):
        attempts.append(repr(args[1:] if args and isinstance(args[0], socket.socket) else args)[:200])
        raise OSError(101, "network blocked by test_offline")
    socket.socket.connect = refuse
    socket.socket.connect_ex = refuse
    socket.socket.sendto = refuse
    socket.create_connection = refuse
    socket.getaddrinfo = refuse
from indicatorqa.cli import main
seeds, out_json, out_dir = sys.argv[2:5]
codes = [
    main(["check", seeds, "--format", "json", "--no-progress", "-o", out_json]),
    main(["report", seeds, "--out", out_dir, "--no-progress"]),
]
print(json.dumps({"codes": codes, "attempts": attempts}))
'''


def _run(mode: str, tmp: Path) -> tuple[dict, dict, list[str]]:
    env = {k: v for k, v in os.environ.items() if not k.endswith("_OFFLINE")}
    env["PYTHONPATH"] = str(ROOT)
    out_json, out_dir = tmp / f"{mode}.json", tmp / f"{mode}-report"
    proc = subprocess.run(
        [sys.executable, "-c", DRIVER, mode, str(SEEDS), str(out_json), str(out_dir)],
        capture_output=True, text=True, env=env, cwd=str(ROOT), timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    status = json.loads(proc.stdout.strip().splitlines()[-1])
    files = sorted(str(p.relative_to(out_dir)) for p in out_dir.rglob("*") if p.is_file())
    return status, json.loads(out_json.read_text(encoding="utf-8")), files


def test_check_and_report_run_offline_with_the_same_output(tmp_path):
    online_status, online, online_files = _run("normal", tmp_path)
    offline_status, offline, offline_files = _run("blocked", tmp_path)

    assert offline_status["attempts"] == [], "the pipeline tried to reach the network"
    assert offline_status["codes"] == online_status["codes"]
    assert offline_status["codes"][0] in (0, 1)  # findings, never an input/usage error
    assert offline == online
    # Suggestions were really computed (retrieval with the bundled embedding model).
    suggestions = [s for p in offline["projects"] for i in p["indicators"] for s in i.get("suggestions", [])]
    assert len(offline["projects"]) >= 47 and len(suggestions) > 100
    assert offline_files == online_files and any(f.endswith(".html") for f in offline_files)
    assert any(f.endswith(".xlsx") for f in offline_files)
