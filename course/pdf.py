"""Lantern's certificate pages: the shipped fonts, the framed A4 page with the clinic's branding, centred lines."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from flask import current_app, has_app_context
from fpdf import FPDF

FONTS = Path(__file__).resolve().parent / "fonts"
RASTER_LOGOS = {".png", ".jpg", ".jpeg"}
FRAME_BLUE = (11, 83, 148)
HEADING_BLUE = (7, 55, 99)
INK = (27, 31, 36)


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


def framed_page(title: str, orientation: str, org: Organisation | None = None) -> FPDF:
    """Start a one-page A4 PDF with the shipped fonts, the blue frame and the clinic's logo and name."""
    org = org if org is not None else Organisation()
    pdf = FPDF(orientation=orientation, format="A4")
    pdf.set_title(title)
    pdf.set_author(org.name or "Lantern")
    pdf.add_font("DejaVu", "", str(FONTS / "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", "B", str(FONTS / "DejaVuSans-Bold.ttf"))
    pdf.set_auto_page_break(False)
    pdf.add_page()
    pdf.set_draw_color(*FRAME_BLUE)
    pdf.set_line_width(1.5)
    pdf.rect(10, 10, pdf.w - 20, pdf.h - 20)
    if org.logo and Path(org.logo).suffix.lower() in RASTER_LOGOS:
        pdf.image(org.logo, x=pdf.w / 2 - 15, y=14, h=14, keep_aspect_ratio=True)
    return pdf


def centred(pdf: FPDF, line_height: float, text: str) -> None:
    """Draw text centred across the page, wrapped to its width, and move below it."""
    pdf.multi_cell(0, line_height, text, align="C", new_x="LMARGIN", new_y="NEXT")


def heading(pdf: FPDF, text: str, *, top: float, size: int, line_height: float) -> None:
    """Draw the certificate's title in bold blue at `top` mm, then switch to the body's ink."""
    pdf.set_y(top)
    pdf.set_font("DejaVu", "B", size)
    pdf.set_text_color(*HEADING_BLUE)
    centred(pdf, line_height, text)
    pdf.set_text_color(*INK)


def footer(
    pdf: FPDF, lines: list[str], *, from_bottom: float, size: int, line_height: float, org: Organisation | None = None
) -> None:
    """Draw the closing lines (where to check the certificate) near the bottom, then the clinic's name and contact."""
    pdf.set_font("DejaVu", "", size)
    pdf.set_y(pdf.h - from_bottom)
    for line in lines:
        centred(pdf, line_height, line)
    if org is not None and (org.name or org.contact):
        pdf.set_font("DejaVu", "", 10)
        centred(pdf, 6, " · ".join(part for part in (org.name, org.contact) if part))
