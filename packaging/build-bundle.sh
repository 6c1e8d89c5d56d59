#!/usr/bin/env bash
# Build the one-folder bundle of Voitex Console with PyInstaller, in one command:
#     packaging/build-bundle.sh
# It creates (or reuses) a build virtual environment, installs the pinned build
# tools and the project into it, runs PyInstaller on packaging/voitex-console.spec
# and prints the bundle's path on the last line.
#
# Environment:
#   PYTHON              the Python to create the build venv with (default: python3)
#   VOITEX_BUILD_VENV   where the build venv lives (default: build/venv-bundle)
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
python=${PYTHON:-python3}
venv=${VOITEX_BUILD_VENV:-$root/build/venv-bundle}

if [ ! -x "$venv/bin/python" ]; then
    echo "build-bundle: creating the build venv $venv"
    "$python" -m venv "$venv"
fi
echo "build-bundle: installing the build tools and the project"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
    -r packaging/requirements-build.txt
if [ "$(uname -s)" = "Darwin" ]; then
    # PyInstaller turns the PNG icon into .icns with Pillow.
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check pillow
fi
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check "$root"

echo "build-bundle: running PyInstaller"
start=$(date +%s)
"$venv/bin/python" -m PyInstaller --noconfirm --clean --log-level WARN \
    --distpath "$root/dist" --workpath "$root/build/pyinstaller" \
    packaging/voitex-console.spec
elapsed=$(( $(date +%s) - start ))

bundle="$root/dist/voitex-console"
exe="$bundle/voitex-console"
[ -x "$exe" ] || exe="$bundle/voitex-console.exe"
if [ ! -x "$exe" ]; then
    echo "build-bundle: PyInstaller finished but $bundle has no executable" >&2
    exit 1
fi
size=$(du -sh "$bundle" | cut -f1)
echo "build-bundle: PyInstaller took ${elapsed}s; bundle size ${size}"
echo "$bundle"
