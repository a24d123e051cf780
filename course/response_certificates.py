"""The overdose-response certificate: issued when the always-open module is passed, current while
refreshers are done in time (until the last pass + LANTERN_REFRESHER_DAYS), checkable by code."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from course import certificates, refreshers
from course.content import Course
from course.extensions import db
from course.models import ResponseCertificate, User, utcnow
from course.pdf import Organisation, centred, footer, framed_page, heading


@dataclass(frozen=True)
class Standing:
    """A response certificate with whether it is current."""

    certificate: ResponseCertificate
    current_until: datetime | None

    @property
    def current(self) -> bool:
        return self.current_until is not None and self.current_until > utcnow()


def certificate_for(user_id: int) -> ResponseCertificate | None:
    return db.session.scalar(sa.select(ResponseCertificate).where(ResponseCertificate.user_id == user_id))


def issue(user: User, course: Course) -> ResponseCertificate | None:
    """Return the learner's response certificate, issuing it the first time; None until the module is passed."""
    existing = certificate_for(user.id)
    if existing is not None:
        return existing
    if refreshers.current_until(user.id, course) is None:
        return None
    certificate = ResponseCertificate(user_id=user.id, code=certificates.new_code())
    db.session.add(certificate)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()  # issued a moment ago by another request: keep that one
        return certificate_for(user.id)
    return certificate


def standing(certificate: ResponseCertificate, course: Course) -> Standing:
    return Standing(certificate, refreshers.current_until(certificate.user_id, course))


def find(code: str) -> ResponseCertificate | None:
    """Return the response certificate with this code (case and spaces forgiven), if any."""
    cleaned = "".join(code.split()).upper()
    if not certificates.CODE_PATTERN.fullmatch(cleaned):
        return None
    return db.session.scalar(sa.select(ResponseCertificate).where(ResponseCertificate.code == cleaned))


def response_pdf(
    name: str, module_title: str, issued: str, current_until: str, code: str, verify_url: str,
    org: Organisation | None = None,
) -> bytes:
    """Draw the overdose-response certificate as a one-page PDF (A4 portrait), with the clinic that runs the site."""
    org = org if org is not None else Organisation.from_config()
    pdf = framed_page("Lantern overdose response certificate", "portrait", org)
    heading(pdf, "Overdose response", top=40, size=26, line_height=12)
    pdf.set_font("DejaVu", "", 14)
    pdf.ln(8)
    centred(pdf, 8, "This certifies that")
    pdf.set_font("DejaVu", "B", 22)
    pdf.ln(2)
    centred(pdf, 12, name)
    pdf.set_font("DejaVu", "", 13)
    pdf.ln(4)
    centred(
        pdf, 8, f"passed the Lantern module “{module_title}”: how to spot an overdose, call for help and give naloxone."
    )
    pdf.ln(6)
    centred(pdf, 8, f"First issued on {issued}")
    centred(pdf, 8, f"Current until {current_until}, and renewed by each refresher passed")
    footer(pdf, [f"Check it at {verify_url}", f"(code {code})"], from_bottom=45, size=11, line_height=6, org=org)
    return bytes(pdf.output())
