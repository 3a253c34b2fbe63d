#!/usr/bin/env bash
# mmdebstrap setup hook: with BACKPORTS=yes, systemd and udev (and their libraries) come from <suite>-backports,
# everything else from <suite>.
set -euo pipefail
root=$1
if [ "${BACKPORTS:-no}" = yes ]; then
  mkdir -p "$root/etc/apt/preferences.d"
  printf 'Package: *systemd* *udev*\nPin: release n=%s-backports\nPin-Priority: 990\n' "$SUITE" \
    > "$root/etc/apt/preferences.d/systemd-from-backports"
fi
