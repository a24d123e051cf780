"""Benchmark the learner's path over real HTTP: gunicorn processes, concurrent learners.

    .venv/bin/python bench/learner.py [--learners 40] [--rounds 10] [--workers 2] [--clients 8]

Builds a fresh database (DATABASE_URL, default a temporary SQLite file) with --learners
accounts, starts gunicorn on 127.0.0.1, and has --clients threads each log in as a learner
and walk home -> lesson -> quiz -> submit, --rounds times. Prints throughput, latency
percentiles per page, and the SQL queries each page runs (measured in-process).
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.harness import PASSWORD, Browser, count_queries, gunicorn, percentile  # noqa: E402

def build_database(env: dict, learners: int) -> None:
    """Create the schema and the learners, each with the first module finished."""
    os.environ.update(env)
    from flask_migrate import upgrade

    from course import builders, create_app
    from course.loaded import get_course
    from course.extensions import db

    app = create_app()
    with app.app_context():
        upgrade()
        course = get_course()
        for number in range(learners):
            user = builders.make_user(f"bench{number}@example.org", f"Learner {number}", password=PASSWORD)
            builders.pass_module(user, course.modules[0])
        db.session.commit()
        db.engine.dispose()


def walk(learner: Browser, module, rounds: int, timings: dict[str, list[float]], lock: threading.Lock) -> None:
    answers: dict[str, dict] = {}  # by question id: each attempt answers only the questions drawn for it
    for question in module.quiz.questions:
        if question.type == "order":
            answers[question.id] = {
                f"q-{question.id}-{choice_id}": str(position)
                for position, choice_id in enumerate(question.correct_answer, start=1)
            }
        else:
            answers[question.id] = {f"q-{question.id}": list(question.correct_answer)}
    steps = [
        ("home", lambda: learner.get("/learn")),
        ("lesson", lambda: learner.get(f"/learn/{module.slug}/{module.lessons[0].slug}")),
    ]
    for _ in range(rounds):
        for name, step in steps:
            started = time.perf_counter()
            step()
            with lock:
                timings[name].append(time.perf_counter() - started)
        started = time.perf_counter()
        quiz = learner.get(f"/learn/{module.slug}/quiz")
        with lock:
            timings["quiz"].append(time.perf_counter() - started)
        data = {
            "csrf_token": learner.hidden(quiz, "csrf_token"),
            "submission_token": learner.hidden(quiz, "submission_token"),
        }
        for question_id in re.findall(r'<fieldset class="question[^"]*" id="question-([a-z0-9-]+)"', quiz):
            data.update(answers[question_id])
        started = time.perf_counter()
        learner.post(f"/learn/{module.slug}/quiz", data)  # follows the redirect to the review
        with lock:
            timings["submit + review"].append(time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=40)
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--clients", type=int, default=8)
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="lantern-bench-"))
    env = {
        "LANTERN_INSTANCE_PATH": str(workdir),
        "SECRET_KEY": "benchmark",
        "RATELIMIT_ENABLED": "false",
        "DATABASE_URL": os.environ.get("DATABASE_URL", f"sqlite:///{workdir}/bench.sqlite3"),
    }
    build_database(env, args.learners)
    from course.content import load_course

    module = load_course(ROOT / "modules").modules[0]
    queries = count_queries(
        env,
        "bench0@example.org",
        {
            "home": "/learn",
            "module": f"/learn/{module.slug}",
            "lesson": f"/learn/{module.slug}/{module.lessons[0].slug}",
            "quiz": f"/learn/{module.slug}/quiz",
        },
    )
    with gunicorn(env, args.workers, threads=4) as base:
        learners = [Browser(base, f"bench{n % args.learners}@example.org") for n in range(args.clients)]
        for learner in learners:
            learner.log_in()
        timings: dict[str, list[float]] = defaultdict(list)
        lock = threading.Lock()
        threads = [threading.Thread(target=walk, args=(l, module, args.rounds, timings, lock)) for l in learners]
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - started

    requests = sum(len(v) for v in timings.values())
    database = env["DATABASE_URL"].split(":", 1)[0]
    print(f"learner path on {database}: {args.workers} gunicorn workers x 4 threads, {args.clients} concurrent learners")
    print(f"{requests} page requests in {elapsed:.1f} s = {requests / elapsed:.0f} requests/s")
    print(f"{'page':<18}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'SQL queries':>13}")
    for name, values in timings.items():
        key = name.split()[0]
        print(
            f"{name:<18}{statistics.median(values) * 1000:>9.1f}{percentile(values, 0.95) * 1000:>9.1f}"
            f"{percentile(values, 0.99) * 1000:>9.1f}{queries.get(key, '-'):>13}"
        )
    print("(SQL queries: per page view of a logged-in learner, measured in-process; module page:"
          f" {queries['module']})")


if __name__ == "__main__":
    main()
