#!/usr/bin/env bash
# What CI runs for packaging (separate from the test suite):
#   1. validates the menu entry and the AppStream metainfo with Debian's
#      desktop-file-validate and appstreamcli (installing them if missing);
#   2. builds the sdist and the wheel with `python -m build` and checks both
#      carry resources/;
#   3. installs the wheel into a fresh virtual environment and, from outside
#      the checkout, runs --version, --check-resources and --self-check offscreen;
#   4. builds the PyInstaller bundle (packaging/build-bundle.sh), checks its
#      contents, runs the frozen executable's --version, --check-resources and
#      --self-check offscreen;
#   5. installs the bundle's menu entry into a scratch prefix, validates it,
#      and uninstalls it again.
# Every check runs even after an earlier one failed (unless it needs what
# failed); the script prints a summary and exits 1 if anything failed.
set -uo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
python=${PYTHON:-python3}
build_venv=${VOITEX_BUILD_VENV:-$root/build/venv-bundle}
export VOITEX_BUILD_VENV=$build_venv
work=$(mktemp -d "${TMPDIR:-/tmp}/voitex-ci-check.XXXXXX")
trap 'rm -rf "$work"' EXIT
run_timeout=300
app_id=com.voitex.Console

passed=()
failed=()
skipped=()
script_start=$(date +%s)

# check NAME COMMAND...: runs COMMAND, records and prints the outcome.
check() {
    local name=$1; shift
    local start=$SECONDS
    echo
    echo "=== ci-check: $name"
    if "$@"; then
        passed+=("$name ($((SECONDS - start))s)")
        echo "--- ci-check: ok: $name ($((SECONDS - start))s)"
        return 0
    fi
    failed+=("$name")
    echo "--- ci-check: FAILED: $name"
    return 1
}

skip() {
    skipped+=("$1 (because $2 failed)")
    echo
    echo "=== ci-check: skipped: $1 (because $2 failed)"
}

version=$("$python" -c 'import re,sys; print(re.search(r"__version__ = \"([^\"]+)\"", open("console/__init__.py").read()).group(1))')
echo "ci-check: Voitex Console $version, packaging checks in $root"

# ---------------------------------------------------------------- 1. desktop files
install_validators() {
    if command -v desktop-file-validate >/dev/null && command -v appstreamcli >/dev/null; then
        return 0
    fi
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
        --no-install-recommends desktop-file-utils appstream >/dev/null
}
validate_desktop() { desktop-file-validate "packaging/linux/$app_id.desktop"; }
validate_metainfo() { appstreamcli validate --no-net "packaging/linux/$app_id.metainfo.xml"; }

if check "install desktop-file-utils and appstream" install_validators; then
    check "desktop-file-validate $app_id.desktop" validate_desktop
    check "appstreamcli validate $app_id.metainfo.xml" validate_metainfo
else
    skip "desktop and metainfo validation" "installing the validators"
fi

# ---------------------------------------------------------------- 2. wheel and sdist
prepare_build_venv() {
    if [ ! -x "$build_venv/bin/python" ]; then
        "$python" -m venv "$build_venv" || return 1
    fi
    "$build_venv/bin/python" -m pip install --quiet --disable-pip-version-check \
        -r packaging/requirements-build.txt
}

dist="$work/dist"
build_dists() {
    "$build_venv/bin/python" -m build --outdir "$dist" "$root" >"$work/build.log" 2>&1
    local status=$?
    tail -n 3 "$work/build.log"
    if [ $status -ne 0 ]; then
        cat "$work/build.log"
        return $status
    fi
    ls -l "$dist"
}

