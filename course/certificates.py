"""Certificates of completion: issued once the whole course is passed, checkable by code."""

from __future__ import annotations

import re

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from course import codes
from course.content import Course
from course.extensions import db
from course.models import Certificate, User
from course.pdf import Organisation, centred, footer, framed_page, heading
from course.progress import LearnerState, course_complete

CODE_PATTERN = re.compile(r"[A-Z0-9-]{1,32}")


def new_code() -> str:
    """Return a fresh certificate code, read off paper and typed in: ABCD-EFGH-JKMN."""
    return codes.in_fours(codes.random_code(12))


def certificate_for(user_id: int) -> Certificate | None:
    return db.session.scalar(sa.select(Certificate).where(Certificate.user_id == user_id))


def issue_certificate(user: User, course: Course, state: LearnerState) -> Certificate | None:
    """Return the learner's certificate, issuing it the first time; None until the course is passed."""
    existing = certificate_for(user.id)
    if existing is not None:
        return existing
    if not course_complete(course, state):
        return None
    certificate = Certificate(user_id=user.id, code=new_code())
    db.session.add(certificate)
    try:
        db.session.commit()
    except IntegrityError:
        # Issued a moment ago by another request: keep that one.
        db.session.rollback()
        return certificate_for(user.id)
    return certificate


def find_certificate(code: str) -> Certificate | None:
    """Return the certificate with this code (case and spaces forgiven), if any."""
    cleaned = "".join(code.split()).upper()
    if not CODE_PATTERN.fullmatch(cleaned):
        return None  # not a code at all (PostgreSQL would refuse a NUL byte outright)
    return db.session.scalar(sa.select(Certificate).where(Certificate.code == cleaned))


def certificate_pdf(
    name: str, issued: str, code: str, verify_url: str, module_titles: list[str], org: Organisation | None = None
) -> bytes:
    """Draw the certificate as a one-page PDF (A4 landscape), with fonts shipped in course/fonts."""
    org = org if org is not None else Organisation.from_config()
    pdf = framed_page("Lantern certificate of completion", "landscape", org)
    heading(pdf, "Certificate of completion", top=32, size=30, line_height=14)
    pdf.set_font("DejaVu", "", 14)
    pdf.ln(6)
    centred(pdf, 8, "This certifies that")
    pdf.set_font("DejaVu", "B", 24)
    pdf.ln(2)
    centred(pdf, 14, name)
    pdf.set_font("DejaVu", "", 14)
    pdf.ln(2)
    centred(
        pdf, 8,
        "completed Lantern, a course for families of people who use opioids"
        + (f" offered by {org.name}" if org.name else "")
        + ", and passed the quiz of every module:",
    )
    pdf.set_font("DejaVu", "", 11)
    pdf.ln(2)
    centred(pdf, 6, " · ".join(module_titles))
    footer(
        pdf, [f"Issued on {issued}", f"Check it at {verify_url}  (code {code})"],
        from_bottom=48, size=12, line_height=7, org=org,
    )
    return bytes(pdf.output())
