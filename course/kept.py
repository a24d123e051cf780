"""What the course pages read about one learner, kept in this process between requests while it stays the same.

The lesson, quiz and home pages run on every visit, and each reads a few facts about the learner:
their progress, their open quiz layout, the checks they took, their reminder choice, what they
still have to practise. Every change to any of those rows moves the learner's stamp in the same
transaction (`learner_status.updated_at`, course.dashboard.status), and the session query reads
the stamp with the person (course.sessions). So while the stamp is unchanged, so is everything read
under it, and a page reads none of it again.

A request that has used the ORM session may have changed something after its stamp was read (and
may still roll it back), so it neither uses nor keeps anything here. Requests share what is kept:
callers keep values that nothing changes (frozen dataclasses, tuples, dicts nobody writes to).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from datetime import datetime
from typing import Any, Protocol, TypeVar

from course.extensions import db

T = TypeVar("T")
MAX_KEPT_LEARNERS = 5_000

# learner id -> (the stamp their facts were read under, {what was read: its value})
_kept: dict[int, tuple[datetime, dict[Hashable, Any]]] = {}


class StampedPerson(Protocol):
    id: int


def kept_or_read(person: StampedPerson, key: Hashable, read: Callable[[], T]) -> T:
    """Return what `read()` returns for this person, kept from an earlier request if their stamp has not moved."""
    stamp = getattr(person, "learner_stamp", None)  # only the signed-in person of a request has one
    if stamp is None or db.session.registry.has():
        return read()
    entry = _kept.get(person.id)
    if entry is None or entry[0] != stamp:
        if entry is None and len(_kept) >= MAX_KEPT_LEARNERS:
            _kept.clear()  # a crude bound on memory; the next requests read afresh
        entry = _kept[person.id] = (stamp, {})
    values = entry[1]
    if key not in values:
        values[key] = read()
    return values[key]
