"""Pages anyone can open without an account: landing, emergency, about, health check."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, current_app, jsonify, redirect, render_template, url_for
from flask_login import current_user

from course import certificates, response_certificates
from course.loaded import get_course
from course.extensions import db

bp = Blueprint("public", __name__)


@bp.route("/")
def index():
    if current_user.is_authenticated:
        return redirect(url_for("learn.home"))
    return render_template("public/index.html", course=get_course())


@bp.route("/emergency")
def emergency():
    # Never fails: with the content unavailable, the template's short fallback still says "call 911".
    course = current_app.extensions.get("lantern_course")
    page = course.emergency if course is not None else None
    return render_template("public/emergency.html", page=page)


@bp.route("/about")
def about():
    return render_template("public/about.html", course=get_course())


@bp.route("/verify/<code>")
def verify(code: str):
    certificate = certificates.find_certificate(code)
    if certificate is not None:
        return render_template("public/verify.html", certificate=certificate, code=certificate.code)
    response = response_certificates.find(code)
    if response is not None:
        standing = response_certificates.standing(response, get_course())
        return render_template("public/verify.html", certificate=None, standing=standing, code=response.code)
    return render_template("public/verify.html", certificate=None, code=code), 404


@bp.route("/healthz")
def healthz():
    content_ok = current_app.extensions.get("lantern_course") is not None
    try:
        db.session.execute(sa.select(1))
        database_ok = True
    except sa.exc.SQLAlchemyError:
        db.session.rollback()
        database_ok = False
    healthy = content_ok and database_ok
    body = {
        "status": "ok" if healthy else "unavailable",
        "database": "ok" if database_ok else "unavailable",
        "content": "ok" if content_ok else "invalid",
    }
    return jsonify(body), 200 if healthy else 503