# The wheel must carry resources/ as console/_resources, the sdist as resources/.
check_dist_contents() {
    "$build_venv/bin/python" - "$dist" <<'PY'
import sys, tarfile, zipfile
from pathlib import Path

dist = Path(sys.argv[1])
wheels, sdists = list(dist.glob("*.whl")), list(dist.glob("*.tar.gz"))
if len(wheels) != 1 or len(sdists) != 1:
    sys.exit(f"expected one wheel and one sdist in {dist}, found {wheels + sdists}")
icons = ["icons/voitex-console.svg"] + [f"icons/voitex-console-{s}.png" for s in (16, 32, 48, 64, 128, 256)]
wheel_names = set(zipfile.ZipFile(wheels[0]).namelist())
with tarfile.open(sdists[0]) as archive:
    sdist_names = {name.split("/", 1)[1] for name in archive.getnames() if "/" in name}
resources = sorted(str(p.relative_to("resources")) for p in Path("resources").rglob("*") if p.is_file())
missing = [f"wheel: console/_resources/{r}" for r in resources if f"console/_resources/{r}" not in wheel_names]
missing += [f"sdist: resources/{r}" for r in resources if f"resources/{r}" not in sdist_names]
missing += [f"wheel: console/_resources/{i}" for i in icons if f"console/_resources/{i}" not in wheel_names]
stray = sorted(n for n in wheel_names if n.split("/")[0] not in ("console",) and ".dist-info/" not in n)
for line in missing:
    print(f"missing from the {line}")
for name in stray:
    print(f"the wheel installs {name} outside the console package")
print(f"wheel {wheels[0].name}: {len(wheel_names)} files; sdist {sdists[0].name}: {len(sdist_names)} files; "
      f"{len(resources)} resource files in each")
sys.exit(1 if missing or stray else 0)
PY
}

