#!/usr/bin/env bash
# Regenerate test/golden/crash-8.0.2-extra/: what the real crash 8.0.2 (Debian 12) prints for the
# commands in commands.txt on the reference x86_64 dump. Needs the Debian packages crash and
# linux-image-6.1.0-56-amd64-dbg (858 MB .deb: only its vmlinux is kept, in ~/.cache/crash-tui) and
# ../shared/refdumps. The outputs are committed; tests never run crash.
set -euo pipefail
cd "$(dirname "$0")/.."
CACHE=${XDG_CACHE_HOME:-$HOME/.cache}/crash-tui
REF=../shared/refdumps/x86_64-debian12-sysrq
VML=$CACHE/vmlinux-6.1.0-56-amd64
ELF=$CACHE/x86_64-debian12-sysrq.vmcore.elf
OUT=test/golden/crash-8.0.2-extra
mkdir -p "$CACHE"
command -v crash >/dev/null || apt-get install -y --no-install-recommends crash
if [ ! -f "$VML" ]; then
  tmp=$(mktemp -d); (cd "$tmp" && apt-get download linux-image-6.1.0-56-amd64-dbg)
  dpkg-deb --fsys-tarfile "$tmp"/*.deb | tar -x -C "$tmp" ./usr/lib/debug/boot/vmlinux-6.1.0-56-amd64
  mv "$tmp/usr/lib/debug/boot/vmlinux-6.1.0-56-amd64" "$VML"; rm -rf "$tmp"
fi
[ -f "$ELF" ] || zstd -d --long=27 -q -o "$ELF" "$REF/vmcore.elf.zst"
find "$OUT" -name '[0-9]*.txt' -delete
bash "$REF/../tools/goldens.sh" "$VML" "$ELF" "$OUT" "$OUT/commands.txt"
rm -f "$OUT/_all.txt"
