#!/usr/bin/env bash
# Install everything autograph needs on a fresh Debian machine that has Python 3.11 and pip:
# Graphviz (renders pictures), a Hangul font (Korean labels in PNGs), Chromium and its
# driver (the browser test of the step-through player), and the package with its dev tools.
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

# PyTorch (tests compare the image ops with it): the CPU wheel, not PyPI's CUDA build
python3 -c "import torch" 2>/dev/null || python3 -m pip install -q --disable-pip-version-check \
  torch --index-url https://download.pytorch.org/whl/cpu
python3 -m pip install -q --disable-pip-version-check -e ".[dev]"
