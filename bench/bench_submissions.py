"""Submission throughput and latency under gunicorn, beside a bare Flask endpoint.

Run: ``.venv/bin/python -m bench.bench_submissions [--backend sqlite|postgresql|both]
[--workers 4] [--clients 32] [--submissions 2000]``.

For each backend: a fresh migrated database with the Vân Canh demo, gunicorn serving the
real app plus ``/bench/bare`` (bench/bench_wsgi.py) on a loopback port, the per-address
limit off. Forms are fetched first (not timed); then ``--clients`` threads post the filled
forms as fast as the server answers. The same threads then hit the bare endpoint for as
many requests. The headline is the ratio of the two throughputs: how much of the server's
capacity one stored submission costs. Every submission must be acknowledged (303) and be in
the database exactly once.
"""

from __future__ import annotations

import argparse
import logging
import os
import statistics
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import sqlalchemy as sa

from tests.load.load_support import (
    HIDDEN,
    Gunicorn,
    answers,
    create_postgres_database,
    drop_postgres_database,
    prepare_database,
)


def fetch_forms(base_url: str, tokens: list[str], count: int, clients: int) -> list[tuple]:
    """``count`` filled forms (url, data, cookies), fetched in parallel."""
    forms: list[tuple] = []
    lock = threading.Lock()

    def fetch(worker: int) -> None:
        with httpx.Client(base_url=base_url, timeout=30) as browser:
            for number in range(worker, count, clients):
                browser.cookies.clear()
                url = f"/s/{tokens[number % len(tokens)]}"
                page = browser.get(url)
                data = {**dict(HIDDEN.findall(page.text)), **answers(number)}
                with lock:
                    forms.append((url, data, dict(browser.cookies)))

    run_threads(fetch, clients)
    return forms


def run_threads(work: Callable[[int], None], clients: int) -> float:
    threads = [threading.Thread(target=work, args=(n,)) for n in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.perf_counter() - started


def hammer(base_url: str, requests: list[tuple], clients: int, method: str,
           expected: int) -> dict:
    """Send ``requests`` from ``clients`` threads; throughput, latency, errors."""
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()

    def send(worker: int) -> None:
        with httpx.Client(base_url=base_url, timeout=60) as browser:
            for url, data, cookies in requests[worker::clients]:
                browser.cookies.clear()
                browser.cookies.update(cookies)
                started = time.perf_counter()
                reply = browser.request(method, url, data=data or None)
                elapsed = time.perf_counter() - started
                with lock:
                    latencies.append(elapsed)
                    if reply.status_code != expected:
                        errors.append(f"{reply.status_code} {reply.text[:200]}")

    seconds = run_threads(send, clients)
    latencies.sort()
    return {"requests": len(latencies), "seconds": seconds,
            "per_second": len(latencies) / seconds,
            "p50_ms": 1000 * statistics.median(latencies),
            "p99_ms": 1000 * latencies[min(len(latencies) - 1, int(len(latencies) * .99))],
            "errors": errors}


def stored(url: str) -> int:
    engine = sa.create_engine(url)
    with engine.connect() as connection:
        count = connection.scalar(sa.text("SELECT count(DISTINCT submission_key) FROM response"))
        rows = connection.scalar(sa.text("SELECT count(*) FROM response"))
    engine.dispose()
    assert count == rows
    return rows


def bench_backend(backend: str, folder: Path, args: argparse.Namespace) -> dict:
    url = (f"sqlite:///{folder / 'bench.sqlite3'}" if backend == "sqlite"
           else create_postgres_database())
    try:
        tokens = prepare_database(url)
        server = Gunicorn(url, folder / f"{backend}.log", workers=args.workers,
                          app_module="bench.bench_wsgi:app")
        server.start()
        try:
            forms = fetch_forms(server.url, tokens, args.submissions, args.clients)
            submit = hammer(server.url, forms, args.clients, "POST", 303)
            bare = hammer(server.url, [("/bench/bare", None, {})] * args.submissions,
                          args.clients, "GET", 200)
        finally:
            server.stop()
        rows = stored(url)
    finally:
        if backend == "postgresql":
            drop_postgres_database(url)
    return {"backend": backend, "submit": submit, "bare": bare, "stored": rows}


def report(result: dict) -> None:
    submit, bare = result["submit"], result["bare"]
    print(f"\n{result['backend']}:")
    for name, figures in (("submission POST", submit), ("bare endpoint", bare)):
        print(f"  {name:<16} {figures['requests']:>6} req  {figures['per_second']:>8.1f} req/s"
              f"  p50 {figures['p50_ms']:>7.1f} ms  p99 {figures['p99_ms']:>7.1f} ms"
              f"  errors {len(figures['errors'])}")
    print(f"  ratio submissions/bare throughput: {submit['per_second'] / bare['per_second']:.2f}")
    acknowledged = submit["requests"] - len(submit["errors"])
    verdict = "ok" if result["stored"] == acknowledged else "MISMATCH"
    print(f"  rows stored {result['stored']} for {acknowledged} acknowledged posts ({verdict})")
    for error in submit["errors"][:5]:
        print("   ", error)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--submissions", type=int, default=2000)
    args = parser.parse_args()
    logging.disable(logging.WARNING)
    backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    print(f"gunicorn {args.workers} workers, {args.clients} client threads, "
          f"{args.submissions} submissions, {os.cpu_count()} CPUs (clients share them)")
    with tempfile.TemporaryDirectory() as folder:
        for backend in backends:
            report(bench_backend(backend, Path(folder), args))


if __name__ == "__main__":
    main()
