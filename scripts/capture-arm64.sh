#!/bin/bash
# Capture a real arm64 vmcore of a Debian 12 kernel (4K pages, 48-bit VA, KASLR on).
#
# Downloads (never installs) Debian's arm64 kernel and busybox-static packages, builds a busybox
# initramfs from them (scripts/capture-arm64/mkinitramfs.sh, adapted from
# shared/refdumps/tools/mkinitramfs.sh), boots it under qemu-system-aarch64 -M virt (TCG) with
# -device vmcoreinfo, lets it panic through sysrq-c, and dumps the guest memory with QEMU's
# dump-guest-memory (scripts/capture-arm64/capture.py, adapted from shared/refdumps/tools/capture.py).
#
# Output (outside the repository):
#   $CRASH_TUI_CACHE/arm64-debian12/   (default ~/.cache/crash-tui/arm64-debian12/)
#     vmcore.elf         QEMU ELF core (physical PT_LOADs; notes: NT_PRSTATUS per CPU, VMCOREINFO)
#     vmcore.kdump-zlib  the same memory as QEMU's kdump-compressed (flattened) stream, when QEMU makes it
#     console.log        serial console (ttyAMA0) up to the panic; the initramfs prints `ps` between
#                        "refdump: ps begin" and "refdump: ps end" just before the sysrq
#     System.map         link-time addresses (add KERNELOFFSET), for checks only: taken from the
#                        linux-image-<kver>-dbg package (Debian's /boot copy is a placeholder), kept only
#                        if it agrees with every kernel-image SYMBOL() of the dump's VMCOREINFO
#     vmcoreinfo.txt     the dump's VMCOREINFO note as text
#     vmlinux            the matching debug vmlinux from the -dbg package (hard link into the pkgs cache),
#                        for the "crash-tui vmlinux vmcore" mode; kept only if its GNU build-id equals
#                        VMCOREINFO's BUILD-ID (NO_VMLINUX=1 to skip)
#     config             the kernel's config (/boot/config-<kver>)
#     qemu.log           QEMU's stderr
#     info.txt           kernel version, CPU model, capture time, key VMCOREINFO lines
#   $CRASH_TUI_CACHE/arm64-debian12.pkgs/<kver>/  the files taken from the .deb packages (kept, so
#                        FORCE=1 boots again without downloading)
#
# Idempotent: exits 0 at once when vmcore.elf is already there (FORCE=1 to redo).
# Environment:
#   CRASH_TUI_CACHE  cache root (default ~/.cache/crash-tui)
#   KVER             arm64 kernel version (default: what linux-image-arm64:arm64 depends on, e.g. 6.1.0-56-arm64)
#   CPU              QEMU -cpu model (default cortex-a57: no pointer authentication; "max" has PAC)
#   MEM, SMP         guest memory in MB (default 1024) and CPUs (default 2)
#   FORMATS          dump-guest-memory formats (default elf,kdump-zlib; elf is required)
#   NO_DBG=1         do not download the ~800 MB -dbg package (no System.map, no vmlinux)
#   NO_VMLINUX=1     take only System.map from the -dbg package, not the 300 MB vmlinux
#   FORCE=1          recapture even if the dump exists
# Needs root (apt-get, dpkg --add-architecture arm64) unless everything is already there.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
helpers=$here/capture-arm64
cache=${CRASH_TUI_CACHE:-$HOME/.cache/crash-tui}
name=arm64-debian12
out=$cache/$name
cpu=${CPU:-cortex-a57}
mem=${MEM:-1024}
smp=${SMP:-2}
formats=${FORMATS:-elf,kdump-zlib}

# shellcheck source=lib.sh
source "$here/lib.sh"
lib_init capture-arm64

if [[ -s $out/vmcore.elf && -z ${FORCE:-} ]]; then
  log "dump already present: $out/vmcore.elf ($(du -h "$out/vmcore.elf" | cut -f1)); nothing to do (FORCE=1 to redo)"
  exit 0
