"""A facilitator's view of a group, by concern: the progress matrix (matrix), who needs a
check-in and what was done about it (check_ins), per-question results (questions) and
the CSV export (export). Each learner's summary (summary: cells, steps, check-in reasons)
is kept as data (status), rewritten whenever their lessons or attempts change, so the
group's pages read one row per learner; one learner's detail reads their rows (loading).

Every page runs the same few queries whatever the group's size. Deactivated accounts are
left out everywhere (their rows stay in the database).
"""

from course.dashboard.check_ins import (
    CheckInError,
    CheckInReason,
    check_in_list,
    check_in_reasons,
    export_for_learner,
    load_actions,
    record_contact,
    snooze,
)
from course.dashboard.export import progress_csv, spreadsheet_safe
from course.dashboard.loading import Member
from course.dashboard.matrix import (
    Cell,
    CellState,
    GroupProgress,
    LearnerDetail,
    LearnerRow,
    Page,
    SortKey,
    filter_learners,
    group_progress,
    learner_detail,
    paginate,
    sort_learners,
)
from course.dashboard.questions import FEW_ANSWERS, QuestionResult, QuestionResults, question_results

__all__ = [
    "Cell", "CellState", "CheckInError", "CheckInReason", "FEW_ANSWERS", "GroupProgress", "LearnerDetail",
    "LearnerRow", "Member", "Page", "QuestionResult", "QuestionResults", "SortKey", "check_in_list",
    "check_in_reasons", "export_for_learner", "filter_learners", "group_progress", "learner_detail",
    "load_actions", "paginate", "progress_csv", "question_results", "record_contact", "snooze",
    "sort_learners", "spreadsheet_safe",
]
