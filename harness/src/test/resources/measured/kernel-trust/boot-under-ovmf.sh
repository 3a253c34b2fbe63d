#!/bin/bash
# Boots the debian-13 reference disk under OVMF with VARS $1 (a copy), direct kernel boot as the harness does, SSH on port $2.
# Prints nothing; QEMU's PID goes to $3/qemu.pid. Evidence in $3.
set -eu
vars=$1; port=$2; dir=$3
R=${REF:-/root/.cache/sysext-harness/reference/af956513b249b5c31b476ff54ce4e319316481518a0d13c264178cfe24864a43}
mkdir -p $dir
qemu-img create -q -f qcow2 -F raw -b $R/disk.img $dir/overlay.qcow2
cp $vars $dir/vars.fd
qemu-system-x86_64 -machine q35 -accel tcg -cpu max -smp 2 -m 1024 -nodefaults -display none -vga none -monitor none \
  -drive if=pflash,format=raw,unit=0,readonly=on,file=/usr/share/OVMF/OVMF_CODE_4M.fd \
  -drive if=pflash,format=raw,unit=1,file=$dir/vars.fd \
  -kernel $R/vmlinuz -initrd $R/initrd.img -append 'root=LABEL=COS_ACTIVE ro console=ttyS0 cryptomgr.notests mitigations=off' \
  -drive file=$dir/overlay.qcow2,if=virtio,format=qcow2,cache=unsafe \
  -netdev user,id=n0,restrict=on,hostfwd=tcp:127.0.0.1:$port-:22 -device virtio-net-pci,netdev=n0 -device virtio-rng-pci \
  -serial file:$dir/serial.log -no-reboot > $dir/qemu.log 2>&1 &
echo $! > $dir/qemu.pid
