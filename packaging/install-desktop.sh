#!/usr/bin/env bash
# Install (or remove) the desktop entry, the AppStream metainfo, the session file type and the icon.
#   packaging/install-desktop.sh [--prefix DIR] [--exec COMMAND] [--uninstall]
# DIR defaults to $XDG_DATA_HOME, else ~/.local/share (use /usr/local/share for every user).
# COMMAND is what the menu entry starts (default: bertinspector, found on PATH); give the frozen
# app's path to install it: --exec "$PWD/dist/bertinspector/bertinspector".
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
app_id=io.github.bertinspector.bertinspector
prefix=${XDG_DATA_HOME:-$HOME/.local/share}
command=bertinspector
uninstall=0

usage() { sed -n '2,6s/^# \{0,1\}//p' "$0"; }
while [ $# -gt 0 ]; do
    case $1 in
        --prefix) prefix=${2:?--prefix needs a folder}; shift 2 ;;
        --exec) command=${2:?--exec needs a command}; shift 2 ;;
        --uninstall) uninstall=1; shift ;;
        -h|--help) usage; exit 0 ;;
        *) echo "install-desktop.sh: unknown option $1" >&2; usage >&2; exit 2 ;;
    esac
done

entry=$prefix/applications/$app_id.desktop
metainfo=$prefix/metainfo/$app_id.metainfo.xml
mime=$prefix/mime/packages/$app_id.xml
icon=$prefix/icons/hicolor/scalable/apps/$app_id.svg

if [ "$uninstall" = 1 ]; then
    rm -f "$entry" "$metainfo" "$mime" "$icon"
    echo "removed the desktop entry, metainfo, session type and icon from $prefix"
else
    case $command in
        *[!A-Za-z0-9_./+-]*) echo "install-desktop.sh: --exec takes a plain path (letters, digits, _ . / + -)" >&2; exit 2 ;;
    esac
    if ! command -v "$command" >/dev/null 2>&1; then
        echo "install-desktop.sh: warning: $command is not on PATH; the menu entry will not start until it is" >&2
    fi
    install -d "$(dirname "$entry")" "$(dirname "$metainfo")" "$(dirname "$mime")" "$(dirname "$icon")"
    sed "s#^Exec=bertinspector #Exec=$command #" "$here/$app_id.desktop" > "$entry.tmp"
    mv "$entry.tmp" "$entry"
    install -m 644 "$here/$app_id.metainfo.xml" "$metainfo"
    install -m 644 "$here/$app_id.mime.xml" "$mime"
    install -m 644 "$here/../bertinspector/assets/bertinspector.svg" "$icon"
    echo "installed $entry, $metainfo, $mime and $icon"
fi

# refresh the caches the desktop reads, where their tools exist
if command -v update-desktop-database >/dev/null 2>&1; then update-desktop-database -q "$prefix/applications" 2>/dev/null || true; fi
if command -v update-mime-database >/dev/null 2>&1 && [ -d "$prefix/mime/packages" ]; then update-mime-database "$prefix/mime" || true; fi
if command -v gtk-update-icon-cache >/dev/null 2>&1 && [ -f "$prefix/icons/hicolor/index.theme" ]; then
    gtk-update-icon-cache -q -t "$prefix/icons/hicolor" || true
fi
