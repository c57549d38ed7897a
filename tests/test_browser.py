"""In a real browser (Debian's Chromium, driven by Playwright): log in, read the items on a phone, report progress."""

from __future__ import annotations

import os
import threading
from datetime import date

import pytest

from tests.conftest import PASSWORD
from tests.factories import dated, make_plan
from tests.test_overview import dataset  # noqa: F401 - the overview's pinned dataset
from tracker.plans.operations import TaskSpec

CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


def _need_chromium():
    missing = None
    if not os.path.exists(CHROMIUM):
        missing = f"{CHROMIUM} is not installed (apt-get install chromium; make test installs it as root)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        missing = "playwright is not installed (pip install -e '.[dev]')"
    if missing:
        if os.environ.get("CI") == "true":
            pytest.fail(f"browser tests cannot run in CI: {missing}")
        pytest.skip(missing)


@pytest.fixture
def server(app, backend):
    """The app served over HTTP on a loopback port, in a thread."""
    if backend != "sqlite":
        pytest.skip("the browser tests run once, on SQLite; the pages' queries run on both backends elsewhere")
    _need_chromium()
    from werkzeug.serving import make_server

    app.config["SESSION_COOKIE_SECURE"] = False  # plain HTTP on loopback
    httpd = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}"
    httpd.shutdown()
    app.config["SESSION_COOKIE_SECURE"] = True


@pytest.fixture
def chromium():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield browser
        browser.close()


