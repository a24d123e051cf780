"""Page speed against the floor, side by side in one run: requests/s, p50 and p99 per page.

    .venv/bin/python bench/pages.py [--seconds 10] [--connections 16]
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/lantern_bench .venv/bin/python bench/pages.py

The floor is a bare Flask route rendering a small cached template (bench/floor.py); every server runs
under gunicorn with 2 workers on 127.0.0.1, and wrk (Debian's package) drives each page with 16
connections for the same time. The load generator shares the machine's cores, so read the ratios.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import urllib.parse
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import PASSWORD, ROOT, USER_AGENT, Browser, gunicorn  # noqa: E402

EMAIL = "bench.learner@example.org"


def wrk(url: str, seconds: int, connections: int, cookie: str = "") -> dict:
    """Run wrk against one URL; return requests/s, p50 and p99 in milliseconds, and errors."""
    command = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "-H", f"User-Agent: {USER_AGENT}"]
    if cookie:
        command += ["-H", f"Cookie: {cookie}"]
    output = subprocess.run(command + [url], capture_output=True, text=True, check=True).stdout

    def latency(label: str) -> float:
        match = re.search(rf"^\s+{label}%\s+([\d.]+)(us|ms|s)\s*$", output, re.M)
        value, unit = float(match.group(1)), match.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value

    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        "p50": latency("50"),
        "p99": latency("99"),
        "errors": int(errors.group(1)) if errors else 0,
    }


def prepare(env: dict) -> None:
    flask = [sys.executable, "-m", "flask", "--app", "wsgi"]
    run = lambda *args: subprocess.run(flask + list(args), cwd=ROOT, env={**os.environ, **env}, check=True,  # noqa: E731
                                       capture_output=True)
    run("db", "upgrade")
    run("users", "create", "--email", EMAIL, "--password", PASSWORD, "--role", "learner", "--name", "Bench")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("bench/pages.py needs wrk: apt-get install wrk")
    work = tempfile.mkdtemp(prefix="lantern-pages-")
    env = {"LANTERN_INSTANCE_PATH": work, "RATELIMIT_ENABLED": "false", "LANTERN_SESSION_IDLE_MINUTES": "600"}
    if not os.environ.get("DATABASE_URL"):
        env["DATABASE_URL"] = f"sqlite:///{work}/bench.sqlite3"
    prepare(env)
    results = []
    with gunicorn({}, workers=2, target="bench.floor:app", ready_path="/") as floor, gunicorn(env, workers=2) as base:
        browser = Browser(base, EMAIL)
        browser.log_in()
        home = browser.get("/learn")
        # The first module's first lesson: the "continue" button of a new learner.
        lesson_path = re.search(r'<a class="button" href="(/learn/[a-z0-9-]+/[a-z0-9-]+)">\s*Start the course', home).group(1)
        module_slug = lesson_path.split("/")[2]
        # Finish the first module's lessons in order (each "complete" leads to the next step) so its quiz opens.
        step = lesson_path
        while not step.endswith("/quiz"):
            page = browser.get(step)
            body = urllib.parse.urlencode({"csrf_token": Browser.hidden(page, "csrf_token")}).encode()
            with browser.opener.open(base + step + "/complete", data=body, timeout=30) as response:
                step = urllib.parse.urlsplit(response.geturl()).path
        browser.get(f"/learn/{module_slug}/quiz")
        cookie = "; ".join(
            f"{c.name}={c.value}" for handler in browser.opener.handlers if hasattr(handler, "cookiejar") for c in handler.cookiejar
        )
        pages = [
            ("floor (bare Flask + small template)", floor + "/", ""),
            ("emergency (anonymous)", base + "/emergency", ""),
            ("learner home", base + "/learn", cookie),
            ("lesson", base + lesson_path, cookie),
            ("quiz", base + f"/learn/{module_slug}/quiz", cookie),
        ]
        for name, url, cookies in pages:
            wrk(url, 2, args.connections, cookies)  # warm up
            results.append((name, wrk(url, args.seconds, args.connections, cookies)))
    floor_rps = results[0][1]["rps"]
    database = "PostgreSQL" if os.environ.get("DATABASE_URL", "").startswith("postgres") else "SQLite"
    print(f"pages vs floor: gunicorn 2 workers, wrk {args.connections} connections, {args.seconds} s each, {database}, "
          f"{os.cpu_count()} cores")
    print(f"{'page':38} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'x floor':>8} {'errors':>7}")
    for name, result in results:
        print(f"{name:38} {result['rps']:8.0f} {result['p50']:8.1f} {result['p99']:8.1f} "
              f"{result['rps'] / floor_rps:8.2f} {result['errors']:7d}")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
