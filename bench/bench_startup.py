"""Benchmark: how fast the app starts — import, a CLI command, gunicorn's first answers.

For the checkout in ``--root`` (default: this one; give another checkout to compare with an
older version on the same machine, in the same run), in fresh processes:

* ``python -c "import wsgi"`` — median of ``--runs``; the slowest imports (``-X importtime``);
* ``flask --app wsgi counter-links`` (a command that computes nothing) and
  ``flask --app wsgi --help`` — median of ``--runs``;
* gunicorn with 4 workers, with and without ``--preload``, on a migrated demo database
  (SQLite): time from launch to the first answer of the login page, and until all four
  workers have answered (``/bench/pid`` of bench/bench_wsgi.py says which one did); then
  the whole server is SIGKILLed and launched again, as after a crash (median of ``--runs``).

Nothing is asserted. ``--progress`` prints each measurement as it is made.

    .venv/bin/python -m bench.bench_startup [--runs 5] [--root /path/to/other/checkout]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

HERE = Path(__file__).resolve().parent.parent
SECRET = "bench-startup-secret-not-for-production-0123456789"  # noqa: S105
PID_APP = '''
import os
from wsgi import app

@app.get("/bench/pid")
def bench_pid():
    return str(os.getpid())
'''


def _env(root: Path, database: Path) -> dict[str, str]:
    return {**os.environ, "SURVEY_DATABASE_URL": f"sqlite:///{database}",
            "SURVEY_SECRET_KEY": SECRET, "SURVEY_RATELIMIT_ENABLED": "false",
            "PYTHONPATH": str(root), "FLASK_APP": "wsgi"}


def _timed(command: list[str], root: Path, env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, cwd=root, env=env, check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def slowest_imports(root: Path, env: dict[str, str], count: int = 8) -> list[tuple[str, float]]:
    """Top-level packages by the cumulative import time ``-X importtime`` reports."""
    done = subprocess.run([sys.executable, "-X", "importtime", "-c", "import wsgi"], cwd=root,
                          env=env, capture_output=True, text=True, check=True)
    tops: dict[str, float] = {}
    for line in done.stderr.splitlines():
        if not line.startswith("import time:") or "self [us]" in line:
            continue
        _, cumulative, name = (part.strip() for part in line[len("import time:"):].split("|"))
        if "." not in name:
            tops[name] = max(tops.get(name, 0.0), int(cumulative) / 1e6)
    ranked = sorted(tops.items(), key=lambda item: -item[1])
    return [(name, seconds) for name, seconds in ranked if name != "wsgi"][:count]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def serve(root: Path, env: dict[str, str], preload: bool, folder: Path) -> dict[str, float]:
    """Launch gunicorn (4 workers); seconds to the first answer and to four workers' answers;
    then SIGKILL it and launch again, as after a crash."""
    (folder / "bench_pid_app.py").write_text(PID_APP)
    env = {**env, "PYTHONPATH": f"{root}{os.pathsep}{folder}"}
    figures: dict[str, float] = {}
    for phase in ("launch", "after SIGKILL"):
        port = _free_port()
        command = [sys.executable, "-m", "gunicorn", "--workers", "4", "--bind",
                   f"127.0.0.1:{port}", *(["--preload"] if preload else []),
                   "bench_pid_app:app"]
        started = time.perf_counter()
        process = subprocess.Popen(command, cwd=root, env=env, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL, start_new_session=True)
        try:
            first, all_four = _wait_for_workers(f"http://127.0.0.1:{port}", started, process)
        finally:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
        figures[f"{phase}: first answer"] = first
        figures[f"{phase}: 4 workers answered"] = all_four
    return figures


def _wait_for_workers(url: str, started: float, process: subprocess.Popen,
                      timeout: float = 60) -> tuple[float, float]:
    first = None
    pids: set[str] = set()
    lock = threading.Lock()
    deadline = time.monotonic() + timeout

    def ask() -> None:
        nonlocal first
        with httpx.Client(timeout=5) as client:
            while time.monotonic() < deadline and len(pids) < 4:
                try:
                    page = client.get(url + "/staff/login")
                    pid = client.get(url + "/bench/pid").text
                except httpx.HTTPError:
                    time.sleep(0.02)
                    continue
                with lock:
                    if page.status_code == 200 and first is None:
                        first = time.perf_counter() - started
                    pids.add(pid)

    threads = [threading.Thread(target=ask) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if first is None or len(pids) < 4:
        raise RuntimeError(f"gunicorn did not answer in time (exit {process.poll()})")
    return first, time.perf_counter() - started


def prepare(root: Path, database: Path) -> None:
    env = _env(root, database)
    flask = [sys.executable, "-m", "flask", "--app", "wsgi"]
    subprocess.run([*flask, "db", "upgrade"], cwd=root, env=env, check=True,
                   capture_output=True)
    subprocess.run([*flask, "seed-demo", "--if-empty"], cwd=root, env=env, check=True,
                   capture_output=True)


def machine() -> dict:
    model = next((line.split(":", 1)[1].strip() for line in
                  Path("/proc/cpuinfo").read_text().splitlines()
                  if line.startswith("model name")), platform.processor())
    return {"nproc": os.cpu_count(), "cpu": model, "python": platform.python_version(),
            "load": os.getloadavg()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=HERE, help="checkout to measure")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--progress", action="store_true", help="print each measurement")
    args = parser.parse_args()
    root = args.root.resolve()
    report: dict = {"machine": machine(), "root": str(root)}

    def note(name: str, value: object) -> None:
        report[name] = value
        if args.progress:
            print(f"  … {name}: {value}", file=sys.stderr, flush=True)

    with tempfile.TemporaryDirectory(prefix="bench-startup-") as temporary:
        folder = Path(temporary)
        database = folder / "startup.sqlite3"
        prepare(root, database)
        env = _env(root, database)
        flask = [sys.executable, "-m", "flask", "--app", "wsgi"]
        for name, command in (("import wsgi", [sys.executable, "-c", "import wsgi"]),
                              ("flask counter-links", [*flask, "counter-links"]),
                              ("flask --help", [*flask, "--help"])):
            note(name, statistics.median(_timed(command, root, env)
                                         for _ in range(args.runs)))
        note("slowest imports", slowest_imports(root, env))
        for preload in (False, True):
            runs = [serve(root, env, preload, folder) for _ in range(max(1, args.runs // 2))]
            label = "gunicorn --preload" if preload else "gunicorn"
            note(label, {key: statistics.median(run[key] for run in runs) for key in runs[0]})
    print(json.dumps(report, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
