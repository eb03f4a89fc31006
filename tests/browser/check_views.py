"""Opens `viz --view` pictures in headless Chromium at 1400x900 and checks that they are readable as drawn.

  python3 check_views.py SCREENSHOT_DIR FILE_OR_URL...

For each page (an .svg or .html file, or an http URL of the server): every <text> is measured with
getBoundingClientRect; no two visible texts may overlap, none may be drawn under 11 px, no request may go
anywhere but the page's own origin, and the console must stay clean. HTML pages must also hide an edge
relation when its checkbox is unticked. Prints one line per page, "browser OK" at the end; exits non-zero on
the first failure. Screenshots go to SCREENSHOT_DIR/view-NAME.png.
"""
import os
import sys

from check_pages import console_errors, driver

MEASURE = """
const out = [];
for (const t of document.querySelectorAll('svg text')) {
  const r = t.getBoundingClientRect();
  if (r.width === 0 || getComputedStyle(t).display === 'none') continue;
  out.push({text: t.textContent, x: r.x, y: r.y, w: r.width, h: r.height,
            size: parseFloat(getComputedStyle(t).fontSize) * (t.getScreenCTM() ? t.getScreenCTM().a : 1)});
}
return out;
"""

REQUESTS = "return performance.getEntriesByType('resource').map(e => e.name);"


def overlaps(a, b):
    return (a["x"] + a["w"] > b["x"] + 0.5 and b["x"] + b["w"] > a["x"] + 0.5
            and a["y"] + a["h"] > b["y"] + 0.5 and b["y"] + b["h"] > a["y"] + 0.5)


def check_texts(name, texts):
    assert texts, f"{name}: no text"
    small = [t for t in texts if t["size"] < 11]
    assert not small, f"{name}: texts under 11 px: {small[:3]}"
    for i, a in enumerate(texts):
        for b in texts[i + 1:]:
            assert not overlaps(a, b), f"{name}: {a} overlaps {b}"
    return len(texts)


def check_filter(d, name):
    """Untick the first relation: its edges and labels disappear; tick it again: they come back."""
    boxes = d.find_elements("css selector", "#relations input")
    if not boxes:
        return ""
    relation = boxes[0].get_attribute("data-relation")
    selector = f'svg [data-relation="{relation}"]'
    before = len([e for e in d.find_elements("css selector", selector) if e.is_displayed()])
    boxes[0].click()
    after = len([e for e in d.find_elements("css selector", selector) if e.is_displayed()])
    assert before > 0 and after == 0, f"{name}: filter {relation}: {before} shown, {after} after unticking"
    boxes[0].click()
    return f", filter {relation}: {before} → 0"


def check(d, page, shots):
    url = page if page.startswith("http") else "file://" + os.path.abspath(page)
    name = os.path.splitext(os.path.basename(page.split("?")[0]))[0]
    d.get(url)
    texts = d.execute_script(MEASURE)
    count = check_texts(name, texts)
    smallest = min(t["size"] for t in texts)
    origin = url.split("/")[2] if url.startswith("http") else None
    for request in d.execute_script(REQUESTS):
        assert request.startswith(("data:", "file:")) or (origin and request.split("/")[2] == origin), \
            f"{name}: request to {request}"
    filtered = check_filter(d, name) if d.find_elements("css selector", "#relations") else ""
    errors = console_errors(d)
    assert not errors, errors
    d.save_screenshot(os.path.join(shots, f"view-{name}.png"))
    print(f"{name}: {count} labels, none overlapping, smallest {smallest:.1f} px{filtered}")


if __name__ == "__main__":
    shots = sys.argv[1]
    d = driver()
    try:
        for page in sys.argv[2:]:
            check(d, page, shots)
    finally:
        d.quit()
    print("browser OK")
