/**
 * Memory around the current address, 16 bytes a line exactly as `rd` prints them, a cursor on one
 * word ([brackets], inverse when focused), the rd -s symbols of text/data words in a side column.
 * Keys when focused: arrows move, PgUp/PgDn page, Enter follows a kernel pointer, Backspace goes
 * back, Home returns to the current address. Unreadable lines say crash's error.
 */
import { Text, useInput } from 'ink';
import type { JSX } from 'react';
import type { CurrentAddress } from '../../state/current-address.js';
import { wordColumn, type MemLine } from '../../state/memory-view.js';
import type { PaneSource } from '../../state/pane-data.js';
import type { DisplayStyle } from '../../state/panes.js';
import { useMemoryView } from '../../state/use-memory-view.js';
import { PaneFrame, PaneLine } from './PaneFrame.js';

export interface MemoryPaneProps {
  source: PaneSource;
  address: CurrentAddress | undefined;
  serial: number;
  /** Pointers followed so far (Backspace goes back through them). */
  backDepth: number;
  generation: number;
  focused: boolean;
  width: number;
  height: number;
  style: DisplayStyle;
  onFollow(from: CurrentAddress, to: CurrentAddress): void;
  onBack(): void;
}

const hex = (v: bigint): string => v.toString(16);
/** Border (2), title, footer. */
const CHROME = 4;

export function MemoryPane(p: MemoryPaneProps): JSX.Element {
  const rows = Math.max(1, p.height - CHROME);
  const inner = Math.max(1, p.width - 2);
  const mv = useMemoryView({
    source: p.source,
    address: p.address,
    serial: p.serial,
    rows,
    generation: p.generation,
    canGoBack: p.backDepth > 0,
    onFollow: p.onFollow,
    onBack: p.onBack,
  });
  useInput(
    (input, key) => {
      if (key.upArrow) mv.move(-2);
      else if (key.downArrow) mv.move(2);
      else if (key.leftArrow) mv.move(-1);
      else if (key.rightArrow) mv.move(1);
      else if (key.pageUp) mv.page(-1);
      else if (key.pageDown) mv.page(1);
      else if (key.home) mv.home();
      else if (key.return) mv.follow();
      else if (key.backspace || key.delete) mv.back();
    },
    { isActive: p.focused },
  );

  const a = p.address;
  const title = a ? `Memory  ${hex(a.address)} (${a.space})${p.backDepth ? `  back: ${p.backDepth}` : ''}` : 'Memory';
  if (!a) {
    return (
      <PaneFrame title={title} focused={p.focused} width={p.width} height={p.height} style={p.style}>
        <PaneLine text="(no current address yet: rd, struct, vtop, kmem ... ADDR set it)" />
      </PaneFrame>
    );
  }
  const cur = mv.lines.find((l) => l.addr === (mv.view.cursor & ~15n));
  const i = cur ? Number((mv.view.cursor - cur.addr) / 8n) : 0;
  const value = cur?.words?.[i];
  const sym = cur?.symbols[i];
  const info = value === undefined ? `${hex(mv.view.cursor)}: unreadable` : `${hex(mv.view.cursor)}: ${hex(value).padStart(16, '0')}${sym ? ` <${sym}>` : ''}`;
  const keys = p.focused ? (mv.message ?? `Enter: follow  Bksp: back  Home: ${hex(a.address)}`) : '';
  return (
    <PaneFrame title={title} focused={p.focused} width={p.width} height={p.height} style={p.style}>
      {mv.lines.map((l) => (
        <MemRow key={String(l.addr)} line={l} cursor={l === cur ? i : undefined} width={inner} focused={p.focused} mono={p.style.mono} />
      ))}
      <PaneLine text={keys ? `${info}  ${keys}` : info} dim mono={p.style.mono} />
    </PaneFrame>
  );
}

/** rd -s symbols of the two words right of the ASCII: `first / second`, `-` for a word without one. */
export function symbolColumn(line: MemLine, room: number): string {
  const [s0, s1] = line.symbols;
  if (room < 12 || (!s0 && !s1)) return '';
  return '  ' + (s1 ? `${s0 ?? '-'} / ${s1}` : s0!);
}

function MemRow({ line, cursor, width, focused, mono }: { line: MemLine; cursor?: number; width: number; focused: boolean; mono: boolean }): JSX.Element {
  const gutter = cursor !== undefined ? '> ' : '  ';
  if (line.error || cursor === undefined || !line.words) {
    const side = symbolColumn(line, width - gutter.length - line.text.length);
    return <PaneLine text={gutter + line.text + side} />;
  }
  const at = wordColumn(cursor);
  const before = gutter + line.text.slice(0, at - 1) + '[';
  const word = line.text.slice(at, at + 16);
  const after = ']' + line.text.slice(at + 17) + symbolColumn(line, width - gutter.length - line.text.length);
  return (
    <Text wrap="truncate-end">
      {before}
      <Text inverse={focused && !mono}>{word}</Text>
      {after}
    </Text>
  );
}
