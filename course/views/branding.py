"""The clinic's own logo and accent colour, served from this site (never from another)."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Response, abort, current_app, send_file

from course.config import LOGO_TYPES

bp = Blueprint("branding", __name__, url_prefix="/brand")


def accent_css(colour: str) -> str:
    """Return a small stylesheet that makes the accent colour the site's brand colour."""
    red, green, blue = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    darker = "#{:02x}{:02x}{:02x}".format(*(int(c * 0.7) for c in (red, green, blue)))
    return f":root {{ --brand: {colour}; --brand-dark: {darker}; }}\n"


@bp.route("/accent.css")
def accent_stylesheet():
    colour = current_app.config.get("ORG_ACCENT", "")
    if not colour:
        abort(404)
    response = Response(accent_css(colour), mimetype="text/css")
    response.cache_control.max_age = 3600
    return response


@bp.route("/logo")
def logo():
    path = current_app.config.get("ORG_LOGO", "")
    if not path or not Path(path).is_file():
        abort(404)
    response = send_file(path, mimetype=LOGO_TYPES[Path(path).suffix.lower()], max_age=3600)
    # An SVG opened on its own must not run anything.
    response.headers["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
    return response
