"""The group's progress as a CSV file for the facilitator's records."""

from __future__ import annotations

import csv
import io
from datetime import datetime

from course.dashboard.matrix import GroupProgress

# A cell that starts with one of these is read as a formula by spreadsheets.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: object) -> str:
    """Return a cell's text, with a leading apostrophe if a spreadsheet would run it as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_TRIGGERS) else text


def _date(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d") if value else ""


def progress_csv(progress: GroupProgress) -> str:
    """Return the matrix as CSV text: one row per learner, state and best score per module.

    Starts with a byte-order mark so spreadsheets read it as UTF-8.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    header = [
        "Display name", "Email (if shared)", "Joined", "Last activity", "Steps done", "Steps in all",
        "Overdose refresher due since",
    ]
    for module in progress.modules:
        header += [f"{module.number}. {module.title}: state", f"{module.number}. {module.title}: best score %"]
    writer.writerow([spreadsheet_safe(cell) for cell in header])
    for row in progress.learners:
        cells: list[object] = [
            row.member.display_name,
            row.member.email or "",
            _date(row.member.joined_at),
            _date(row.last_activity),
            row.steps_done,
            row.steps_total,
            _date(row.refresher_due_since),
        ]
        for cell in row.cells:
            cells += [cell.label, "" if cell.best_score is None else cell.best_score]
        writer.writerow([spreadsheet_safe(cell) for cell in cells])
    return "\ufeff" + buffer.getvalue()
