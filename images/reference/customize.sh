#!/usr/bin/env bash
# mmdebstrap customize hook: turns a plain Debian rootfs into something that looks like a Kairos node to sysext.
# $1 is the rootfs. Environment: SYSEXT_HIERARCHIES, IMAGE_POLICY, RECIPE_FILES (see build.sh).
set -euo pipefail
root=$1
files=$RECIPE_FILES

echo kairos > "$root/etc/hostname"
printf '127.0.0.1 localhost\n127.0.1.1 kairos\n' > "$root/etc/hosts"

# The same login protocol the harness uses on Kairos: kairos/kairos, passwordless sudo, SSH password login.
chroot "$root" useradd -m -s /bin/bash -G sudo kairos
# SHA-512 rather than Debian's default yescrypt, and no motd scripts in sshd's PAM session: under TCG they cost
# about 0.4 s and 0.2 s of every SSH login, and the harness logs in once per scenario.
echo kairos:kairos | chroot "$root" chpasswd -c SHA512
sed -i '/pam_motd\.so/d' "$root/etc/pam.d/sshd"
echo 'kairos ALL=(ALL) NOPASSWD: ALL' > "$root/etc/sudoers.d/kairos"
chmod 0440 "$root/etc/sudoers.d/kairos"
mkdir -p "$root/etc/ssh/sshd_config.d"
printf 'PasswordAuthentication yes\nUseDNS no\n' > "$root/etc/ssh/sshd_config.d/kairos.conf"

install -D -m 0644 "$files/20-wired.network" "$root/etc/systemd/network/20-wired.network"
# The harness's command channel: a root and a login-user shell on virtio-serial ports, started by udev when QEMU
# gives the machine those ports. A restored node answers on them at once: no SSH login per scenario.
install -D -m 0644 "$files/sysext-harness-shell-root.service" "$root/etc/systemd/system/sysext-harness-shell-root.service"
install -D -m 0644 "$files/sysext-harness-shell-user.service" "$root/etc/systemd/system/sysext-harness-shell-user.service"
install -D -m 0644 "$files/90-sysext-harness-channel.rules" "$root/etc/udev/rules.d/90-sysext-harness-channel.rules"
install -D -m 0644 "$files/modprobe-blacklist.conf" "$root/etc/modprobe.d/reference-node-blacklist.conf"

# Kairos's systemd-sysext drop-in (kairos-init 99_sysext.yaml): hierarchy list, refresh as ExecStart,
# --image-policy only where systemd knows it (>= 254; the flavor leaves IMAGE_POLICY empty otherwise).
policy=""
[ -n "${IMAGE_POLICY:-}" ] && policy=" --image-policy=\"$IMAGE_POLICY\""
mkdir -p "$root/etc/systemd/system/systemd-sysext.service.d"
cat > "$root/etc/systemd/system/systemd-sysext.service.d/kairos.conf" <<CONF
[Service]
TimeoutStartSec=10
ExecStart=
ExecStart=systemd-sysext refresh$policy
ExecReload=
ExecReload=systemd-sysext refresh$policy
Environment="SYSTEMD_SYSEXT_HIERARCHIES=$SYSEXT_HIERARCHIES"
[Unit]
JobRunningTimeoutSec=5
CONF
echo "export SYSTEMD_SYSEXT_HIERARCHIES=\"$SYSEXT_HIERARCHIES\"" > "$root/etc/profile.d/systemd-sysext.sh"

chroot "$root" systemctl enable systemd-networkd ssh systemd-sysext
# Under TCG the harness's kernel argument sysext-harness.tcg-timeouts=SECONDS gives systemd-sysext.service that
# budget through this generator, instead of a drop-in and a daemon-reload at every cold boot (about 3 s under TCG).
install -D -m 0755 "$files/sysext-harness-tcg-timeouts" "$root/usr/lib/systemd/system-generators/sysext-harness-tcg-timeouts"
# Boot work a throwaway test node never needs, which under TCG competes for the two emulated CPUs with what it does
# need (systemd-analyze blame on debian-12: e2scrub_reap 14.1 s, modprobe@drm 4.0 s, in a 33 s boot): e2scrub_reap
# removes stale ext4-on-LVM scrub snapshots (there is no LVM here), and no node has a display.
chroot "$root" systemctl mask e2scrub_reap.service modprobe@drm.service

cat > "$root/etc/fstab" <<FSTAB
LABEL=COS_ACTIVE / ext4 ro 0 0
tmpfs /tmp tmpfs nosuid,nodev,mode=1777 0 0
FSTAB
# An empty machine-id: each boot makes a fresh one in the ephemeral /etc, as on Kairos.
: > "$root/etc/machine-id"
mkdir -p "$root/oem" "$root/srv" "$root/opt" "$root/var/lib/extensions" "$root/etc/extensions"
# Kairos's fs.after stage (99_sysext.yaml) creates the runtime search path at every boot; tmpfiles does it here.
printf 'd /run/extensions 0755 root root -\nd /run/confexts 0755 root root -\n' > "$root/etc/tmpfiles.d/kairos-extensions.conf"

# The initramfs (built once, by the kernel package, with essential.sh's hook and script) must carry the layout.
grep -q kairos-layout <(chroot "$root" sh -c 'lsinitramfs /boot/initrd.img-*') \
  || { echo "customize: initramfs lacks the kairos-layout script" >&2; exit 1; }

# Nothing host-specific may leak into the image.
rm -f "$root/etc/resolv.conf"
rm -rf "$root/var/cache/apt/archives/"*.deb "$root/var/lib/apt/lists/"*
