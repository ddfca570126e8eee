// Questions on the terminal: one readline interface for the whole run, answers queued
// so none is lost when lines arrive before the question, masked input for secrets,
// and Ctrl-C reported to the caller (readline swallows SIGINT while it owns the TTY).

import * as readline from 'node:readline';
import { Writable, type Readable } from 'node:stream';
import { LocalError } from '../core.ts';

export interface LineReader {
  /** Writes the question and resolves with the answer line; undefined at end of input. */
  question(prompt: string, options?: { mask?: boolean; signal?: AbortSignal }): Promise<string | undefined>;
  close(): void;
}

export interface TerminalOptions {
  input: Readable;
  output: Writable;
  /** Whether input is a TTY (echo control, Ctrl-C handling). */
  terminal: boolean;
  /** Ctrl-C typed while a question is open. */
  onInterrupt: () => void;
}

export function createLineReader(opts: TerminalOptions): LineReader {
  let muted = false;
  // readline echoes what is typed; while a secret is typed, that echo is dropped.
  const echo = new Writable({
    write(chunk, _enc, done) {
      if (!muted) opts.output.write(chunk);
      done();
    },
  });
  const rl = readline.createInterface({ input: opts.input, output: echo, terminal: opts.terminal });
  const lines: string[] = [];
  let waiting: ((line: string | undefined) => void) | undefined;
  let ended = false;
  rl.on('line', line => {
    if (waiting) { const w = waiting; waiting = undefined; w(line); } else lines.push(line);
  });
  rl.on('close', () => {
    ended = true;
    if (waiting) { const w = waiting; waiting = undefined; w(undefined); }
  });
  rl.on('SIGINT', () => {
    opts.output.write('^C\n');
    opts.onInterrupt();
  });

  return {
    question(prompt, options = {}) {
      // readline redraws its prompt when the line is edited, so it gets only the last line.
      const nl = prompt.lastIndexOf('\n');
      if (nl >= 0) opts.output.write(prompt.slice(0, nl + 1));
      muted = false;
      rl.setPrompt(prompt.slice(nl + 1));
      rl.prompt(true);
      const queued = lines.shift();
      if (queued !== undefined) {
        if (options.mask || !opts.terminal) opts.output.write('\n');
        return Promise.resolve(queued);
      }
      if (ended) return Promise.resolve(undefined);
      const signal = options.signal;
      if (signal?.aborted) return Promise.reject(signal.reason);
      muted = options.mask === true;
      return new Promise<string | undefined>((resolve, reject) => {
        const onAbort = () => {
          if (waiting !== settle) return;
          waiting = undefined;
          muted = false;
          opts.output.write('\n');
          reject(signal!.reason ?? new LocalError('cancelled', 'the question was withdrawn'));
        };
        const settle = (line: string | undefined) => {
          signal?.removeEventListener('abort', onAbort);
          if (muted || !opts.terminal) opts.output.write('\n');
          muted = false;
          resolve(line);
        };
        waiting = settle;
        signal?.addEventListener('abort', onAbort, { once: true });
      });
    },
    close() {
      rl.close();
    },
  };
}
