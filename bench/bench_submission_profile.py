"""What one stored submission costs inside the app: SQL statements, Python calls, CPU.

Run: ``.venv/bin/python -m bench.bench_submission_profile [--backend sqlite|postgresql|both]
[--posts 300]``.

In-process (Flask's test client, no network, no gunicorn), so the figures do not depend on
the machine's load as throughput does: the statements of one post, listed; Python function
calls per post and per request to a bare endpoint (counted by cProfile: the same code gives
the same count on any machine); and CPU time per post beside the bare request in the same
run. Burst limits are raised so that every post takes the common path (no burst firing).
Nothing is asserted; docs/benchmarks.md keeps the figures.
"""

from __future__ import annotations

import argparse
import cProfile
import logging
import pstats
import tempfile
import time
from pathlib import Path

from sqlalchemy import event

from survey_app import create_app
from survey_app.extensions import db
from tests.load.load_support import (
    HIDDEN,
    SECRET,
    answers,
    create_postgres_database,
    drop_postgres_database,
    prepare_database,
)
from tests.support import app_config

NO_BURSTS = {"BURST_PER_COUNTER": 10**6, "BURST_PER_CLIENT": 10**6,
             "BURST_PER_CLIENT_AT_COUNTER": 10**6, "BURST_SAME_ANSWERS": 10**6,
             "BURST_STRAIGHT_LINE": 10**6}


def profile(url: str, posts: int) -> dict:
    tokens = prepare_database(url)
    app = create_app(app_config(url, SECRET_KEY=SECRET, RATELIMIT_ENABLED=False, **NO_BURSTS))
    app.add_url_rule("/bench/bare", "bench_bare", lambda: "ok")
    statements: list[str] = []
    with app.app_context():
        event.listen(db.engine, "before_cursor_execute",
                     lambda conn, cursor, statement, *rest: statements.append(statement))
    forms = []
    for number in range(posts + 1):
        client = app.test_client()
        path = f"/s/{tokens[number % len(tokens)]}"
        page = client.get(path).get_data(as_text=True)
        forms.append((client, path, {**dict(HIDDEN.findall(page)), **answers(number)}))
    statements.clear()
    client, path, data = forms.pop()
    assert client.post(path, data=data).status_code == 303
    listed = [" ".join(statement.split())[:90] for statement in statements]

    def run(send) -> tuple[int, float]:
        profiler = cProfile.Profile()
        started = time.process_time()
        profiler.enable()
        send()
        profiler.disable()
        seconds = time.process_time() - started
        return pstats.Stats(profiler).total_calls // posts, 1000 * seconds / posts

    def post_all() -> None:
        for client, path, data in forms:
            assert client.post(path, data=data).status_code == 303

    bare_client = app.test_client()
    bare_calls, bare_ms = run(lambda: [bare_client.get("/bench/bare") for _ in range(posts)])
    post_calls, post_ms = run(post_all)
    with app.app_context():
        db.engine.dispose()
    return {"statements": listed, "post_calls": post_calls, "bare_calls": bare_calls,
            "post_ms": post_ms, "bare_ms": bare_ms}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--posts", type=int, default=300)
    args = parser.parse_args()
    logging.getLogger("alembic").setLevel(logging.WARNING)
    backends = ("sqlite", "postgresql") if args.backend == "both" else (args.backend,)
    for backend in backends:
        with tempfile.TemporaryDirectory() as folder:
            url = (f"sqlite:///{Path(folder) / 'bench.sqlite3'}" if backend == "sqlite"
                   else create_postgres_database())
            try:
                figures = profile(url, args.posts)
            finally:
                if backend == "postgresql":
                    drop_postgres_database(url)
        print(f"\n{backend}: {len(figures['statements'])} statements for one post")
        for statement in figures["statements"]:
            print(f"    {statement}")
        calls, bare_calls = figures["post_calls"], figures["bare_calls"]
        print(f"  Python calls per post {calls:,}, per bare request {bare_calls:,} "
              f"(ratio {bare_calls / calls:.3f})")
        cpu, bare_cpu = figures["post_ms"], figures["bare_ms"]
        print(f"  CPU per post {cpu:.2f} ms (profiled), per bare request {bare_cpu:.2f} ms "
              f"(ratio {bare_cpu / cpu:.3f})")


if __name__ == "__main__":
    main()
