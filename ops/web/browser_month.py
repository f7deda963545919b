#!/usr/bin/env python3
"""The whole month in a real browser (issue #13): Debian's chromium driven by Playwright for Python.

  maker (desktop) signs in, uploads the roll, builds December's batch
  checker reviews what changed since last month and approves
  maker exports and downloads the zip; every file's HMAC is checked with `openssl dgst`
  clerk uploads the simulated bank/post-office returns and sees the reconciliation balance
  officer, on a 360x740 phone, opens the village worklist and records a visit

Run by ops/test-browser against a server that ops/serve-demo started; screenshots of every page go
to the artifacts folder. Exits non-zero at the first thing a person would see go wrong."""
import argparse, os, re, subprocess, sys, tempfile, zipfile
from playwright.sync_api import sync_playwright, expect

ap = argparse.ArgumentParser()
ap.add_argument("--url", required=True)
ap.add_argument("--demo", required=True, help="ops/serve-demo's --out folder (store, keys, roll)")
ap.add_argument("--bin", required=True, help="the chitra executable (to simulate the returns)")
ap.add_argument("--artifacts", required=True)
ap.add_argument("--chromium", default=os.environ.get("CHROMIUM", "/usr/bin/chromium"))
a = ap.parse_args()
os.makedirs(a.artifacts, exist_ok=True)
PERIOD = "2026-12"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 360, "height": 740}
shots = []


def pw(login):
    return f"demo-{login}-2026"


def shot(page, name):
    path = os.path.join(a.artifacts, f"{len(shots) + 1:02d}-{name}.png")
    page.screenshot(path=path, full_page=True)
    shots.append(path)
    print(f"  screenshot {path}")


def check(cond, what):
    if not cond:
        print(f"BROWSER TEST FAILED: {what}")
        sys.exit(1)
    print(f"  ok: {what}")


def sign_in(browser, login, viewport):
    ctx = browser.new_context(viewport=viewport, accept_downloads=True, locale="vi-VN")
    page = ctx.new_page()
    page.goto(a.url + "/login")
    page.fill("input[name=username]", login)
    page.fill("input[name=password]", pw(login))
    page.click("form[action='/login'] button[type=submit]")
    expect(page.locator("header.top")).to_contain_text(login)
    return ctx, page


def submit(page, form_selector):
    page.click(f"{form_selector} button[type=submit]")
    page.wait_for_load_state("load")


def text(page):
    return page.inner_text("main")


