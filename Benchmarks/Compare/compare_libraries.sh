#!/usr/bin/env bash
# `make bench-compare`: this library against other ESL client libraries, all
# driven against the same `genesis simulate` on this machine, in one run.
#
#   Benchmarks/Compare/compare_libraries.sh [ROUNDS] [SCALE]
#
# ROUNDS (default 3): every client runs every measurement once per round,
# interleaved; the best round counts. SCALE (default 1) multiplies the work
# per run (0.1 for a quick check).
#
# Environment:
#   GENESIS_BIN   the release `genesis` CLI to measure; when unset it is built
#                 with `swift build -c release --static-swift-stdlib --product
#                 genesis` (the runtime linked statically, as deployed)
#   PYTHON        the interpreter for the virtual environment (default: the
#                 first of python3.12, python3.11, python3.10, python3 that is
#                 3.10-3.12, which the Python `genesis` requires)
#   COMPARE_VENV  the virtual environment (default Benchmarks/.build/venv)
#
# Installs from PyPI into that private environment: genesis (the Python
# library this project follows, at the version surveyed in PEERS.md),
# greenswitch and python-ESL (the SWIG binding of FreeSWITCH's libesl; built
# here, with swig and a C++ compiler from Debian when they are missing). A
# library that cannot be installed is reported as such in the table.
set -euo pipefail
cd "$(dirname "$0")/../.."

rounds=${1:-3}
scale=${2:-1}
GENESIS_PY_VERSION=2026.5.20
GREENSWITCH_VERSION=0.0.19
PYTHON_ESL_VERSION=1.4.18
venv=${COMPARE_VENV:-Benchmarks/.build/venv}
status_file=Benchmarks/.build/compare-install-status.tsv
log=Benchmarks/.build/compare-install.log
sudo=$([ "$(id -u)" = 0 ] || echo sudo)
mkdir -p Benchmarks/.build
: >"$log"

# --- Debian packages -------------------------------------------------------
apt_install() {
  local missing=""
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
  done
  if [ -n "$missing" ]; then
    echo "installing Debian packages:$missing"
    { $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq $missing; } >>"$log" 2>&1 \
      || echo "warning: could not install$missing (see $log)"
  fi
}
command -v swig >/dev/null || apt_install swig
command -v c++ >/dev/null || apt_install g++

# --- Python and the virtual environment ------------------------------------
python_ok() { "$1" -c 'import sys; sys.exit(not ((3, 10) <= sys.version_info[:2] < (3, 13)))' 2>/dev/null; }
if [ -z "${PYTHON:-}" ]; then
  for candidate in python3.12 python3.11 python3.10 python3; do
    if command -v "$candidate" >/dev/null && python_ok "$candidate"; then PYTHON=$candidate; break; fi
  done
fi
PYTHON=${PYTHON:-python3}
python_ok "$PYTHON" || echo "warning: $PYTHON is not 3.10-3.12; the Python genesis needs that range"
if ! "$PYTHON" -c 'import ensurepip' 2>/dev/null; then apt_install python3-venv; fi
if ! "$PYTHON" -c 'import sysconfig, os, sys; sys.exit(not os.path.exists(os.path.join(sysconfig.get_paths()["include"], "Python.h")))'; then
  apt_install python3-dev
fi
[ -x "$venv/bin/python" ] || "$PYTHON" -m venv "$venv" >>"$log" 2>&1
vpy=$venv/bin/python
"$vpy" -m pip install -q --upgrade pip >>"$log" 2>&1 || true

# installed DIST VERSION: is that exact version already in the environment?
installed() { [ "$("$vpy" -m pip show "$1" 2>/dev/null | sed -n 's/^Version: //p')" = "$2" ]; }
# The last meaningful line of a failed pip run, for the table.
reason() { grep -E 'error|Error|ERROR' "$1" | grep -v failed-wheel-build | grep -v '^ *$' | tail -1 | cut -c1-140 | tr '\t|' '  '; }

