import { defineCommand } from './types.js';
import { lines } from './result.js';

/** `q` / `exit`: handled by the session (it ends the loop); declared here for help and completion. */
export const quit = defineCommand({
  name: 'q',
  summary: 'exit this session',
  synopsis: '',
  description: ['Bring the session to an end (also: exit, quit, Ctrl-D at an empty prompt).'],
  options: {},
  run: () => lines([]),
});
