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
# The flavors' runtimeUnpack: pulls an OCI image from the run's registry and applies its layers (see the script).
install -D -m 0755 "$files/oci-unpack" "$root/usr/libexec/sysext-harness/oci-unpack"
install -D -m 0644 "$files/oci-plan.awk" "$root/usr/libexec/sysext-harness/oci-plan.awk"
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
# More of the same. Under TCG each unit started costs systemd itself ~70 ms of CPU (measured with systemd-run on
# debian-12), beside what the unit's own process costs, so the early boot is CPU-bound on the two emulated CPUs:
# huge pages, the debug, trace and config file systems, FUSE, EFI pstore (no firmware store on a direct-kernel
# boot), utmp records, a getty on a VT no display shows, the random seed file (virtio-rng seeds the kernel), network
# units from ip= arguments (none given), and the remount of / (reference-init mounts it read-only, as fstab says).
# Not kmod-static-nodes: systemd 262 no longer loads the loop module at boot, and without the static
# /dev/loop-control, whose first open loads it, every raw image fails ("Failed to read metadata ...: No such file or
# directory").
chroot "$root" systemctl mask dev-hugepages.mount sys-kernel-debug.mount sys-kernel-tracing.mount \
  sys-kernel-config.mount modprobe@configfs.service sys-fs-fuse-connections.mount modprobe@fuse.service \
  modprobe@efi_pstore.service systemd-update-utmp.service systemd-update-utmp-runlevel.service \
  getty@tty1.service systemd-random-seed.service systemd-network-generator.service \
  systemd-remount-fs.service
# Generators run at every boot and every daemon-reload (which systemd-sysext asks for on newer versions); each costs
# 170-260 ms of CPU under TCG. These ones look for what a reference node has not: encrypted, integrity or verity
# volumes named on the kernel command line or in /etc, GPT partitions to mount automatically, a resume device, a
# system update, rc.local, SysV scripts without a native unit, systemd.run=; and on newer systemd, a factory reset,
# images to import, and sshd on AF_UNIX and vsock sockets (the harness has its own channel). Kept: fstab, getty,
# debug (the kernel's systemd.mask= and debug shell) and the harness's own.
mkdir -p "$root/etc/systemd/system-generators"
for generator in cryptsetup gpt-auto hibernate-resume integritysetup rc-local run system-update sysv veritysetup \
  factory-reset import ssh; do
  ln -sf /dev/null "$root/etc/systemd/system-generators/systemd-$generator-generator"
done
# /var is a tmpfs overlay, so flushing the journal from /run to /var/log/journal at boot copies it from one tmpfs to
# another: keep it in /run, with the room the persistent journal had.
mkdir -p "$root/etc/systemd/journald.conf.d"
printf '[Journal]\nStorage=volatile\nRuntimeMaxUse=48M\n' > "$root/etc/systemd/journald.conf.d/sysext-harness.conf"
# Calendar timers with Persistent=: a restored node's clock jumps from when its state was saved to now, so a timer
# whose time passed meanwhile fires at once, in the first cell after the restore (dpkg-db-backup spent 3.0 s of CPU
# beside a cell's own commands on debian-12 after a state saved the day before; apt-daily would also log a failed
# download). A test node never needs them.
chroot "$root" systemctl mask apt-daily.timer apt-daily-upgrade.timer dpkg-db-backup.timer e2scrub_all.timer fstrim.timer

cat > "$root/etc/fstab" <<FSTAB
LABEL=COS_ACTIVE / ext4 ro 0 0
tmpfs /tmp tmpfs nosuid,nodev,mode=1777 0 0
FSTAB
# An empty machine-id: each boot makes a fresh one in the ephemeral /etc, as on Kairos.
: > "$root/etc/machine-id"
mkdir -p "$root/oem" "$root/srv" "$root/opt" "$root/var/lib/extensions" "$root/etc/extensions"
# Kairos's fs.after stage (99_sysext.yaml) creates the runtime search path at every boot; tmpfiles does it here.
printf 'd /run/extensions 0755 root root -\nd /run/confexts 0755 root root -\n' > "$root/etc/tmpfiles.d/kairos-extensions.conf"

# The initramfs (built once, by the kernel package, with essential.sh's hook) must run the reference node's /init.
chroot "$root" sh -c 'rm -rf /tmp/initrd && unmkinitramfs /boot/initrd.img-* /tmp/initrd'
grep -qs "sysext-harness reference node /init" "$root/tmp/initrd/init" "$root/tmp/initrd/main/init" \
  || { echo "customize: the initramfs's /init is not reference-init" >&2; exit 1; }
rm -rf "$root/tmp/initrd"

# The image is up to date, as an image built by a Dockerfile is: without these stamps (written by
# systemd-update-done.service into the ephemeral /etc and /var, so lost at every reboot) ConditionNeedsUpdate= would
# run systemd-sysusers, ldconfig and the catalog and hwdb updates at every boot.
touch "$root/etc/.updated" "$root/var/.updated"

# Nothing host-specific may leak into the image.
rm -f "$root/etc/resolv.conf"
rm -rf "$root/var/cache/apt/archives/"*.deb "$root/var/lib/apt/lists/"*
