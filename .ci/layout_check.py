"""Check that reports fit a 1200-pixel-wide window: each page, rendered in
headless Chromium (.ci/cdp.py), scrolls only downwards. A table too wide for
the window scrolls sideways within its own box, and the page does not.

usage: layout_check.py REPORT.html...
"""
import os
import sys
import time

from cdp import Browser, fail

WIDTH = 1200

b = Browser(WIDTH, 900)
try:
    for path in sys.argv[1:]:
        b.open("file://" + os.path.abspath(path))
        end = time.time() + 60
        while b.js("document.readyState") != "complete":
            if time.time() > end:
                fail(f"{path}: the page did not finish loading")
            time.sleep(0.1)
        page = b.js("document.documentElement.scrollWidth")
        wide = b.js(
            "[...document.querySelectorAll('table, figure, pre')]"
            ".filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)"
            ".filter(e => !e.closest('.wide'))"
            ".map(e => e.tagName + ' ' + (e.closest('[id]') ? e.closest('[id]').id : '') + ' ' + Math.round(e.getBoundingClientRect().width) + 'px')"
        )
        print(f"{path}: page {page} px wide in a {WIDTH}-pixel window; {len(wide)} elements beyond its edge")
        if page > WIDTH or wide:
            fail(f"{path} is wider than a {WIDTH}-pixel window ({page} px): {wide}")
finally:
    b.close()
