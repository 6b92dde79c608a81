#!/usr/bin/env python3
"""Renders report.html in headless Chromium and checks what a reader would see.

1. `chromium --headless --screenshot` (fresh profile, no GPU, no background network)
   writes a PNG; the PNG is decoded here and must not be blank: enough ink, and the
   chart colours present.
2. Through ChromeDriver (W3C WebDriver over HTTP, Python's standard library only): the
   strategy table and the four charts are laid out at a readable size, the page fetched
   no resource, the console has no error (a blocked fetch would log one), and clicking
   a column header sorts the table by that column, ascending then descending.

usage: render.py CHROMIUM CHROMEDRIVER REPORT_HTML SCREENSHOT_PNG
"""
import json
import os
import socket
import struct
import subprocess
import sys
import tempfile
import time
import urllib.request
import zlib
from pathlib import Path

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
failures = []


def check(condition, message):
    if not condition:
        failures.append(message)


def decode_png(data):
    """Width, height and rows of (r, g, b) of an 8-bit RGB or RGBA PNG."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    at, idat, header = 8, b"", None
    while at < len(data):
        length, kind = struct.unpack(">I4s", data[at:at + 8])
        body = data[at + 8:at + 8 + length]
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        at += 12 + length
    width, height, depth, colour = header[:4]
    assert depth == 8 and colour in (2, 6), f"unexpected PNG format {depth}/{colour}"
    channels = 4 if colour == 6 else 3
    raw = zlib.decompress(idat)
    stride = width * channels
    rows, previous, at = [], bytearray(stride), 0
    for _ in range(height):
        kind, line = raw[at], bytearray(raw[at + 1:at + 1 + stride])
        at += 1 + stride
        for i in range(stride):
            left = line[i - channels] if i >= channels else 0
            up = previous[i]
            corner = previous[i - channels] if i >= channels else 0
            if kind == 1:
                line[i] = (line[i] + left) & 0xFF
            elif kind == 2:
                line[i] = (line[i] + up) & 0xFF
            elif kind == 3:
                line[i] = (line[i] + (left + up) // 2) & 0xFF
            elif kind == 4:
                p = left + up - corner
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - corner)
                line[i] = (line[i] + (left if pa <= pb and pa <= pc else up if pb <= pc else corner)) & 0xFF
        rows.append([tuple(line[i:i + 3]) for i in range(0, stride, channels)])
        previous = line
    return width, height, rows


def screenshot(chromium, page, png):
    with tempfile.TemporaryDirectory() as profile:
        result = subprocess.run([chromium, *FLAGS, f"--user-data-dir={profile}", "--hide-scrollbars",
                                 "--window-size=1280,2400", f"--screenshot={png}", page.as_uri()],
                                capture_output=True, text=True, timeout=180)
    check(result.returncode == 0, f"chromium exited {result.returncode}: {result.stderr[-500:]}")
    if not png.exists():
        failures.append("chromium wrote no screenshot")
        return
    width, height, rows = decode_png(png.read_bytes())
    check((width, height) == (1280, 2400), f"screenshot is {width}x{height}")
    pixels = [p for row in rows[::4] for p in row[::4]]
    ink = sum(1 for p in pixels if min(p) < 200) / len(pixels)
    check(ink > 0.02, f"the page looks blank: {ink:.1%} of the pixels have ink")
    colours = set(pixels)
    check(len(colours) > 50, f"only {len(colours)} colours on the page")
    # The chart blue and the tier orange (Okabe-Ito), drawn by the charts.
    for name, target in (("blue #0072B2", (0x00, 0x72, 0xB2)), ("orange #E69F00", (0xE6, 0x9F, 0x00))):
        check(any(all(abs(a - b) <= 6 for a, b in zip(p, target)) for p in colours), f"no {name} on the screenshot")
    print(f"screenshot {png}: {width}x{height}, {ink:.1%} ink, {len(colours)} colours")


class WebDriver:
    def __init__(self, chromedriver, chromium, profile):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.process = subprocess.Popen([chromedriver, f"--port={self.port}"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(100):
            try:
                self.call("GET", "/status")
                break
            except OSError:
                time.sleep(0.1)
        options = {"binary": chromium, "args": [*FLAGS, f"--user-data-dir={profile}", "--window-size=1280,2000"]}
        capabilities = {"browserName": "chrome", "goog:chromeOptions": options, "goog:loggingPrefs": {"browser": "ALL"}}
        self.session = self.call("POST", "/session", {"capabilities": {"alwaysMatch": capabilities}})["sessionId"]

    def call(self, method, path, body=None):
        request = urllib.request.Request(f"http://127.0.0.1:{self.port}{path}", method=method,
                                         data=None if body is None else json.dumps(body).encode(),
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=120) as response:
            return json.loads(response.read())["value"]

    def run(self, script, *args):
        return self.call("POST", f"/session/{self.session}/execute/sync", {"script": script, "args": list(args)})

    def click(self, css):
        element = self.call("POST", f"/session/{self.session}/element", {"using": "css selector", "value": css})
        self.call("POST", f"/session/{self.session}/element/{next(iter(element.values()))}/click", {})

    def close(self):
        try:
            self.call("DELETE", f"/session/{self.session}")
        finally:
            self.process.terminate()
            self.process.wait(timeout=30)


def check_lift(driver):
    """The report of a run ranked with measured lift: the holdout's and the lift's columns,
    each measured segment's lift with its interval, and the lift column sorting by value."""
    info = driver.run("""
        const heads = Array.from(document.querySelectorAll('#strategy-table thead th')).map(h => h.textContent.replace(/\\W+$/, ''));
        const col = name => heads.findIndex(h => h.startsWith(name));
        const rows = Array.from(document.querySelectorAll('#strategy-table tbody tr'));
        return {heads: heads, control: col('control'), used: col('lift used'), measured: col('measured'),
                measured_cells: rows.map(r => r.cells[col('measured')].textContent),
                cards: Array.from(document.querySelectorAll('#segments .lift')).map(d => d.textContent),
                facts: Array.from(document.querySelectorAll('dl.meta dt')).map(d => d.textContent)};""")
    for name in ("control", "used", "measured"):
        check(info[name] >= 0, f"no '{name}' column in {info['heads']}")
    check(all("pp [" in cell for cell in info["measured_cells"]), f"measured cells: {info['measured_cells']}")
    check(len(info["cards"]) == len(info["measured_cells"]) and all("95% interval" in c for c in info["cards"]),
          f"segment cards: {info['cards']}")
    check("measured lift" in info["facts"] and "holdout" in info["facts"], f"run facts: {info['facts']}")
    if info["used"] >= 0:
        driver.click(f"#strategy-table thead th:nth-child({info['used'] + 1})")
        values = driver.run(f"return Array.from(document.querySelectorAll('#strategy-table tbody tr'))"
                            f".map(r => Number(r.cells[{info['used']}].getAttribute('data-value')));")
        check(values == sorted(values), f"lift used after one click: {values}")
    print(f"lift: {len(info['cards'])} segments with measured lift and interval")


