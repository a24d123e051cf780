"""The certificate of completion and its public check."""

import sqlalchemy as sa

from course.certificates import certificate_pdf, new_code
from course.extensions import db
from course.models import Certificate
from tests.test_learn import complete, finish_module_one, take_quiz


def finish_course(client):
    finish_module_one(client)
    complete(client, "staying-safe", "steps")
    return take_quiz(client, "staying-safe")  # right answers to the questions drawn


def test_no_certificate_before_the_course_is_passed(app, client, login_as):
    login_as()
    finish_module_one(client)
    for path in ("/learn/certificate", "/learn/certificate.pdf"):
        response = client.get(path)
        assert response.status_code == 403
        assert "Your certificate is ready when you have passed the quiz of every module." in response.text
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Certificate)) == 0


def test_a_learner_who_passes_everything_gets_one_certificate(app, client, login_as):
    user = login_as(name="Dana's dad")
    finish_course(client)
    assert "Get your certificate" in client.get("/learn").text
    page = client.get("/learn/certificate")
    assert page.status_code == 200
    with app.app_context():
        certificate = db.session.scalar(sa.select(Certificate))
        assert certificate.user_id == user.id
        code = certificate.code
    assert code in page.text and f"/verify/{code}" in page.text
    client.get("/learn/certificate")
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Certificate)) == 1

    pdf = client.get("/learn/certificate.pdf")
    assert pdf.status_code == 200
    assert pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF")
    assert pdf.headers["Content-Disposition"] == 'attachment; filename="lantern-certificate.pdf"'


def test_anyone_can_check_a_certificate_by_its_code(app, client, auth, login_as):
    login_as(name="Sam's sister")
    finish_course(client)
    client.get("/learn/certificate")
    with app.app_context():
        code = db.session.scalar(sa.select(Certificate.code))
    auth.logout()
    page = client.get(f"/verify/{code.lower()}")
    assert page.status_code == 200
    assert "This certificate is real." in page.text and "Sam&#39;s sister" in page.text
    missing = client.get("/verify/AAAA-BBBB-CCCC")
    assert missing.status_code == 404
    assert "We could not find a certificate" in missing.text


def test_codes_are_readable_and_random():
    codes = {new_code() for _ in range(200)}
    assert len(codes) == 200
    assert all(len(code) == 14 and code.count("-") == 2 and not set(code) & set("01IO") for code in codes)


def test_the_pdf_draws_any_name(tmp_path):
    pdf = certificate_pdf("Łucja Nowak-Żółć 张伟", "November 23, 2026", "ABCD-EFGH-JKLM", "http://x/verify/ABCD", ["One", "Two"])
    assert pdf.startswith(b"%PDF") and len(pdf) > 1000
