"""Learner state, one module per domain; every model is importable from here.

Content (modules, lessons, questions) lives in files; rows point to it by slug.
Times are naive UTC everywhere (course.models.clock), so SQLite and PostgreSQL behave the same.
"""

from course.models.clock import utcnow
from course.models.accounts import EmailConfirmation, Role, RoleChecks, StaffInvite, User, UserSession
from course.models.groups import CheckInAction, Group, GroupFacilitator, Membership
from course.models.learning import (
    AttemptAnswer,
    Certificate,
    LatestAnswer,
    LearnerStatus,
    LessonProgress,
    QuizAttempt,
    QuizLayout,
)
from course.models.lasting import (
    KnowledgeCheck,
    PracticeAnswer,
    RefresherAttempt,
    ReminderMail,
    ReminderPreference,
    ResponseCertificate,
)

__all__ = [
    "utcnow", "EmailConfirmation", "Role", "RoleChecks", "StaffInvite", "User", "UserSession", "CheckInAction", "Group",
    "GroupFacilitator", "Membership", "AttemptAnswer", "Certificate", "LatestAnswer", "LearnerStatus", "LessonProgress",
    "QuizAttempt", "QuizLayout", "KnowledgeCheck", "PracticeAnswer", "RefresherAttempt", "ReminderMail",
    "ReminderPreference", "ResponseCertificate",
]
