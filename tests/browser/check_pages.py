"""Drives headless Chromium (Debian's chromium + chromium-driver) through policykg's pages.

  python3 check_pages.py viz FILE.html EXPECTED_NODES SCREENSHOT.png
  python3 check_pages.py ui BASE_URL SCREENSHOT_DIR

Prints one line per check, "browser OK" at the end; exits non-zero on the first failure.
"""
import sys
import tempfile
import time

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait


def driver(downloads=None):
    """Headless Chromium at 1400x900 with its console and network logs; downloads land in `downloads`."""
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for flag in ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--window-size=1400,900", f"--user-data-dir={tempfile.mkdtemp()}"]:
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    if downloads:
        options.add_experimental_option("prefs", {"download.default_directory": downloads,
                                                  "download.prompt_for_download": False})
    d = webdriver.Chrome(service=Service(executable_path="/usr/bin/chromedriver"), options=options)
    if downloads:
        d.execute_cdp_cmd("Page.setDownloadBehavior", {"behavior": "allow", "downloadPath": downloads})
    return d


def console_errors(d):
    return [e for e in d.get_log("browser") if e["level"] == "SEVERE"]


def check_viz(path, expected, screenshot):
    d = driver()
    try:
        d.get("file://" + path)
        wait = WebDriverWait(d, 20)
        wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, "g.node")))
        nodes = d.find_elements(By.CSS_SELECTOR, "g.node")
        print(f"nodes: {len(nodes)} (expected {expected})")
        assert len(nodes) == expected
        search = d.find_element(By.ID, "search")
        search.send_keys("江苏省数据条例")
        focused = wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, "g.node.focused")))
        label = focused.find_element(By.CSS_SELECTOR, "text").text
        print(f"search focused: {label}")
        assert label == "江苏省数据条例", label
        d.execute_script("document.querySelector('#panel').innerHTML = ''")
        d.execute_script("arguments[0].dispatchEvent(new MouseEvent('click', {bubbles: true}))", focused)
        quotes = wait.until(EC.presence_of_all_elements_located((By.CSS_SELECTOR, "#panel .evidence")))
        print(f"evidence quotes shown on click: {len(quotes)}; first: {quotes[0].text}")
        assert len(quotes) > 0 and quotes[0].text.startswith("“")
        sources = d.find_elements(By.CSS_SELECTOR, "#panel .source")
        print(f"documents named beside the quotes: {len(sources)}; first: {sources[0].text}")
        assert len(sources) == len(quotes) and sources[0].text.startswith("— 《")
        check_slider(d, expected)
        errors = console_errors(d)
        assert not errors, errors
        d.save_screenshot(screenshot)
        print(f"screenshot: {screenshot}")
    finally:
        d.quit()


def standing(d, label):
    """The node labelled `label`: (its standing on the slider's day, whether it is shown)."""
    return d.execute_script("""
        const g = [...document.querySelectorAll('g.node')].find(g => g.querySelector('text').textContent === arguments[0]);
        return [g.dataset.standing, !g.classList.contains('hidden') && getComputedStyle(g).display !== 'none'];""", label)


def move_slider(d, day):
    """Move the "as of" slider to `day` as a person would (keyboard from the right end); returns the summary."""
    slider = d.find_element(By.ID, "year")
    days = d.execute_script("return DATA.days")
    index = days.index(day)
    slider.click()
    slider.send_keys(Keys.END)
    for _ in range(len(days) - 1 - index):
        slider.send_keys(Keys.ARROW_LEFT)
    label = d.find_element(By.ID, "year-label").text
    assert label == day, (label, day)
    return d.find_element(By.ID, "asof-summary").text


