#!/bin/bash
# Capture a real x86_64 vmcore of a Debian 12 kernel running with 5-level paging (LA57).
#
# Boots the Debian kernel + a busybox initramfs under QEMU TCG with `-cpu max` (which has LA57,
# so the kernel enables 5-level paging), lets it panic through sysrq-c, and dumps the guest
# memory as a QEMU ELF core. Uses the reference-dump tools in shared/refdumps/tools/
# (mkinitramfs.sh, capture.py) unchanged.
#
# Output (outside the repository):
#   $CRASH_TUI_CACHE/x86_64-5level/   (default ~/.cache/crash-tui/x86_64-5level/)
#     vmcore.elf     QEMU ELF core (physical PT_LOADs; notes: NT_PRSTATUS, QEMU, VMCOREINFO)
#     console.log    serial console up to the panic
#     System.map     link-time addresses (add KERNELOFFSET), for checks only: /boot/System.map-<kver>
#                    if real, else the -dbg package's, else shared/refdumps/*/System.map, whichever
#                    agrees with the dump's VMCOREINFO (Debian's /boot copy is a placeholder)
#     vmcoreinfo.txt the dump's VMCOREINFO note as text (readelf -n shows it only as hex)
#     qemu.log       QEMU's stderr
#     info.txt       kernel version, CPU model, capture time, key VMCOREINFO lines
#
# Idempotent: exits 0 at once when vmcore.elf is already there (FORCE=1 to redo).
# Environment:
#   CRASH_TUI_CACHE  cache root (default ~/.cache/crash-tui)
#   KVER             kernel version to boot (default: newest /boot/vmlinuz-*-amd64, installing
#                    linux-image-amd64 when there is none)
#   CPU              QEMU -cpu model (default "max"; e.g. "max,la57=on" or "qemu64,+la57")
#   MEM, SMP         guest memory in MB (default 512) and CPUs (default 2)
#   REFDUMP_TOOLS    folder holding capture.py and mkinitramfs.sh
#   FORCE=1          recapture even if the dump exists
# TCG only: nested KVM hangs on these machines (do not set REFDUMP_KVM).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/.." && pwd)
cache=${CRASH_TUI_CACHE:-$HOME/.cache/crash-tui}
out=$cache/x86_64-5level
cpu=${CPU:-max}
mem=${MEM:-512}
smp=${SMP:-2}

# shellcheck source=lib.sh
source "$here/lib.sh"
lib_init capture-5level

if [[ -s $out/vmcore.elf && -z ${FORCE:-} ]]; then
  log "dump already present: $out/vmcore.elf ($(du -h "$out/vmcore.elf" | cut -f1)); nothing to do (FORCE=1 to redo)"
  exit 0
fi

# --- tools -----------------------------------------------------------------------------------
tools=${REFDUMP_TOOLS:-}
if [[ -z $tools ]]; then
  for d in "$repo/../shared/refdumps/tools" /work/shared/refdumps/tools; do
    [[ -f $d/capture.py && -f $d/mkinitramfs.sh ]] && { tools=$(cd "$d" && pwd); break; }
  done
fi
[[ -n $tools && -f $tools/capture.py && -f $tools/mkinitramfs.sh ]] \
  || die "capture.py/mkinitramfs.sh not found (set REFDUMP_TOOLS)"
log "tools: $tools"

# --- packages --------------------------------------------------------------------------------
missing=()
have_pkg() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }
command -v qemu-system-x86_64 >/dev/null || missing+=(qemu-system-x86)
[[ -x /usr/bin/busybox || -x /bin/busybox ]] && have_pkg busybox-static || missing+=(busybox-static)
command -v cpio >/dev/null || missing+=(cpio)
command -v zstd >/dev/null || missing+=(zstd)
command -v python3 >/dev/null || missing+=(python3)
command -v gzip >/dev/null || missing+=(gzip)

pick_kver() {
  if [[ -n ${KVER:-} ]]; then echo "$KVER"; return; fi
  ls /boot/vmlinuz-*-amd64 2>/dev/null | sed 's|^/boot/vmlinuz-||' | grep -v -e '-cloud-' -e '-rt-' | sort -V | tail -1
}
kver=$(pick_kver || true)
if [[ -n ${KVER:-} ]]; then
  [[ -f /boot/vmlinuz-$KVER ]] || missing+=("linux-image-$KVER")
elif [[ -z $kver ]]; then
  missing+=(linux-image-amd64)
fi

