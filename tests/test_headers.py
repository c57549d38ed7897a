"""The security headers a reviewer checks (issue 11, part 4): a CSP without inline exceptions, that no page needs."""

from __future__ import annotations

import re
from pathlib import Path

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
#: What a CSP without 'unsafe-inline' blocks: a style attribute, an inline script, an event handler attribute
INLINE = re.compile(r"\sstyle=|<script(?![^>]*\ssrc=)|\son[a-z]+=[\"']")


def test_every_answer_carries_the_headers(browser):
    headers = browser.get("/login").headers
    csp = headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp and "unsafe-inline" not in csp
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == "same-origin"


def test_no_page_needs_an_inline_exception_to_the_csp():
    pages = [p for p in TEMPLATES.rglob("*.html") if "emails" not in p.relative_to(TEMPLATES).parts]
    assert len(pages) > 30
    offending = [str(p.relative_to(TEMPLATES)) for p in pages if INLINE.search(p.read_text(encoding="utf-8"))]
    assert offending == []


def test_the_outbox_message_page_has_no_inline_style(db, logged_in, clock):
    from tracker.notifications.models import OutboxMessage

    message = OutboxMessage(
        created_at=clock.now(),
        kind="workflow-comment",
        recipients=["snv@example.org"],
        subject="Ý kiến",
        text_body="Dòng một\nDòng hai",
        next_attempt_at=clock.now(),
    )
    db.session.add(message)
    db.session.commit()
    admin, _ = logged_in("admin")
    page = admin.get(f"/admin/outbox/{message.id}").get_data(as_text=True)
    assert '<pre class="card mail-text">Dòng một\nDòng hai</pre>' in page
    assert not INLINE.search(page)


def test_the_tests_take_no_smtp_server_from_the_environment():
    """Issue 11, part 4: an SMTP host set in the environment (a developer's, a CI secret) is gone once the tests'
    fixtures load, for the test process and for every `tracker` process a test starts."""
    import os
    import subprocess
    import sys

    script = (
        "import os; os.environ['TRACKER_SMTP_HOST'] = 'smtp.example.org'; os.environ['TRACKER_SMTP_USER'] = 'u'\n"
        "import tests.conftest\n"
        "from config import TestConfig, Config\n"
        "print(os.environ.get('TRACKER_SMTP_HOST'), TestConfig.SMTP_HOST, Config.SMTP_HOST)"
    )
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    shown = subprocess.run([sys.executable, "-c", script], cwd=root, capture_output=True, text=True, check=True)  # noqa: S603
    assert shown.stdout.split() == ["None", "None", "None"]
    assert not any(name.startswith("TRACKER_SMTP_") for name in os.environ)


def test_an_error_in_production_shows_a_page_without_the_trace(tmp_path):
    from config import ProductionConfig
    from tracker import create_app

    class Prod(ProductionConfig):
        SECRET_KEY = "y" * 40
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{tmp_path / 'p.db'}"
        BASE_URL = "https://theodoi.example.gov.vn"

    app = create_app(Prod, instance_path=str(tmp_path))

    @app.get("/hong")
    def broken():
        raise RuntimeError("secret detail of the failure")

    answer = app.test_client().get("/hong")
    page = answer.get_data(as_text=True)
    assert answer.status_code == 500
    assert "Đã xảy ra lỗi." in page and "<html" in page
    assert "secret detail" not in page and "Traceback" not in page and "RuntimeError" not in page
