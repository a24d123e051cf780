"""Load on the production stack: 100 simultaneous people for 2 minutes, then the writes checked in the database.

    .venv/bin/python bench/load.py [--users 100] [--seconds 120] [--spawn-rate 5]
    .venv/bin/python bench/load.py --users 20 --seconds 20       # a quick check

Starts what the production tests start (tests/production/stack.py: PostgreSQL, Redis, two gunicorn
processes, nginx ending TLS), adds one learner account per simulated learner, and runs locust
headless (bench/load_users.py): learners read lessons, mark them complete, take quizzes and read
the result; one user in twenty is a facilitator opening the group page. Prints requests per second,
p50/p95/p99 per kind of request and the errors, then counts in the database the lesson completions
and quiz attempts the server acknowledged, and compares them with what the clients wrote down.
Exits non-zero on any error or mismatch.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import textwrap
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.production.stack import PASSWORDS, VENV_BIN, Stack, production_stack  # noqa: E402

PASSWORD = "bench passphrase for many quiet lanterns"
FACILITATOR = "facilitator@demo.lantern"
BENCH_EMAILS = "load%@bench.lantern"
# Every simulated person comes from 127.0.0.1, where a real clinic's families come from many addresses:
# the per-address login limit is raised for the run (the per-account limit stays as shipped).
LOAD_ENV = {"LANTERN_LOGIN_ADDRESS_RATE_LIMIT": "10000 per minute;100000 per hour"}


def add_learners(stack: Stack, count: int) -> list[str]:
    """Create `count` learner accounts with the shared builders (one password hash, copied)."""
    emails = [f"load{n:03d}@bench.lantern" for n in range(count)]
    script = textwrap.dedent(f"""
        from course import builders, create_app, passwords
        from course.extensions import db
        app = create_app()
        with app.app_context():
            password_hash = passwords.hash_password({PASSWORD!r})
            for email in {emails!r}:
                builders.make_user(email, "Load " + email[4:7], password_hash=password_hash)
            db.session.commit()
    """)
    subprocess.run([str(VENV_BIN / "python"), "-c", script], cwd=ROOT, env=stack.env, check=True)
    return emails


def run_locust(stack: Stack, args: argparse.Namespace, accounts: Path, ledger: Path) -> int:
    """Run locust headless against the stack; return its exit code (1 when any request failed)."""
    command = [
        str(VENV_BIN / "python"), "-m", "locust", "-f", str(ROOT / "bench" / "load_users.py"), "--headless",
        "--users", str(args.users), "--spawn-rate", str(args.spawn_rate), "--run-time", f"{args.seconds}s",
        "--stop-timeout", "30", "--host", stack.base_url, "--json-file", str(stack.workdir / "locust"),
        "--loglevel", "WARNING",
    ]
    env = {**os.environ, "LANTERN_LOAD_ACCOUNTS": str(accounts), "LANTERN_LOAD_LEDGER": str(ledger),
           "PYTHONPATH": str(ROOT)}
    log = stack.workdir / "locust.log"
    with log.open("w") as output:
        code = subprocess.run(command, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT).returncode
    if code:
        print(log.read_text()[-5000:])
    return code


def percentile(times: Counter, share: float) -> int:
    """Return the response time (ms) below which `share` of the requests finished."""
    needed, seen = share * sum(times.values()), 0
    for milliseconds in sorted(times):
        seen += times[milliseconds]
        if seen >= needed:
            return milliseconds
    return 0


def print_stats(stats_json: Path) -> tuple[int, int]:
    """Print throughput and latency per kind of request (from locust's final stats); return (requests, failures)."""
    entries = json.loads(stats_json.read_text())
    elapsed = max(e["last_request_timestamp"] or 0 for e in entries) - min(e["start_time"] for e in entries)
    total_times: Counter = Counter()
    print(f"\n{'request':<18}{'count':>7}{'errors':>8}{'req/s':>8}{'p50 ms':>8}{'p95 ms':>8}{'p99 ms':>8}")
    rows = []
    for entry in sorted(entries, key=lambda e: e["name"]):
        times = Counter({int(ms): n for ms, n in entry["response_times"].items()})
        total_times.update(times)
        rows.append((entry["name"], entry["num_requests"], entry["num_failures"], times))
    rows.append(("ALL", sum(r[1] for r in rows), sum(r[2] for r in rows), total_times))
    for name, count, failures, times in rows:
        print(f"{name:<18}{count:>7}{failures:>8}{count / elapsed:>8.1f}"
              f"{percentile(times, 0.5):>8}{percentile(times, 0.95):>8}{percentile(times, 0.99):>8}")
    return rows[-1][1], rows[-1][2]


def compare_writes(stack: Stack, ledger: dict) -> bool:
    """Print what the clients saw acknowledged and what the database holds; return whether they are the same."""
    completions = {tuple(row) for row in ledger["completions"]}
    attempts = {tuple(row) for row in ledger["attempts"]}
    stored_completions = set(stack.query(
        "SELECT u.email, p.module_slug, p.lesson_slug FROM lesson_progress p JOIN users u ON u.id = p.user_id"
        " WHERE u.email LIKE %s AND p.completed_at IS NOT NULL", BENCH_EMAILS))
    stored_attempts = set(stack.query(
        "SELECT u.email, a.submission_token FROM quiz_attempts a JOIN users u ON u.id = a.user_id WHERE u.email LIKE %s",
        BENCH_EMAILS))
    attempt_rows = stack.scalar("SELECT count(*) FROM quiz_attempts a JOIN users u ON u.id = a.user_id WHERE u.email LIKE %s",
                                BENCH_EMAILS)
    print(f"\nlesson completions: acknowledged {len(completions)} (in {len(ledger['completions'])} answers),"
          f" in the database {len(stored_completions)}")
    print(f"quiz attempts:      acknowledged {len(attempts)}, in the database {len(stored_attempts)} ({attempt_rows} rows)")
    same = completions == stored_completions and attempts == stored_attempts and attempt_rows == len(attempts)
    if not same:
        print(f"  acknowledged, not stored: {sorted(completions - stored_completions)[:5]} {sorted(attempts - stored_attempts)[:5]}")
        print(f"  stored, not acknowledged: {sorted(stored_completions - completions)[:5]} {sorted(stored_attempts - attempts)[:5]}")
    return same


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=100, help="simultaneous people (one in twenty a facilitator)")
    parser.add_argument("--seconds", type=int, default=120, help="how long the load lasts")
    parser.add_argument("--spawn-rate", type=float, default=5, help="people arriving per second at the start")
    args = parser.parse_args()

    with production_stack(extra_env=LOAD_ENV) as stack:
        learners = add_learners(stack, args.users)
        group_id = stack.scalar(
            "SELECT g.id FROM groups g JOIN users u ON u.id = g.facilitator_id WHERE u.email = %s ORDER BY g.id", FACILITATOR)
        accounts, ledger_file = stack.workdir / "accounts.json", stack.workdir / "ledger.json"
        accounts.write_text(json.dumps({"learners": learners, "password": PASSWORD, "facilitator": FACILITATOR,
                                        "facilitator_password": PASSWORDS[FACILITATOR], "group_id": group_id}))
        print(f"Lantern under load: {args.users} simultaneous people for {args.seconds} s against {stack.base_url}")
        print(f"  nginx (TLS) -> gunicorn 2 workers x 4 threads -> PostgreSQL, Redis; "
              f"{os.cpu_count()} CPU cores, {platform.processor() or platform.machine()}, load generator on the same machine")
        locust_exit = run_locust(stack, args, accounts, ledger_file)
        requests, failures = print_stats(stack.workdir / "locust.json")
        print(f"\nrequests: {requests}, errors: {failures}, locust exit code {locust_exit}")
        same = compare_writes(stack, json.loads(ledger_file.read_text()))
    ok = failures == 0 and locust_exit == 0 and same
    print("RESULT:", "ok" if ok else "FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
