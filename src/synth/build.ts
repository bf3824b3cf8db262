import type { Scenario } from './scenario.js';
import { loadScenario } from './scenario.js';
import { PhysImage } from './phys-image.js';
import { SynthMemory } from './synth-memory.js';
import { SymbolSink } from './symbols.js';
import { typeHelpers, writeObject, type BuildContext } from './infra.js';
import { buildCpus, buildLayoutVars, buildNodes, buildPerCpu, buildTime, buildUts } from './infra-kernel.js';
import { buildTasks } from './infra-tasks.js';
import { buildMemSection } from './infra-mm.js';
import { buildVmstat } from './infra-vmstat.js';
import { buildModules } from './infra-modules.js';
import { buildFiles } from './infra-files.js';
import { buildSlabCaches } from './infra-slab.js';
import { buildLogBuf, buildPrintkRingbuffer } from './infra-printk.js';
import { parseCDeclarations, encodeBtf } from './ctypes/index.js';
import { placeKallsyms } from './place-kallsyms.js';
import { buildArm64PageTables, buildUserTables, buildX86PageTables } from './place-pagetables.js';
import { scenarioNotes } from './place-notes.js';
import { buildStacks } from './place-stacks.js';
import { SynthDump, writeElfCore } from './elf-writer.js';
import type { DumpFile } from '../dump/types.js';


/**
 * Build a scenario into a DumpFile: lay the kernel out in a physical memory image the way the
 * kernel does (objects, tasks, per-cpu areas, printk ring, kallsyms tables, BTF, page tables),
 * publish VMCOREINFO and PRSTATUS notes. The result is read by the same code as a real vmcore.
 */
export function buildScenarioDump(dirOrScenario: string | Scenario): DumpFile {
  return buildScenario(dirOrScenario);
}

/** Write a scenario as an ELF vmcore (QEMU-style physical PT_LOADs) for any tool to open. */
export function writeScenarioElf(dir: string, file: string): { size: number; dataBytesWritten: number } {
  const d = buildScenario(dir);
  return writeElfCore(file, { machine: d.machine, image: d.image, notes: [...d.notes] });
}

function buildScenario(dirOrScenario: string | Scenario): SynthDump {
  const s = typeof dirOrScenario === 'string' ? loadScenario(dirOrScenario) : dirOrScenario;
  const set = parseCDeclarations(s.typeSources.map((t) => `/* ${t.file} */\n${t.text}`).join('\n'), s.typeSources.map((t) => t.file).join('+'));
  const img = new PhysImage({ alloc: { start: s.memory.scratch[0], end: s.memory.scratch[1] } });
  for (const [a, b] of s.memory.ram) img.addRam(a, b);
  const mem = new SynthMemory(s, img);
  const syms = new SymbolSink();
  for (const sym of s.symbols) syms.add(sym.name, sym.addr, sym.type);
  const c: BuildContext = { s, mem, syms, ...typeHelpers(set.types, s.name), vmcoreinfo: [], percpuVars: [] };

  syms.add('_text', mem.textBase, 'T');
  syms.add('_stext', mem.textBase, 'T');
  buildLayoutVars(c);
  buildUts(c);
  buildTime(c);
  buildCpus(c);
  const extraPerCpu = buildTasks(c);
  buildPerCpu(c, extraPerCpu);
  buildNodes(c);
  buildVmstat(c);
  buildMemSection(c);
  if (s.modules?.length) buildModules(c, s.modules);
  if (c.hasType('struct printk_ringbuffer')) buildPrintkRingbuffer(c);
  else if (c.hasType('struct printk_log') || c.hasType('struct log')) buildLogBuf(c);

  if (s.files) buildFiles(c, s.files);

  for (const o of s.objects) {
    if (o.symbol) syms.add(o.symbol.name, o.at, o.symbol.type);
    if (o.type) writeObject(c, o.at, o.type, o.values ?? {});
    if (o.u64) o.u64.forEach((w, i) => mem.writeU64(o.at + BigInt(8 * i), w));
    if (o.hex) mem.write(o.at, Uint8Array.from(Buffer.from(o.hex.replace(/\s+/g, ''), 'hex')));
    if (o.string !== undefined) mem.write(o.at, Buffer.from(o.string + '\0', 'latin1'));
  }
  // after the objects: slab heads keep the flags (node, zone bits) a scenario gives their pages
  buildSlabCaches(c);
  buildStacks(c);

  // BTF, then the kallsyms tables (which name __start_BTF/__stop_BTF), both in the image.
  const btf = encodeBtf(set, { percpuVars: c.percpuVars });
  const btfAt = mem.allocData(btf.length, 4096);
  mem.write(btfAt, btf);
  syms.add('__start_BTF', btfAt, 'R');
  syms.add('__stop_BTF', btfAt + BigInt(btf.length), 'R');
  // The top-level table: where the scenario says init_top_pgt is, else in the builder's data.
  const rootName = s.arch === 'arm64' ? 'swapper_pg_dir' : 'init_top_pgt';
  const pgdSize = Number(mem.pageSize);
  const pgd = syms.get(rootName)?.address ?? mem.allocData(pgdSize, pgdSize);
  mem.write(pgd, new Uint8Array(pgdSize));
  syms.add(rootName, pgd, 'D');
  if (s.arch !== 'arm64') syms.add('swapper_pg_dir', pgd, 'D');
  syms.add('_end', mem.allocData(0, 4096) + 0x100000n, 'B');
  c.vmcoreinfo.push(...placeKallsyms(c, s.arch === 'x86_64'));

  const root = mem.linearToPhys(pgd)!;
  if (s.arch === 'arm64') buildArm64PageTables(c, img, root);
  else buildX86PageTables(c, img, root);
  buildUserTables(c, img, root);

  const info = [`OSRELEASE=${s.uts.release}`, `PAGESIZE=${mem.pageSize}`, ...c.vmcoreinfo, ...(s.arch === 'arm64' ? arm64Info(c, pgd) : x86Info(c, pgd)), ...(s.vmcoreinfoExtra ?? [])];
  return new SynthDump({ path: `${s.dir}`, machine: s.arch, image: img, notes: scenarioNotes(s, info.join('\n') + '\n') });
}