fi
[[ -f $helpers/capture.py && -f $helpers/mkinitramfs.sh ]] || die "$helpers/{capture.py,mkinitramfs.sh} missing"
mkdir -p "$cache"
apt_log=$cache/$name.apt.log
: >"$apt_log"

need_root() { [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null || die "$* (need root and apt-get)"; }
export DEBIAN_FRONTEND=noninteractive

# --- host packages -----------------------------------------------------------------------------
missing=()
command -v qemu-system-aarch64 >/dev/null || missing+=(qemu-system-arm)
command -v cpio >/dev/null || missing+=(cpio)
command -v gzip >/dev/null || missing+=(gzip)
command -v python3 >/dev/null || missing+=(python3)
command -v dpkg-deb >/dev/null || die "dpkg-deb not found: this script needs a Debian system"
if ((${#missing[@]})); then
  apt_install "$apt_log" "${missing[@]}"
else
  log "host packages present: qemu-system-arm ($(qemu-system-aarch64 --version | head -1)), cpio, gzip, python3"
fi

# --- arm64 packages (downloaded and unpacked into the cache, not installed) --------------------
arm64_lists_ready=
ensure_arm64_lists() {
  [[ -n $arm64_lists_ready ]] && return
  if ! dpkg --print-foreign-architectures | grep -qx arm64; then
    need_root "the arm64 architecture is not enabled in dpkg"
    log "enabling the arm64 architecture in dpkg (dpkg --add-architecture arm64) for apt-get download"
    dpkg --add-architecture arm64
    apt-get update -q >>"$apt_log" 2>&1 || { tail -20 "$apt_log" >&2; die "apt-get update failed"; }
  elif ! apt-cache show linux-image-arm64:arm64 >/dev/null 2>&1; then
    need_root "no arm64 package lists"
    apt-get update -q >>"$apt_log" 2>&1 || { tail -20 "$apt_log" >&2; die "apt-get update failed"; }
  fi
  arm64_lists_ready=1
}

pick_kver() {
  if [[ -n ${KVER:-} ]]; then echo "$KVER"; return; fi
  local k=
  if dpkg --print-foreign-architectures | grep -qx arm64 || [[ $(id -u) -eq 0 ]]; then
    ensure_arm64_lists >&2 || true
    k=$(apt-cache depends linux-image-arm64:arm64 2>/dev/null \
      | sed -n 's/^ *Depends: linux-image-\(.*-arm64\)\(:arm64\)\?$/\1/p' | head -1)
  fi
  # offline: the newest kernel already unpacked into the cache
  [[ -n $k ]] || k=$(ls "$cache/$name.pkgs" 2>/dev/null | sort -V | tail -1)
  [[ -n $k ]] || die "cannot tell which arm64 kernel to use (set KVER, e.g. KVER=6.1.0-56-arm64)"
  echo "$k"
}
kver=$(pick_kver)
pkgs=$cache/$name.pkgs/$kver

fetch_packages() {
  local dl; dl=$(mktemp -d "$cache/.$name.dl.XXXXXX")
  chmod 755 "$dl"  # apt-get download hands the file to the _apt user
  ensure_arm64_lists
  local want=("linux-image-$kver:arm64" "busybox-static:arm64")
  [[ -n ${NO_DBG:-} ]] || want+=("linux-image-$kver-dbg:arm64")
  log "downloading ${want[*]}"
  (cd "$dl" && apt-get download "${want[@]}") >>"$apt_log" 2>&1 \
    || { rm -rf "$dl"; tail -20 "$apt_log" >&2; die "apt-get download failed (log: $apt_log)"; }
  rm -rf "$pkgs.new"; mkdir -p "$pkgs.new"
  local x=$dl/x; mkdir -p "$x"
  dpkg-deb -x "$dl"/linux-image-"$kver"_*_arm64.deb "$x"
  dpkg-deb -x "$dl"/busybox-static_*_arm64.deb "$x"
  cp "$x/boot/vmlinuz-$kver" "$pkgs.new/vmlinuz"
  cp "$x/boot/config-$kver" "$pkgs.new/config"
  cp "$x/bin/busybox" "$pkgs.new/busybox"
  local ko=$x/lib/modules/$kver/kernel/drivers/firmware/qemu_fw_cfg.ko
  if [[ -f $ko.xz ]]; then xz -dc "$ko.xz" >"$pkgs.new/qemu_fw_cfg.ko"
  elif [[ -f $ko.zst ]]; then zstd -qdc "$ko.zst" >"$pkgs.new/qemu_fw_cfg.ko"
  elif [[ -f $ko ]]; then cp "$ko" "$pkgs.new/qemu_fw_cfg.ko"
  else rm -rf "$dl"; die "qemu_fw_cfg.ko not in linux-image-$kver (CONFIG_FW_CFG_SYSFS=$(grep -o 'FW_CFG_SYSFS=.' "$x/boot/config-$kver" || echo '?'))"
  fi
  if [[ -z ${NO_DBG:-} ]]; then
    # System.map and vmlinux are the first files of the -dbg data.tar: stop reading once they are out
    local members=("./usr/lib/debug/boot/System.map-$kver")
    [[ -n ${NO_VMLINUX:-} ]] || members+=("./usr/lib/debug/boot/vmlinux-$kver")
    dpkg-deb --fsys-tarfile "$dl"/linux-image-"$kver"-dbg_*_arm64.deb 2>/dev/null \
      | tar -x --occurrence=1 -C "$x" "${members[@]}" 2>/dev/null || true
    [[ -s $x/usr/lib/debug/boot/System.map-$kver ]] && mv "$x/usr/lib/debug/boot/System.map-$kver" "$pkgs.new/System.map" \
      || log "WARNING: no System.map in linux-image-$kver-dbg"
    if [[ -z ${NO_VMLINUX:-} ]]; then
      [[ -s $x/usr/lib/debug/boot/vmlinux-$kver ]] && mv "$x/usr/lib/debug/boot/vmlinux-$kver" "$pkgs.new/vmlinux" \
        || log "WARNING: no vmlinux in linux-image-$kver-dbg"
    fi
  fi
  {
    for d in "$dl"/*.deb; do dpkg-deb -W --showformat='${Package} ${Version}\n' "$d"; done
  } >"$pkgs.new/packages.txt"
  rm -rf "$dl" "$pkgs"; mv "$pkgs.new" "$pkgs"
  log "unpacked into $pkgs: $(cd "$pkgs" && echo *)"
}
if [[ -s $pkgs/vmlinuz && -s $pkgs/busybox && -s $pkgs/qemu_fw_cfg.ko && ( -n ${NO_DBG:-} || -s $pkgs/System.map ) \
      && ( -n ${NO_DBG:-} || -n ${NO_VMLINUX:-} || -s $pkgs/vmlinux ) ]]; then
  log "arm64 packages already unpacked: $pkgs ($(paste -sd, "$pkgs/packages.txt" | sed 's/,/, /g'))"
else
  fetch_packages
fi
log "kernel: $kver ($(sed -n "s/^linux-image-$kver \(.*\)/\1/p" "$pkgs/packages.txt"))"

# --- build + boot + dump -----------------------------------------------------------------------
work=$(mktemp -d "$cache/.$name.XXXXXX")
trap 'rm -rf "$work"' EXIT
log "building initramfs"
bash "$helpers/mkinitramfs.sh" "$pkgs/busybox" "$pkgs/qemu_fw_cfg.ko" "$work/initrd.cpio.gz" | sed 's/^/  /'

# What the reader needs from VMCOREINFO on arm64: the translation parameters, and the kallsyms
# tables (published since v6.0) so that no vmlinux is needed.
required=(OSRELEASE KERNELOFFSET 'NUMBER(VA_BITS)' 'NUMBER(kimage_voffset)' 'NUMBER(PHYS_OFFSET)'
  'SYMBOL(swapper_pg_dir)' 'SYMBOL(_stext)' 'SYMBOL(kallsyms_names)' 'SYMBOL(kallsyms_num_syms)'
  'SYMBOL(kallsyms_token_table)' 'SYMBOL(kallsyms_token_index)')

# KASLR is on (QEMU's virt machine passes a kaslr-seed in the DT), so every capture has another
# layout. A KERNELOFFSET of 0 would not exercise the KASLR path: boot again then (up to 3 times).
for attempt in 1 2 3; do
  rm -f "$work"/vmcore.*
  log "booting qemu-system-aarch64 -M virt TCG (-cpu $cpu, ${mem} MB, $smp CPUs) and waiting for the panic (attempt $attempt)"
  t0=$(date +%s.%N)
  python3 "$helpers/capture.py" "$pkgs/vmlinuz" "$work/initrd.cpio.gz" "$work/vmcore" \
    --cpu "$cpu" --mem "$mem" --smp "$smp" --formats "$formats" 2>&1 | sed 's/^/  /' \
    || { tail -20 "$work/vmcore.console" 2>/dev/null >&2; die "capture failed"; }
  t1=$(date +%s.%N)
  secs=$(python3 -c "print('%.1f' % ($t1 - $t0))")
  [[ -s $work/vmcore.elf ]] || die "no vmcore.elf written (see $work/vmcore.qemu.log)"

  # --- verify ----------------------------------------------------------------------------------
  vmcoreinfo=$(read_vmcoreinfo "$work/vmcore.elf" 183) || die "could not read VMCOREINFO from the dump"
  for k in "${required[@]}"; do
    grep -qF "$k=" <<<"$vmcoreinfo" || die "VMCOREINFO lacks $k"
  done
  grep -qE '^SYMBOL\(kallsyms_(offsets|addresses)\)=' <<<"$vmcoreinfo" || die "VMCOREINFO lacks SYMBOL(kallsyms_offsets) and SYMBOL(kallsyms_addresses)"
  grep -q 'sysrq: Trigger a crash' "$work/vmcore.console" || die "sysrq crash line not found on the console"
  grep -q 'refdump: ps end' "$work/vmcore.console" || log "WARNING: the initramfs's ps listing is not on the console"
  koff=$(sed -n 's/^KERNELOFFSET=//p' <<<"$vmcoreinfo")
  log "VMCOREINFO has ${#required[@]} required keys; VA_BITS=$(sed -n 's/^NUMBER(VA_BITS)=//p' <<<"$vmcoreinfo") KERNELOFFSET=$koff"
  [[ $koff == 0 && $attempt -lt 3 ]] || break
  log "KASLR picked offset 0; booting again for a randomized layout"
done

# --- install into place (atomically: a partial dump is never taken for a finished one) ---------
rm -rf "$out.new"; mkdir -p "$out.new"
mv "$work/vmcore.elf" "$out.new/vmcore.elf"
[[ -s $work/vmcore.kdump-zlib ]] && mv "$work/vmcore.kdump-zlib" "$out.new/vmcore.kdump-zlib"
mv "$work/vmcore.console" "$out.new/console.log"
mv "$work/vmcore.qemu.log" "$out.new/qemu.log" 2>/dev/null || true
chmod 644 "$out.new"/vmcore.*  # QEMU creates them 0400
printf '%s\n' "$vmcoreinfo" >"$out.new/vmcoreinfo.txt"
cp "$pkgs/config" "$out.new/config"
# System.map, for checks only: taken only if every kernel-image SYMBOL() in the dump's VMCOREINFO
# equals its System.map address + KERNELOFFSET.
smap_src=
if [[ -s $pkgs/System.map ]]; then
  if n=$(smap_check "$pkgs/System.map" "$out.new/vmcoreinfo.txt" stext); then
    smap_src="linux-image-$kver-dbg:arm64 /usr/lib/debug/boot/System.map-$kver"
    cp "$pkgs/System.map" "$out.new/System.map"
    log "System.map: $smap_src (all $n kernel-image SYMBOL()s of VMCOREINFO agree)"
  else
    log "WARNING: the -dbg package's System.map disagrees with the dump's VMCOREINFO; not kept"
  fi
else
  log "WARNING: no System.map (NO_DBG set, or the -dbg package lacks it)"
fi
build_id() {  # $1 = ELF file; prints its NT_GNU_BUILD_ID in hex
  python3 - "$1" <<'PY'
import struct, sys
f = open(sys.argv[1], "rb"); eh = f.read(64)
assert eh[:4] == b"\x7fELF" and eh[4] == 2
shoff, = struct.unpack_from("<Q", eh, 40); shentsize, shnum = struct.unpack_from("<HH", eh, 58)
for i in range(shnum):
    f.seek(shoff + i * shentsize)
    _, sh_type, _, _, off, size = struct.unpack("<IIQQQQ", f.read(40))
    if sh_type != 7: continue  # SHT_NOTE
    f.seek(off); d = f.read(size); o = 0
    while o + 12 <= len(d):
        nsz, dsz, typ = struct.unpack_from("<III", d, o); o += 12
        name = d[o:o + nsz].rstrip(b"\0"); o += (nsz + 3) & ~3
        desc = d[o:o + dsz]; o += (dsz + 3) & ~3
        if name == b"GNU" and typ == 3: print(desc.hex()); sys.exit(0)
sys.exit("no build-id")
PY
}
vmlinux_src=
if [[ -s $pkgs/vmlinux ]]; then
  want=$(sed -n 's/^BUILD-ID=//p' <<<"$vmcoreinfo")
  have=$(build_id "$pkgs/vmlinux" || true)
  if [[ -n $want && $have == "$want"* ]]; then
    ln "$pkgs/vmlinux" "$out.new/vmlinux" 2>/dev/null || cp "$pkgs/vmlinux" "$out.new/vmlinux"
    vmlinux_src="linux-image-$kver-dbg:arm64 /usr/lib/debug/boot/vmlinux-$kver (build-id $have)"
    log "vmlinux: $vmlinux_src matches VMCOREINFO BUILD-ID"
  else
    log "WARNING: the -dbg vmlinux build-id ${have:-?} differs from VMCOREINFO BUILD-ID ${want:-?}; not kept"
  fi
fi
{
  echo "kernel: $kver ($(sed -n "s/^linux-image-$kver \(.*\)/\1/p" "$pkgs/packages.txt")) arm64"
  echo "packages: $(paste -sd, "$pkgs/packages.txt" | sed 's/,/, /g')"
  echo "qemu: $(qemu-system-aarch64 --version | head -1)"
  echo "machine: virt  cpu: $cpu  mem: ${mem}M  smp: $smp  accel: TCG"
  echo "capture seconds (boot to dump written): $secs"
  echo "formats: $(cd "$out.new" && ls vmcore.* | paste -sd' ')"
  echo "System.map from: ${smap_src:-none}"
  echo "vmlinux from: ${vmlinux_src:-none}"
  grep -E '^(OSRELEASE|PAGESIZE|KERNELOFFSET|NUMBER\((VA_BITS|kimage_voffset|PHYS_OFFSET|TCR_EL1_T1SZ|KERNELPACMASK)\)|SYMBOL\((swapper_pg_dir|_stext)\))=' <<<"$vmcoreinfo"
} >"$out.new/info.txt"
rm -rf "$out"; mv "$out.new" "$out"
rm -f "$apt_log"

log "captured in ${secs}s: $out/vmcore.elf ($(du -h "$out/vmcore.elf" | cut -f1))"
sed 's/^/  /' "$out/info.txt"
log "files: $(cd "$out" && echo *)"
