"""Visits every kind of page of a server whose store holds hostile labels and IRIs (tests/data/hostile.trig), in
headless Chromium, and checks that the data stays data: no script of the data runs (each payload would set
window.__pwned), no link leads into script, the hostile text is shown as text (not blanked), and no page breaks
(no console error from a script cut short by `</script>`).

  python3 hostile_pages.py BASE_URL SCREENSHOT_DIR

Prints one line per page, "hostile OK" at the end; exits non-zero on the first failure.
"""
import sys
import urllib.parse

from check_pages import console_errors, driver

# The pages a reader reaches, with a text each must show (proof that the label is rendered, not swallowed).
PAGES = [
    ("/id/hostile-agency", "window.__pwned=1"),
    ("/id/sufuban", "window.__pwned=1"),
    ("/id/hostile-platform", "window.__pwned=5"),
    ("/viz?focus=sufuban&depth=1", None),
    ("/viz/neighbourhood/sufuban", None),
    ("/search?q=" + urllib.parse.quote("pwned"), "pwned"),
    ("/#query=" + urllib.parse.quote("SELECT ?s ?l WHERE { ?s rdfs:label ?l FILTER(CONTAINS(?l, 'pwned')) }"), None),
    ("/", None),
]

# A check run in the page: script-carrying links, event-handler attributes that came from the data, and the flag.
PROBE = """
const bad = [];
for (const a of document.querySelectorAll('[href], [src], [action], [formaction]')) {
  for (const name of ['href', 'src', 'action', 'formaction']) {
    const v = (a.getAttribute(name) || '').trim().toLowerCase();
    if (v.startsWith('javascript:') || v.startsWith('data:text/html') || v.startsWith('vbscript:')) bad.push(name + '=' + v);
  }
}
for (const el of document.querySelectorAll('*')) {
  for (const at of el.attributes) {
    if (at.name.startsWith('on') && at.value.includes('__pwned')) bad.push(el.tagName + ' ' + at.name);
  }
  if (el.tagName === 'SCRIPT' && (el.textContent || '').includes('window.__pwned') && !el.type.includes('json')) {
    bad.push('script element with the payload');
  }
}
return {pwned: window.__pwned === undefined ? null : String(window.__pwned), bad: bad,
        text: document.body ? document.body.innerText : ''};
"""


def main(base, shots):
    d = driver()
    try:
        for i, (path, shown) in enumerate(PAGES):
            d.get(base + path)
            d.implicitly_wait(0)
            # Pages that fetch (search, the workbench) settle before they are probed.
            d.execute_async_script("const done = arguments[0]; setTimeout(done, 1500);")
            result = d.execute_script(PROBE)
            d.save_screenshot(f"{shots}/hostile-{i}.png")
            print(f"{path}: pwned={result['pwned']} bad={result['bad']}")
            assert result["pwned"] is None, (path, result["pwned"])
            assert not result["bad"], (path, result["bad"])
            if shown:
                assert shown in result["text"], (path, "the hostile label is not shown as text")
            errors = [e for e in console_errors(d) if "favicon" not in e["message"]]
            assert not errors, (path, errors)
        print("hostile OK")
    finally:
        d.quit()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
