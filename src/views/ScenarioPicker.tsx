/**
 * The first screen of `npm start` with no dump: the bundled scenario dumps, one line each;
 * Up/Down to move, Enter to open, q or Esc to leave.
 */
import { Box, Text, useInput } from 'ink';
import { useState, type JSX } from 'react';

export interface PickerItem {
  name: string;
  title: string;
}

export function ScenarioPicker({ items, onPick }: { items: PickerItem[]; onPick: (index: number | undefined) => void }): JSX.Element {
  const [at, setAt] = useState(0);
  const plain = Boolean(process.env.NO_COLOR);
  useInput((input, key) => {
    if (key.upArrow) setAt((i) => (i + items.length - 1) % items.length);
    else if (key.downArrow || key.tab) setAt((i) => (i + 1) % items.length);
    else if (key.return) onPick(at);
    else if (key.escape || input === 'q') onPick(undefined);
  });
  return (
    <Box flexDirection="column">
      <Text wrap="truncate-end">crash-tui: no dump given. Bundled scenario dumps (real investigations):</Text>
      <Text> </Text>
      {items.map((it, i) => (
        <Text key={it.name} inverse={!plain && i === at} wrap="truncate-end">
          {i === at ? '> ' : '  '}
          {it.name.padEnd(28)} {it.title}
        </Text>
      ))}
      <Text> </Text>
      <Text wrap="truncate-end">Up/Down, Enter to open, q to quit. Your own dump: crash-tui [vmlinux] VMCORE</Text>
    </Box>
  );
}
