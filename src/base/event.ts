// Events and lifetimes without `vscode`, in the shape VS Code and vscode-jsonrpc use,
// so the host core can run in the CLI and the gateway as well as in the extension.

export interface Disposable {
  dispose(): void;
}

export const Disposable = {
  create(fn: () => void): Disposable {
    let done = false;
    return { dispose: () => { if (!done) { done = true; fn(); } } };
  },
  None: Object.freeze({ dispose() {} }) as Disposable,
};

/** Subscribe with a listener; dispose the result to unsubscribe. */
export type Event<T> = (listener: (e: T) => void) => Disposable;

export const Event = {
  None: (() => Disposable.None) as Event<any>,
  /** Resolves with the first event that satisfies `predicate`, or rejects on abort. */
  toPromise<T>(event: Event<T>, predicate: (e: T) => boolean = () => true, signal?: AbortSignal): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const onAbort = () => { sub.dispose(); reject(signal!.reason); };
      const sub = event(e => {
        if (predicate(e)) { sub.dispose(); signal?.removeEventListener('abort', onAbort); resolve(e); }
      });
      if (signal) {
        if (signal.aborted) { onAbort(); return; }
        signal.addEventListener('abort', onAbort, { once: true });
      }
    });
  },
};

let unexpectedErrorHandler: (err: unknown) => void = err => {
  // A listener's bug must not take the process down (the CLI, the extension host): say it.
  try { console.error('mcp-host: a listener failed:', err); } catch { /* nowhere to report */ }
};

/**
 * Where errors thrown by event listeners go (the embedding's log); returns the previous
 * handler. The default writes to stderr. Never rethrown: one bad listener must not
 * crash the CLI or stop the other listeners.
 */
export function setUnexpectedErrorHandler(handler: (err: unknown) => void): (err: unknown) => void {
  const previous = unexpectedErrorHandler;
  unexpectedErrorHandler = handler;
  return previous;
}

export function onUnexpectedError(err: unknown): void {
  try { unexpectedErrorHandler(err); } catch { /* the handler itself failed; nothing else to do */ }
}

export class Emitter<T> implements Disposable {
  // Copy-on-write: subscribing replaces the array, so fire() iterates without copying
  // (it runs once per message on the hot path).
  private listeners: ReadonlyArray<(e: T) => void> | undefined = [];
  private onListenerError: (err: unknown) => void;

  constructor(onListenerError: (err: unknown) => void = onUnexpectedError) {
    this.onListenerError = onListenerError;
  }

  readonly event: Event<T> = listener => {
    if (!this.listeners) return Disposable.None;
    this.listeners = [...this.listeners, listener];
    return Disposable.create(() => {
      if (!this.listeners) return;
      const i = this.listeners.indexOf(listener);
      if (i >= 0) this.listeners = [...this.listeners.slice(0, i), ...this.listeners.slice(i + 1)];
    });
  };

  get hasListeners(): boolean {
    return !!this.listeners && this.listeners.length > 0;
  }

  fire(e: T): void {
    const ls = this.listeners;
    if (!ls) return;
    for (let i = 0; i < ls.length; i++) {
      try { ls[i]!(e); } catch (err) { this.onListenerError(err); }
    }
  }

  dispose(): void {
    this.listeners = undefined;
  }
}

/** Owns disposables of one lifetime; adding to a disposed store disposes at once. */
export class DisposableStore implements Disposable {
  private items = new Set<Disposable>();
  private disposed = false;

  get isDisposed(): boolean { return this.disposed; }

  add<T extends Disposable>(d: T): T {
    if (this.disposed) d.dispose();
    else this.items.add(d);
    return d;
  }

  delete(d: Disposable): void {
    if (this.items.delete(d)) d.dispose();
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    const errors: unknown[] = [];
    for (const d of [...this.items].reverse()) {
      try { d.dispose(); } catch (err) { errors.push(err); }
    }
    this.items.clear();
    if (errors.length === 1) throw errors[0];
    if (errors.length > 1) throw new AggregateError(errors, 'several disposables failed');
  }
}

/** Holds at most one disposable; setting a new one disposes the old. */
export class MutableDisposable<T extends Disposable> implements Disposable {
  private current: T | undefined;
  get value(): T | undefined { return this.current; }
  set value(v: T | undefined) {
    if (this.current === v) return;
    this.current?.dispose();
    this.current = v;
  }
  clear(): void { this.value = undefined; }
  dispose(): void { this.value = undefined; }
}
