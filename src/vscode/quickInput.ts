// Promise-shaped input boxes and quick picks built on createInputBox/createQuickPick,
// because the `show*` shortcuts can neither be closed when a server cancels its request
// nor validate on accept nor take free text beside suggestions.

import * as vscode from 'vscode';

export interface TextOptions {
  title: string;
  prompt?: string;
  value?: string;
  placeholder?: string;
  password?: boolean;
  /** An error message for an invalid value, or undefined when it is fine. */
  validate?: (value: string) => string | undefined;
  /** Aborting closes the input (the result is then undefined). */
  signal?: AbortSignal;
  /** Keep the input open when focus moves away (default: true, as forms span several inputs). */
  ignoreFocusOut?: boolean;
}

export interface PickItem<T> extends vscode.QuickPickItem {
  value: T;
}

export interface PickOptions<T> {
  title: string;
  placeholder?: string;
  items: readonly PickItem<T>[];
  /** Items selected initially (multi-select) or highlighted (single). */
  selected?: readonly PickItem<T>[];
  matchOnDescription?: boolean;
  matchOnDetail?: boolean;
  signal?: AbortSignal;
  /** Keep the pick open when focus moves away (default: true, as forms span several inputs). */
  ignoreFocusOut?: boolean;
}

/**
 * Shows `input`, resolves with what `setup` reports through `done` or with undefined when
 * the input is hidden or the signal aborts; disposes the input and every listener after.
 */
function run<T, Q extends vscode.QuickInput>(
  input: Q,
  { signal, ignoreFocusOut }: { signal?: AbortSignal; ignoreFocusOut?: boolean },
  setup: (input: Q, done: (v: T | undefined) => void, listeners: vscode.Disposable[]) => void,
): Promise<T | undefined> {
  return new Promise<T | undefined>(resolve => {
    const listeners: vscode.Disposable[] = [];
    let settled = false;
    const done = (v: T | undefined) => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      for (const l of listeners) l.dispose();
      input.dispose();
      resolve(v);
    };
    const onAbort = () => done(undefined);
    if (signal?.aborted) { input.dispose(); resolve(undefined); return; }
    signal?.addEventListener('abort', onAbort, { once: true });
    listeners.push(input.onDidHide(() => done(undefined)));
    // Forms span several inputs: focus moving to an editor must not cancel the whole form.
    input.ignoreFocusOut = ignoreFocusOut ?? true;
    setup(input, done, listeners);
    if (!settled) input.show();
  });
}

/** One line of text; invalid values cannot be accepted. */
export function askText(o: TextOptions): Promise<string | undefined> {
  return run<string, vscode.InputBox>(vscode.window.createInputBox(), o, (box, done, listeners) => {
    box.title = o.title;
    box.prompt = o.prompt;
    box.placeholder = o.placeholder;
    box.password = !!o.password;
    box.value = o.value ?? '';
    const check = (v: string) => (box.validationMessage = o.validate?.(v));
    if (box.value) check(box.value);
    listeners.push(box.onDidChangeValue(check));
    listeners.push(box.onDidAccept(() => { if (check(box.value) === undefined) done(box.value); }));
  });
}

export function pickOne<T>(o: PickOptions<T>): Promise<PickItem<T> | undefined> {
  return run<PickItem<T>, vscode.QuickPick<PickItem<T>>>(vscode.window.createQuickPick<PickItem<T>>(), o, (qp, done, listeners) => {
    qp.title = o.title;
    qp.placeholder = o.placeholder;
    qp.matchOnDescription = !!o.matchOnDescription;
    qp.matchOnDetail = !!o.matchOnDetail;
    qp.items = o.items;
    if (o.selected?.length) qp.activeItems = o.selected;
    listeners.push(qp.onDidAccept(() => {
      const item = qp.selectedItems[0] ?? qp.activeItems[0];
      if (item) done(item);
    }));
  });
}