def test_agency_clerk_on_a_phone_logs_in_and_reports_progress(server, chromium, db, clock, make_user):
    make_plan(
        db,
        clock,
        [
            TaskSpec(
                content="Kế hoạch hoạt động kiểm soát TTHC năm 2024 tỉnh Quảng Nam",
                number="1",
                lead_text="Sở Nội vụ",
                lead_codes=["SNV"],
                deadline_text="Trước ngày 05/03/2024",
                schedule=dated(date(2024, 3, 5)),
            ),
            TaskSpec(
                content="Báo cáo tình hình năm 2023",
                number="2",
                lead_text="Sở Nội vụ",
                lead_codes=["SNV"],
                deadline_text="Trước ngày 15/01/2024",
                schedule=dated(date(2024, 1, 15)),
            ),
        ],
    )
    user = make_user("agency_staff", "SNV")
    page = chromium.new_page(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page.goto(f"{server}/items")
    assert "/login" in page.url
    page.fill("#email", user.email)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{server}/items")
    assert page.locator("h1").inner_text() == "Nhiệm vụ của đơn vị: Sở Nội vụ"
    body = page.locator("main").inner_text()
    assert "15/01/2024" in body and "Chưa hoàn thành, quá hạn (46 ngày)" in body
    # Nothing wider than the phone: the table turns into cards
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    # The stylesheet comes from the app itself
    assert page.evaluate("getComputedStyle(document.querySelector('header')).display") == "flex"

    page.click("table >> text=Kế hoạch hoạt động kiểm soát TTHC năm 2024 tỉnh Quảng Nam")
    page.fill("input[name=progress]", "80")
    page.fill("textarea[name=note]", "Đã trình dự thảo tại Tờ trình số 45/TTr-SNV ngày 01/3/2024")
    page.click("#progress button[type=submit]")
    page.wait_for_selector("text=Đã cập nhật tiến độ.")
    history = page.locator(".history").last.inner_text()
    assert "Cập nhật tiến độ 0% → 80%" in history
    wide = page.evaluate(
        "Array.from(document.querySelectorAll('body *')).filter(e => e.getBoundingClientRect().right > 391)"
        ".map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right)).slice(0, 8)"
    )
    assert page.evaluate("document.documentElement.scrollWidth") <= 390, wide
    page.close()


def test_office_uploads_an_appendix_and_sees_the_preview(server, chromium, make_user, tmp_path):
    """The upload goes through the page's script (progress shown) and lands on the preview."""
    from pathlib import Path

    appendix = Path(__file__).resolve().parent.parent / "tracker" / "plans" / "demo" / "003_parindex_sipas_2023.txt"
    user = make_user("monitor")
    page = chromium.new_page(viewport={"width": 1280, "height": 900})
    page.goto(f"{server}/login")
    page.fill("#email", user.email)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.goto(f"{server}/imports")
    page.set_input_files("#file", str(appendix))
    page.click("text=Đọc phụ lục")
    page.wait_for_url(f"{server}/imports/*")
    assert "90 nhiệm vụ" in page.locator(".summary").inner_text()
    assert page.locator("mark", has_text="Đoàn kiểm tra CCHC của tỉnh").count() >= 1
    # a bad file comes back with its message, through the same script
    page.goto(f"{server}/imports")
    bad = tmp_path / "hong.docx"
    bad.write_bytes(b"PK\x03\x04 not a zip")
    page.set_input_files("#file", str(bad))
    page.click("text=Đọc phụ lục")
    page.wait_for_selector("text=Tệp .docx bị hỏng hoặc không phải tài liệu Word.")
    page.close()


def test_office_completes_the_plans_details_and_commits_on_a_phone(server, chromium, make_user):
    """The preview says what the document left blank; the office fills it in on a phone and the plan is tracked."""
    from pathlib import Path

    appendix = Path(__file__).resolve().parent.parent / "tracker" / "plans" / "demo" / "003_parindex_sipas_2023.txt"
    user = make_user("monitor")
    page = chromium.new_page(viewport={"width": 390, "height": 844}, is_mobile=True)
    page.goto(f"{server}/login")
    page.fill("#email", user.email)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    # on a phone the menu folds behind a button (once the page's script has run)
    page.wait_for_url(f"{server}/reports/overview")
    page.wait_for_selector(".menu-button", state="visible")
    menu = page.locator("#menu")
    assert not menu.is_visible() and page.locator(".menu-button").is_visible()
    page.click(".menu-button")
    assert menu.is_visible() and page.locator(".menu-button").get_attribute("aria-expanded") == "true"
    page.click("#menu >> text=Nhập kế hoạch")
    page.wait_for_url(f"{server}/imports")
    assert page.locator('#menu a[aria-current="page"]').inner_text() == "Nhập kế hoạch"
    # the file box speaks Vietnamese, and names the file chosen
    assert page.locator(".file-picker button").inner_text() == "Chọn tệp…"
    assert page.locator(".file-names").inner_text() == "Chưa chọn tệp nào"
    page.set_input_files("#file", str(appendix))
    assert page.locator(".file-names").inner_text() == "003_parindex_sipas_2023.txt"
    page.click("text=Đọc phụ lục")
    page.wait_for_url(f"{server}/imports/*")
    assert page.locator("#issuer").input_value() == "UBND tỉnh Quảng Nam"
    assert page.locator("#year").input_value() == "2023"
    assert page.locator("#doc_number").input_value() == ""
    note = page.locator(".field .note", has_text="Văn bản chưa có số (ghi “#sov/b/KH-UBND”)")
    assert note.is_visible()
    # the form fits the phone's width
    assert page.evaluate("document.querySelector('#doc_number').getBoundingClientRect().right") <= 390
    page.fill("#doc_number", "55/KH-UBND")
    page.click("text=Nhập 90 nhiệm vụ vào hệ thống")
    page.wait_for_selector("text=Vui lòng nhập ngày ban hành.")
    # the error is tied to its field
    assert page.locator("#issued_on").get_attribute("aria-invalid") == "true"
    assert page.locator("#issued_on").get_attribute("aria-describedby") == "issued_on-error issued_on-note"
    assert page.locator("#doc_number").input_value() == "55/KH-UBND"  # what was typed is kept
    page.fill("#issued_on", "12/06/2023")
    page.click("text=Nhập 90 nhiệm vụ vào hệ thống")
    page.wait_for_url(f"{server}/plans/*")
    assert "Kế hoạch số 55/KH-UBND ngày 12/06/2023" in page.locator("main").inner_text()
    page.close()


def test_staff_reports_late_with_a_file_on_a_phone_and_the_office_accepts(
    server, chromium, db, clock, make_user, tmp_path
):
    from tests.workflow.conftest import pdf_bytes

    make_plan(
        db,
        clock,
        [
            TaskSpec(
                content="Rà soát, đơn giản hoá thủ tục hành chính",
                number="1",
                lead_text="Sở Nội vụ",
                coordinators_text="Sở Tư pháp",
                lead_codes=["SNV"],
                coordinator_codes=["STP"],
                deadline_text="Trước ngày 20/02/2024",
                schedule=dated(date(2024, 2, 20)),
            )
        ],
    )
    staff = make_user("agency_staff", "SNV")
    office = make_user("monitor")
    evidence = tmp_path / "Biên bản.pdf"
    evidence.write_bytes(pdf_bytes())

    page = chromium.new_page(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page.goto(f"{server}/login")
    page.fill("#email", staff.email)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{server}/items")
    page.click("table >> text=Rà soát, đơn giản hoá thủ tục hành chính")
    page.fill("#completed_on", "28/02/2024")
    page.fill("#result", "Đã ban hành Quyết định phê duyệt phương án đơn giản hoá")
    page.fill("#evidence", "Quyết định số 321/QĐ-SNV ngày 28/02/2024")
    page.set_input_files("#files", str(evidence))
    # late without a reason: refused, what was typed is kept
    page.click("#completion button[type=submit]")
    page.wait_for_selector("text=vui lòng chọn nguyên nhân chậm")
    assert page.input_value("#result") == "Đã ban hành Quyết định phê duyệt phương án đơn giản hoá"
    page.check("input[name=late_reason][value=phoi_hop]")
    page.select_option("#late_reason_agency", "STP")
    page.fill("#late_reason_text", "Sở Tư pháp thẩm định chậm 5 ngày")
    page.set_input_files("#files", str(evidence))  # a browser never keeps a chosen file after a refusal
    page.click("#completion button[type=submit]")
    page.wait_for_selector("text=Đã gửi báo cáo hoàn thành")
    body = page.locator("main").inner_text()
    assert "Chờ xác nhận" in body and "Biên bản.pdf" in body
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.close()

    page = chromium.new_page(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page.goto(f"{server}/login")
    page.fill("#email", office.email)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.goto(f"{server}/review")
    assert "Rà soát, đơn giản hoá thủ tục hành chính" in page.locator("main").inner_text()
    page.check("input[name=item]")
    page.click("text=Xác nhận hoàn thành các nhiệm vụ đã chọn")
    page.wait_for_selector("text=Đã xác nhận hoàn thành 1 nhiệm vụ.")
    page.goto(f"{server}/items")
    page.click("table >> text=Rà soát, đơn giản hoá thủ tục hành chính")
    facts = page.locator("#current").inner_text()
    assert "Hoàn thành quá hạn (8 ngày)" in facts
    assert "Phối hợp (cơ quan phối hợp trả lời chậm): Sở Tư pháp – Sở Tư pháp thẩm định chậm 5 ngày" in facts
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.close()


def _leader(server, chromium, make_user, viewport) -> tuple:
    """A leader logged in (landing on the overview), and the console errors and script errors of the page."""
    user = make_user("leader")
    page = chromium.new_page(viewport=viewport)
    problems: list[str] = []
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.goto(f"{server}/login")
    page.fill("#email", user.email)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{server}/reports/overview")  # the leader lands on the overview
    return page, problems


@pytest.mark.usefixtures("dataset")
@pytest.mark.parametrize("viewport", [{"width": 390, "height": 844}, {"width": 1366, "height": 900}])
def test_leaders_overview_draws_its_charts_on_a_phone_and_a_desktop(server, chromium, make_user, viewport):
    page, problems = _leader(server, chromium, make_user, viewport)
    page.wait_for_load_state()  # the page's deferred script has run
    # the menu: folded behind its button on a phone, open on a desktop
    wide = viewport["width"] > 720
    assert page.locator(".menu-button").is_visible() is not wide
    assert page.locator("#menu").is_visible() is wide
    if wide:
        assert page.locator('#menu a[aria-current="page"]').inner_text() == "Tổng quan"
    page.fill("#as_of", "30/06/2024")
    page.click("text=Xem")
    page.wait_for_url("**as_of=30%2F06%2F2024**")
    assert page.locator("#h-classes").inner_text() == "Tình trạng 10 nhiệm vụ"
    assert page.locator("svg.chart").count() >= 4  # the ring, ageing, monthly rate, the plan's bar
    assert page.locator("svg.chart circle.seg").count() == 5  # every class has items in this dataset
    assert page.locator(".hbars li").count() == 2
    ring = page.locator("svg.chart").first.bounding_box()
    assert ring["width"] > 100 and ring["height"] > 100  # drawn, not collapsed
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"the page is {overflow}px wider than the screen"
    assert problems == []
    # each bar is a link to that agency's overdue items
    page.locator(".hbars a").first.click()
    page.wait_for_url("**/items?agency=*status=open_overdue*")
    assert "Sở Xây dựng" in page.locator("main").inner_text()
    page.close()


@pytest.mark.usefixtures("dataset")
def test_the_monthly_list_loads_an_agencys_items_when_its_row_opens_on_a_phone(server, chromium, make_user):
    page, problems = _leader(server, chromium, make_user, {"width": 390, "height": 844})
    page.goto(f"{server}/reports/monthly?month=2024-06")
    row = page.locator("details.lazy").first
    assert "Việc quá hạn" not in row.inner_text()  # the page carries the rows only
    row.locator("summary").click()
    row.locator(".lazy-body li").first.wait_for()
    assert "Việc quá hạn 131 ngày" in row.inner_text()  # Sở Xây dựng's, the longest first
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert problems == []
    page.close()
