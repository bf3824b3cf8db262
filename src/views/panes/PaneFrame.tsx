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

/** Hard-wrap lines to a width (the Page-flags pane shows whole flag lists on a narrow screen). */
export function wrapLines(lines: readonly string[], width: number): string[] {
  const w = Math.max(1, width);
  return lines.flatMap((l) => (l.length <= w ? [l] : Array.from({ length: Math.ceil(l.length / w) }, (_, i) => l.slice(i * w, (i + 1) * w))));
}
