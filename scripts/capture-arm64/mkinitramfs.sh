#!/bin/bash
# Build an arm64 busybox initramfs that brings up a small userland, then panics the kernel
# (sysrq c) so QEMU can dump it. Adapted from shared/refdumps/tools/mkinitramfs.sh: the busybox
# binary and qemu_fw_cfg.ko come from the arm64 Debian packages (extracted, not installed),
# and the userland prints what it runs (`ps`) between markers so tests know which tasks to expect.
# usage: mkinitramfs.sh BUSYBOX QEMU_FW_CFG_KO OUT.cpio.gz
set -euo pipefail
BB=$1 FWCFG=$2 OUT=$3
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
mkdir -p "$root"/{bin,sbin,proc,sys,dev,tmp,mnt,lib/modules}
cp "$BB" "$root/bin/busybox"
for a in sh mount insmod sleep cat echo dd nc mkdir md5sum ls ps ip ifconfig sync; do ln -s busybox "$root/bin/$a"; done
cp "$FWCFG" "$root/lib/modules/qemu_fw_cfg.ko"
cat > "$root/init" <<'INIT'
#!/bin/sh
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
mount -t tmpfs tmp /tmp
# the vmcoreinfo device (QEMU -device vmcoreinfo) is read through the guest's fw_cfg driver
insmod /lib/modules/qemu_fw_cfg.ko
ip link set lo up 2>/dev/null || ifconfig lo 127.0.0.1 up
# some life: sleepers, a page-cache file, a loopback TCP connection
(while true; do sleep 1; done) &
sleep 1000 &
dd if=/dev/urandom of=/tmp/blob bs=4096 count=64 2>/dev/null
md5sum /tmp/blob > /tmp/blob.md5
nc -l -p 3260 > /dev/null &
sleep 1
(sleep 1000 | nc 127.0.0.1 3260) &
sleep 1
echo "refdump: userland up" > /dev/kmsg
# what runs just before the panic (user processes; kernel threads may come and go)
echo "refdump: ps begin"
ps -o pid,ppid,comm
echo "refdump: ps end"
echo "refdump: triggering sysrq-c" > /dev/kmsg
echo 1 > /proc/sys/kernel/sysrq
echo c > /proc/sysrq-trigger
sleep 1000
INIT
chmod +x "$root/init"
(cd "$root" && find . | cpio -o -H newc 2>/dev/null | gzip -9) > "$OUT"
echo "wrote $OUT"