def check_slider(d, expected):
    """The slider shows what `policykg as-of DAY` answers (tests/time.rs checks the command on the same days)."""
    summary = move_slider(d, "2023-12-31")
    print(f"as of 2023-12-31: {summary}; {d.find_element(By.ID, 'count').text}")
    assert standing(d, "江苏省公共数据管理办法") == ["current", True]
    assert standing(d, "江苏省数据条例") == ["not-yet", False]
    unknown = d.find_elements(By.CSS_SELECTOR, "g.node.unknown:not(.hidden)")
    print(f"unknown nodes shown dashed: {len(unknown)}")
    assert unknown, "undated nodes are shown as unknown"
    d.find_element(By.ID, "show-unknown").click()
    assert not d.find_elements(By.CSS_SELECTOR, "g.node.unknown:not(.hidden)")
    shown = int(d.find_element(By.ID, "count").text.split("/")[0])
    current = int(summary.split(" ")[0])
    assert shown <= current < expected, (shown, current)
    d.find_element(By.ID, "show-unknown").click()
    summary = move_slider(d, "2025-12-31")
    print(f"as of 2025-12-31: {summary}")
    assert standing(d, "江苏省数据条例") == ["current", True]
    shown = d.find_element(By.CSS_SELECTOR, "#panel .standing").text
    print(f"panel: {shown}")
    assert shown.startswith("截至 as of 2025-12-31: in force"), shown


def check_ui(base, screenshots):
    d = driver()
    try:
        wait = WebDriverWait(d, 20)
        d.get(base + "/")
        button = wait.until(EC.element_to_be_clickable((By.CSS_SELECTOR, "button[data-name='agency-succession']")))
        button.click()
        table = wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, "#results-table tbody tr")))
        text = d.find_element(By.ID, "results-table").text
        print(f"named query from the UI: {text.splitlines()[1][:80]}")
        assert "江苏省数据局" in text
        d.save_screenshot(screenshots + "/ui-query.png")
        link = d.find_element(By.CSS_SELECTOR, "#results-table a[href='/id/jiangsu-data-bureau']")
        link.click()
        wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, "ul.evidence li")))
        items = d.find_elements(By.CSS_SELECTOR, "ul.evidence li")
        print(f"entity page {d.title}: {len(items)} evidence quotes")
        assert d.find_element(By.TAG_NAME, "h1").text == "江苏省数据局"
        assert len(items) > 0
        errors = console_errors(d)
        assert not errors, errors
        d.save_screenshot(screenshots + "/ui-entity.png")
        check_indexes(d, base, screenshots)
    finally:
        d.quit()


def check_indexes(d, base, screenshots):
    """The home page links the entity and document indexes; their links open real pages."""
    wait = WebDriverWait(d, 20)
    d.get(base + "/")
    d.find_element(By.CSS_SELECTOR, "header a[href='/id/']").click()
    wait.until(EC.text_to_be_present_in_element((By.TAG_NAME, "h1"), "Entities 实体"))
    links = d.find_elements(By.CSS_SELECTOR, "table a[href^='/id/']")
    print(f"entity index: {len(links)} entities in {len(d.find_elements(By.TAG_NAME, 'h2'))} classes")
    assert len(links) > 400
    d.save_screenshot(screenshots + "/index-entities.png")
    d.find_element(By.CSS_SELECTOR, "a[href='/id/jiangsu-data-bureau']").click()
    wait.until(EC.text_to_be_present_in_element((By.TAG_NAME, "h1"), "江苏省数据局"))
    d.get(base + "/")
    d.find_element(By.CSS_SELECTOR, "header a[href='/doc/']").click()
    wait.until(EC.text_to_be_present_in_element((By.TAG_NAME, "h1"), "Documents 文件"))
    docs = d.find_elements(By.CSS_SELECTOR, "table a[href^='/doc/']")
    print(f"document index: {[a.text for a in docs]}")
    assert len(docs) == 5
    d.save_screenshot(screenshots + "/index-documents.png")
    title = docs[0].text
    docs[0].click()
    wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, "pre.text")))
    assert d.find_element(By.TAG_NAME, "h1").text == title
    errors = console_errors(d)
    assert not errors, errors


if __name__ == "__main__":
    if sys.argv[1] == "viz":
        check_viz(sys.argv[2], int(sys.argv[3]), sys.argv[4])
    else:
        check_ui(sys.argv[2], sys.argv[3])
    print("browser OK")
