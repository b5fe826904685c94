import { createInterface } from 'node:readline';

/**
 * Asks one question on the terminal and resolves with the answer ('' on Ctrl-D; Ctrl-C ends the process before
 * anything was done). The question goes to stderr so that `--json` output on stdout stays machine-readable.
 * `terminal: false` leaves echo and line editing to the terminal itself, so no cursor escape codes are written.
 */
export function askOnTerminal(question: string): Promise<string> {
  return new Promise((resolve) => {
    const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: false });
    let answered = false;
    rl.on('close', () => {
      if (!answered) process.stderr.write('\n');
      resolve('');
    });
    rl.question(question, (answer) => {
      answered = true;
      resolve(answer);
      rl.close();
    });
  });
}

/** Only an explicit yes counts: a tired operator pressing Enter must not pause everything. */
export function isYes(answer: string): boolean {
  return /^\s*y(es)?\s*$/i.test(answer);
}
