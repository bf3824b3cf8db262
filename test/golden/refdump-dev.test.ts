/**
 * `dev -i`, `dev -p`, `dev -d` and `dev -D` on the reference dump (Debian 6.1 x86_64 under QEMU,
 * booted from a busybox initramfs with no disk driver loaded).
 *
 * -i and -p equal crash 8.0.2's output byte for byte (74_dev_i.txt, 75_dev_p.txt); the resource
 * tree also keeps the kernel's own invariant (a child's range lies inside its parent's).
 * -d/-D: crash 8.0.2 prints only its header here, and that is right: the machine has no gendisk
 * (the console log shows no disk; `dev` shows blkext as the only block major, with no gendisk).
 * The test checks that against the dump itself: block_class's klist of devices is empty.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { rs, skipReason } from '../support/ref-session.js';
import { ioResources } from '../../src/kernel/helpers/resource.js';
import { pciTree } from '../../src/kernel/helpers/pci.js';

const GOLDEN = join(dirname(fileURLToPath(import.meta.url)), 'crash-8.0.2-extra');
const golden = (f: string) => readFileSync(join(GOLDEN, f), 'latin1');
/** crash 8.0.2's `dev -d` on this dump (run by hand: crash -s vmlinux vmcore, `dev -d`). */
const DISK_HEADER = 'MAJOR GENDISK            NAME       REQUEST_QUEUE      TOTAL  READ WRITE \n';

const skip = skipReason('dev -i/-p/-d reference-dump tests');

describe.skipIf(!!skip)('dev -i/-p/-d on x86_64-debian12-sysrq', () => {
  it('dev -i equals crash 8.0.2 (ioport_resource, then iomem_resource)', () => {
    expect(rs().run('dev -i')).toBe(golden('74_dev_i.txt'));
  });

  it('every resource lies inside its parent, and the roots are the two symbols', () => {
    const r = rs();
    const trees = ioResources(r.kernel);
    expect(trees.map((t) => t.entries[0].addr)).toEqual([r.mapAddr('ioport_resource'), r.mapAddr('iomem_resource')]);
    for (const t of trees) {
      expect(t.error).toBeUndefined();
      const path: { start: bigint; end: bigint }[] = [];
      for (const e of t.entries) {
        path.length = e.depth;
        if (e.depth) {
          const p = path[e.depth - 1];
          expect(e.start >= p.start && e.end <= p.end, `${e.name} in its parent`).toBe(true);
        }
        path.push(e);
        // the struct resource really holds these numbers (start at +0, end at +8 in v6.1)
        expect(r.u64(e.addr)).toBe(e.start);
        expect(r.u64(e.addr + 8n)).toBe(e.end);
      }
    }
  });

  it('dev -p equals crash 8.0.2 (one root bus, six devices)', () => {
    expect(rs().run('dev -p')).toBe(golden('75_dev_p.txt'));
    const t = pciTree(rs().kernel);
    expect(t.roots.length).toBe(1);
    // every device's bus pointer is its root bus
    const busOff = BigInt(rs().kernel.offsetOf('struct pci_dev', 'bus'));
    for (const d of t.roots[0].devices) expect(rs().u64(d.addr + busOff)).toBe(t.roots[0].addr);
  });

  it('dev -d / -D: no disks on this machine, crash 8.0.2 header only', () => {
    const r = rs();
    const k = r.kernel;
    const p = r.u64(r.mapAddr('block_class') + BigInt(k.offsetOf('struct class', 'p')));
    const head = p + BigInt(k.offsetOf('struct subsys_private', 'klist_devices') + k.offsetOf('struct klist', 'k_list'));
    expect(r.u64(head)).toBe(head); // the klist is empty
    expect(r.run('dev -d')).toBe(DISK_HEADER);
    expect(r.run('dev -D')).toBe(DISK_HEADER);
  });

  it('the first of -i/-p/-d runs, as crash getopt loop returns after it; arguments are refused', () => {
    expect(rs().run('dev -p -i')).toBe(golden('75_dev_p.txt'));
    expect(rs().run('dev -i -d')).toBe(golden('74_dev_i.txt'));
    expect(rs().run('dev -x')).toMatch(/^dev: invalid option -- 'x'/);
  });
});
