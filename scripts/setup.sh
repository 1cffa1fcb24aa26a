#!/usr/bin/env bash
# Install everything autograph needs on a fresh Debian machine that has Python 3.11 and pip:
# Graphviz (renders pictures), a Hangul font (Korean labels in PNGs), Chromium and its
# driver (the browser test of the step-through player), and the package with its dev tools,
# the docs tools (MkDocs, nbclient: the site and the tutorial notebooks) and the PyTorch
# extra (torch==2.13.0, the CPU build: autograph.torch and its tests).
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
command -v dot >/dev/null 2>&1 || missing+=(graphviz)
fc-list 2>/dev/null | grep -qi nanum || missing+=(fonts-nanum)
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v chromedriver >/dev/null 2>&1 || missing+=(chromium-driver)
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" = 0 ] || sudo="sudo"
  echo "setup: installing Debian packages: ${missing[*]}" >&2
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
    "${missing[@]}" >/dev/null
fi

python3 -m pip install -q --disable-pip-version-check -e ".[dev,docs,torch]"
