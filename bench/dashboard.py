"""Benchmark the facilitator's pages for one large group, over real HTTP.

    .venv/bin/python bench/dashboard.py [--learners 1000] [--rounds 20] [--seed 4]

Builds a fresh database (DATABASE_URL, default a temporary SQLite file) holding one group
of --learners learners with real progress through the shipped course: lessons read, quizzes
passed after a failed try or two, some stuck, some missing the critical overdose question.
Rows are made by course/builders.py, the builders the tests and the demo use; each attempt
is graded by the app's own grading. Then gunicorn
serves the app on 127.0.0.1 and the facilitator opens each page --rounds times, one request
at a time. Prints the median and 95th percentile time of each page and the SQL queries it
runs (measured in-process, as in bench/learner.py).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.harness import PASSWORD, Browser, count_queries, gunicorn, percentile  # noqa: E402

FACILITATOR = "facilitator@bench.lantern"


def _answers(module, rng: random.Random, want_pass: bool, miss_critical: bool) -> dict[str, tuple[str, ...]]:
    """Return answers to a module's quiz: passing ones (maybe with a slip), or failing ones."""
    from course import grading
    from course.builders import right_answers, wrong_answer

    questions = module.quiz.questions
    answers = right_answers(module)
    ordinary = [q for q in questions if not q.critical]
    if miss_critical:
        for question in questions:
            if question.critical:
                answers[question.id] = wrong_answer(question)
    elif not want_pass:
        for question in rng.sample(ordinary or list(questions), k=min(len(ordinary or questions), rng.randint(2, 4))):
            answers[question.id] = wrong_answer(question)
    elif ordinary and rng.random() < 0.5:
        slip = rng.choice(ordinary)
        answers[slip.id] = wrong_answer(slip)
        if not grading.grade(module.quiz, answers).passed:
            answers[slip.id] = slip.correct_answer
    return answers


