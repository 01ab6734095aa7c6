"""Latency of a one-indicator ``POST /v1/check`` against a warm server (not a test).

Starts ``indicatorqa``'s app under uvicorn on a free loopback port (a subprocess, stopped at
the end), waits until it answers, warms it, then sends N requests one after another over one
keep-alive connection — what the drafting page does while an author types — and prints
p50/p95/p99. Each request carries a different seed indicator (so the classifier's cache does
not flatter the figures) with its full analysis: findings, scores and suggestions.

    python bench/bench_api.py                # 300 requests
    python bench/bench_api.py -n 1000 --repeat-same

Target: p95 under 50 ms.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET_P95_MS = 50.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def seed_bodies(n: int, same: bool) -> list[bytes]:
    from indicatorqa.readers import read_paths

    rows = [(p, i) for p in read_paths([ROOT / "corpus" / "seeds"]).projects for i in p.indicators]
    bodies = []
    for k in range(n):
        project, ind = rows[0 if same else k % len(rows)]
        body = {
            "schema": "indicatorqa/1",
            "projects": [{
                "name": project.name,
                "budget": project.budget,
                "budget_year": project.budget_year,
                "indicators": [{"level1": ind.level1, "level2": ind.level2, "name": ind.name,
                                "description": ind.description, "value": ind.value}],
            }],
        }
        bodies.append(json.dumps(body, ensure_ascii=False).encode("utf-8"))
    return bodies


def start_server(port: int, timeout: float) -> subprocess.Popen:
    code = (
        "import uvicorn\n"
        "from indicatorqa.web.app import create_app\n"
        f"uvicorn.run(create_app(), host='127.0.0.1', port={port}, log_level='warning', access_log=False)\n"
    )
    proc = subprocess.Popen([sys.executable, "-c", code], cwd=ROOT)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"server exited with {proc.returncode}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                conn.close()
                return proc
        except OSError:
            time.sleep(0.3)
    proc.terminate()
    raise SystemExit(f"server did not answer within {timeout:.0f} s")


def post(conn: http.client.HTTPConnection, body: bytes) -> tuple[float, float, int]:
    """(round trip ms, the server's own check time ms from Server-Timing, answer bytes)."""
    t0 = time.perf_counter()
    conn.request("POST", "/v1/check", body=body, headers={"Content-Type": "application/json"})
    resp = conn.getresponse()
    data = resp.read()
    elapsed = (time.perf_counter() - t0) * 1000
    if resp.status != 200:
        raise SystemExit(f"HTTP {resp.status}: {data[:300]!r}")
    timing = resp.getheader("Server-Timing") or ""
    server = float(timing.split("dur=", 1)[1]) if "dur=" in timing else float("nan")
    return elapsed, server, len(data)


def _cpu_seconds(pid: int) -> float:
    """User+system CPU of the server process (Linux /proc), to tell work from waiting for a core."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return float("-inf")


def _load() -> float:
    try:
        return os.getloadavg()[0]
    except OSError:
        return float("nan")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    k = (len(ordered) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="p50/p95 latency of a one-indicator POST /v1/check on a warm server")
    ap.add_argument("-n", type=int, default=300, help="requests to time (default 300)")
    ap.add_argument("--warmup", type=int, default=30, help="untimed requests first (default 30)")
    ap.add_argument("--repeat-same", action="store_true", help="send the same indicator every time (cache-friendly)")
    ap.add_argument("--start-timeout", type=float, default=180, help="seconds to wait for the server")
    args = ap.parse_args(argv)
    n = max(1, min(args.n, 100_000))

    bodies = seed_bodies(n + args.warmup, args.repeat_same)
    port = free_port()
    started = time.monotonic()
    proc = start_server(port, args.start_timeout)
    startup = time.monotonic() - started
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        for body in bodies[: args.warmup]:
            post(conn, body)
        times, server, sizes = [], [], []
        cpu0 = _cpu_seconds(proc.pid)
        wall = time.perf_counter()
        for body in bodies[args.warmup:]:
            ms, engine_ms, size = post(conn, body)
            times.append(ms)
            server.append(engine_ms)
            sizes.append(size)
        wall = time.perf_counter() - wall
        cpu = _cpu_seconds(proc.pid) - cpu0
        conn.close()
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()

    p50, p95, p99 = (percentile(times, q) for q in (0.5, 0.95, 0.99))
    rows = [
        ("requests", f"{len(times)}"),
        ("indicators", "same one each time" if args.repeat_same else "a different seed row each time"),
        ("server start (load + warm)", f"{startup:.1f} s"),
        ("mean", f"{statistics.fmean(times):.1f} ms"),
        ("p50", f"{p50:.1f} ms"),
        ("p95", f"{p95:.1f} ms"),
        ("p99", f"{p99:.1f} ms"),
        ("max", f"{max(times):.1f} ms"),
        ("engine only (Server-Timing) p50 / p95", f"{percentile(server, 0.5):.1f} / {percentile(server, 0.95):.1f} ms"),
        ("server CPU per request", f"{cpu * 1000 / len(times):.1f} ms" if cpu >= 0 else "n/a"),
        ("machine load (1 min) at the end", f"{_load():.2f} on {os.cpu_count()} cores"),
        ("throughput (sequential)", f"{len(times) / wall:.0f} req/s"),
        ("answer size (mean)", f"{statistics.fmean(sizes) / 1024:.1f} KB"),
        (f"target p95 < {TARGET_P95_MS:g} ms", "met" if p95 < TARGET_P95_MS else "NOT met"),
    ]
    width = max(len(k) for k, _ in rows)
    print("POST /v1/check, one indicator, warm server on loopback, one keep-alive connection")
    print("-" * (width + 16))
    for key, value in rows:
        print(f"{key:<{width}}  {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
