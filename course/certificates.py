"""Certificates of completion: issued once the whole course is passed, checkable by code."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from flask import current_app, has_app_context
from fpdf import FPDF
from sqlalchemy.exc import IntegrityError

from course import codes
from course.content import Course
from course.extensions import db
from course.models import Certificate, User
from course.progress import LearnerState, course_complete

FONTS = Path(__file__).resolve().parent / "fonts"
CODE_PATTERN = re.compile(r"[A-Z0-9-]{1,32}")
RASTER_LOGOS = {".png", ".jpg", ".jpeg"}


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


@dataclass(frozen=True)
class Organisation:
    """The clinic that runs the site: named on the certificate when configured."""

    name: str = ""
    contact: str = ""
    logo: str = ""  # a file path (PNG or JPEG; fpdf2 cannot draw every SVG)

    @classmethod
    def from_config(cls) -> Organisation:
        if not has_app_context():
            return cls()
        config = current_app.config
        return cls(config.get("ORG_NAME", ""), config.get("ORG_CONTACT", ""), config.get("ORG_LOGO", ""))


def certificate_pdf(
    name: str, issued: str, code: str, verify_url: str, module_titles: list[str], org: Organisation | None = None
) -> bytes:
    """Draw the certificate as a one-page PDF (A4 landscape), with fonts shipped in course/fonts."""
    org = org if org is not None else Organisation.from_config()
    pdf = FPDF(orientation="landscape", format="A4")
    pdf.set_title("Lantern certificate of completion")
    pdf.set_author(org.name or "Lantern")
    pdf.add_font("DejaVu", "", str(FONTS / "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", "B", str(FONTS / "DejaVuSans-Bold.ttf"))
    pdf.set_auto_page_break(False)
    pdf.add_page()
    pdf.set_draw_color(11, 83, 148)
    pdf.set_line_width(1.5)
    pdf.rect(10, 10, pdf.w - 20, pdf.h - 20)
    if org.logo and Path(org.logo).suffix.lower() in RASTER_LOGOS:
        pdf.image(org.logo, x=pdf.w / 2 - 15, y=14, h=14, keep_aspect_ratio=True)
    pdf.set_y(32)
    pdf.set_font("DejaVu", "B", 30)
    pdf.set_text_color(7, 55, 99)
    pdf.cell(0, 14, "Certificate of completion", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(27, 31, 36)
    pdf.set_font("DejaVu", "", 14)
    pdf.ln(6)
    pdf.cell(0, 8, "This certifies that", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "B", 24)
    pdf.ln(2)
    pdf.cell(0, 14, name, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 14)
    pdf.ln(2)
    pdf.multi_cell(
        0, 8,
        "completed Lantern, a course for families of people who use opioids"
        + (f" offered by {org.name}" if org.name else "")
        + ", and passed the quiz of every module:",
        align="C", new_x="LMARGIN", new_y="NEXT",
    )
    pdf.set_font("DejaVu", "", 11)
    pdf.ln(2)
    pdf.multi_cell(0, 6, " · ".join(module_titles), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 12)
    pdf.set_y(pdf.h - 48)
    pdf.cell(0, 7, f"Issued on {issued}", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.cell(0, 7, f"Check it at {verify_url}  (code {code})", align="C", new_x="LMARGIN", new_y="NEXT")
    if org.name or org.contact:
        pdf.set_font("DejaVu", "", 10)
        pdf.cell(0, 6, " · ".join(part for part in (org.name, org.contact) if part), align="C", new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
