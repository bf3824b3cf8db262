/** The scrollback: exactly `height` rows, already wrapped to the width by the log model, bottom-aligned. */
import { Box, Text } from 'ink';
import type { JSX } from 'react';

export interface OutputLogProps {
  rows: readonly string[];
  height: number;
  width: number;
}

export function OutputLog({ rows, height, width }: OutputLogProps): JSX.Element {
  const pad = Math.max(0, height - rows.length);
  const lines = [...Array<string>(pad).fill(''), ...rows.slice(-height)];
  return (
    <Box flexDirection="column" height={height} width={width} overflow="hidden">
      {lines.map((row, i) => (
        <Text key={i} wrap="truncate-end">
          {row === '' ? ' ' : row}
        </Text>
      ))}
    </Box>
  );
}
