#!/usr/bin/env bash
# Installs the Debian packages learning-to-see needs to build and run, when missing.
# LTS_TEST_PACKAGES=1 adds what the tests use (Xvfb, liblo-tools for a foreign OSC client).
set -euo pipefail

packages=(pkg-config clang libclang-dev libfontconfig1-dev libudev-dev libasound2-dev
  libxkbcommon-dev libwayland-dev libvulkan1 mesa-vulkan-drivers libx11-xcb1 libxcursor1
  libxrandr2 libxi6 libxkbcommon-x11-0 ffmpeg)
if [ "${LTS_TEST_PACKAGES:-0}" = 1 ]; then
  packages+=(xvfb xauth liblo-tools systemd)
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}"
  sudo=""
  [ "$(id -u)" = 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
