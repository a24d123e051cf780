"""Benchmark the facilitator's pages for one large group, over real HTTP.

    .venv/bin/python bench/dashboard.py [--learners 1000] [--rounds 20] [--seed 4]

Builds a fresh database (DATABASE_URL, default a temporary SQLite file) holding one group
of --learners learners with real progress through the shipped course: lessons read, quizzes
passed after a failed try or two, some stuck, some missing the critical overdose question.
Rows go in with bulk INSERTs (the session writes each learner's dashboard summary on commit);
each attempt is graded by the app's own grading. Then gunicorn
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

    questions = module.quiz.questions
    answers = {q.id: q.correct_answer for q in questions}

    def wrong(question):
        if question.type == "order":
            return tuple(reversed(question.correct_answer))
        return (next(c.id for c in question.choices if not c.correct),)

    ordinary = [q for q in questions if not q.critical]
    if miss_critical:
        for question in questions:
            if question.critical:
                answers[question.id] = wrong(question)
    elif not want_pass:
        for question in rng.sample(ordinary or list(questions), k=min(len(ordinary or questions), rng.randint(2, 4))):
            answers[question.id] = wrong(question)
    elif ordinary and rng.random() < 0.5:
        slip = rng.choice(ordinary)
        answers[slip.id] = wrong(slip)
        if not grading.grade(module.quiz, answers).passed:
            answers[slip.id] = slip.correct_answer
    return answers


def build_group(env: dict, learners: int, seed: int) -> dict[str, int]:
    """Create the schema, a facilitator and one group of learners with real progress; return row counts."""
    os.environ.update(env)
    import sqlalchemy as sa
    from flask_migrate import upgrade
    from werkzeug.security import generate_password_hash

    from course import create_app, grading, groups
    from course.loaded import get_course
    from course.extensions import db
    from course.models import AttemptAnswer, LessonProgress, Membership, QuizAttempt, Role, User, utcnow

    rng = random.Random(seed)
    app = create_app()
    with app.app_context():
        upgrade()
        course = get_course()
        modules = course.modules
        now = utcnow()
        password_hash = generate_password_hash(PASSWORD)  # one hash shared by every account: building, not security
        leader = User(email=FACILITATOR, display_name="Bench facilitator", role=Role.FACILITATOR, password_hash=password_hash)
        db.session.add(leader)
        db.session.commit()
        group = groups.create_group(leader, "A very large group")

        # Each learner's story, oldest first: modules passed, then the module they are in.
        stories = []
        # How far people got: most are early on, fewer further along, some finished (any course length).
        weights = ([3, 4, 4, 3, 3] + [2] * len(modules))[: len(modules)] + [3]
        for number in range(learners):
            start = now - timedelta(days=rng.uniform(30, 90))
            passed = rng.choices(range(len(modules) + 1), weights=weights)[0]
            stories.append((number, start, passed))
        user_rows = [
            {
                "email": f"learner{number:05d}@bench.lantern",
                "display_name": f"Learner {number:05d}",
                "password_hash": password_hash,
                "role": Role.LEARNER,
                "active": True,
                "created_at": start,
            }
            for number, start, _ in stories
        ]
        user_ids = db.session.execute(
            sa.insert(User).returning(User.id, sort_by_parameter_order=True), user_rows
        ).scalars().all()
        db.session.execute(
            sa.insert(Membership),
            [{"group_id": group.id, "user_id": uid, "share_email": rng.random() < 0.4, "joined_at": start}
             for uid, (_, start, _) in zip(user_ids, stories)],
        )

        lesson_rows, attempt_rows, attempt_answers, last_seen = [], [], [], []
        for user_id, (number, start, passed) in zip(user_ids, stories):
            when = start
            for index, module in enumerate(modules):
                if index > passed or (index == passed and index == len(modules)):
                    break
                current = index == passed
                lessons = module.lessons if not current else module.lessons[: rng.randint(0, len(module.lessons))]
                for lesson in lessons:
                    when += timedelta(hours=rng.uniform(2, 30))
                    lesson_rows.append({"user_id": user_id, "module_slug": module.slug, "lesson_slug": lesson.slug,
                                        "started_at": when, "completed_at": when + timedelta(minutes=5)})
                if current and len(lessons) < len(module.lessons):
                    break
                failures = rng.choice([0, 0, 1, 1, 2, 3]) if not current else rng.choice([0, 1, 2, 3])
                miss_critical = rng.random() < 0.15
                plan = [False] * failures + ([True] if not current else [])
                for want_pass in plan:
                    when += timedelta(hours=rng.uniform(1, 48))
                    graded = grading.grade(
                        module.quiz, _answers(module, rng, want_pass, miss_critical and not want_pass)
                    )
                    attempt_rows.append({
                        "user_id": user_id, "module_slug": module.slug,
                        "submission_token": f"bench-{user_id}-{len(attempt_rows)}", "submitted_at": when,
                        "score": graded.score, "correct_count": graded.correct_count,
                        "question_count": graded.question_count, "passed": graded.passed,
                        "missed_critical": graded.missed_critical, "content_version": module.quiz.version,
                    })
                    attempt_answers.append(graded.answers)
            # Half the group was here lately; the rest drifted off at some point.
            last_seen.append({"id": user_id, "last_seen_at": min(now, when + timedelta(days=rng.uniform(0, 25)))})

        if lesson_rows:
            db.session.execute(sa.insert(LessonProgress), lesson_rows)
        attempt_ids = db.session.execute(
            sa.insert(QuizAttempt).returning(QuizAttempt.id, sort_by_parameter_order=True), attempt_rows
        ).scalars().all() if attempt_rows else []
        answer_rows = [
            {"attempt_id": attempt_id, "question_id": a.question.id, "chosen": list(a.chosen), "is_correct": a.correct}
            for attempt_id, answers in zip(attempt_ids, attempt_answers)
            for a in answers
        ]
        if answer_rows:
            db.session.execute(sa.insert(AttemptAnswer), answer_rows)
        db.session.execute(sa.update(User), last_seen)
        db.session.commit()
        counts = {
            "group": group.id,
            "learners": learners,
            "lesson rows": len(lesson_rows),
            "attempts": len(attempt_rows),
            "answers": len(answer_rows),
            "sample learner": user_ids[len(user_ids) // 2],
        }
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
