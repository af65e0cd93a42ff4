"""Take the screenshots of docs/screenshots/ from a running server with the demo data.

DATABASE_URL=sqlite:////tmp/shots.sqlite3 python manage.py migrate
DATABASE_URL=sqlite:////tmp/shots.sqlite3 SOP_DEMO_PASSWORD=demo-pass python manage.py seed_demo
DATABASE_URL=sqlite:////tmp/shots.sqlite3 DEBUG=true python manage.py runserver 8765
python docs/screenshots/take.py http://127.0.0.1:8765 demo-pass
"""

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

HERE = Path(__file__).parent
BASE = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8765"
PASSWORD = sys.argv[2] if len(sys.argv) > 2 else "demo-pass"


def sign_in(page, username):
    page.goto(f"{BASE}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


def first_link(page, list_path, state=None):
    page.goto(f"{BASE}{list_path}" + (f"?state={state}" if state else ""))
    return page.locator("#doc-table tbody tr td.col-number a").first.get_attribute("href")


def shot(page, name, path=None, full=True):
    if path:
        page.goto(f"{BASE}{path}")
    page.wait_for_load_state("networkidle")
    page.screenshot(path=HERE / f"{name}.png", full_page=full)
    print("saved", name)


def pdf(page, name, record_path):
    """The record's PDF, its first page as a PNG (needs pdftoppm from poppler-utils)."""
    response = page.context.request.get(f"{BASE}{record_path}pdf/")
    if not shutil.which("pdftoppm"):
        print("skipped", name, "(no pdftoppm)")
        return
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "document.pdf"
        source.write_bytes(response.body())
        program = shutil.which("pdftoppm")
        subprocess.run(  # noqa: S603 — a fixed program on our own file
            [
                program,
                "-png",
                "-r",
                "80",
                "-f",
                "1",
                "-l",
                "1",
                "-singlefile",
                source,
                HERE / name,
            ],
            check=True,
        )
    print("saved", name)


def main():
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path="/usr/bin/chromium", args=["--no-sandbox", "--headless"]
        )
        page = browser.new_page(viewport={"width": 1360, "height": 900})
        shot(page, "01-sign-in", "/accounts/login/", full=False)
        sign_in(page, "sales")
        shot(page, "02-home", "/")
        shot(page, "03-opportunity-list", "/opportunities/")
        shot(page, "04-order-list-submitted", "/orders/?state=submitted&sort=-total")
        opportunity = first_link(page, "/opportunities/", "open")
        shot(page, "05-opportunity-record", opportunity)
        page.locator("#lines tbody a", has_text="Edit").first.click()
        page.locator("tr.editing").wait_for()
        shot(page, "06-line-edit-in-place")
        shot(page, "07-order-submitted-read-only", first_link(page, "/orders/", "submitted"))
        active_order = first_link(page, "/orders/", "active")
        page.goto(f"{BASE}{active_order}")
        page.locator("details.prov summary").first.click()
        shot(page, "08-order-active-with-provenance")
        shot(page, "09-invoice-record", first_link(page, "/invoices/"))
        page.goto(f"{BASE}{active_order}")
        commands = page.get_by_role("toolbar", name="Commands")
        if commands.get_by_role("button", name="Submit").count():
            commands.get_by_role("button", name="Submit").click()
            shot(page, "18-submit-asks-first")
        page.goto(f"{BASE}{first_link(page, '/orders/', 'submitted')}")
        commands = page.get_by_role("toolbar", name="Commands")
        if commands.get_by_role("button", name="Request a change").count():
            commands.get_by_role("button", name="Request a change").click()
            page.get_by_label("What should change").fill("The customer wants 12 chairs, not 10.")
            shot(page, "19-request-a-change")
            page.get_by_role("button", name="Request the change").click()
            shot(page, "19b-order-change-requested")
        shot(page, "10-quote-new", "/quotes/new/")
        shot(page, "11-pricelist", "/pricelists/")
        page.goto(f"{BASE}/pricelists/")
        page.locator("table a").first.click()
        shot(page, "12-pricelist-detail")

        page.context.clear_cookies()
        sign_in(page, "manager")
        shot(page, "13-home-manager-work-and-charts", "/")
        shot(page, "14-order-list-team-bulk", "/orders/?view=team")
        page.get_by_label("Select all on this page").check()
        page.get_by_label("With the selected").select_option(label="Reassign")
        page.get_by_label("Give to (reassign)").select_option(label="Sam Seller")
        page.get_by_role("button", name="Apply to selected").click()
        shot(page, "15-bulk-reassign-results")
        pdf(page, "16-order-pdf", first_link(page, "/orders/", "submitted"))
        page.context.clear_cookies()
        sign_in(page, "integration")
        shot(page, "17-home-integration-worklist", "/")

        page.context.clear_cookies()
        sign_in(page, "customizer")
        shot(page, "20-app-settings-on", "/app-settings/")
        shot(page, "21-integration-manage", "/app-settings/integration/")
        shot(page, "22-integration-turn-off-confirm", "/app-settings/integration/off/")
        shot(page, "23-organization-settings", "/app-settings/organization/")
        page.goto(f"{BASE}/pricelists/")
        page.locator("table a").first.click()
        page.locator("table.items a", has_text="Edit").first.click()
        page.locator("tr.editing").wait_for()
        shot(page, "25-pricelist-item-edit")
        page.goto(f"{BASE}/app-settings/integration/off/")
        page.get_by_label("I understand").check()
        page.get_by_role("button", name="Turn the integration off").click()
        shot(page, "24-app-settings-after-off")

        page.context.clear_cookies()
        sign_in(page, "admin")
        page.goto(f"{BASE}/admin/orders/salesorder/?state__exact=submitted")
        page.locator("#result_list tbody a").first.click()
        shot(page, "40-admin-submitted-order-read-only")

        tablet = browser.new_page(viewport={"width": 820, "height": 1180})
        sign_in(tablet, "sales")
        shot(tablet, "30-tablet-order", active_order)
        shot(tablet, "31-tablet-list", "/orders/")
        phone = browser.new_page(viewport={"width": 390, "height": 844})
        sign_in(phone, "manager")
        shot(phone, "32-phone-home", "/")
        shot(phone, "33-phone-order-list", "/orders/")
        shot(phone, "34-phone-order", active_order)
        browser.close()


if __name__ == "__main__":
    main()
