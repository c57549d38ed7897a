"""Every form, sent hostile values in every field (issue 11, part 3): numbers past any column, impossible dates,
markup, SQL, control characters, very long text. Each answer is a page or a redirect, never a 500; and what the
pages show is escaped."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

HOSTILE = [
    "99999999999999999999999999",
    "-1",
    "31/02/2024",
    "9999-12-31",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "a\x00b\x0bc",
    "x" * 20_000,
]


class Forms(HTMLParser):
    """The POST forms of a page: (action, {field: value}) with each field's name and its current value."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[tuple[str, dict[str, str]]] = []
        self._open: tuple[str, dict[str, str]] | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and (attrs.get("method") or "").lower() == "post":
            self._open = (attrs.get("action") or "", {})
        elif self._open is not None and tag in ("input", "textarea", "select") and attrs.get("name"):
            if attrs.get("type") in ("file", "submit"):
                return
            self._open[1].setdefault(attrs["name"], attrs.get("value") or "")

    def handle_endtag(self, tag):
        if tag == "form" and self._open is not None:
            self.forms.append(self._open)
            self._open = None


def _forms(page: str) -> list[tuple[str, dict[str, str]]]:
    parser = Forms()
    parser.feed(page)
    return parser.forms


@pytest.fixture
def pages(world, make_user, make_browser, db):
    """The pages with forms, each with the browser of a role that may use them."""
    from tracker.plans.models import Plan

    browsers = {}
    for role, agency in (("admin", None), ("monitor", None), ("agency_head", "SNV")):
        browser = make_browser()
        assert browser.login(make_user(role, agency).email).status_code == 302
        browsers[role] = browser
    item = world["items"][("1", "SNV")]
    plan = db.session.query(Plan).first()
    return [
        (browsers["admin"], "/admin/agencies/new"),
        (browsers["admin"], "/admin/groups/new"),
        (browsers["admin"], "/admin/users/new"),
        (browsers["admin"], "/admin/schedules/reminders"),
        (browsers["admin"], "/admin/calendar"),
        (browsers["admin"], f"/admin/agencies/{item.assignment.agency_id}"),
        (browsers["admin"], "/reports/monthly"),
        (browsers["monitor"], f"/plans/{plan.id}/edit"),
        (browsers["monitor"], f"/tasks/{item.assignment.task_id}"),
        (browsers["monitor"], "/indicators"),
        (browsers["monitor"], "/account"),
        (browsers["agency_head"], f"/items/{item.id}"),
        (browsers["agency_head"], "/indicators"),
    ]


def test_every_form_answers_hostile_values_without_a_500(pages):
    tried = 0
    for browser, url in pages:
        page = browser.get(url)
        assert page.status_code == 200, url
        forms = _forms(page.get_data(as_text=True))
        assert forms, url
        for action, fields in forms:
            target = action or url
            if target.endswith(("/logout", "/logout-everywhere", "/tokens")):
                continue
            for value in HOSTILE:
                data = {
                    name: (current if name in ("csrf_token", "version") else value) for name, current in fields.items()
                }
                answer = browser.post(target, data, token_from=url)
                tried += 1
                assert answer.status_code < 500, (target, value[:40], answer.status_code)
                assert "<script>alert(1)</script>" not in answer.get_data(as_text=True), (target, "unescaped")
    assert tried > 100  # 15 forms × 8 values when written
