"""Schemathesis over /api/v1/openapi.json: no 5xx answer, and every answer matches what the document says.

Runs as the office and as an agency's staff (each with a token of its own), on the workflow tests' plan, with
requests generated from the schemas (valid and invalid ones) by Hypothesis.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis import checks

from tests.workflow.conftest import world  # noqa: F401 (the fixture)

CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_headers_conformance,
    checks.response_schema_conformance,
]


def _document_app():
    """An app to read the document from (no database needed); the test sends requests to the test's own app."""
    import tempfile

    from config import TestConfig
    from tracker import create_app

    return create_app(TestConfig, instance_path=tempfile.mkdtemp(prefix="tracker-openapi-"))


schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", _document_app())


def _token(make_user, clock, db, role: str, agency: str | None = None) -> str:
    from tracker.accounts.tokens import create_token

    _, secret = create_token(make_user(role, agency), name="schemathesis", days=30, by=None, now=clock.now())
    db.session.commit()
    return secret


@pytest.fixture
def office_token(make_user, clock, db):
    return _token(make_user, clock, db, "monitor")


@pytest.fixture
def agency_token(make_user, clock, db):
    return _token(make_user, clock, db, "agency_staff", "SNV")


def _call(case, token, app, db) -> None:
    # this test's app, on its database (SQLite or PostgreSQL), with the workflow plan
    db.session.expire_all()
    with app.app_context():  # a context of its own per request, as in production
        case.call_and_validate(headers={"Authorization": f"Bearer {token}"}, checks=CHECKS, app=app)
    db.session.rollback()


@schema.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_answers_the_office_as_documented(case, world, office_token, app, db):  # noqa: F811
    _call(case, office_token, app, db)


@schema.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_answers_an_agency_as_documented(case, world, agency_token, app, db):  # noqa: F811
    _call(case, agency_token, app, db)
