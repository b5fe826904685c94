import { describe, expect, it } from 'vitest';
import { type CliIo, main } from '../../../cli/main';
import { PROVIDER_KEYS, PROVIDER_MANIFESTS } from '../../../lib/providers/keys';

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = { out: (t) => out.push(t), err: (t) => err.push(t), env: {} };
  return { io, stdout: () => out.join('\n'), stderr: () => err.join('\n') };
}

/** The key with its last two letters swapped: the slip did-you-mean exists for. */
const slip = (key: string) => `${key.slice(0, -2)}${key.at(-1)}${key.at(-2)}`;

// A provider is added by its folder and a registry line: the CLI's help and suggestions must follow with no edit.
describe('the CLI’s provider lists come from the provider registry', () => {
  it.each(PROVIDER_KEYS)('suggests %s for a slip of its key, and exits 2 before anything runs', async (key) => {
    const { io, stderr } = capture();

    const code = await main(['plan', 'pause', '--provider', slip(key), '--reason', 'r'], io);

    expect(code).toBe(2);
    expect(stderr()).toContain(`--provider: unknown provider "${slip(key)}" (did you mean ${key}?)`);
  });

  it('lists every registered provider in the help of each scope command and of the whole CLI', async () => {
    for (const argv of [['--help'], ['pause', '--help'], ['resume', '--help'], ['plan', '--help']]) {
      const { io, stdout } = capture();

      await main(argv, io);

      expect(stdout()).toContain(`providers: ${PROVIDER_KEYS.join(', ')}`);
    }
  });

  it('names every registered provider in the simulator’s help and the general help’s title', async () => {
    const simulator = capture();
    const general = capture();

    await main(['simulator', '--help'], simulator.io);
    await main(['--help'], general.io);

    for (const { displayName } of PROVIDER_MANIFESTS) {
      expect(simulator.stdout()).toContain(displayName);
      expect(general.stdout().split('\n')[0]).toContain(displayName);
    }
  });

  it('lists every provider when the typed one is near none of them', async () => {
    const { io, stderr } = capture();

    await main(['redrive', '--provider', 'azure'], io);

    expect(stderr()).toContain(`--provider: unknown provider "azure" (providers: ${PROVIDER_KEYS.join(', ')})`);
  });
});
