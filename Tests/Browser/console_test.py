#!/usr/bin/env python3
"""Drives the web console in headless Chromium (Debian's chromium and chromium-driver, Selenium
and axe-core from scripts/browser-requirements.lock) against a running `redress serve --demo`.

Checks, each against the real server, database and scheduler:
- an agent's intake: a validation error shown next to its field first, then the complaint recorded;
- a department head sees a newly escalated case appear in the work queue within 2 s of its tier
  firing, opens it and approves its plan;
- a manager opens the monthly report and its charts render;
- an auditor sees each branch chain's verification state;
- an admin edits the working calendar (a refused value first, then saved);
- the head of another department opening the case's URL gets the 404 page;
- on every page: no JavaScript console errors, every form control labelled, and no serious or
  critical axe-core violations.

Environment: CONSOLE_BASE (http://127.0.0.1:PORT), CONSOLE_OWNER_URL (the schema owner's libpq
URL, to make a tier fall due now), CONSOLE_SCREENSHOTS (a folder for a screenshot of each page).
"""
import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request

from axe_selenium_python import Axe
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

BASE = os.environ["CONSOLE_BASE"]
OWNER_URL = os.environ["CONSOLE_OWNER_URL"]
SHOTS = os.environ.get("CONSOLE_SCREENSHOTS")
PASSWORD = "redress-demo-password"
failures = []


def check(condition, message):
    print(("  ok   " if condition else "  FAIL ") + message, flush=True)
    if not condition:
        failures.append(message)
    return condition


def api(method, path, token=None, body=None):
    """Calls the JSON API; returns (status, decoded body)."""
    request = urllib.request.Request(BASE + path, method=method, data=None if body is None else json.dumps(body).encode())
    request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", "Bearer " + token)
    try:
        with urllib.request.urlopen(request) as response:
            text = response.read().decode()
            return response.status, json.loads(text) if text else None
    except urllib.error.HTTPError as error:
        text = error.read().decode()
        return error.code, json.loads(text) if text else None


def token(login, branch="north"):
    status, body = api("POST", "/v1/auth/sign-in", body={"branch": branch, "login": login, "password": PASSWORD})
    assert status == 201, (login, status, body)
    return body["token"]


def owner_sql(statement):
    return subprocess.run(["psql", OWNER_URL, "-v", "ON_ERROR_STOP=1", "-Atc", statement],
                          check=True, capture_output=True, text=True).stdout.strip()


def browser():
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for argument in ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,1000",
                     "--lang=en-US", "--disable-gpu"]:
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)


def sign_in(driver, login, branch="north"):
    driver.delete_all_cookies()
    driver.get(BASE + "/console/sign-in")
    driver.find_element(By.ID, "branch").send_keys(branch)
    driver.find_element(By.ID, "login").send_keys(login)
    driver.find_element(By.ID, "password").send_keys(PASSWORD)
    driver.find_element(By.CSS_SELECTOR, "form.card button[type=submit]").click()
    WebDriverWait(driver, 10).until(lambda d: "/console/sign-in" not in d.current_url)


def inspect(driver, name):
    """The checks every page gets: no console errors, labelled controls, no serious axe findings."""
    # A page answered 4xx on purpose (a refused form, the 404 page) is logged as a failed load of
    # the document itself; anything else severe (a script error, a stylesheet or script not
    # loading) counts.
    document = driver.current_url.split("#")[0]
    errors = [entry for entry in driver.get_log("browser") if entry["level"] == "SEVERE"
              and not (entry.get("source") == "network" and entry["message"].split(" ")[0] in (document, BASE + "/console/complaints",
                                                                                                 BASE + "/console/admin/calendar"))]
    check(not errors, f"{name}: no JavaScript console errors {errors if errors else ''}")
    unlabelled = driver.execute_script("""
        return Array.from(document.querySelectorAll('input:not([type=hidden]), select, textarea'))
          .filter(function (c) { return !(c.labels && c.labels.length) && !c.getAttribute('aria-label'); })
          .map(function (c) { return c.name || c.id; });""")
    check(not unlabelled, f"{name}: every form control has a label {unlabelled if unlabelled else ''}")
    axe = Axe(driver)
    axe.inject()
    results = axe.run()
    serious = [(v["id"], v["impact"], len(v["nodes"])) for v in results["violations"] if v["impact"] in ("serious", "critical")]
    check(not serious, f"{name}: axe-core reports no serious violations {serious if serious else ''}")
    if SHOTS:
        # The whole page, not just the window.
        height = driver.execute_script("return document.documentElement.scrollHeight")
        driver.set_window_size(1280, min(max(height, 600), 4000))
        driver.save_screenshot(os.path.join(SHOTS, name + ".png"))
        driver.set_window_size(1280, 1000)


