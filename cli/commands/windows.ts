import { defineCommand } from '../command';
import type { FlagTable } from '../flags';
import { WINDOWS_HELP } from '../windows-help';

const [USAGE = '', ...HELP] = WINDOWS_HELP.split('\n');

const FLAGS = {
  count: { type: 'string' },
  stage: { type: 'string' },
  tz: { type: 'string' },
  now: { type: 'string' },
  config: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies FlagTable;

export default defineCommand({
  name: 'windows',
  usage: USAGE,
  flags: FLAGS,
  help: HELP.join('\n').replace(/^\n/, ''),
  async run({ values, io }) {
    // The schedule libraries load only when the command runs.
    const { windowsCommand } = await import('../windows');
    return windowsCommand(values, io);
  },
});