with sync_playwright() as p:
    browser = p.chromium.launch(executable_path=a.chromium, args=["--no-sandbox"])

    print("maker: roll and batch")
    ctx, page = sign_in(browser, "an.nguyen", DESKTOP)
    shot(page, "thang-nay-truoc")
    page.goto(a.url + "/roll")
    page.set_input_files("form[action='/roll/upload'] input[type=file]", os.path.join(a.demo, "roll-2026-11.csv"))
    submit(page, "form[action='/roll/upload']")
    body = text(page)
    check(re.search(r"2\.066", body) is not None, "the import summary counts the 2,066 lines")
    shot(page, "danh-sach-ket-qua-nhap")
    page.goto(a.url + "/batches")
    page.fill("form[action='/batches/build'] input[name=period]", PERIOD)
    submit(page, "form[action='/batches/build']")
    check(re.search(r"/batches/\d+", page.url) is not None, f"the build lands on the batch page ({page.url})")
    batch_url = page.url.split("?")[0]
    batch_id = batch_url.rstrip("/").split("/")[-1]
    shot(page, "bang-chi-nhap")
    ctx.close()

    print("checker: review and approve")
    ctx, page = sign_in(browser, "binh.tran", DESKTOP)
    page.goto(batch_url)
    body = text(page)
    check("Thay đổi" in body or "thay đổi" in body, "the checker's page shows what changed")
    shot(page, "bang-chi-xem-xet")
    approve = f"form[action='/batches/{batch_id}/approve']"
    page.check(f"{approve} input[type=checkbox]")
    submit(page, approve)
    check("duyệt" in text(page).lower(), "the batch shows as approved")
    shot(page, "bang-chi-da-duyet")
    ctx.close()

    print("maker: export and download")
    ctx, page = sign_in(browser, "an.nguyen", DESKTOP)
    page.goto(batch_url)
    submit(page, f"form[action='/batches/{batch_id}/export']")
    shot(page, "bang-chi-da-xuat")
    with page.expect_download() as dl:
        page.click(f"a[href='/batches/{batch_id}/download']")
    download = dl.value
    work = tempfile.mkdtemp(prefix="chitra-browser-")
    zpath = os.path.join(work, download.suggested_filename)
    download.save_as(zpath)
    check(zpath.endswith(".zip"), f"the download is a zip ({download.suggested_filename})")
    out = os.path.join(work, "batch")
    with zipfile.ZipFile(zpath) as z:
        z.extractall(out)
    files = sorted(f for f in os.listdir(out) if not f.endswith(".sig"))
    check("manifest.json" in files and len(files) >= 2, f"the zip holds the payout files and the manifest ({len(files)} files)")
    for f in files:
        sig = open(os.path.join(out, f + ".sig"), encoding="utf-8").read()
        key_id = re.search(r"^key-id: (\S+)", sig, re.M).group(1)
        mac = re.search(r"^mac: ([0-9a-f]+)", sig, re.M).group(1)
        key = open(os.path.join(a.demo, "keys", key_id + ".key")).read().strip()
        dgst = subprocess.run(["openssl", "dgst", "-sha256", "-mac", "HMAC", "-macopt", f"hexkey:{key}", os.path.join(out, f)],
                              capture_output=True, text=True, check=True).stdout
        check(dgst.strip().endswith(mac), f"openssl dgst agrees with {f}.sig (key {key_id})")
    ctx.close()

    print("clerk: returns and reconciliation")
    returns = os.path.join(work, "returns")
    os.makedirs(returns)
    subprocess.run([a.bin, "simulate", out, "--out", returns, "--fail-rate", "0.06", "--seed", "7", "--payment-date", "2026-12-05"],
                   check=True, capture_output=True, env={**os.environ, "CHITRA_KEYS": os.path.join(a.demo, "keys"), "CHITRA_DB": os.path.join(a.demo, "chitra.sqlite")})
    ret_files = sorted(os.path.join(returns, f) for f in os.listdir(returns))
    ctx, page = sign_in(browser, "cuc.le", DESKTOP)
    page.goto(a.url + "/returns")
    page.set_input_files("form[action='/returns/upload'] input[type=file]", ret_files)
    submit(page, "form[action='/returns/upload']")
    shot(page, "ket-qua-chi-tra-nhap")
    page.goto(f"{a.url}/returns/reconcile/{batch_id}")
    body = text(page)
    balanced = page.locator("td .badge.ok", has_text="khớp").count()
    unbalanced = page.locator("td .badge.warn", has_text="không khớp").count()
    check(balanced > 0 and unbalanced == 0, f"every group of the reconciliation balances ({balanced} rows 'khớp', none 'không khớp')")
    cli = subprocess.run([a.bin, "batch", "reconcile", batch_id, "--user", "cuc.le", "--password-stdin"], input=pw("cuc.le") + "\n",
                         capture_output=True, text=True, env={**os.environ, "CHITRA_KEYS": os.path.join(a.demo, "keys"), "CHITRA_DB": os.path.join(a.demo, "chitra.sqlite")})
    check(cli.returncode == 0, "chitra batch reconcile on the same store agrees: balanced to the đồng (exit 0)")
    shot(page, "doi-soat")
    ctx.close()

    print("officer on a phone: worklist and a visit")
    ctx, page = sign_in(browser, "ha.le", PHONE)
    page.goto(a.url + "/gaps")
    shot(page, "ra-soat-dien-thoai")
    page.click("a[href^='/gaps/village']")
    page.wait_for_load_state("load")
    shot(page, "ra-soat-thon-dien-thoai")
    check(page.locator("a[href^='tel:']").count() > 0 or "Không có" in text(page), "the worklist offers tel: links")
    page.click("a[href^='/gaps/case/']")
    page.wait_for_load_state("load")
    record = "form[action$='/record']"
    page.check(f"{record} input[name=status][value=visit-planned]")
    page.fill(f"{record} textarea[name=note]", "Hẹn thăm thứ Năm, mang mẫu giấy uỷ quyền")
    submit(page, record)
    check("Hẹn thăm thứ Năm" in text(page), "the visit is recorded and shown in the history")
    shot(page, "ra-soat-ghi-nhan-dien-thoai")
    ctx.close()
    browser.close()

print(f"browser test: the whole month passed; {len(shots)} screenshots in {a.artifacts}")