def build_group(env: dict, learners: int, seed: int) -> dict[str, int]:
    """Create the schema, a facilitator and one group of learners with real progress; return row counts."""
    os.environ.update(env)
    import sqlalchemy as sa
    from flask_migrate import upgrade
    from werkzeug.security import generate_password_hash

    from course import builders, create_app
    from course.loaded import get_course
    from course.extensions import db
    from course.models import Role, utcnow

    rng = random.Random(seed)
    app = create_app()
    with app.app_context():
        upgrade()
        course = get_course()
        modules = course.modules
        now = utcnow()

        def days_before_now(moment) -> float:
            return (now - moment) / timedelta(days=1)

        password_hash = generate_password_hash(PASSWORD)  # one hash shared by every account: building, not security
        leader = builders.make_user(FACILITATOR, "Bench facilitator", Role.FACILITATOR, password_hash=password_hash)
        db.session.commit()
        group = builders.make_group(leader, "A very large group")

        # Each learner's story, oldest first: modules passed, then the module they are in.
        # Weights for 0..n modules passed: later modules (past the seventh) weigh 2; all passed weighs 3.
        weights = ([3, 4, 4, 3, 3, 2, 2] + [2] * len(modules))[: len(modules)] + [3]
        stories = []
        for number in range(learners):
            start = now - timedelta(days=rng.uniform(30, 90))
            passed = rng.choices(range(len(modules) + 1), weights=weights)[0]
            stories.append((number, start, passed))
        users = [
            builders.make_user(
                f"learner{number:05d}@bench.lantern", f"Learner {number:05d}",
                password_hash=password_hash, created_days_ago=days_before_now(start),
            )
            for number, start, _ in stories
        ]
        for user, (_, start, _) in zip(users, stories):
            builders.add_member(group, user, share_email=rng.random() < 0.4, joined_days_ago=days_before_now(start))

        counts = {"lesson rows": 0, "attempts": 0, "answers": 0}
        for user, (number, start, passed) in zip(users, stories):
            when = start
            for index, module in enumerate(modules):
                if index > passed or (index == passed and index == len(modules)):
                    break
                current = index == passed
                lessons = module.lessons if not current else module.lessons[: rng.randint(0, len(module.lessons))]
                for lesson in lessons:
                    when += timedelta(hours=rng.uniform(2, 30))
                    builders.finish_lesson(user, module, lesson.slug, days_ago=days_before_now(when), minutes=5)
                    counts["lesson rows"] += 1
                if current and len(lessons) < len(module.lessons):
                    break
                failures = rng.choice([0, 0, 1, 1, 2, 3]) if not current else rng.choice([0, 1, 2, 3])
                miss_critical = rng.random() < 0.15
                plan = [False] * failures + ([True] if not current else [])
                for want_pass in plan:
                    when += timedelta(hours=rng.uniform(1, 48))
                    answers = _answers(module, rng, want_pass, miss_critical and not want_pass)
                    attempt = builders.take_quiz(user, module, answers, days_ago=days_before_now(when))
                    counts["attempts"] += 1
                    counts["answers"] += attempt.question_count
            # Half the group was here lately; the rest drifted off at some point.
            last_seen = min(now, when + timedelta(days=rng.uniform(0, 25)))
            builders.set_last_seen(user, days_before_now(last_seen))
        db.session.commit()
        if db.engine.dialect.name == "postgresql":
            # Autovacuum analyses freshly loaded tables within a minute or so; do it now, so the pages are
            # not measured against the planner's guesses about tables it last saw empty.
            with db.engine.connect() as connection:
                connection.execution_options(isolation_level="AUTOCOMMIT").execute(sa.text("ANALYZE"))
        counts.update(group=group.id, learners=learners, **{"sample learner": users[len(users) // 2].id})
        db.engine.dispose()
    return counts


def pages(group_id: int, learner_id: int) -> dict[str, str]:
    base = f"/facilitator/groups/{group_id}"
    return {
        "group page": base,
        "group page, by last activity, page 10": base + "?sort=activity&order=desc&page=10",
        "check-ins (all)": base + "/check-ins",
        "per-question results": base + "/questions",
        "CSV export": base + "/progress.csv",
        "one learner": f"{base}/learners/{learner_id}",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--seed", type=int, default=4)
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="lantern-bench-"))
    database = os.environ.get("DATABASE_URL", f"sqlite:///{workdir}/bench.sqlite3")
    env = {
        "LANTERN_INSTANCE_PATH": str(workdir),
        "SECRET_KEY": "benchmark",
        "RATELIMIT_ENABLED": "false",
        "DATABASE_URL": database,
    }
    started = time.perf_counter()
    built = build_group(env, args.learners, args.seed)
    print(f"Database: {database.split('@')[-1]}")
    print(
        f"Built in {time.perf_counter() - started:.1f} s: {built['learners']} learners, {built['lesson rows']} lesson rows, "
        f"{built['attempts']} quiz attempts, {built['answers']} answers"
    )
    paths = pages(built["group"], built["sample learner"])
    queries = count_queries(env, FACILITATOR, paths, warm_up="/facilitator/groups")

    with gunicorn(env, workers=1) as base:
        facilitator = Browser(base, FACILITATOR)
        facilitator.log_in()
        print(f"\n{args.rounds} requests per page, one at a time, gunicorn with 1 worker:\n")
        print(f"{'page':<40} {'median':>9} {'p95':>9} {'queries':>8} {'size':>9}")
        for name, path in paths.items():
            size = len(facilitator.get(path))  # warm-up
            timings = []
            for _ in range(args.rounds):
                begun = time.perf_counter()
                facilitator.get(path)
                timings.append(time.perf_counter() - begun)
            print(
                f"{name:<40} {statistics.median(timings) * 1000:>7.0f}ms {percentile(timings, 0.95) * 1000:>7.0f}ms "
                f"{queries[name]:>8} {size / 1024:>7.0f}kB"
            )


if __name__ == "__main__":
    main()
