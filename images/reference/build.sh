#!/usr/bin/env bash
# Builds the Kairos-layout reference node: a Debian rootfs (mmdebstrap) turned into one GPT disk
# with COS_OEM / COS_ACTIVE / COS_PERSISTENT partitions, plus the kernel and initramfs for direct boot.
#
# Usage: build.sh OUT_DIR
# Environment (all set by the harness from the flavor file):
#   SUITE                 Debian suite, e.g. bookworm
#   MIRROR                Debian mirror URL
#   BACKPORTS             "yes" to take systemd from SUITE-backports
#   SYSEXT_HIERARCHIES    colon list written into the systemd-sysext drop-in and /etc/profile.d
#   IMAGE_POLICY          --image-policy value for the drop-in, empty when systemd < 254
#   EXTRA_PACKAGES        comma list of packages beyond the recipe's own (flavor field image.reference.packages)
# Output in OUT_DIR: disk.img (raw GPT), vmlinuz, initrd.img, rootfs.tar, systemd-version.txt
set -euo pipefail
out=${1:?usage: build.sh OUT_DIR}
here=$(cd "$(dirname "$0")" && pwd)
: "${SUITE:?}" "${MIRROR:?}" "${SYSEXT_HIERARCHIES:?}"
export IMAGE_POLICY=${IMAGE_POLICY:-} BACKPORTS=${BACKPORTS:-no} RECIPE_FILES="$here/files" SUITE

mkdir -p "$out"
work=$(mktemp -d "$out/.work.XXXXXX")
trap 'rm -rf "$work"' EXIT

# zstd: the runtime unpacker (files/oci-unpack) reads zstd layers with it.
# libcryptsetup12: systemd opens it to set up dm-verity for a verity DDI (Kairos images carry it too).
packages=systemd,systemd-sysv,udev,kmod,dbus,openssh-server,sudo,iproute2,procps,busybox,linux-image-amd64,initramfs-tools,zstd,e2fsprogs,attr,squashfs-tools,libcryptsetup12
if [ -n "${EXTRA_PACKAGES:-}" ]; then
  packages="$packages,$EXTRA_PACKAGES"
fi
sources=("deb $MIRROR $SUITE main")
if [ "$BACKPORTS" = yes ]; then
  sources+=("deb $MIRROR $SUITE-backports main")
fi

echo "step rootfs: mmdebstrap $SUITE (backports=$BACKPORTS)"
# Valid-Until may be past on a frozen sid/snapshot index; the recipe accepts it rather than a person editing apt config.
mmdebstrap --mode=root --variant=minbase --include="$packages" \
  --aptopt='Acquire::Check-Valid-Until "false"' \
  --dpkgopt=force-unsafe-io \
  --dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/doc/*' \
  --dpkgopt='path-exclude=/usr/share/locale/*' --dpkgopt='path-include=/usr/share/locale/locale.alias' \
  --setup-hook="\"$here/setup.sh\" \"\$1\"" \
  --essential-hook="\"$here/essential.sh\" \"\$1\"" \
  --customize-hook="\"$here/customize.sh\" \"\$1\"" \
  "$SUITE" "$work/rootfs" "${sources[@]}"

echo "step kernel: copy kernel and initramfs"
cp "$(ls "$work"/rootfs/boot/vmlinuz-* | sort -V | tail -n1)" "$work/vmlinuz"
cp "$(ls "$work"/rootfs/boot/initrd.img-* | sort -V | tail -n1)" "$work/initrd.img"
chroot "$work/rootfs" dpkg-query -W -f='${Version}\n' systemd > "$work/systemd-version.txt"

echo "step rootfs.tar: archive the rootfs (container images are imported from it)"
tar --numeric-owner --xattrs -C "$work/rootfs" -cf "$work/rootfs.tar" .

echo "step disk: GPT with COS_OEM, COS_ACTIVE, COS_PERSISTENT"
mkdir -p "$work/oem" "$work/persistent/.state/var-lib-extensions.bind" "$work/persistent/.state/opt.bind"
oem_mib=64 active_mib=1536 persistent_mib=1024
truncate -s $((1 + oem_mib + active_mib + persistent_mib + 1))M "$work/disk.img"
sfdisk -q "$work/disk.img" <<SF
label: gpt
start=1MiB, size=${oem_mib}MiB, type=linux, name=COS_OEM
size=${active_mib}MiB, type=linux, name=COS_ACTIVE
size=${persistent_mib}MiB, type=linux, name=COS_PERSISTENT
SF
# mkfs straight into the partitions of the GPT file: no loop device, no mount.
offset=1
for part in "COS_OEM $oem_mib $work/oem" "COS_ACTIVE $active_mib $work/rootfs" "COS_PERSISTENT $persistent_mib $work/persistent"; do
  set -- $part
  mkfs.ext4 -q -F -L "$1" -d "$3" -E offset=$((offset * 1024 * 1024)) "$work/disk.img" "$(($2 * 1024))k"
  offset=$((offset + $2))
done
sfdisk --verify "$work/disk.img" >/dev/null

mv "$work/disk.img" "$work/vmlinuz" "$work/initrd.img" "$work/rootfs.tar" "$work/systemd-version.txt" "$out/"
echo "step done: systemd $(cat "$out/systemd-version.txt")"
