import { MigrationPauserError } from '../lib/core/errors';

/**
 * A flag or word the command does not take, or a flag without its value: printed as three lines (what is wrong,
 * the command's usage, where the full help is) instead of the whole help.
 */
export class UsageError extends MigrationPauserError {
  override name = 'UsageError';
  constructor(
    message: string,
    /** The command whose usage to show; undefined: the general one. */
    readonly command?: { name: string; usage: string },
  ) {
    super(message);
  }
}

/** The accounts file is not there, or not valid: says which file was read and how to point at another. */
export class AccountsFileError extends MigrationPauserError {
  override name = 'AccountsFileError';
}
