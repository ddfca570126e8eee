// What every transport has alike: its state, its three events, and how it logs. A
// subclass moves messages; once stopped, it stays stopped.

import { Emitter, type Event } from '../base/event.ts';
import type { TransportLog, TransportState } from './transport.ts';

export abstract class TransportBase {
  protected _state: TransportState = { kind: 'idle' };
  protected readonly _onDidChangeState = new Emitter<TransportState>();
  readonly onDidChangeState: Event<TransportState> = this._onDidChangeState.event;
  protected readonly _onDidReceiveMessage = new Emitter<unknown>();
  readonly onDidReceiveMessage: Event<unknown> = this._onDidReceiveMessage.event;
  protected readonly _onDidLog = new Emitter<TransportLog>();
  readonly onDidLog: Event<TransportLog> = this._onDidLog.event;

  get state(): TransportState { return this._state; }

  protected setState(s: TransportState): void {
    if (this._state.kind === 'stopped') return;
    this._state = s;
    this._onDidChangeState.fire(s);
  }

  /** While running: says (or, with undefined, stops saying) that something is degraded. */
  protected setNotice(notice: string | undefined): void {
    if (this._state.kind !== 'running' || this._state.notice === notice) return;
    this.setState(notice === undefined ? { kind: 'running' } : { kind: 'running', notice });
  }

  protected log(level: TransportLog['level'], message: string): void {
    this._onDidLog.fire({ level, source: 'transport', message });
  }

  protected disposeEvents(): void {
    this._onDidChangeState.dispose();
    this._onDidReceiveMessage.dispose();
    this._onDidLog.dispose();
  }
}