: >"$status_file"
install_simple() {  # key dist version import-name
  local key=$1 dist=$2 version=$3 module=$4 out=Benchmarks/.build/pip-$1.log
  if installed "$dist" "$version" || "$vpy" -m pip install -q "$dist==$version" >"$out" 2>&1; then
    if "$vpy" -c "import $module" 2>>"$out"; then
      printf '%s\tok\n' "$key" >>"$status_file"; echo "$dist $version: installed"; return
    fi
  fi
  printf '%s\t%s\n' "$key" "pip install $dist==$version failed: $(reason "$out")" >>"$status_file"
  echo "$dist $version: NOT installed (see $out)"
}
install_simple genesis_py genesis "$GENESIS_PY_VERSION" genesis
install_simple greenswitch greenswitch "$GREENSWITCH_VERSION" greenswitch

# python-ESL 1.4.18's setup.py passes `-classic` to swig, an option swig 4
# removed, so a plain `pip install` fails with current Debian swig. Then the
# PyPI sdist is built by hand: swig without -classic, the same extension.
install_python_esl() {
  local out=Benchmarks/.build/pip-libesl.log work=Benchmarks/.build/python-esl-src
  if installed python-ESL "$PYTHON_ESL_VERSION" && "$vpy" -c 'import ESL' 2>/dev/null; then
    printf 'libesl\tok\n' >>"$status_file"; echo "python-ESL $PYTHON_ESL_VERSION: installed"; return
  fi
  if ! "$vpy" -m pip install -q "python-ESL==$PYTHON_ESL_VERSION" >"$out" 2>&1; then
    echo "python-ESL: pip install failed ($(reason "$out")); building the sdist without swig's -classic"
    rm -rf "$work" && mkdir -p "$work"
    if "$vpy" -m pip download -q --no-binary :all: --no-deps -d "$work" "python-ESL==$PYTHON_ESL_VERSION" >>"$out" 2>&1 \
      && tar -xzf "$work"/python-ESL-*.tar.gz -C "$work" \
      && (cd "$work"/python-ESL-"$PYTHON_ESL_VERSION" \
          && swig -python -c++ -DMULTIPLICITY -threads -I. -o ESL_wrap.cpp ESL.i \
          && sed -i "s/'ESL.i'\]/'ESL_wrap.cpp']/; s/'-classic', //" setup.py) >>"$out" 2>&1 \
      && "$vpy" -m pip install -q "$work"/python-ESL-"$PYTHON_ESL_VERSION" >>"$out" 2>&1; then
      :
    else
      printf 'libesl\t%s\n' "python-ESL $PYTHON_ESL_VERSION could not be built: $(reason "$out")" >>"$status_file"
      echo "python-ESL: NOT installed (see $out)"; return
    fi
  fi
  if "$vpy" -c 'import ESL' 2>>"$out"; then
    printf 'libesl\tok\n' >>"$status_file"; echo "python-ESL $PYTHON_ESL_VERSION: installed"
  else
    printf 'libesl\t%s\n' "python-ESL installed but does not import: $(reason "$out")" >>"$status_file"
    echo "python-ESL: NOT importable (see $out)"
  fi
}
install_python_esl

# --- the Swift CLI and the simulator ---------------------------------------
if [ -z "${GENESIS_BIN:-}" ]; then
  swift build -c release --static-swift-stdlib --product genesis >/dev/null
  GENESIS_BIN=$(swift build -c release --static-swift-stdlib --show-bin-path)/genesis
fi
[ -x "$GENESIS_BIN" ] || { echo "no genesis CLI at $GENESIS_BIN" >&2; exit 1; }
GENESIS_BIN=$(cd "$(dirname "$GENESIS_BIN")" && pwd)/$(basename "$GENESIS_BIN")
echo "genesis CLI: $GENESIS_BIN"

port=$("$vpy" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
password=ClueCon
"$GENESIS_BIN" simulate --port "$port" --password "$password" >/dev/null &
simulator=$!
trap 'kill $simulator 2>/dev/null; wait $simulator 2>/dev/null || true' EXIT
for _ in $(seq 50); do
  (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
  sleep 0.1
done
echo "simulator on 127.0.0.1:$port; $rounds round(s), scale $scale"
echo

PYTHONDONTWRITEBYTECODE=1 "$vpy" Benchmarks/Compare/run_all.py "$GENESIS_BIN" "$(cd "$venv" && pwd)/bin/python" "$port" "$password" \
  "$rounds" "$scale" "$status_file"
