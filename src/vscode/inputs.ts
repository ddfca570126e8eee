// `${input:ID}` values: asked once per id and scope, passwords kept in SecretStorage
// across sessions, other values for the session. Secrets never reach a log: every
// password value goes to the extension's Redactor, which everything logged or shown
// passes through.

import type * as vscode from 'vscode';
import type { ConfigInput } from '../host/config.ts';
import { askText, exclusive, pickOne } from './quickInput.ts';

const SECRET_PREFIX = 'mcpHost.input/';

/** Thrown when the user dismissed an input prompt; the server using it does not load. */
export class InputNotProvidedError extends Error {
  constructor(id: string) {
    super(`input "${id}" was not provided (run "MCP Host: Refresh" to be asked again)`);
    this.name = 'InputNotProvidedError';
  }
}

export class InputResolver {
  private readonly secretStorage: vscode.SecretStorage;
  private readonly values = new Map<string, string>();
  private readonly asking = new Map<string, Promise<string>>();
  private readonly declined = new Set<string>();
  private readonly onSecret: (value: string) => void;

  constructor(secretStorage: vscode.SecretStorage, onSecret: (value: string) => void) {
    this.secretStorage = secretStorage;
    this.onSecret = onSecret;
  }

  /**
   * A resolver for one config file. Scopes keep a workspace from reading a secret the
   * user typed for another workspace's (or their own user-level) server.
   */
  forScope(scope: string): (id: string, input: ConfigInput | undefined) => Promise<string> {
    return (id, input) => this.resolve(scope, id, input);
  }

  async resolve(scope: string, id: string, input: ConfigInput | undefined): Promise<string> {
    const key = `${scope}\u0000${id}`;
    const known = this.values.get(key);
    if (known !== undefined) return known;
    if (this.declined.has(key)) throw new InputNotProvidedError(id);
    let pending = this.asking.get(key);
    if (!pending) {
      pending = this.obtain(key, scope, id, input).finally(() => this.asking.delete(key));
      this.asking.set(key, pending);
    }
    return pending;
  }

  private async obtain(key: string, scope: string, id: string, input: ConfigInput | undefined): Promise<string> {
    const secretKey = `${SECRET_PREFIX}${scope}/${id}`;
    if (input?.password) {
      const stored = await this.secretStorage.get(secretKey);
      if (stored !== undefined) return this.remember(key, stored, true);
    }
    const value = await exclusive(() => this.ask(scope, id, input));
    if (value === undefined) {
      this.declined.add(key);
      throw new InputNotProvidedError(id);
    }
    if (input?.password) await this.secretStorage.store(secretKey, value);
    return this.remember(key, value, !!input?.password);
  }

  private ask(scope: string, id: string, input: ConfigInput | undefined): Promise<string | undefined> {
    const where = scope === 'user' ? 'user settings' : 'this workspace';
    const title = `MCP Host: ${input?.description ?? `value for \${input:${id}}`}`;
    if (input?.type === 'pickString' && input.options?.length) {
      const items = input.options.map(o => ({ label: o, value: o }));
      const active = items.find(i => i.value === input.default);
      return pickOne({ title, placeholder: `\${input:${id}} — used by MCP servers of ${where}`, items, selected: active ? [active] : undefined })
        .then(p => p?.value);
    }
    return askText({
      title,
      prompt: `\${input:${id}} — used by MCP servers of ${where}${input?.password ? ' (kept in VS Code\'s secret storage)' : ''}`,
      value: input?.default,
      password: !!input?.password,
    });
  }

  private remember(key: string, value: string, secret: boolean): string {
    this.values.set(key, value);
    // Whatever its length (the Redactor masks short ones as whole words).
    if (secret) this.onSecret(value);
    return value;
  }

  /** Ask again for inputs the user dismissed (after "Refresh"). */
  forgetDeclined(): void {
    this.declined.clear();
  }

  /** Forgets every value, including the stored secrets. */
  async clear(): Promise<void> {
    this.values.clear();
    this.declined.clear();
    // The Redactor keeps the values: lines already logged with them may be logged again.
    const keys = await this.secretStorage.keys();
    await Promise.all(keys.filter(k => k.startsWith(SECRET_PREFIX)).map(k => this.secretStorage.delete(k)));
  }
}