wheel_venv="$work/venv-wheel"
install_wheel() {
    "$python" -m venv "$wheel_venv" &&
        "$wheel_venv/bin/python" -m pip install --quiet --disable-pip-version-check "$dist"/*.whl
}

# expect_version COMMAND: `COMMAND --version` prints "voitex-console <version>".
expect_version() {
    local output
    output=$(cd "$work" && timeout "$run_timeout" "$@" --version) || return 1
    echo "$output"
    [ "$output" = "voitex-console $version" ]
}

# expect_resources_under FOLDER COMMAND: --check-resources passes and reads from FOLDER.
expect_resources_under() {
    local folder=$1; shift
    local output
    output=$(cd "$work" && timeout "$run_timeout" "$@" --check-resources)
    local status=$?
    echo "$output"
    [ $status -eq 0 ] || return 1
    local found
    found=$(printf '%s\n' "$output" | sed -n 's/^resources: //p' | head -n 1)
    case "$found" in
        "$folder" | "$folder"/*) return 0 ;;
    esac
    echo "resources were read from '$found', not from under $folder"
    return 1
}

# self_check NAME COMMAND: the command's --self-check, offscreen, in a scratch home.
self_check() {
    local name=$1; shift
    local home="$work/home-$name"
    mkdir -p "$home"
    (cd "$work" && QT_QPA_PLATFORM=offscreen VOITEX_CONSOLE_HOME="$home" \
        timeout "$run_timeout" "$@" --self-check) >"$work/self-check-$name.log" 2>&1
    local status=$?
    grep -v "propagateSizeHints" "$work/self-check-$name.log"
    if [ ! -s "$home/logs/voitex-console.log" ]; then
        echo "no log file was written at $home/logs/voitex-console.log"
        status=1
    fi
    [ $status -eq 0 ]
}

if check "pip install the build tools into $build_venv" prepare_build_venv; then
    if check "python -m build (sdist and wheel)" build_dists; then
        check "wheel and sdist carry resources/" check_dist_contents
        if check "install the wheel into a fresh venv" install_wheel; then
            site=$("$wheel_venv/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
            check "wheel: voitex-console --version" expect_version "$wheel_venv/bin/voitex-console"
            check "wheel: voitex-console --check-resources" \
                expect_resources_under "$site/console/_resources" "$wheel_venv/bin/voitex-console"
            check "wheel: voitex-console --self-check (offscreen)" \
                self_check wheel "$wheel_venv/bin/voitex-console"
        else
            skip "the installed wheel's checks" "installing the wheel"
        fi
    else
        skip "the wheel's and sdist's checks" "python -m build"
    fi
else
    skip "wheel, sdist and bundle" "installing the build tools"
fi

# ---------------------------------------------------------------- 3. frozen bundle
bundle=""
build_bundle() {
    packaging/build-bundle.sh 2>&1 | tee "$work/bundle.log" | grep -v "^  " | grep -v "WARNING: Library not found"
    [ "${PIPESTATUS[0]}" -eq 0 ] || return 1
    bundle=$(tail -n 1 "$work/bundle.log")
    [ -x "$bundle/voitex-console" ]
}
inspect_bundle() { "$build_venv/bin/python" packaging/inspect-bundle.py "$bundle"; }

prefix="$work/prefix"
install_menu_entry() {
    "$bundle/install.sh" --prefix "$prefix" || return 1
    local installed="$prefix/share/applications/$app_id.desktop"
    desktop-file-validate "$installed" || return 1
    grep -q "^Exec=\"$prefix/bin/voitex-console\" %F$" "$installed" || {
        echo "the installed menu entry does not start $prefix/bin/voitex-console:"
        grep "^Exec=" "$installed"
        return 1
    }
    for size in 16 32 48 64 128 256; do
        [ -f "$prefix/share/icons/hicolor/${size}x${size}/apps/$app_id.png" ] || {
            echo "icon ${size}x${size} was not installed"; return 1; }
    done
    [ -f "$prefix/share/metainfo/$app_id.metainfo.xml" ] || { echo "metainfo not installed"; return 1; }
    expect_version "$prefix/bin/voitex-console" || return 1
    "$prefix/bin/voitex-console" --check-resources | sed -n 's/^resources: //p' | grep -q "^$prefix/lib/voitex-console/" || {
        echo "the installed command does not read resources from $prefix/lib/voitex-console"; return 1; }
    "$prefix/lib/voitex-console/install.sh" --prefix "$prefix" --uninstall || return 1
    local left
    # update-desktop-database's cache of the whole folder may stay.
    left=$(find "$prefix" \( -type f -o -type l \) ! -name mimeinfo.cache ! -name icon-theme.cache)
    if grep -rqs "$app_id" "$prefix"; then
        echo "a cache under $prefix still names $app_id"
        return 1
    fi
    if [ -n "$left" ]; then
        echo "left behind by --uninstall:"
        echo "$left"
        return 1
    fi
}

if [ -x "$build_venv/bin/python" ]; then
    bundle_start=$SECONDS
    if check "build the bundle (packaging/build-bundle.sh)" build_bundle; then
        bundle_seconds=$((SECONDS - bundle_start))
        check "bundle holds keyring backends, uvicorn protocols, resources" inspect_bundle
        check "bundle: voitex-console --version" expect_version "$bundle/voitex-console"
        check "bundle: voitex-console --check-resources" \
            expect_resources_under "$bundle/_internal" "$bundle/voitex-console"
        check "bundle: voitex-console --self-check (offscreen)" self_check bundle "$bundle/voitex-console"
        if command -v desktop-file-validate >/dev/null; then
            check "bundle: install.sh menu entry, then --uninstall" install_menu_entry
        else
            skip "bundle: install.sh menu entry" "installing the validators"
        fi
    else
        skip "the bundle's checks" "building the bundle"
    fi
fi

# ---------------------------------------------------------------- summary
echo
echo "=== ci-check summary ($(( $(date +%s) - script_start ))s)"
if [ -n "$bundle" ] && [ -d "$bundle" ]; then
    echo "bundle: $bundle, $(du -sh "$bundle" | cut -f1), built in ${bundle_seconds:-?}s"
fi
for item in "${passed[@]}"; do echo "  ok       $item"; done
for item in "${skipped[@]}"; do echo "  skipped  $item"; done
for item in "${failed[@]}"; do echo "  FAILED   $item"; done
# (Not the "N passed, N failed" form: CI reads that line as the test suite's count.)
echo "ci-check: ${#passed[@]} checks ok, ${#failed[@]} failed, ${#skipped[@]} skipped"
[ ${#failed[@]} -eq 0 ] && [ ${#skipped[@]} -eq 0 ]
