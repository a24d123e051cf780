"""The overdose-response certificate: issued when the always-open module is passed, current while
refreshers are done in time (until the last pass + LANTERN_REFRESHER_DAYS), checkable by code."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from fpdf import FPDF
from sqlalchemy.exc import IntegrityError

from course import certificates, refreshers
from course.content import Course
from course.extensions import db
from course.models import ResponseCertificate, User, utcnow


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


def response_pdf(name: str, module_title: str, issued: str, current_until: str, code: str, verify_url: str) -> bytes:
    """Draw the overdose-response certificate as a one-page PDF (A4 portrait)."""
    pdf = FPDF(orientation="portrait", format="A4")
    pdf.set_title("Lantern overdose response certificate")
    pdf.set_author("Lantern")
    pdf.add_font("DejaVu", "", str(certificates.FONTS / "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", "B", str(certificates.FONTS / "DejaVuSans-Bold.ttf"))
    pdf.set_auto_page_break(False)
    pdf.add_page()
    pdf.set_draw_color(11, 83, 148)
    pdf.set_line_width(1.5)
    pdf.rect(10, 10, pdf.w - 20, pdf.h - 20)
    pdf.set_y(40)
    pdf.set_font("DejaVu", "B", 26)
    pdf.set_text_color(7, 55, 99)
    pdf.multi_cell(0, 12, "Overdose response", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(27, 31, 36)
    pdf.set_font("DejaVu", "", 14)
    pdf.ln(8)
    pdf.cell(0, 8, "This certifies that", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "B", 22)
    pdf.ln(2)
    pdf.multi_cell(0, 12, name, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 13)
    pdf.ln(4)
    pdf.multi_cell(
        0,
        8,
        f"passed the Lantern module “{module_title}”: how to spot an overdose, call for help and give naloxone.",
        align="C",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.ln(6)
    pdf.cell(0, 8, f"First issued on {issued}", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.cell(
        0,
        8,
        f"Current until {current_until}, and renewed by each refresher passed",
        align="C",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.set_font("DejaVu", "", 11)
    pdf.set_y(pdf.h - 45)
    pdf.multi_cell(0, 6, f"Check it at {verify_url}\n(code {code})", align="C", new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