def text_of(driver, css, seconds=10):
    """The text of the first element `css` finds once it has some, across page loads."""
    return WebDriverWait(driver, seconds, ignored_exceptions=[WebDriverException]).until(
        lambda d: d.find_element(By.CSS_SELECTOR, css).text)


def wait_for(driver, css, seconds=10):
    return WebDriverWait(driver, seconds, ignored_exceptions=[WebDriverException]).until(lambda d: d.find_elements(By.CSS_SELECTOR, css))


def agent_intake(driver):
    print("agent: intake with a validation error, then success")
    sign_in(driver, "agent")
    inspect(driver, "complaints")
    driver.get(BASE + "/console/complaints/new")
    inspect(driver, "intake")
    driver.find_element(By.ID, "complainant.name").send_keys("Lin Wei")
    driver.find_element(By.ID, "complainant.phone").send_keys("+86 138 0013 8000")
    Select(driver.find_element(By.ID, "categoryId")).select_by_visible_text(
        next(o.text for o in Select(driver.find_element(By.ID, "categoryId")).options if "ill" in o.text))
    driver.execute_script("document.getElementById('occurredAt').value = '2099-01-01T10:00'")
    driver.find_element(By.CSS_SELECTOR, "#intake-form button[type=submit]").click()
    wait_for(driver, ".alert")
    errors = {e.get_attribute("id"): e.text for e in driver.find_elements(By.CSS_SELECTOR, "p.error")}
    check("description-error" in errors, f"the missing description is named next to its field: {errors}")
    check(driver.find_element(By.ID, "complainant.name").get_attribute("value") == "Lin Wei", "what was typed is kept")
    inspect(driver, "intake-errors")
    driver.find_element(By.ID, "description").send_keys("Charged twice for November; the second charge was not authorised.")
    driver.find_element(By.CSS_SELECTOR, "#intake-form button[type=submit]").click()
    wait_for(driver, "#occurredAt-error")
    check(driver.find_element(By.ID, "occurredAt").get_attribute("aria-invalid") == "true",
          f"a date in the future is refused next to its field: {driver.find_element(By.ID, 'occurredAt-error').text}")
    driver.execute_script("document.getElementById('occurredAt').value = '2026-11-30T10:00'")
    driver.find_element(By.ID, "product").send_keys("Broadband 300M")
    driver.find_element(By.CSS_SELECTOR, "#intake-form button[type=submit]").click()
    case = text_of(driver, "#case-number")
    code = driver.find_element(By.ID, "access-code").text
    check(bool(case) and len(code) >= 6, f"recorded as {case} with an access code")
    inspect(driver, "recorded")
    return case


def prepare_case(case):
    """Through the API: the recorded complaint graded, in Billing, investigated, a plan proposed."""
    agent, handler = token("agent"), token("handler")
    status, page = api("GET", "/v1/complaints?limit=50", agent)
    complaint = next(c for c in page["items"] if c["caseNumber"] == case)
    cid = complaint["id"]
    _, departments = api("GET", "/v1/departments", agent)
    billing = next(d["id"] for d in departments["items"] if d["name"] == "Billing")
    steps = [(agent, "acknowledge", {}), (agent, "grade", {"level": 1, "priority": "general", "nature": "general"})]
    steps.append((agent, "assign", {"departmentId": billing}))
    steps += [(handler, "start_investigation", {}),
              (handler, "propose_plan", {"plan": {"measures": ["refund", "apology"],
                                                  "description": "Refund the second charge and apologise."}})]
    for credential, action, body in steps:
        status, answer = api("POST", f"/v1/complaints/{cid}/actions/{action}", credential, body)
        assert status == 200, (action, status, answer)
    return cid


