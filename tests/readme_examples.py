"""Every C++ block of the README is a passage of a file in examples/, so the examples
the README shows are the ones CTest compiles (with -Werror, g++ and clang++) and runs.
Lines are compared without their leading whitespace (a passage may be indented in its
file). Usage: readme_examples.py SOURCE_DIR"""
import pathlib
import re
import sys

root = pathlib.Path(sys.argv[1])
readme = (root / "README.md").read_text()
blocks = re.findall(r"```cpp\n(.*?)```", readme, re.S)
files = {p.name: [l.strip() for l in p.read_text().splitlines()] for p in sorted((root / "examples").glob("*.cpp"))}
failures = []
for number, block in enumerate(blocks, 1):
    lines = [l.strip() for l in block.rstrip("\n").splitlines()]
    found = any(lines == body[i:i + len(lines)] for body in files.values() for i in range(len(body) - len(lines) + 1))
    if not found:
        failures.append(f"README C++ block {number} (starts {lines[0]!r}) is in no file of examples/")
if not blocks:
    failures.append("the README has no C++ block")
for failure in failures:
    print(failure)
print(f"{len(blocks)} C++ blocks, {len(failures)} not found in examples/")
sys.exit(1 if failures else 0)
