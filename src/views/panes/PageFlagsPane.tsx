/**
 * The current address's struct page (the `kmem -p` row, flags by the kernel's names) and the PTE
 * that maps it (vtop's PTE table), as the PaneSource gives them; format/ supplies the text.
 * Up/Down scroll when focused.
 */
import { useInput } from 'ink';
import { useMemo, useState, type JSX } from 'react';
import type { CurrentAddress } from '../../state/current-address.js';
import type { PageInfo, PaneSource } from '../../state/pane-data.js';
import type { DisplayStyle } from '../../state/panes.js';
import { pageHeader, pageRowText } from '../../format/kmem-pages.js';
import { pteTable } from '../../format/vtop.js';
import { PaneFrame, PaneLine, wrapLines } from './PaneFrame.js';

export interface PageFlagsPaneProps {
  source: PaneSource;
  address: CurrentAddress | undefined;
  generation: number;
  focused: boolean;
  width: number;
  height: number;
  style: DisplayStyle;
}

export const NO_PAGE_INFO = '(page flags come with vtop and kmem -p)';

const hex = (v: bigint): string => v.toString(16);
const split = (text: string): string[] => text.replace(/\n$/, '').split('\n');

/** The pane's lines for one PageInfo. */
export function pageInfoLines(info: PageInfo): string[] {
  const out: string[] = [];
  const phys = info.phys !== undefined ? `  PHYSICAL: ${hex(info.phys)}` : '';
  out.push(`${info.space === 'physaddr' ? 'PHYSICAL' : 'VIRTUAL'}: ${hex(info.address)}${info.space === 'physaddr' ? '' : phys}${info.pageSize ? `  (${info.pageSize} page)` : ''}`);
  if (info.error) out.push(info.error);
  if (info.row) {
    const w = info.physWidth ?? 8;
    out.push(...split(pageHeader(w)), ...split(pageRowText({ ...info.row, explanation: undefined }, w)));
    if (info.row.names.length) out.push(`FLAGS: ${info.row.names.join(' ')}`);
  }
  // What the page is (compound head/tail, slab cache) before the PTE: in an 80x24 pane it is the
  // part that must be on screen; the PTE table is a scroll away.
  if (info.explanation) out.push(info.explanation);
  if (info.pte) out.push(...split(pteTable(info.pte)));
  return out;
}

export function PageFlagsPane(p: PageFlagsPaneProps): JSX.Element {
  const rows = Math.max(1, p.height - 3);
  const a = p.address;
  const lines = useMemo((): string[] => {
    if (!p.source.pageInfo) return [NO_PAGE_INFO];
    if (!a) return ['(no current address yet: rd, vtop, kmem ... ADDR set it)'];
    try {
      const info = p.source.pageInfo(a.address, a.space);
      return info ? pageInfoLines(info) : [`(no struct page for ${hex(a.address)})`];
    } catch (e) {
      return [(e as Error).message];
    }
    // generation: re-read after each command
  }, [p.source, a, p.generation]);
  const all = wrapLines(lines, p.width - 2);
  const [scroll, setScroll] = useState(0);
  const first = Math.max(0, Math.min(scroll, all.length - rows));
  useInput(
    (_input, key) => {
      if (key.upArrow) setScroll(Math.max(0, first - 1));
      else if (key.downArrow) setScroll(first + 1);
    },
    { isActive: p.focused },
  );
  const shown = all.slice(first, first + rows);
  return (
    <PaneFrame title={a ? `Page flags  ${hex(a.address)} (${a.space})` : 'Page flags'} focused={p.focused} width={p.width} height={p.height} style={p.style}>
      {shown.map((l, i) => (
        <PaneLine key={i} text={l} />
      ))}
    </PaneFrame>
  );
}