def interact(chromedriver, chromium, page, lift=False):
    with tempfile.TemporaryDirectory() as profile:
        driver = WebDriver(chromedriver, chromium, profile)
        try:
            driver.call("POST", f"/session/{driver.session}/url", {"url": page.as_uri()})
            layout = driver.run("""
                const box = e => { const r = e.getBoundingClientRect(); return [r.width, r.height]; };
                return {table: box(document.getElementById('strategy-table')),
                        charts: Array.from(document.querySelectorAll('#charts figure svg')).map(box),
                        overlap: Array.from(document.querySelectorAll('#overlap figure svg')).map(box),
                        resources: performance.getEntriesByType('resource').map(r => r.name),
                        rows: document.querySelectorAll('#strategy-table tbody tr').length};""")
            check(layout["table"][0] > 600 and layout["table"][1] > 100, f"strategy table laid out at {layout['table']}")
            check(len(layout["charts"]) == 4, f"{len(layout['charts'])} charts on the page")
            check(len(layout["overlap"]) == 1, "no rule overlap heatmap on the page")
            for width, height in layout["charts"] + layout["overlap"]:
                check(width >= 600 and height >= 150, f"a chart is drawn at {width}x{height}")
            check(layout["resources"] == [], f"the page fetched {layout['resources']}")

            column = lambda n: driver.run(
                f"return Array.from(document.querySelectorAll('#strategy-table tbody tr'))"
                f".map(r => Number(r.cells[{n}].getAttribute('data-value')));")
            check(column(0) == sorted(column(0)), "the table does not start in rank order")
            driver.click("#strategy-table thead th:nth-child(3)")  # size
            sizes = column(2)
            check(sizes == sorted(sizes), f"sizes after one click: {sizes}")
            check(driver.run("return document.querySelector('#strategy-table thead th:nth-child(3)').getAttribute('aria-sort')")
                  == "ascending", "the sorted header is not marked")
            driver.click("#strategy-table thead th:nth-child(3)")
            sizes = column(2)
            check(sizes == sorted(sizes, reverse=True), f"sizes after two clicks: {sizes}")
            driver.click("#strategy-table thead th:nth-child(1)")
            check(column(0) == sorted(column(0)), "clicking rank does not restore rank order")
            check(len(column(0)) == layout["rows"], "sorting lost rows")
            driver.click("#strategy-table thead th:nth-child(2)")
            ordered = driver.run("const cells = Array.from(document.querySelectorAll('#strategy-table tbody tr'))"
                                 ".map(r => r.cells[1].textContent);"
                                 "return cells.every((c, i) => i == 0 || cells[i - 1].localeCompare(c) <= 0);")
            check(ordered is True, "clicking the segment header does not sort by name")

            if lift:
                check_lift(driver)
            log = driver.call("POST", f"/session/{driver.session}/se/log", {"type": "browser"})
            problems = [entry["message"] for entry in log if entry["level"] in ("SEVERE", "WARNING")]
            check(problems == [], f"console: {problems}")
            print(f"webdriver: table {layout['table']}, charts {layout['charts']}, {layout['rows']} rows sorted by click")
        finally:
            driver.close()


def main():
    chromium, chromedriver, page, png = sys.argv[1], sys.argv[2], Path(sys.argv[3]).resolve(), Path(sys.argv[4]).resolve()
    lift = "--lift" in sys.argv[5:]
    for program in (chromium, chromedriver):
        if not os.access(program, os.X_OK):
            sys.exit(f"{program} not found: run .ci/install-deps, which installs Debian's chromium and chromium-driver")
    png.unlink(missing_ok=True)
    for step in (lambda: screenshot(chromium, page, png), lambda: interact(chromedriver, chromium, page, lift)):
        try:
            step()
        except Exception as error:  # a page so broken that the checks cannot run
            failures.append(f"{type(error).__name__}: {error}")
    for failure in failures:
        print("FAIL:", failure)
    if failures:
        sys.exit(1)
    print("report renders ok")


if __name__ == "__main__":
    main()
