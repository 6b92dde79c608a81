#!/usr/bin/env bash
# Builds the Debian package with cpack from the build directory, unpacks it into a
# scratch root (dpkg -x) and uses everything it holds from there: a consumer compiled
# with `pkg-config --cflags mece`, one built with find_package(mece), the tools and the
# Python module.
# usage: deb_test.sh BUILD_DIR SOURCE_DIR WORK_DIR PYTHON
set -euo pipefail
build=$1 source=$2 work=$3 python=$4
rm -rf "$work"
mkdir -p "$work"
fail() { echo "deb_test: $*" >&2; exit 1; }

cpack --config "$build/CPackConfig.cmake" -G DEB -B "$work/pkg" >"$work/cpack.log" 2>&1 || { cat "$work/cpack.log"; fail "cpack failed"; }
debs=("$work"/pkg/*.deb)
[[ ${#debs[@]} -eq 1 && -f ${debs[0]} ]] || fail "expected one .deb, got: ${debs[*]}"
deb=${debs[0]}
dpkg-deb --info "$deb" >"$work/info.txt"
grep -q "^ Package: mece$" "$work/info.txt" || fail "the package is not called mece"
grep -q "^ Depends: .*libeigen3-dev" "$work/info.txt" || fail "the package does not depend on libeigen3-dev"
grep -q "^ Depends: .*python3-pandas" "$work/info.txt" || fail "the package does not depend on python3-pandas"
grep -q "^ Depends: .*libstdc++6" "$work/info.txt" || fail "dpkg-shlibdeps found no libstdc++6 for the tools"

root=$work/root
dpkg -x "$deb" "$root"
for f in include/mece/mece.hpp include/mece/io/run_outputs.hpp share/cmake/mece/meceConfig.cmake share/pkgconfig/mece.pc \
         share/doc/mece/LICENSE bin/mece-segment bin/mece-assign bin/mece-diff bin/mece-measure bin/mece-simulate \
         bin/mece-generate lib/python3/dist-packages/mece/__init__.py lib/python3/dist-packages/mece/__init__.pyi \
         lib/python3/dist-packages/mece/py.typed; do
  [[ -e $root/usr/$f ]] || fail "the package has no /usr/$f"
done
ls "$root"/usr/lib/python3/dist-packages/mece/_mece*.so >/dev/null || fail "the package has no compiled module"

# pkg-config: the unpacked package, as a consumer's Makefile would use it.
export PKG_CONFIG_PATH=$root/usr/share/pkgconfig
[[ $(pkg-config --modversion mece) == "$(sed -n 's/^Version: //p' "$root/usr/share/pkgconfig/mece.pc")" ]] || fail "pkg-config cannot read mece.pc"
cflags=$(pkg-config --cflags mece)
[[ $cflags == *"$root/usr/share/pkgconfig/../../include"* ]] || fail "pkg-config --cflags mece does not point into the package: $cflags"
# shellcheck disable=SC2086
g++ -std=c++20 $cflags "$source/tests/package/main.cpp" -o "$work/pc-consumer"
"$work/pc-consumer" >"$work/pc-consumer.txt"

# find_package(mece) from the unpacked package.
cmake -S "$source/tests/package/consumer" -B "$work/cmake-consumer" "-DCMAKE_PREFIX_PATH=$root/usr" -DCMAKE_BUILD_TYPE= >"$work/cmake.log"
cmake --build "$work/cmake-consumer" -j 2 >>"$work/cmake.log"
"$work/cmake-consumer/consumer" >"$work/cmake-consumer.txt"
cmp "$work/pc-consumer.txt" "$work/cmake-consumer.txt" || fail "the two consumers print different things"

# The tools and the module, as installed.
"$root/usr/bin/mece-segment" --synthetic 20000 --threads 2 --out "$work/tool-out" >/dev/null
PYTHONPATH=$root/usr/lib/python3/dist-packages "$python" - "$root" "$work/tool-out" <<'PY'
import os, sys
import mece
root, tool = sys.argv[1:]
assert mece.__file__.startswith(root), mece.__file__
result = mece.segment(mece.generate(20000), threads=2)
result.write(os.path.join(root, "..", "module-out"))
for name in ("assignments.csv", "strategy.csv"):
    a = open(os.path.join(tool, name), "rb").read()
    b = open(os.path.join(root, "..", "module-out", name), "rb").read()
    assert a == b, name
print("the installed module writes the installed tool's files")
PY
echo "deb_test: $(basename "$deb") ($(du -h "$deb" | cut -f1)) holds the library, its CMake and pkg-config files, the tools and the module"
