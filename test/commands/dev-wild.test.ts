/**
 * `dev -i` and `dev -p` over corrupted trees: the reference dump's resource tree and PCI lists with
 * pointers changed by an overlay (test/commands/dev-overlay.ts). A cycle or a wild pointer ends
 * the output with a crash-worded error after the lines read so far; a long name wraps as crash's
 * do_resource_list() wraps it.
 */
import { describe, expect, it } from 'vitest';
import { Session } from '../../src/session/session.js';
import { rs, skipReason } from '../support/ref-session.js';
import { Overlay } from './dev-overlay.js';

const skip = skipReason('dev -i/-p wild-pointer tests');
const BASE = 0xffffc90077700000n;
const SIZE = 0x10000n;
const WILD = 0x7777000000000000n;

describe.skipIf(!!skip)('dev -i / -p with wild pointers over the 6.1 reference dump', () => {
  const r = rs();
  const k = r.kernel;
  const off = (s: string, m: string) => BigInt(k.offsetOf(`struct ${s}`, m));
  const run = (ov: Overlay, cmd: string) => new Session(ov.kernel(k, BASE, SIZE), { dumpPath: r.ref.elf, silent: true }).runLine(cmd).text;
  const ioport = r.mapAddr('ioport_resource');
  const firstChild = r.u64(ioport + off('resource', 'child'));
  const golden = r.run('dev -i').split('\n');

  it('a sibling pointing back at the root: the lines so far, then an error, no iomem tree', () => {
    const ov = new Overlay();
    ov.u64(firstChild + off('resource', 'sibling'), ioport);
    const out = run(ov, 'dev -i').split('\n');
    // the root, its first child and that child's subtree print as before
    const subtree = r.run('dev -i').split('\n').slice(0, 3);
    expect(out.slice(0, 3)).toEqual(subtree);
    expect(out.at(-2)).toBe(`dev: duplicate resource entry: ${ioport.toString(16)}`);
    expect(out.join('\n')).not.toContain('PCI mem');
  });

  it('a wild child pointer: crash\'s invalid address error for "resource"', () => {
    const ov = new Overlay();
    ov.u64(ioport + off('resource', 'child'), WILD);
    expect(run(ov, 'dev -i')).toBe(`${golden[0]}\n${golden[1]}\ndev: invalid kernel virtual address: ${WILD.toString(16)}  type: "resource"\n`);
  });

  it('a long name wraps at the last space leaving the line within 80 columns; a NULL name is (unknown)', () => {
    const ov = new Overlay();
    const name = `${'a'.repeat(40)} ${'b'.repeat(10)} ${'c'.repeat(10)}`;
    ov.str(BASE, name);
    ov.u64(firstChild + off('resource', 'name'), BASE);
    const out = run(ov, 'dev -i').split('\n');
    const addr = firstChild.toString(16);
    const i = out.findIndex((l) => l.startsWith(addr));
    expect(out[i]).toBe(`${addr}  0000-0cf7  ${'a'.repeat(40)}`);
    expect(out[i + 1]).toBe(`${' '.repeat(29)}${'b'.repeat(10)} ${'c'.repeat(10)}`);
    const ov2 = new Overlay();
    ov2.u64(firstChild + off('resource', 'name'), 0n);
    expect(run(ov2, 'dev -i').split('\n')[2]).toBe(`${addr}  0000-0cf7  (unknown)`);
  });

  it('dev -p: a wild device list entry ends after the device header; a child bus that is the root is a cycle', () => {
    const root = r.u64(r.mapAddr('pci_root_buses'));
    const devs = root + off('pci_bus', 'devices');
    const ov = new Overlay();
    ov.u64(devs, WILD);
    const p = r.run('dev -p').split('\n');
    // fill_dev_name(): pci_dev.dev.kobj.name of the wild entry (pci_dev.bus_list is its first member)
    const name = WILD - off('pci_dev', 'bus_list') + off('pci_dev', 'dev') + off('device', 'kobj') + off('kobject', 'name');
    expect(run(ov, 'dev -p')).toBe(`${p[0]}\n${p[1]}\n${p[2]}\ndev: invalid kernel virtual address: ${name.toString(16)}  type: "kobject name"\n`);
    const cyc = new Overlay();
    cyc.u64(root + off('pci_bus', 'children'), root + off('pci_bus', 'node'));
    const out = run(cyc, 'dev -p');
    expect(out.startsWith(r.run('dev -p').replace(/\n\n$/, '\n'))).toBe(true);
    expect(out.trimEnd().split('\n').at(-1)).toBe(`dev: duplicate pci_bus entry: ${root.toString(16)}`);
  });
});
