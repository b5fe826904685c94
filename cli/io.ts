import type { ProgressStream } from './progress';
import type { RemoteClients, RemoteTarget } from './remote';

/** What the CLI talks through: the process's streams and environment, or a test's. */
export interface CliIo {
  out: (text: string) => void;
  err: (text: string) => void;
  env: Record<string, string | undefined>;
  /** Both stdin and stdout are a terminal: a person is there to answer a question. */
  isTerminal?: boolean;
  /** Asks the person at the terminal; only called when isTerminal. */
  ask?: (question: string) => Promise<string>;
  /** Where progress goes (stderr); without it, no progress is shown. */
  progress?: ProgressStream;
  /** Remote mode's AWS clients for a stage (tests hand in mocked ones); default: real clients. */
  remote?: (target: RemoteTarget) => RemoteClients;
}
