"""Bounded load test of the HTTP API on loopback: mixed good and malformed requests.

    python bench/load_test.py --seconds 60 --clients 32 [--json out.json]
    python bench/load_test.py --url http://127.0.0.1:8000   # against a server already running

Without ``--url`` it starts the server itself (uvicorn on a free loopback port, one
process, as ``indicatorqa serve`` runs it), waits for /healthz, and samples the
server's resident memory once a second. ``--clients`` asyncio tasks with httpx send
requests back to back for ``--seconds``: about half good (JSON checks, uploads of
.csv/.xlsx/.docx/seed text, /v1/suggest, /v1/xlsx, /v1/rules), half malformed
(broken JSON, schema violations, binary and truncated uploads, a zip bomb, empty
bodies, wrong content types, oversized bodies, unknown routes).

Pass criteria (exit 0): no 5xx and no transport error; every malformed request is a
4xx whose body is {"detail": <Chinese text>}; every good request is a 200; the
server's RSS after the run exceeds its RSS after the warm-up by at most
``--max-growth-mb``.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

_ZH = re.compile(r"[\u4e00-\u9fff]")


def build_requests() -> list[tuple[str, bool, dict]]:
    """(label, good?, httpx request kwargs)."""
    import builders as B
    from indicatorqa.readers import read_paths
    from indicatorqa.render.jsonout import build_report, report_to_dict

    projects = [p for p in read_paths([ROOT / "corpus" / "seeds"]).projects if p.kind == "target"]
    one, few = projects[:1], projects[1:4]
    body_one = report_to_dict(build_report(one))
    body_few = report_to_dict(build_report(few))
    seed_text = (ROOT / "corpus/seeds/000_cab285404ad495ca.txt").read_bytes()
    csv = B.csv_text(few).encode("gbk")
    xlsx = B.xlsx_bytes(lambda wb: B.write_flat_sheet(wb.active, few))
    docx = B.docx_bytes(one)
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("word/document.xml", b"<w:document>" + b" " * (64 << 20) + b"</w:document>")
    bomb = bomb.getvalue()

    def up(name, data):
        return {"method": "POST", "url": "/v1/check", "files": {"file": (name, data)}}

    good = [
        ("json-1", {"method": "POST", "url": "/v1/check", "json": body_one}),
        ("json-3", {"method": "POST", "url": "/v1/check", "json": body_few}),
        ("upload-csv", up("表.csv", csv)),
        ("upload-xlsx", up("表.xlsx", xlsx)),
        ("upload-docx", up("表.docx", docx)),
        ("upload-seed", up("seed.txt", seed_text)),
        ("suggest", {"method": "POST", "url": "/v1/suggest", "json": {"indicator": {"level2": "数量指标", "name": "培训人次", "value": "提升"}}}),
        ("xlsx", {"method": "POST", "url": "/v1/xlsx", "json": body_one}),
        ("rules", {"method": "GET", "url": "/v1/rules"}),
        ("healthz", {"method": "GET", "url": "/healthz"}),
    ]
    bad = [
        ("bad-json", {"method": "POST", "url": "/v1/check", "content": b'{"schema": "indicatorqa/1", "projects": [', "headers": {"content-type": "application/json"}}),
        ("empty-json", {"method": "POST", "url": "/v1/check", "content": b"", "headers": {"content-type": "application/json"}}),
        ("schema-violation", {"method": "POST", "url": "/v1/check", "json": {"schema": "indicatorqa/1", "projects": [{"indicators": [{"name": 5, "value": {}}]}]}}),
        ("wrong-top", {"method": "POST", "url": "/v1/check", "json": [1, 2, 3]}),
        ("nan", {"method": "POST", "url": "/v1/check", "content": b'{"schema":"indicatorqa/1","projects":[{"name":"a","budget":NaN}]}', "headers": {"content-type": "application/json"}}),
        ("deep-json", {"method": "POST", "url": "/v1/check", "content": b"[" * 100_000 + b"]" * 100_000, "headers": {"content-type": "application/json"}}),
        ("binary-upload", up("x.docx", os.urandom(4096))),
        ("truncated-xlsx", up("cut.xlsx", xlsx[: len(xlsx) // 2])),
        ("zip-bomb", up("bomb.docx", bomb)),
        ("no-table", up("t.csv", "名称,数量\n甲,1\n".encode())),
        ("empty-upload", up("e.csv", b"")),
        ("no-file-field", {"method": "POST", "url": "/v1/check", "data": {"x": "1"}, "files": {"other": ("a", b"a")}}),
        ("text-plain", {"method": "POST", "url": "/v1/check", "content": b"hello", "headers": {"content-type": "text/plain"}}),
        ("oversized", {"method": "POST", "url": "/v1/check", "content": b"{" + b" " * (11 << 20) + b"}", "headers": {"content-type": "application/json"}}),
        ("suggest-bad", {"method": "POST", "url": "/v1/suggest", "json": {"indicator": {}, "k": -1}}),
        ("not-found", {"method": "GET", "url": "/v1/nothing"}),
        ("wrong-method", {"method": "DELETE", "url": "/v1/check"}),
        ("bad-store-flag", {"method": "POST", "url": "/v1/check?store=maybe", "json": body_one}),
    ]
    return [(label, True, kw) for label, kw in good] + [(label, False, kw) for label, kw in bad]


def rss_mb(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(port: int) -> subprocess.Popen:
    code = (
        "import uvicorn\n"
        "from indicatorqa.web.app import create_app\n"
        f"uvicorn.run(create_app(), host='127.0.0.1', port={port}, log_level='warning', server_header=False)\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen([sys.executable, "-c", code], cwd=str(ROOT), env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


async def wait_ready(client: httpx.AsyncClient, proc, timeout: float = 120) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc is not None and proc.poll() is not None:
            raise SystemExit(f"server exited: {proc.stderr.read()[-2000:]}")
        try:
            if (await client.get("/healthz")).status_code == 200:
                return
        except httpx.TransportError:
            pass
        await asyncio.sleep(0.5)
    raise SystemExit("server did not become ready")


async def run(args) -> dict:
    proc = None
    url = args.url
    if not url:
        port = free_port()
        proc = start_server(port)
        url = f"http://127.0.0.1:{port}"
    pid = proc.pid if proc else args.pid
    requests = build_requests()
    rng = random.Random(args.seed)
    stats: dict[str, dict] = {}
    failures: list[str] = []
    latencies: list[float] = []
    memory: list[tuple[float, float]] = []
    limits = httpx.Limits(max_connections=args.clients, max_keepalive_connections=args.clients)
    try:
        async with httpx.AsyncClient(base_url=url, timeout=args.request_timeout, limits=limits) as client:
            await wait_ready(client, proc)
            # Warm-up: each request once (models loaded, caches filled), then the baseline RSS.
            for label, good, kw in requests:
                await client.request(**kw)
            baseline = rss_mb(pid) if pid else float("nan")
            t0 = time.time()
            stop = t0 + args.seconds

            async def sample():
                while time.time() < stop:
                    memory.append((round(time.time() - t0, 1), rss_mb(pid) if pid else float("nan")))
                    await asyncio.sleep(1)

            async def worker():
                while time.time() < stop:
                    label, good, kw = rng.choice(requests)
                    start = time.perf_counter()
                    s = stats.setdefault(label, {"good": good, "n": 0, "codes": {}})
                    try:
                        resp = await client.request(**kw)
                    except httpx.HTTPError as exc:
                        s["n"] += 1
                        s["codes"]["transport"] = s["codes"].get("transport", 0) + 1
                        failures.append(f"{label}: {type(exc).__name__}: {exc}")
                        continue
                    latencies.append(time.perf_counter() - start)
                    s["n"] += 1
                    s["codes"][resp.status_code] = s["codes"].get(resp.status_code, 0) + 1
                    if resp.status_code >= 500:
                        failures.append(f"{label}: {resp.status_code} {resp.text[:200]}")
                    elif good and resp.status_code != 200:
                        failures.append(f"{label}: expected 200, got {resp.status_code} {resp.text[:200]}")
                    elif not good:
                        if not 400 <= resp.status_code < 500:
                            failures.append(f"{label}: expected 4xx, got {resp.status_code}")
                        else:
                            try:
                                detail = resp.json().get("detail")
                            except ValueError:
                                detail = None
                            if not (isinstance(detail, str) and _ZH.search(detail)):
                                failures.append(f"{label}: 4xx without a Chinese detail: {resp.text[:200]}")

            await asyncio.gather(sample(), *(worker() for _ in range(args.clients)))
            elapsed = time.time() - t0
        end_rss = rss_mb(pid) if pid else float("nan")
    finally:
        if proc is not None:
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
    total = sum(s["n"] for s in stats.values())
    codes: dict[str, int] = {}
    for s in stats.values():
        for c, n in s["codes"].items():
            codes[str(c)] = codes.get(str(c), 0) + n
    peak = max((m for _, m in memory), default=float("nan"))
    q = statistics.quantiles(latencies, n=100) if len(latencies) > 2 else [float("nan")] * 99
    result = {
        "url": url,
        "seconds": round(elapsed, 1),
        "clients": args.clients,
        "requests": total,
        "requests_per_s": round(total / elapsed, 1),
        "good": sum(s["n"] for s in stats.values() if s["good"]),
        "malformed": sum(s["n"] for s in stats.values() if not s["good"]),
        "status_codes": dict(sorted(codes.items())),
        "5xx": sum(n for c, n in codes.items() if c.startswith("5")),
        "transport_errors": codes.get("transport", 0),
        "latency_ms": {"p50": round(q[49] * 1000), "p95": round(q[94] * 1000), "p99": round(q[98] * 1000),
                       "max": round(max(latencies, default=float("nan")) * 1000)},
        "rss_mb": {"after_warmup": round(baseline, 1), "peak": round(peak, 1), "end": round(end_rss, 1),
                   "growth": round(end_rss - baseline, 1), "bound": args.max_growth_mb},
        "by_request": {k: {"n": v["n"], "codes": {str(c): n for c, n in v["codes"].items()}} for k, v in sorted(stats.items())},
        "failures": failures[:30],
        "failure_count": len(failures),
    }
    result["ok"] = not failures and (end_rss - baseline) <= args.max_growth_mb
    return result


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--clients", type=int, default=32)
    ap.add_argument("--url", help="an already running server (then memory is sampled only with --pid)")
    ap.add_argument("--pid", type=int, help="the server's process id, with --url")
    ap.add_argument("--request-timeout", type=float, default=120)
    ap.add_argument("--max-growth-mb", type=float, default=200, help="allowed RSS growth from after warm-up to the end")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--json", help="write the figures as JSON")
    args = ap.parse_args(argv)
    result = asyncio.run(run(args))
    text = json.dumps(result, ensure_ascii=False, indent=2)
    if args.json:
        Path(args.json).write_text(text, encoding="utf-8")
    print(text)
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
