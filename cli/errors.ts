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

/** The deployed function refused the command as invalid (a CLI older or newer than the deployment). */
export class RemoteInvalidCommandError extends MigrationPauserError {
  override name = 'RemoteInvalidCommandError';
}

/** AWS refused us or the stage is not there: exit 3, with what to do about it. */
export class RemoteAccessError extends MigrationPauserError {
  override name = 'RemoteAccessError';
}

/** AWS could not be reached at all (DNS, connection refused, timeout): exit 3, naming the endpoint. */
export class RemoteConnectionError extends RemoteAccessError {
  override name = 'RemoteConnectionError';
}

/** The deployed function failed for another reason (a bug, a timeout): its error type and message. */
export class RemoteFunctionError extends MigrationPauserError {
  override name = 'RemoteFunctionError';
}
