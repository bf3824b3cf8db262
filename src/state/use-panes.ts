/**
 * The panes' shared state for the REPL: focus and visibility (panes.ts), the current address and
 * its back stack (current-address.ts), and a generation counter bumped after every command so the
 * panes re-read what a command may have changed (`set` switches the context the Stack pane shows).
 * `observe` wraps the LineRunner so each finished line feeds the current address.
 */
import { useCallback, useMemo, useReducer, useRef } from 'react';
import { addressReducer, commandAction, initialAddress, paneForLine, type AddressState, type CurrentAddress } from './current-address.js';
import { initialPanes, panesReducer, type PaneId, type PanesAction, type PanesState } from './panes.js';
import type { PaneSource } from './pane-data.js';
import type { LineRunner } from './runner.js';

export interface PanesController {
  panes: PanesState;
  address: AddressState;
  generation: number;
  dispatch(a: PanesAction): void;
  /** A command line finished: take its address, and show the pane it was about. */
  onCommand(line: string): void;
  follow(from: CurrentAddress, to: CurrentAddress): void;
  back(): void;
  /** A frame chosen in the Stack pane: its stack slot becomes the current address. */
  selectAddress(to: CurrentAddress, pane?: PaneId): void;
  /** The runner, reporting each finished line to onCommand. */
  observe(runner: LineRunner): LineRunner;
}

export function usePanes(source: PaneSource | undefined): PanesController {
  const [panes, dispatch] = useReducer(panesReducer, initialPanes);
  const [address, dispatchAddress] = useReducer(addressReducer, initialAddress);
  const [generation, bump] = useReducer((n: number) => n + 1, 0);
  const sourceRef = useRef(source);
  sourceRef.current = source;

  const onCommand = useCallback((line: string) => {
    const src = sourceRef.current;
    bump();
    if (!src) return;
    const a = commandAction(line, { resolve: src.resolveSymbol?.bind(src), isKernel: src.isKernelAddress.bind(src) });
    if (a) dispatchAddress(a);
    const pane = paneForLine(line) ?? (a ? 'memory' : undefined);
    if (pane) dispatch({ type: 'look', pane });
  }, []);

  const onCommandRef = useRef(onCommand);
  onCommandRef.current = onCommand;
  const cache = useRef(new WeakMap<LineRunner, LineRunner>());
  const observe = useCallback((runner: LineRunner): LineRunner => {
    let wrapped = cache.current.get(runner);
    if (!wrapped) {
      wrapped = {
        async run(line, out, signal) {
          try {
            return await runner.run(line, out, signal);
          } finally {
            onCommandRef.current(line);
          }
        },
        complete: runner.complete ? (line) => runner.complete!(line) : undefined,
      };
      cache.current.set(runner, wrapped);
    }
    return wrapped;
  }, []);

  return useMemo(
    () => ({
      panes,
      address,
      generation,
      dispatch,
      onCommand,
      observe,
      follow: (from, to) => dispatchAddress({ type: 'follow', from, to }),
      back: () => dispatchAddress({ type: 'back' }),
      selectAddress: (to, pane) => {
        dispatchAddress({ type: 'set', to });
        if (pane) dispatch({ type: 'look', pane });
      },
    }),
    [panes, address, generation, onCommand, observe],
  );
}
