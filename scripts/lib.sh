# Shared by the capture scripts (source it; bash only): logging, package installs through apt-get,
# and the two checks every capture makes on the dump it wrote (its VMCOREINFO note, and whether a
# System.map agrees with it).

# lib_init NAME: log/die print "NAME: ..." lines
lib_init() { LIB_NAME=$1; }
log() { echo "${LIB_NAME:-capture}: $*"; }
die() { echo "${LIB_NAME:-capture}: ERROR: $*" >&2; exit 1; }

# apt_install LOGFILE PACKAGE...: install with apt-get (root only), refreshing the package lists
# once when the first attempt fails (a fresh machine may have none); dies with the log's tail.
apt_install() {
  local logf=$1; shift
  [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null || die "missing packages: $* (need root and apt-get to install them)"
  log "installing: $*"
  export DEBIAN_FRONTEND=noninteractive
  if ! apt-get install -y -q --no-install-recommends "$@" >>"$logf" 2>&1; then
    apt-get update -q >>"$logf" 2>&1 || true
    apt-get install -y -q --no-install-recommends "$@" >>"$logf" 2>&1 \
      || { tail -20 "$logf" >&2; die "apt-get install failed (log: $logf)"; }
  fi
}

# read_vmcoreinfo ELF [E_MACHINE]: print the VMCOREINFO note of an ELF core (readelf -n shows it only
# as hex); with E_MACHINE (62 x86_64, 183 aarch64) the core must be of that machine.
read_vmcoreinfo() {
  python3 - "$1" "${2:-}" <<'PY'
import struct, sys
f = open(sys.argv[1], "rb"); eh = f.read(64)
if eh[:4] != b"\x7fELF" or eh[4] != 2: sys.exit("not an ELF64 file")
if sys.argv[2] and struct.unpack_from("<H", eh, 18)[0] != int(sys.argv[2]):
    sys.exit("e_machine is not %s" % sys.argv[2])
phoff, = struct.unpack_from("<Q", eh, 32); phentsize, phnum = struct.unpack_from("<HH", eh, 54)
for i in range(phnum):
    f.seek(phoff + i * phentsize)
    p_type, _, p_off, _, _, p_filesz = struct.unpack("<IIQQQQ", f.read(40))
    if p_type != 4: continue  # PT_NOTE
    f.seek(p_off); d = f.read(p_filesz); o = 0
    while o + 12 <= len(d):
        nsz, dsz, typ = struct.unpack_from("<III", d, o); o += 12
        name = d[o:o + nsz].rstrip(b"\0"); o += (nsz + 3) & ~3
        desc = d[o:o + dsz]; o += (dsz + 3) & ~3
        if name == b"VMCOREINFO":
            sys.stdout.write(desc.rstrip(b"\0").decode()); sys.exit(0)
sys.exit("no VMCOREINFO note (did the guest load qemu_fw_cfg.ko?)")
PY
}

# smap_check SYSTEM_MAP VMCOREINFO_TXT FLOOR: print how many kernel-image SYMBOL()s of VMCOREINFO
# equal their System.map address + KERNELOFFSET, or fail naming the first that does not. FLOOR is the
# lowest kernel-image address as hex, or "stext" for SYMBOL(_stext) - 1 GiB (arm64: SYMBOL(mem_section)
# is a linear-map pointer, not an image symbol).
smap_check() {
  python3 - "$1" "$2" "$3" <<'PY'
import re, sys
syms = {}
for l in open(sys.argv[1], errors="replace"):
    f = l.split()
    if len(f) >= 3: syms.setdefault(f[2], f[0])
info = dict(l.split("=", 1) for l in open(sys.argv[2]).read().splitlines() if "=" in l)
koff = int(info.get("KERNELOFFSET", "0"), 16); n = 0
floor = int(info["SYMBOL(_stext)"], 16) - (1 << 30) if sys.argv[3] == "stext" else int(sys.argv[3], 16)
for k, v in info.items():
    m = re.fullmatch(r"SYMBOL\((\w+)\)", k)
    if m and int(v, 16) >= floor:
        if m.group(1) not in syms: continue  # e.g. x86 swapper_pg_dir, a macro for init_top_pgt
        if int(syms[m.group(1)], 16) + koff != int(v, 16):
            sys.exit("%s: System.map %s + %x != %s" % (m.group(1), syms[m.group(1)], koff, v))
        n += 1
if n < 5: sys.exit("only %d symbols to compare" % n)
print(n)
PY
}
