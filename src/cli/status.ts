// The one line at the bottom of a terminal's stderr that is redrawn in place: progress of
// the request, and while a server takes a while to start, that it is starting and the
// last line it wrote to stderr (npx downloading, a container pulling). Only on a
// terminal; any other output clears it first.

import { Disposable, type Transport } from '../core.ts';
import { terminalSafe } from './format.ts';

/** A server that is not up after this long is shown as starting. */
export const STARTING_DELAY_MS = 800;

export class StatusLine {
  private readonly write: (text: string) => void;
  private readonly columns: () => number;
  private shown = false;

  constructor(write: (text: string) => void, columns: () => number) {
    this.write = write;
    this.columns = columns;
  }

  show(text: string): void {
    // One screen line at most: a wrapped line cannot be redrawn with \r.
    const width = Math.max(20, this.columns() - 1);
    const line = [...terminalSafe(text.replace(/\s+/g, ' '))];
    this.write(`\r\x1b[K${line.length > width ? `${line.slice(0, width - 1).join('')}…` : line.join('')}`);
    this.shown = true;
  }

  clear(): void {
    if (!this.shown) return;
    this.shown = false;
    this.write('\r\x1b[K');
  }
}

/**
 * Shows "NAME: starting… (last stderr line)" once the server has taken `delayMs` to start,
 * updated with each stderr line; disposing clears it (the server is up, or failed).
 */
export function watchStartup(transport: Transport, name: string, status: StatusLine, delayMs = STARTING_DELAY_MS): Disposable {
  let last = '';
  let visible = false;
  const draw = () => status.show(`${name}: starting…${last ? ` ${last}` : ''}`);
  const timer = setTimeout(() => { visible = true; draw(); }, delayMs);
  const sub = transport.onDidLog(l => {
    if (l.source !== 'stderr' || !l.message.trim()) return;
    last = l.message.trim();
    if (visible) draw();
  });
  return Disposable.create(() => {
    clearTimeout(timer);
    sub.dispose();
    if (visible) status.clear();
  });
}