mkdir -p "$cache"
if ((${#missing[@]})); then
  apt_install "$out.apt.log" "${missing[@]}"
  kver=$(pick_kver)
else
  log "packages present: qemu-system-x86, busybox-static, cpio, zstd, kernel $kver"
fi
[[ -n $kver && -f /boot/vmlinuz-$kver ]] || die "no kernel image /boot/vmlinuz-$kver"
[[ -f /lib/modules/$kver/kernel/drivers/firmware/qemu_fw_cfg.ko ]] \
  || die "/lib/modules/$kver/kernel/drivers/firmware/qemu_fw_cfg.ko missing (mkinitramfs.sh needs it uncompressed)"
log "kernel: $kver ($(dpkg-query -W -f='${Version}' "linux-image-$kver" 2>/dev/null || echo '?'))"

# --- build + boot + dump ---------------------------------------------------------------------
work=$(mktemp -d "$cache/.x86_64-5level.XXXXXX")
trap 'rm -rf "$work"' EXIT
log "building initramfs"
bash "$tools/mkinitramfs.sh" "$kver" "$work/initrd.cpio.gz" | sed 's/^/  /'

# KASLR is on, so every capture has another layout. A virtual KERNELOFFSET of 0 (about 1 boot in 500)
# would not exercise the KASLR path: boot again then (up to 3 times).
for attempt in 1 2 3; do
  rm -f "$work"/vmcore.*
  log "booting under QEMU TCG (-cpu $cpu, ${mem} MB, $smp CPUs) and waiting for the panic (attempt $attempt)"
  t0=$(date +%s.%N)
  python3 "$tools/capture.py" "/boot/vmlinuz-$kver" "$work/initrd.cpio.gz" "$work/vmcore" \
    --cpu "$cpu" --mem "$mem" --smp "$smp" --formats elf 2>&1 | sed 's/^/  /' \
    || { tail -20 "$work/vmcore.console" 2>/dev/null >&2; die "capture failed"; }
  t1=$(date +%s.%N)
  secs=$(python3 -c "print('%.1f' % ($t1 - $t0))")
  [[ -s $work/vmcore.elf ]] || die "no vmcore.elf written (see $work/vmcore.qemu.log)"

  # --- verify --------------------------------------------------------------------------------
  vmcoreinfo=$(read_vmcoreinfo "$work/vmcore.elf" 62) || die "could not read VMCOREINFO from the dump"
  l5=$(sed -n 's/^NUMBER(pgtable_l5_enabled)=//p' <<<"$vmcoreinfo")
  koff=$(sed -n 's/^KERNELOFFSET=//p' <<<"$vmcoreinfo")
  grep -q 'sysrq: Trigger a crash' "$work/vmcore.console" || log "WARNING: sysrq crash line not found on the console"
  if [[ $l5 != 1 ]]; then
    cp "$work/vmcore.console" "$cache/x86_64-5level.failed-console.log" 2>/dev/null || true
    die "the guest did not run with 5-level paging (NUMBER(pgtable_l5_enabled)=${l5:-absent}); try CPU='max,la57=on' or CPU='qemu64,+la57'"
  fi
  log "5-level paging on (NUMBER(pgtable_l5_enabled)=1), KERNELOFFSET=${koff:-?}"
  [[ ${koff:-0} == 0 && $attempt -lt 3 ]] || break
  log "KASLR picked offset 0; booting again for a randomized layout"
done

# --- install into place (atomically: a partial dump is never taken for a finished one) -------
rm -rf "$out.new"; mkdir -p "$out.new"
mv "$work/vmcore.elf" "$out.new/vmcore.elf"
mv "$work/vmcore.console" "$out.new/console.log"
mv "$work/vmcore.qemu.log" "$out.new/qemu.log" 2>/dev/null || true
printf '%s\n' "$vmcoreinfo" >"$out.new/vmcoreinfo.txt"
# System.map, for checks only. Debian's /boot/System.map-<kver> is an 83-byte placeholder ("The real
# System.map is in the linux-image-<version>-dbg package"), so also look at the -dbg package's copy and
# at the reference dumps' System.map (same Debian build?). A candidate is taken only if every kernel-image
# SYMBOL() in the dump's VMCOREINFO equals its System.map address + KERNELOFFSET.
smap_src=
for c in "/boot/System.map-$kver" "/usr/lib/debug/boot/System.map-$kver" "$tools"/../*/System.map; do
  [[ -f $c ]] || continue
  if n=$(smap_check "$c" "$out.new/vmcoreinfo.txt" ffffffff80000000 2>/dev/null); then smap_src=$(realpath "$c"); cp "$c" "$out.new/System.map"; break; fi
done
if [[ -n $smap_src ]]; then
  log "System.map: $smap_src (all $n kernel-image SYMBOL()s of VMCOREINFO agree)"
else
  log "WARNING: no System.map matching this kernel build (Debian's /boot one is a placeholder; install linux-image-$kver-dbg)"
fi
{
  echo "kernel: $kver ($(dpkg-query -W -f='${Version}' "linux-image-$kver" 2>/dev/null || echo '?'))"
  echo "qemu: $(qemu-system-x86_64 --version | head -1)"
  echo "cpu: $cpu  mem: ${mem}M  smp: $smp  accel: TCG"
  echo "capture seconds (boot to dump written): $secs"
  echo "System.map from: ${smap_src:-none}"
  grep -E '^(OSRELEASE|PAGESIZE|KERNELOFFSET|NUMBER\(phys_base\)|SYMBOL\(init_top_pgt\)|NUMBER\(pgtable_l5_enabled\))=' <<<"$vmcoreinfo"
} >"$out.new/info.txt"
rm -rf "$out"; mv "$out.new" "$out"
rm -f "$out.apt.log"

log "captured in ${secs}s: $out/vmcore.elf ($(du -h "$out/vmcore.elf" | cut -f1))"
sed 's/^/  /' "$out/info.txt"
log "files: $(cd "$out" && echo *)"
