// STUB — signatures only; implementation in progress (owner: core).
import { Emitter, type Event } from '../base/event.ts';
import type { ManagedServer, ServerDefinition, ServerManagerOptions } from './types.ts';

export class ServerManager {
  private readonly _onDidChangeServers = new Emitter<void>();
  /** Servers were added or removed. */
  readonly onDidChangeServers: Event<void> = this._onDidChangeServers.event;
  private readonly _onDidChangeServer = new Emitter<ManagedServer>();
  /** A server's state or lists changed. */
  readonly onDidChangeServer: Event<ManagedServer> = this._onDidChangeServer.event;

  constructor(readonly options: ServerManagerOptions) {}

  get servers(): readonly ManagedServer[] { return []; }
  get(_idOrName: string): ManagedServer | undefined { return undefined; }

  /**
   * Replaces the set of definitions: new ones are added (and started when autoStart),
   * removed ones stopped and dropped, changed ones restarted from the new definition.
   */
  setDefinitions(_defs: readonly ServerDefinition[], _options: { autoStart: boolean }): void {}

  /** Stops every server (escalating to kill) and releases everything. */
  async dispose(): Promise<void> {}
}
