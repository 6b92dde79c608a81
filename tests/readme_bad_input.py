#!/usr/bin/env python3
"""Fails when a message in the README's bad-input tables is not checked by a test.
usage: readme_bad_input.py SOURCE_DIR"""
import re
import sys
from pathlib import Path

root = Path(sys.argv[1])
readme = (root / "README.md").read_text(encoding="utf-8")
section = readme[readme.index("## Bad input"):readme.index("## Reliability")]
tests = ""
for name in ("tests/test_io_csv.cpp", "tests/test_io_config.cpp", "tests/test_rule_tree.cpp", "tests/cli/cli_test.sh"):
    text = (root / name).read_text(encoding="utf-8")
    # C++ string literals as the text they hold: join adjacent literals, unescape quotes.
    text = re.sub(r'"\s*\n\s*"', "", text).replace('\\"', '"')
    tests += text
missing, count = [], 0
for line in section.splitlines():
    if not line.startswith("| ") or line.startswith("| CSV input") or line.startswith("| config input"):
        continue
    for message in re.findall(r"`([^`]+)`", line.split("|")[2]):
        count += 1
        if message not in tests:
            missing.append(message)
for message in missing:
    print("not in any test:", message)
print(f"{count} messages, {len(missing)} not in a test")
sys.exit(1 if missing or count < 30 else 0)
