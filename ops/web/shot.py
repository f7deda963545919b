#!/usr/bin/env python3
"""Screenshots of ChiTra pages as a person sees them: signs in through the login page of a
running `chitra serve`, then saves each path at desktop (1280x900) and phone (360x740) size.

    ops/web/shot.py --url http://127.0.0.1:8080 --user an.nguyen --password PW --out shots / /batches /batches/1

Uses Debian's chromium (never a downloaded browser) through Playwright for Python."""
import argparse, os, re, sys
from playwright.sync_api import sync_playwright

p = argparse.ArgumentParser()
p.add_argument("--url", required=True)
p.add_argument("--user", required=True)
p.add_argument("--password", required=True)
p.add_argument("--out", required=True)
p.add_argument("--chromium", default=os.environ.get("CHROMIUM", "/usr/bin/chromium"))
p.add_argument("paths", nargs="+")
a = p.parse_args()
os.makedirs(a.out, exist_ok=True)

with sync_playwright() as pw:
    browser = pw.chromium.launch(executable_path=a.chromium, args=["--no-sandbox"])
    for label, size in (("desktop", {"width": 1280, "height": 900}), ("phone", {"width": 360, "height": 740})):
        page = browser.new_page(viewport=size)
        page.goto(a.url + "/login")
        page.fill("input[name=username]", a.user)
        page.fill("input[name=password]", a.password)
        page.click("button[type=submit]")
        for path in a.paths:
            page.goto(a.url + path)
            name = re.sub(r"[^A-Za-z0-9]+", "-", path).strip("-") or "home"
            f = os.path.join(a.out, f"{name}-{label}.png")
            page.screenshot(path=f, full_page=True)
            print(f)
        page.close()
    browser.close()