def head_sees_escalation_and_approves(driver, cid, case):
    print("department head: the escalated case appears within 2 s of its tier firing; approve its plan")
    sign_in(driver, "head")
    driver.get(BASE + "/console/queue")
    # The page's event stream is open once the script says so.
    WebDriverWait(driver, 10).until(lambda d: d.find_element(By.TAG_NAME, "body").get_attribute("data-live-state") == "open")
    owner_sql(f"UPDATE complaints SET escalation_due_at[1] = now(), next_escalation_tier = 1, next_escalation_at = now() "
              f"WHERE id = '{cid}'")
    selector = f"#bucket-escalated_unacknowledged tr[data-complaint='{cid}']"
    seen = None
    deadline = time.time() + 30
    while time.time() < deadline:
        if driver.find_elements(By.CSS_SELECTOR, selector):
            seen = time.time()
            break
        time.sleep(0.05)
    check(seen is not None, "the escalated case appears in the queue without reloading the page")
    fired = owner_sql(f"SELECT extract(epoch FROM min(created_at)) FROM pages WHERE complaint_id = '{cid}' AND tier = 1")
    check(bool(fired), "the tier fired and paged the head")
    if seen is not None and fired:
        lag = seen - float(fired)
        check(lag <= 2.0, f"it appeared {lag:.2f} s after the tier fired (at most 2 s)")
    inspect(driver, "queue")
    driver.find_element(By.CSS_SELECTOR, f"{selector} a").click()
    wait_for(driver, "#action-approve_plan")
    inspect(driver, "complaint")
    # Evidence uploaded from the page, then offered for download.
    receipt = os.path.join(os.environ.get("TMPDIR", "/tmp"), "redress-receipt.txt")
    with open(receipt, "w") as handle:
        handle.write("Receipt: charged twice for November\n")
    driver.find_element(By.ID, "evidence-source").send_keys("the customer's receipt")
    driver.find_element(By.ID, "evidence-collected-by").send_keys("Dana Head")
    driver.execute_script("document.getElementById('evidence-collected-at').value = '2026-11-30T10:00'")
    driver.find_element(By.ID, "evidence-file").send_keys(receipt)
    driver.find_element(By.CSS_SELECTOR, "#evidence form button[type=submit]").click()
    links = wait_for(driver, "#evidence a[download]")
    check(len(links) == 1, "the uploaded evidence is listed with its download link")
    driver.find_element(By.CSS_SELECTOR, "#action-approve_plan button[type=submit]").click()
    approved = WebDriverWait(driver, 10, ignored_exceptions=[WebDriverException]).until(
        lambda d: "approved" in d.find_element(By.ID, "complaint-status").text.lower())
    check(approved, f"the plan is approved: the complaint is now '{driver.find_element(By.ID, 'complaint-status').text}'")
    driver.get(BASE + "/console/pages")
    inspect(driver, "pages")
    # The same person reads the console in Chinese once they choose it.
    driver.get(BASE + "/console/queue")
    Select(driver.find_element(By.ID, "language-choice")).select_by_value("zh-Hans")
    driver.find_element(By.CSS_SELECTOR, "form.language button[type=submit]").click()
    # The page the switch answers with, not the one it was clicked on.
    WebDriverWait(driver, 10, ignored_exceptions=[WebDriverException]).until(
        lambda d: d.find_element(By.TAG_NAME, "html").get_attribute("lang") == "zh-Hans")
    heading = text_of(driver, "h1")
    check(heading == "工作队列" and driver.find_element(By.TAG_NAME, "html").get_attribute("lang") == "zh-Hans",
          f"the language switch gives the queue in Simplified Chinese: {heading}")
    inspect(driver, "queue-zh")
    Select(driver.find_element(By.ID, "language-choice")).select_by_value("en")
    driver.find_element(By.CSS_SELECTOR, "form.language button[type=submit]").click()
    WebDriverWait(driver, 10, ignored_exceptions=[WebDriverException]).until(
        lambda d: d.find_element(By.TAG_NAME, "html").get_attribute("lang") == "en")


def manager_reports(driver):
    print("manager: the monthly report and its charts")
    sign_in(driver, "manager")
    driver.get(BASE + "/console/reports")
    charts = wait_for(driver, "figure.chart-card svg")
    check(len(charts) == 5, f"five charts drawn ({len(charts)})")
    bars = driver.find_elements(By.CSS_SELECTOR, "#chart-trend svg rect.chart-bar")
    check(len(bars) == 12, f"the trend has twelve months ({len(bars)})")
    check(int(driver.find_element(By.ID, "total-received").text) >= 1, "this month's complaints are counted")
    inspect(driver, "reports")


