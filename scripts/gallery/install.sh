#!/usr/bin/env bash
# Installs the gallery show as a systemd user service that starts at login and restarts on
# exit. Arguments go to `lts live` (default: --gallery --playlist day).
#   scripts/gallery/install.sh --gallery --monitor 1 --playlist day
#   scripts/gallery/install.sh --unit-only DIR     # only write the unit into DIR (tests)
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
unit_dir="${XDG_CONFIG_HOME:-$HOME/.config}/systemd/user"
install=1
if [ "${1:-}" = "--unit-only" ]; then
  unit_dir="$2"
  install=0
  shift 2
fi
args="$*"
[ -n "$args" ] || args="--gallery --playlist day"
mkdir -p "$unit_dir"
unit="$unit_dir/learning-to-see.service"
sed -e "s#@ROOT@#$root#g" -e "s#@ARGS@#$args#g" \
  "$root/scripts/gallery/learning-to-see.service" > "$unit"
if command -v systemd-analyze > /dev/null; then
  systemd-analyze verify "$unit"
fi
echo "wrote $unit"
if [ "$install" = 1 ]; then
  # The first start builds the show; build now so the service starts at once.
  (cd "$root" && scripts/setup.sh && cargo build --release --bin lts)
  systemctl --user daemon-reload
  systemctl --user enable --now learning-to-see.service
  echo "installed: starts at login, restarts on exit"
  echo "logs: journalctl --user -u learning-to-see -f"
  echo "stop: systemctl --user disable --now learning-to-see"
fi
