import type { CliIo } from './io';
import { createRemoteClients, type RemoteClients, type RemoteTarget } from './remote';

/** The stage's AWS clients: the ones a test handed in, else real ones. */
export function clientsFor(target: RemoteTarget, io: CliIo): RemoteClients {
  return io.remote ? io.remote(target) : createRemoteClients(target, io.env);
}