def auditor_chains(driver):
    print("auditor: each branch chain's verification state")
    sign_in(driver, "auditor")
    driver.get(BASE + "/console/audit")
    states = wait_for(driver, "[data-chain-intact]")
    check(bool(states) and all(s.get_attribute("data-chain-intact") == "true" for s in states),
          f"{len(states)} chain(s) verified intact")
    inspect(driver, "audit")


def admin_calendar(driver):
    print("admin: the working calendar")
    sign_in(driver, "admin")
    driver.get(BASE + "/console/admin/calendar")
    monday = driver.find_element(By.ID, "day-monday")
    monday.clear()
    monday.send_keys("9-17")
    driver.find_element(By.CSS_SELECTOR, "form.card button[type=submit]").click()
    error = text_of(driver, "#day-monday-error")
    check(bool(error), f"a refused value is named next to its field: {error}")
    inspect(driver, "calendar-errors")
    monday = driver.find_element(By.ID, "day-monday")
    monday.clear()
    monday.send_keys("08:30-12:00, 13:00-17:30")
    holidays = driver.find_element(By.ID, "holidays")
    holidays.send_keys("\n2027-01-01")
    driver.find_element(By.CSS_SELECTOR, "form.card button[type=submit]").click()
    wait_for(driver, "#calendar-saved")
    driver.get(BASE + "/console/admin/calendar")
    check(driver.find_element(By.ID, "day-monday").get_attribute("value") == "08:30-12:00, 13:00-17:30", "the new hours are saved")
    check("2027-01-01" in driver.find_element(By.ID, "holidays").get_attribute("value"), "the new holiday is saved")
    inspect(driver, "calendar")


def admin_departments(driver):
    print("admin: a department added, refused first")
    driver.get(BASE + "/console/admin/departments")
    driver.find_element(By.CSS_SELECTOR, "#admin-form button[type=submit]").click()
    check(bool(text_of(driver, "#f-name-error")), "a department without a name is refused next to the field")
    inspect(driver, "admin-errors")
    driver.find_element(By.ID, "f-name").send_keys("Quality Assurance")
    Select(driver.find_element(By.ID, "f-kind")).select_by_value("service_quality")
    driver.find_element(By.CSS_SELECTOR, "#admin-form button[type=submit]").click()
    wait_for(driver, "#admin-notice")
    check("Quality Assurance" in driver.find_element(By.ID, "admin-list").text, "the new department is listed")
    inspect(driver, "admin-departments")


def other_head_gets_404(driver, cid):
    print("head of another department: the case's URL is the 404 page")
    sign_in(driver, "office")
    driver.get(BASE + f"/console/complaints/{cid}")
    heading = driver.find_element(By.TAG_NAME, "h1").text
    check("not found" in heading.lower(), f"the 404 page: {heading}")
    inspect(driver, "not-found")
    status, _ = api_status_as_console("office", f"/console/complaints/{cid}")
    check(status == 404, f"answered 404 ({status})")


def api_status_as_console(login, path):
    """The HTTP status of a console page for `login`, read without a browser."""
    import http.cookiejar
    import re
    import urllib.parse
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    html = opener.open(BASE + "/console/sign-in").read().decode()
    csrf = re.search(r'name="csrf" value="([^"]+)"', html).group(1)
    opener.open(BASE + "/console/sign-in", urllib.parse.urlencode(
        {"csrf": csrf, "branch": "north", "login": login, "password": PASSWORD}).encode())
    try:
        with opener.open(BASE + path) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def main():
    if SHOTS:
        os.makedirs(SHOTS, exist_ok=True)
    driver = browser()
    try:
        driver.get(BASE + "/console/sign-in")
        inspect(driver, "sign-in")
        case = agent_intake(driver)
        cid = prepare_case(case)
        head_sees_escalation_and_approves(driver, cid, case)
        manager_reports(driver)
        auditor_chains(driver)
        admin_calendar(driver)
        admin_departments(driver)
        other_head_gets_404(driver, cid)
    finally:
        driver.quit()
    if failures:
        print(f"\n{len(failures)} check(s) failed:")
        for failure in failures:
            print("  - " + failure)
        sys.exit(1)
    print("\nconsole browser tests: every check passed")


if __name__ == "__main__":
    main()
