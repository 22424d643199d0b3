#!/usr/bin/env bash
# Build the frozen app (PyInstaller, one folder) and run it as a user would, away from the source tree:
# inspect and inspect --load-weights on a model folder, the first start without a model, gui FILE,
# and gui --run. Prints the build time, the bundle's size and the gui --run time.
#   packaging/check_frozen.sh [--dist DIR] [--no-build] [--model FOLDER]
# DIR (default: a new temporary folder) receives dist/bertinspector/; --no-build tests what is there.
# FOLDER defaults to a tiny BERT masked-LM written by tests/modelfactory.py (no download).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
python=${PYTHON:-python3}
work=""
build=1
model=""
while [ $# -gt 0 ]; do
    case $1 in
        --dist) work=${2:?--dist needs a folder}; shift 2 ;;
        --no-build) build=0; shift ;;
        --model) model=${2:?--model needs a folder}; shift 2 ;;
        -h|--help) sed -n '2,7s/^# \{0,1\}//p' "$0"; exit 0 ;;
        *) echo "check_frozen.sh: unknown option $1" >&2; exit 2 ;;
    esac
done
work=${work:-$(mktemp -d)}
mkdir -p "$work"
work=$(cd "$work" && pwd)
app=$work/dist/bertinspector/bertinspector

if [ "$build" = 1 ]; then
    if ! "$python" -c "import PyInstaller" 2>/dev/null; then
        "$python" -m pip install -q -e "$root[packaging]"
    fi
    echo "frozen app: building in $work (several minutes)"
    started=$(date +%s)
    "$python" -m PyInstaller --noconfirm --log-level WARN --distpath "$work/dist" --workpath "$work/build" \
        "$root/packaging/bertinspector.spec" > "$work/build.log" 2>&1 \
        || { tail -n 40 "$work/build.log"; echo "frozen app: the build failed (log: $work/build.log)" >&2; exit 1; }
    build_seconds=$(( $(date +%s) - started ))
    rm -rf "$work/build"
else
    build_seconds="not built"
fi
[ -x "$app" ] || { echo "frozen app: $app is missing" >&2; exit 1; }
bundle_mb=$(du -sm "$work/dist/bertinspector" | cut -f1)

# A clean user: own home, settings and data folders, no network, no display, away from the source tree.
sandbox=$work/user
rm -rf "$sandbox"
mkdir -p "$sandbox/home"
if [ -z "$model" ]; then
    model=$sandbox/tiny-bert
    PYTHONPATH="$root/tests" "$python" -c "
import sys
from pathlib import Path
import modelfactory
modelfactory.build_bert(Path(sys.argv[1]), architecture='BertForMaskedLM')" "$model"
fi
printf 'Hello from a text file: the café owner is naïve.\n' > "$sandbox/notes.txt"
cd "$sandbox"
export HOME=$sandbox/home XDG_CONFIG_HOME=$sandbox/home/.config XDG_DATA_HOME=$sandbox/home/.local/share
export HF_HOME=$sandbox/home/hf HF_HUB_OFFLINE=1 QT_QPA_PLATFORM=offscreen
unset PYTHONPATH PYTHONHOME DISPLAY WAYLAND_DISPLAY

failures=0
check() {  # check NAME EXPECTED_STATUS PATTERN-IN-OUTPUT -- COMMAND...
    local name=$1 expected=$2 pattern=$3 status=0
    shift 4
    "$@" > "$sandbox/$name.out" 2> "$sandbox/$name.err" || status=$?
    if [ "$status" != "$expected" ] || grep -q "Traceback" "$sandbox/$name.err" \
        || { [ -n "$pattern" ] && ! grep -Eq -- "$pattern" "$sandbox/$name.out" "$sandbox/$name.err"; }; then
        echo "frozen app: FAIL $name (exit $status, expected $expected; wanted /$pattern/)"
        tail -n 15 "$sandbox/$name.err"
        failures=$((failures + 1))
    else
        echo "frozen app: ok   $name"
    fi
}
picture() {  # picture NAME: the screenshot exists and is a PNG
    if ! head -c 8 "$sandbox/$1.png" 2>/dev/null | grep -q "PNG"; then
        echo "frozen app: FAIL $1 wrote no PNG"
        failures=$((failures + 1))
    fi
}

check version 0 "bertinspector [0-9]" -- "$app" --version
check no-default 2 "this app carries no model" -- "$app" inspect default --text "hello"
if grep -q "pip install" "$sandbox/no-default.err"; then
    echo "frozen app: FAIL no-default advises pip install"; failures=$((failures + 1))
fi
check inspect 0 "\[CLS\]" -- "$app" inspect "$model" --text "Hello world, the café is open." --fail-on never
check load-weights 0 "reach the model" -- "$app" inspect "$model" --load-weights --text "Hello world." --fail-on never
check first-start 0 "" -- "$app" gui --screenshot first-start.png
picture first-start
check gui-folder 0 "" -- "$app" gui "$model" --text "A model folder given as FILE." --screenshot gui-folder.png
picture gui-folder
check gui-text-file 0 "" -- "$app" gui notes.txt --model "$model" --screenshot gui-text-file.png
picture gui-text-file
run_started=$(date +%s%N)
check gui-run 0 "" -- "$app" gui --model "$model" --text "The capital of France is [MASK]." --run --screenshot gui-run.png
run_ms=$(( ($(date +%s%N) - run_started) / 1000000 ))
run_seconds=$((run_ms / 1000)).$(( (run_ms % 1000) / 100 ))
picture gui-run

echo "frozen app: build ${build_seconds} s, bundle ${bundle_mb} MB, gui --run ${run_seconds} s (launch to screenshot of the run)"
echo "frozen app: screenshots in $sandbox"
if [ "$failures" != 0 ]; then
    echo "frozen app: $failures check(s) failed"
    exit 1
fi
echo "frozen app: every check passed"
