#!/usr/bin/env python3
"""Checks the charts and report.html that mece-segment wrote into a directory, with
Python's own XML parser and nothing of mece: every SVG and the page parse as XML, every
segment is named (escaped) in every chart and in the page, the page refers to nothing
outside itself, and the tree and size charts mark what strategy.json says happened.

usage: check_outputs.py OUT_DIR
"""
import json
import re
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

SVG = "{http://www.w3.org/2000/svg}"
failures = []


def check(condition, message):
    if not condition:
        failures.append(message)


def all_text(element):
    return "".join(element.itertext())


def main(out):
    strategy = json.loads((out / "strategy.json").read_text(encoding="utf-8"))
    segments = strategy["segments"]
    names = [s["name"] for s in segments]
    charts = {}
    for name in ("scores", "bubbles", "tree", "sizes"):
        path = out / f"{name}.svg"
        try:
            root = ET.parse(path).getroot()
        except ET.ParseError as error:
            failures.append(f"{path}: not well-formed XML: {error}")
            continue
        charts[name] = root
        check(root.tag == SVG + "svg", f"{path}: root is {root.tag}, not svg")
        for attribute in ("width", "height", "viewBox"):
            check(attribute in root.attrib, f"{path}: no {attribute}")
        check(root.find(SVG + "title") is not None and root.find(SVG + "title").text, f"{path}: no title")
        text = all_text(root)
        for segment in names:
            # Labels may be cut to fit; the full name is in the tooltip (<title>).
            check(segment in text, f"{path}: segment {segment!r} is not named")
        raw = path.read_bytes()
        for segment in names:
            if "<" in segment:
                check(segment.encode() not in raw, f"{path}: {segment!r} appears unescaped")

    if "scores" in charts:
        bars = [e for e in charts["scores"].iter(SVG + "rect") if e.get("class") == "bar"]
        check(len(bars) == len(segments), f"scores.svg: {len(bars)} bars for {len(segments)} segments")
        ranked = [s["id"] for s in segments]  # strategy.json lists segments by rank
        check([int(b.get("data-segment")) for b in bars] == ranked, "scores.svg: bars not in rank order")
        tier_colours = {}
        for bar, segment in zip(bars, segments):
            check(abs(float(bar.get("data-value")) - segment["overall_score"]) < 1e-9, f"scores.svg: bar value of {segment['name']!r}")
            tier_colours.setdefault(segment["tier"], set()).add(bar.get("fill"))
        check(all(len(c) == 1 for c in tier_colours.values()), "scores.svg: a tier has several colours")
        check(len({next(iter(c)) for c in tier_colours.values()}) == len(tier_colours), "scores.svg: two tiers share a colour")

    if "bubbles" in charts:
        bubbles = [e for e in charts["bubbles"].iter(SVG + "circle") if e.get("class") == "bubble"]
        check(len(bubbles) == len(segments), f"bubbles.svg: {len(bubbles)} bubbles for {len(segments)} segments")
        by_id = {s["id"]: s for s in segments}
        sized = [(by_id[int(b.get("data-segment"))]["size"], float(b.get("r"))) for b in bubbles]
        largest = max((size for size, _ in sized), default=0)
        for size, radius in sized:
            if largest and size > largest / 50:  # tiny bubbles have a minimum radius to stay visible
                check(abs(radius**2 / (max(r for _, r in sized) ** 2) - size / largest) < 0.01, "bubbles.svg: area is not proportional to size")

    if "tree" in charts:
        groups = [g for g in charts["tree"].iter(SVG + "g") if g.get("class")]
        classes = [g.get("class").split() for g in groups]
        log = strategy["log"]
        check(sum("segment" in c for c in classes) == len(segments), "tree.svg: not one box per segment")
        check(sum("dissolved" in c for c in classes) == sum(e["action"] == "dissolve" for e in log), "tree.svg: dissolved rules")
        check(sum("split" in c for c in classes) == sum(e["action"] == "split" for e in log), "tree.svg: split rules")
        check(sum("invalid" in c for c in classes) == sum(not s["valid"] for s in segments), "tree.svg: invalid segments")
        for event in log:
            if event["action"] == "dissolve":
                ghost = [g for g in groups if "dissolved" in g.get("class") and all_text(g).lstrip().startswith(event["segment"])]
                check(len(ghost) >= 1, f"tree.svg: dissolved {event['segment']!r} not drawn")

    if "sizes" in charts:
        bars = [e for e in charts["sizes"].iter(SVG + "rect") if (e.get("class") or "").startswith("bar")]
        check(len(bars) == len(segments), "sizes.svg: not one bar per segment")
        by_id = {s["id"]: s for s in segments}
        for bar in bars:
            segment = by_id[int(bar.get("data-segment"))]
            check(int(bar.get("data-value")) == segment["size"], f"sizes.svg: size of {segment['name']!r}")
            check(("invalid" in bar.get("class")) == (not segment["valid"]), f"sizes.svg: validity of {segment['name']!r}")
        text = all_text(charts["sizes"])
        for segment in segments:
            if not segment["valid"]:
                check(segment["invalid_reason"][:40] in text, f"sizes.svg: reason for {segment['name']!r} not listed")

    page_path = out / "report.html"
    try:
        page = ET.parse(page_path).getroot()
    except ET.ParseError as error:
        failures.append(f"{page_path}: not well-formed: {error}")
        return
    policy = [m.get("content") for m in page.iter("meta") if m.get("http-equiv") == "Content-Security-Policy"]
    check(policy and policy[0].startswith("default-src 'none'"), "report.html: no content security policy forbidding fetches")
    for element in page.iter():
        for attribute, value in element.attrib.items():
            if attribute in ("src", "href", "action", "formaction", "poster", "srcset", "data", "background", "{http://www.w3.org/1999/xlink}href"):
                check(value.startswith("#") or value.startswith("data:"), f"report.html: <{element.tag} {attribute}={value!r}> leaves the page")
            if attribute == "style":
                check("url(" not in value, f"report.html: style url() in <{element.tag}>")
        check(element.tag not in ("link", "img", "iframe", "object", "embed", "base"), f"report.html: <{element.tag}>")
        if element.tag == "script":
            check(element.get("src") is None, "report.html: external script")
        if element.tag == "style":
            check("@import" not in (element.text or "") and not re.search(r"url\((?!#)", element.text or ""), "report.html: style loads something")
    table = [t for t in page.iter("table") if t.get("id") == "strategy-table"]
    check(len(table) == 1, "report.html: no strategy table")
    if table:
        rows = table[0].find("tbody").findall("tr")
        check(len(rows) == len(segments), f"report.html: {len(rows)} table rows for {len(segments)} segments")
        for row, segment in zip(rows, segments):
            cells = row.findall("td")
            check(cells[0].text == str(segment["rank"]), "report.html: rows not by rank")
            check(cells[1].find("b").text == segment["name"], f"report.html: name {segment['name']!r} in the table")
            check(all_text(cells[1].find("span")) == segment["action"], f"report.html: action of {segment['name']!r}")
    overlap = strategy["overlap"]
    heatmap = len(overlap["rules"]) >= 2
    check(len([s for s in page.iter("svg")]) == 4 + heatmap, "report.html: not four inline charts and the overlap heatmap")
    if heatmap:
        # Each cell's tooltip, "rule / rule: count", says what strategy.json's overlap says.
        cells = [all_text(t) for s in page.iter("section") if s.get("id") == "overlap" for g in s.iter("g") for t in g.findall("title")]
        expected = [f"{a} / {b}: {overlap['counts'][i][j]:,}" for i, a in enumerate(overlap["rules"]) for j, b in enumerate(overlap["rules"])]
        check(cells == expected, f"report.html: the overlap heatmap's cells {cells[:3]}... are not strategy.json's overlap")
    page_text = all_text(page)
    for segment in segments:
        check(segment["rules_applied"] in page_text, f"report.html: rule of {segment['name']!r} missing")
    for key in ("as_of", "universe_size"):
        check(str(strategy[key]) in page_text.replace(",", ""), f"report.html: {key} missing")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
    for failure in failures:
        print("FAIL:", failure)
    if failures:
        sys.exit(1)
    print("report outputs ok")