export function pickMany<T>(o: PickOptions<T> & { validate?: (picked: readonly PickItem<T>[]) => string | undefined }): Promise<PickItem<T>[] | undefined> {
  return run<PickItem<T>[], vscode.QuickPick<PickItem<T>>>(vscode.window.createQuickPick<PickItem<T>>(), o, (qp, done, listeners) => {
    qp.title = o.title;
    qp.placeholder = o.placeholder;
    qp.canSelectMany = true;
    qp.items = o.items;
    if (o.selected?.length) qp.selectedItems = o.selected;
    listeners.push(qp.onDidAccept(() => {
      const error = o.validate?.(qp.selectedItems);
      if (error === undefined) done([...qp.selectedItems]);
      else qp.placeholder = error;
    }));
  });
}

export interface SuggestOptions extends TextOptions {
  /** Values to offer for what is typed so far; aborted when the user types on. */
  suggest: (value: string, signal: AbortSignal) => Promise<readonly string[]>;
  debounceMs?: number;
}

interface SuggestionItem extends vscode.QuickPickItem { typed?: boolean }

/**
 * Free text with suggestions: a quick pick whose first item is always what was typed,
 * followed by the suggestions (which stay visible even when they do not fuzzy-match).
 */
export function askTextWithSuggestions(o: SuggestOptions): Promise<string | undefined> {
  return run<string, vscode.QuickPick<SuggestionItem>>(vscode.window.createQuickPick<SuggestionItem>(), o, (qp, done, listeners) => {
    let suggestions: readonly string[] = [];
    let timer: ReturnType<typeof setTimeout> | undefined;
    let pending: AbortController | undefined;
    listeners.push({ dispose: () => { clearTimeout(timer); pending?.abort(); } });

    qp.title = o.title;
    qp.placeholder = o.placeholder ?? o.prompt;
    qp.prompt = o.prompt;
    qp.value = o.value ?? '';

    const emptyAllowed = o.validate?.('') === undefined;
    const render = (problem?: string) => {
      const typed = qp.value;
      const items: SuggestionItem[] = [];
      const detail = problem ? `$(error) ${problem}` : undefined;
      if (typed !== '' || problem) items.push({ label: typed, typed: true, alwaysShow: true, description: 'typed value', detail });
      for (const s of suggestions) if (s !== typed) items.push({ label: s, alwaysShow: true, description: 'suggestion' });
      // Leaving an optional value empty must stay possible when suggestions fill the list.
      if (typed === '' && !problem && emptyAllowed) items.push({ label: '$(circle-slash) Leave empty', typed: true, alwaysShow: true });
      qp.items = items;
    };
    const fetch = () => {
      pending?.abort();
      const ac = pending = new AbortController();
      qp.busy = true;
      o.suggest(qp.value, ac.signal).then(
        values => { if (pending === ac) { suggestions = values; render(); } },
        () => { /* completion is a convenience: without it the user still types */ },
      ).finally(() => { if (pending === ac) { pending = undefined; qp.busy = false; } });
    };
    listeners.push(qp.onDidChangeValue(() => {
      render();
      clearTimeout(timer);
      timer = setTimeout(fetch, o.debounceMs ?? 200);
    }));
    listeners.push(qp.onDidAccept(() => {
      const item = qp.selectedItems[0] ?? qp.activeItems[0];
      const value = item && !item.typed ? item.label : qp.value;
      const problem = o.validate?.(value);
      if (problem === undefined) done(value);
      else render(problem);
    }));
    render();
    fetch();
  });
}

let queue: Promise<unknown> = Promise.resolve();

/**
 * Runs `fn` when no other exclusive flow is showing inputs. VS Code shows one quick
 * input at a time: an input prompt or an elicitation opening over another flow's input
 * box would hide it, and a hidden input reads as a cancel.
 */
export function exclusive<T>(fn: () => Promise<T>): Promise<T> {
  const run = queue.then(() => fn());
  queue = run.then(() => undefined, () => undefined);
  return run;
}