/** arch/x86/kernel/vmcore_info_64.c (and the generic _stext, swapper_pg_dir). */
function x86Info(c: BuildContext, pgd: bigint): string[] {
  const { s, mem } = c;
  return [
    `SYMBOL(_stext)=${mem.textBase.toString(16)}`,
    `SYMBOL(swapper_pg_dir)=${pgd.toString(16)}`,
    `NUMBER(phys_base)=${BigInt.asIntN(64, s.layout.physBase)}`,
    `SYMBOL(init_top_pgt)=${pgd.toString(16)}`,
    `NUMBER(pgtable_l5_enabled)=${s.layout.fiveLevel ? 1 : 0}`,
    `KERNELOFFSET=${s.layout.kernelOffset.toString(16)}`,
    'NUMBER(KERNEL_IMAGE_SIZE)=1073741824',
    'NUMBER(sme_mask)=0',
  ];
}

/** arch/arm64/kernel/crash_core.c: the arm64 keys, hex with 0x as the kernel writes them. */
function arm64Info(c: BuildContext, pgd: bigint): string[] {
  const { s, mem } = c;
  const vaBits = s.layout.vaBits!;
  return [
    `SYMBOL(_stext)=${mem.textBase.toString(16)}`,
    `SYMBOL(swapper_pg_dir)=${pgd.toString(16)}`,
    `NUMBER(VA_BITS)=${vaBits}`,
    `NUMBER(kimage_voffset)=0x${mem.kimageVoffset.toString(16)}`,
    `NUMBER(PHYS_OFFSET)=0x${mem.arm64Linear().exportedPhysOffset.toString(16)}`,
    `NUMBER(TCR_EL1_T1SZ)=0x${(64 - (s.layout.vaBitsActual ?? vaBits)).toString(16)}`,
    `KERNELOFFSET=${s.layout.kernelOffset.toString(16)}`,
    // arch/arm64 publishes MAX_PHYSMEM_BITS with the sparsemem keys; a dump without mem_section still says it
    ...(c.vmcoreinfo.some((l) => l.startsWith('NUMBER(MAX_PHYSMEM_BITS)=')) ? [] : [`NUMBER(MAX_PHYSMEM_BITS)=${s.layout.physBits ?? 48}`]),
  ];
}
