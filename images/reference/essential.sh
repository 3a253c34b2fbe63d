#!/usr/bin/env bash
# mmdebstrap essential hook (before the kernel and initramfs-tools are installed): put the Kairos layout into
# initramfs-tools now, so the kernel's own postinst builds the one initramfs we need instead of building it twice.
set -euo pipefail
root=$1
install -D -m 0755 "$RECIPE_FILES/kairos-overlay-hook" "$root/etc/initramfs-tools/hooks/kairos-overlay"
install -D -m 0755 "$RECIPE_FILES/reference-init" "$root/usr/share/sysext-harness/initramfs-init"
# Only what a virtio node needs to find and mount its disk: a small initramfs is built and unpacked faster.
install -D -m 0644 "$RECIPE_FILES/initramfs-modules.conf" "$root/etc/initramfs-tools/conf.d/kairos-modules.conf"
