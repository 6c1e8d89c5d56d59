#!/usr/bin/env bash
# The tests that check file permissions (marker `unprivileged`), run as a user
# other than root: root reads every file, so as root they can only skip, and CI
# runs as root. Creates the user if missing and runs the tests with the
# project's own .venv on a copy of the checkout that the user owns.
#
#   bash .ci/unprivileged-tests.sh        (from the checkout, once .venv exists)
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
python="$repo/.venv/bin/python"
tests=(tests/domain/test_audio.py -m unprivileged)
pytest_args=(-p no:cacheprovider -q -rs)

if [ "$(id -u)" -ne 0 ]; then
  # Already unprivileged (a developer's machine): nothing to switch.
  exec "$python" -m pytest "${pytest_args[@]}" "${tests[@]}"
fi

user=${VOITEX_UNPRIVILEGED_USER:-voitex-ci}
if ! id -u "$user" >/dev/null 2>&1; then
  useradd --system --no-create-home --shell /usr/sbin/nologin "$user"
fi

work=$(mktemp -d)
opened=()  # folders given o+x below, with their old mode, to put back at exit
cleanup() {
  local entry
  for entry in "${opened[@]+"${opened[@]}"}"; do chmod "${entry%%:*}" "${entry#*:}"; done
  rm -rf "$work"
}
trap cleanup EXIT
chmod 755 "$work"

# The venv and the interpreter it links to (pyenv keeps it under /root, 0700)
# must be reachable: give "others" the right to pass through (x, not r) each
# folder above them that lacks it, for the duration of this script only.
open_path() {
  local dir=$1
  while [ "$dir" != "/" ]; do
    if [ -d "$dir" ] && [ "$(( 8#$(stat -c %a "$dir") & 1 ))" -eq 0 ]; then
      opened+=("$(stat -c %a "$dir"):$dir")
      chmod o+x "$dir"
    fi
    dir=$(dirname "$dir")
  done
}
open_path "$(dirname "$(readlink -f "$python")")"
open_path "$repo/.venv"

# The tests run in a copy the user owns (pytest and hypothesis write beside
# them); with cwd there, `console` and `tests` are imported from the copy, not
# from the original checkout the editable install points at.
mkdir "$work/repo" "$work/home"
tar -C "$repo" --exclude=./.venv --exclude=./.git --exclude=./build -cf - . | tar -C "$work/repo" -xf -
chown -R "$user" "$work/repo" "$work/home"

out="$work/pytest.out"
set +e
(cd "$work/repo" && runuser -u "$user" -- env HOME="$work/home" TMPDIR="$work/home" \
  "$python" -m pytest "${pytest_args[@]}" "${tests[@]}") 2>&1 | tee "$out"
status=${PIPESTATUS[0]}
set -e
if [ "$status" -ne 0 ]; then
  echo "the permission tests failed as user $user (exit $status)" >&2
  exit "$status"
fi
if grep -qE '^SKIPPED' "$out"; then
  echo "a permission test was skipped as user $user, so it did not really run" >&2
  exit 1
fi
