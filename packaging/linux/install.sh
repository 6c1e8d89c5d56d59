#!/usr/bin/env bash
# Install the Voitex Console bundle this script sits in, with its menu entry.
#
#     ./install.sh                   for the current user, under ~/.local
#     sudo ./install.sh --prefix /usr/local      for everyone on this computer
#     ./install.sh --uninstall       (with the same --prefix) removes it again
#
# It copies the bundle to PREFIX/lib/voitex-console, links PREFIX/bin/voitex-console
# to it, and installs the menu entry (with "Open with Voitex Console" for wav and
# mp3 files), the icons and the AppStream metainfo under PREFIX/share.
set -euo pipefail

app_id=com.voitex.Console
name=voitex-console
prefix="$HOME/.local"
action=install

while [ $# -gt 0 ]; do
    case "$1" in
        --prefix) prefix=${2:?--prefix needs a folder}; shift 2 ;;
        --prefix=*) prefix=${1#--prefix=}; shift ;;
        --uninstall) action=uninstall; shift ;;
        -h|--help) sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "install.sh: unknown option $1 (try --help)" >&2; exit 2 ;;
    esac
done

case "$prefix" in
    /*) ;;
    *) prefix="$(pwd)/$prefix" ;;
esac
case "$prefix" in
    *[\"\`\$\\%\|\&]*)
        echo "install.sh: the folder $prefix contains a character a menu entry cannot hold" >&2
        exit 2 ;;
esac

bundle=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
share="$prefix/share"
target="$prefix/lib/$name"
command="$prefix/bin/$name"
desktop="$share/applications/$app_id.desktop"
metainfo="$share/metainfo/$app_id.metainfo.xml"
sizes="16 32 48 64 128 256"

refresh_caches() {
    # Menus and icon themes pick the changes up sooner with fresh caches;
    # neither tool is required.
    if command -v update-desktop-database >/dev/null 2>&1; then
        update-desktop-database -q "$share/applications" || true
    fi
    if command -v gtk-update-icon-cache >/dev/null 2>&1 && [ -f "$share/icons/hicolor/index.theme" ]; then
        gtk-update-icon-cache -q -t "$share/icons/hicolor" || true
    fi
}

if [ "$action" = uninstall ]; then
    rm -rf "$target"
    rm -f "$command" "$desktop" "$metainfo" "$share/icons/hicolor/scalable/apps/$app_id.svg"
    for size in $sizes; do
        rm -f "$share/icons/hicolor/${size}x${size}/apps/$app_id.png"
    done
    refresh_caches
    echo "Voitex Console was removed from $prefix."
    exit 0
fi

if [ ! -x "$bundle/$name" ] || [ ! -d "$bundle/_internal/resources/icons" ]; then
    echo "install.sh: $bundle is not a Voitex Console bundle (run the install.sh inside one)" >&2
    exit 1
fi

mkdir -p "$prefix/lib" "$prefix/bin" "$share/applications" "$share/metainfo"
if [ "$bundle" != "$target" ]; then
    rm -rf "$target.new"
    cp -a "$bundle" "$target.new"
    rm -rf "$target"
    mv "$target.new" "$target"
fi
ln -sfn "$target/$name" "$command"

icons="$target/_internal/resources/icons"
install -D -m 644 "$icons/$name.svg" "$share/icons/hicolor/scalable/apps/$app_id.svg"
for size in $sizes; do
    install -D -m 644 "$icons/$name-$size.png" "$share/icons/hicolor/${size}x${size}/apps/$app_id.png"
done

# The menu entry starts the command by its full path: PREFIX/bin is not on
# every desktop session's PATH.
sed "s|^Exec=$name |Exec=\"$command\" |" "$target/_internal/linux/$app_id.desktop" > "$desktop.new"
chmod 644 "$desktop.new"
mv "$desktop.new" "$desktop"
install -m 644 "$target/_internal/linux/$app_id.metainfo.xml" "$metainfo"
refresh_caches

echo "Voitex Console is installed: $command"
echo "Its menu entry is $desktop."
