import type { DevResult, SwapResult } from '../commands/proc-results.js';
import type { DevDiskResult, DevIoResult, DevPciResult } from '../commands/dev-results.js';
import type { PciBus, PciDevice } from '../kernel/helpers/pci.js';
import { hex, mkstring } from './mkstring.js';

/** dump_swap_info() (memory.c): swap_info_hdr, then one line per area in use. */
export function formatSwap(r: SwapResult): string {
  let s = 'SWAP_INFO_STRUCT    TYPE       SIZE       USED     PCT  PRI  FILENAME\n';
  for (const x of r.rows) {
    s += `${mkstring(hex(x.addr), 16, 'center-ljust')}  ${x.type} ${mkstring(`${x.sizeK}k`, 10, 'center-rjust')} ${mkstring(`${x.usedK}k`, 10, 'center-rjust')} `;
    s += `${mkstring(`${String(x.pct).padStart(2)}%`, 4, 'center-rjust')} ${String(x.prio).padStart(4)}  ${x.file}\n`;
  }
  return s;
}

/** cmd_dev(): dump_chrdevs(), a blank line, dump_blkdevs_v3() (dev.c). */
export function formatDev(r: DevResult): string {
  const line = (major: number, name: string, addr: bigint | undefined, ops: string | undefined) =>
    ` ${String(major).padStart(3)}      ${name.padEnd(13)} ` + (ops === undefined ? ` ${mkstring('(none)', 16, 'center')}\n` : ` ${hex(addr ?? 0n).padStart(16)}  ${ops}\n`);
  let s = `CHRDEV    NAME           ${mkstring('CDEV', 16, 'center')}  ${mkstring('OPERATIONS', 16, 'ljust')}\n`;
  for (const c of r.chr) s += line(c.major, c.name, c.cdev, c.ops);
  s += `\nBLKDEV    NAME           ${mkstring('GENDISK', 16, 'center-rjust')}  ${mkstring('OPERATIONS', 16, 'ljust')}\n`;
  for (const b of r.blk) s += line(b.major, b.name, b.gendisk, b.ops);
  return s;
}

/** do_io() / do_resource_list() (dev.c): each tree's header, then one line per resource, names wrapped at 80 columns. */
export function formatDevIo(r: DevIoResult): string {
  let s = '';
  r.trees.forEach((t, i) => {
    const size = t.rootEnd > 0xffffn ? 8 : 4;
    const wrap = 16 + 2 + (size * 2 + 1) + 2;
    s += `${i ? '\n' : ''}${mkstring('RESOURCE', 16, 'center-ljust')}  ${mkstring('RANGE', size * 2 + 1, 'center-ljust')}  NAME\n`;
    for (const e of t.entries) {
      s += `${hex(e.addr).padStart(8)}  ${hex(e.start).padStart(size, '0')}-${hex(e.end).padStart(size, '0')}`;
      const name = e.name;
      if (wrap + name.length <= 80) {
        s += `  ${name}\n`;
        continue;
      }
      // break at the last space that leaves the line within 80 columns, the rest under the name
      const need = wrap + name.length - 80;
      let cut = -1;
      for (let p = name.length - 1, c = 0; p > 0; p--, c++) {
        if (name[p] === ' ' && c >= need) {
          cut = p;
          break;
        }
      }
      s += cut < 0 ? `  ${name}\n` : `  ${name.slice(0, cut)}\n${' '.repeat(wrap)}${name.slice(cut + 1)}\n`;
    }
  });
  return s;
}

/** do_pci2() / walk_devices() / walk_buses() (dev.c). */
export function formatDevPci(r: DevPciResult): string {
  const devHdr =
    `  ${mkstring('PCI DEV', 16, 'center')} ${mkstring('DO:BU:SL.FN', 12, 'center')} ${mkstring('CLASS', 6, 'center')} ${mkstring('PCI_ID', 9, 'center')}` +
    (r.hasType ? ` ${mkstring('TYPE', 10, 'center')}\n` : '\n');
  const devLine = (d: PciDevice) =>
    `  ${hex(d.addr).padEnd(16)} ${mkstring(d.name, 12, 'center')} ${mkstring(d.cls, 6, 'center')} ${mkstring(d.id, 9, 'center')}` +
    (r.hasType ? ` ${mkstring(d.type ?? '', 10, 'center')}\n` : '\n');
  const devices = (b: PciBus) => devHdr + (b.self ? devLine(b.self) : '') + b.devices.map(devLine).join('');
  const buses = (b: PciBus): string =>
    b.children
      .map((c) => `  ${mkstring('PCI BUS', 16, 'center')} ${mkstring('PARENT BUS', 16, 'center')}\n  ${hex(c.addr).padEnd(16)} ${hex(c.parent).padEnd(16)}\n${devices(c)}${c.devicesDone ? '\n' : ''}${buses(c)}`)
      .join('');
  let s = '';
  for (const root of r.roots) {
    s += `${mkstring('ROOT BUS', 16, 'center')} ${mkstring('BUSNAME', 7, 'center')}\n`;
    s += `${hex(root.addr).padEnd(16)} ${mkstring(root.name, 7, 'center')}\n${devices(root)}${buses(root)}${root.done ? '\n' : ''}`;
  }
  return s;
}

/** display_all_diskio() / display_one_diskio() (dev.c). */
export function formatDevDisk(r: DevDiskResult): string {
  let s = `MAJOR ${'GENDISK'.padEnd(18)} NAME       ${'REQUEST_QUEUE'.padEnd(18)} TOTAL ${(r.syncCount ? 'ASYNC' : 'READ').padStart(5)} ${(r.syncCount ? 'SYNC' : 'WRITE').padStart(5)} ${r.hasDrv ? '  DRV' : ''}\n`;
  for (const d of r.disks) {
    s += `${String(d.major).padStart(5)} ${hex(d.gendisk).padEnd(16)}   ${d.name.padEnd(10)} ${hex(d.queue).padEnd(16)}   `;
    s += `${String(d.read + d.write).padStart(5)} ${String(d.read).padStart(5)} ${String(d.write).padStart(5)} `;
    s += d.drv === undefined ? '\n' : typeof d.drv === 'number' ? `${String(d.drv).padStart(5)}\n` : `${d.drv}\n`;
  }
  return s;
}
