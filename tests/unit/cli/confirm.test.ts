import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { needsConfirmation } from '../../../cli/confirm';
import { main } from '../../../cli/main';
import { isYes } from '../../../cli/prompt';
import { parseCommand } from '../../../lib/core/command';

/**
 * Two accounts at port 9, which fetch itself refuses to contact: the preview cannot list them, and a declined pause
 * must stop before any pause call.
 */
async function accountsFile(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'mp-confirm-'));
  const path = join(dir, 'accounts.json');
  const account = (name: string) => ({
    name,
    provider: 'huawei-drs',
    region: 'ap-southeast-1',
    projectId: '0123456789abcdef',
    endpoint: 'http://127.0.0.1:9',
    secret: 'env:MP_NEVER_READ',
  });
  await writeFile(path, JSON.stringify({ accounts: [account('hw-a'), account('hw-b')] }));
  return path;
}

function terminalIo(answer: string) {
  const asked: string[] = [];
  const err: string[] = [];
  const out: string[] = [];
  return {
    asked,
    err,
    out,
    io: {
      out: (t: string) => out.push(t),
      err: (t: string) => err.push(t),
      env: {},
      isTerminal: true,
      ask: async (question: string) => {
        asked.push(question);
        return answer;
      },
    },
  };
}

const pauseAll = (extra: Record<string, unknown> = {}) =>
  parseCommand({ action: 'pause', scope: { all: true }, reason: 'INC-1', ...extra });

describe('confirming a pause of everything', () => {
  it('asks with what it found, here two accounts it could not list, and does nothing when the answer is not yes', async () => {
    // Prepare
    const accounts = await accountsFile();
    const { io, asked, err } = terminalIo('');

    // Act
    const code = await main(['pause', '--all', '--reason', 'INC-1', '--accounts', accounts], io);

    // Assess
    expect(code).toBe(2);
    expect(asked).toEqual([
      'Pause every migration task: 0 running tasks in 0 accounts, and 2 accounts that could not be listed? [y/N] ',
    ]);
    expect(err.join('\n')).toMatch(/not confirmed: nothing was paused/);
  });

  it('asks only for a real pause of everything, on a terminal, without --yes', () => {
    const terminal = { isTerminal: true, out: () => {}, err: () => {}, env: {} };

    expect(needsConfirmation(pauseAll(), {}, terminal)).toBe(true);
    expect(needsConfirmation(pauseAll(), { yes: true }, terminal)).toBe(false);
    expect(needsConfirmation(pauseAll(), {}, { ...terminal, isTerminal: false })).toBe(false);
    expect(needsConfirmation(pauseAll({ dryRun: true }), {}, terminal)).toBe(false);
    const someProviders = parseCommand({ action: 'pause', scope: { providers: ['huawei-drs'] }, reason: 'INC-1' });
    expect(needsConfirmation(someProviders, {}, terminal)).toBe(false);
    const resumeAll = parseCommand({ action: 'resume', scope: { all: true }, reason: 'INC-1 over' });
    expect(needsConfirmation(resumeAll, {}, terminal)).toBe(false);
  });

  it('still requires a reason before asking anything', async () => {
    const accounts = await accountsFile();
    const { io, asked, err } = terminalIo('y');

    const code = await main(['pause', '--all', '--accounts', accounts], io);

    expect(code).toBe(2);
    expect(asked).toEqual([]);
    expect(err.join('\n')).toMatch(/reason/);
  });

  it('takes only an explicit yes', () => {
    expect(['y', 'Y', 'yes', ' YES '].map(isYes)).toEqual([true, true, true, true]);
    expect(['', 'n', 'no', 'yess', 'sure'].map(isYes)).toEqual([false, false, false, false, false]);
  });
});
