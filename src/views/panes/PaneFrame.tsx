/** A pane's box: a border (round, or ASCII `classic` in monochrome), a title line, then the pane's lines. */
import { Box, Text } from 'ink';
import type { JSX, ReactNode } from 'react';
import type { DisplayStyle } from '../../state/panes.js';

export interface PaneFrameProps {
  title: string;
  focused: boolean;
  width: number;
  height: number;
  style: DisplayStyle;
  children?: ReactNode;
}

export function PaneFrame({ title, focused, width, height, style, children }: PaneFrameProps): JSX.Element {
  const head = `${focused ? '* ' : ''}${title}`;
  return (
    <Box
      flexDirection="column"
      width={width}
      height={height}
      flexShrink={0}
      overflow="hidden"
      borderStyle={style.borderStyle}
      borderColor={style.mono ? undefined : focused ? 'cyan' : 'gray'}
    >
      {style.mono ? (
        <Text wrap="truncate-end">{head}</Text>
      ) : (
        <Text wrap="truncate-end" bold={focused} color={focused ? 'cyan' : undefined}>
          {head}
        </Text>
      )}
      {children}
    </Box>
  );
}

/** One text line of a pane, cut at the pane's edge. */
export function PaneLine({ text, dim, mono }: { text: string; dim?: boolean; mono?: boolean }): JSX.Element {
  return (
    <Text wrap="truncate-end" dimColor={Boolean(dim && !mono)}>
      {text === '' ? ' ' : text}
    </Text>
  );
}

/** Wrap lines to a width (the Page-flags pane shows whole flag lists on a narrow screen): at a space, so an address stays whole; hard when a word is too long. */
export function wrapLines(lines: readonly string[], width: number): string[] {
  const w = Math.max(1, width);
  const out: string[] = [];
  for (let l of lines) {
    while (l.length > w) {
      // break at the last space that keeps the line at least half full (an address stays whole), else hard
      const sp = l.lastIndexOf(' ', w);
      const cut = sp >= w / 2 ? sp : w;
      out.push(l.slice(0, cut));
      l = l.slice(cut).replace(/^ /, '');
    }
    out.push(l);
  }
  return out;
}
