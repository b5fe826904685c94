import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseCommand } from '../../../lib/core/command';
import { CommandValidationError } from '../../../lib/core/errors';

function issuesOf(input: unknown): string[] {
  try {
    parseCommand(input);
  } catch (error) {
    if (error instanceof CommandValidationError) return error.issues.map((i) => i.path);
    throw error;
  }
  return [];
}

describe('Command schema', () => {
  it('accepts a minimal pause of everything and fills in the defaults', () => {
    const command = parseCommand({ action: 'pause', scope: { all: true }, reason: 'business hours' });

    expect(command.commandId).toMatch(/^[0-9a-f-]{36}$/);
    expect(command.dryRun).toBe(false);
    expect(command.requestedBy).toBe('unknown');
    expect(command.options).toEqual({ force: false });
  });

  it('keeps a given command id so a redelivery is the same command', () => {
    const id = '3f0c1f7e-8a4b-4c1d-9f2e-0123456789ab';
    expect(parseCommand({ action: 'resume', scope: { all: true }, reason: 'r', commandId: id }).commandId).toBe(id);
  });

  it('names every bad field at once', () => {
    const paths = issuesOf({
      action: 'stop',
      scope: {},
      reason: '',
      dryRun: 'yes',
      options: { 'huawei-drs': { pauseMode: 'some' } },
    });

    expect(paths).toEqual(expect.arrayContaining(['action', 'scope', 'reason', 'dryRun', 'options.huawei-drs.pauseMode']));
  });

  it('takes each provider’s options under its key, and says where an option given the old way lives now', () => {
    const command = parseCommand({
      action: 'pause',
      scope: { all: true },
      reason: 'r',
      options: { 'huawei-drs': { pauseMode: 'all' }, 'huawei-oms': {} },
    });
    expect(command.options).toEqual({
      force: false,
      'huawei-drs': { pauseMode: 'all' },
      'huawei-oms': { migrateFailedObject: false },
    });

    const old = parseCommand.bind(null, { action: 'pause', scope: { all: true }, reason: 'r', options: { pauseMode: 'all' } });
    expect(old).toThrow(CommandValidationError);
    try {
      old();
    } catch (error) {
      expect((error as CommandValidationError).issues).toEqual([
        { path: 'options', message: expect.stringMatching(/options\.pauseMode is now options\["huawei-drs"\]\.pauseMode/) },
      ]);
    }
  });

  it('refuses an empty scope rather than treating it as everything', () => {
    expect(issuesOf({ action: 'pause', scope: {}, reason: 'r' })).toEqual(['scope']);
  });

  it('refuses all: true mixed with selectors', () => {
    expect(issuesOf({ action: 'pause', scope: { all: true, providers: ['huawei-drs'] }, reason: 'r' })).toEqual(['scope']);
  });

  it('refuses unknown fields instead of ignoring them', () => {
    expect(issuesOf({ action: 'pause', scope: { all: true }, reason: 'r', sccope: 1 })).toEqual(['']);
  });

  it('refuses unknown providers and overlong reasons', () => {
    const paths = issuesOf({ action: 'pause', scope: { providers: ['gcp-storage-transfer'] }, reason: 'x'.repeat(501) });
    expect(paths).toEqual(expect.arrayContaining(['scope.providers.0', 'reason']));
  });

  it.each(['a/b', '..', 'x..y', '%2F', 'id?x=1', 'id#f', 'tab\there', 'nul\u0000', ' padded', 'rtl\u202e'])(
    'refuses the task id %j, which could escape a URL path',
    (id) => {
      expect(issuesOf({ action: 'pause', scope: { taskIds: [id] }, reason: 'r' })).toEqual(['scope.taskIds.0']);
    },
  );

  it('accepts non-ASCII task ids such as NCP titles', () => {
    expect(parseCommand({ action: 'pause', scope: { taskIds: ['테스트'] }, reason: 'r' }).scope.taskIds).toEqual(['테스트']);
  });

  it('never throws anything but a CommandValidationError, whatever it is given', () => {
    fc.assert(
      fc.property(fc.anything(), (input) => {
        try {
          parseCommand(input);
        } catch (error) {
          expect(error).toBeInstanceOf(CommandValidationError);
        }
      }),
      { numRuns: 500 },
    );
  });
});
