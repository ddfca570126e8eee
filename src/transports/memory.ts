// An in-memory linked pair of transports, for tests and for embedding a server in the
// same process. Messages are delivered asynchronously (a microtask), like a real pipe,
// and cloned through JSON so neither side can share mutable objects with the other.

import { LocalError } from '../protocol/errors.ts';
import type { JsonRpcMessage } from '../protocol/jsonrpc.ts';
import { TransportBase } from './base.ts';
import type { Transport } from './transport.ts';

export class InMemoryTransport extends TransportBase implements Transport {
  private peer: InMemoryTransport | undefined;

  static createPair(): [InMemoryTransport, InMemoryTransport] {
    const a = new InMemoryTransport();
    const b = new InMemoryTransport();
    a.peer = b;
    b.peer = a;
    return [a, b];
  }


  async start(): Promise<void> {
    if (this._state.kind !== 'idle') throw new LocalError('transport', 'transport already started');
    this.setState({ kind: 'running' });
  }

  send(message: JsonRpcMessage): void {
    if (this._state.kind !== 'running') throw new LocalError('transport', 'transport is not running');
    const peer = this.peer;
    if (!peer || peer._state.kind === 'stopped') throw new LocalError('transport', 'the other side is closed');
    const copy = JSON.parse(JSON.stringify(message));
    queueMicrotask(() => { if (peer._state.kind !== 'stopped') peer._onDidReceiveMessage.fire(copy); });
  }

  async close(): Promise<void> {
    if (this._state.kind === 'stopped') return;
    this.setState({ kind: 'stopped' });
    const peer = this.peer;
    if (peer && peer._state.kind !== 'stopped') {
      queueMicrotask(() => peer.setState({ kind: 'stopped', error: { message: 'the other side closed the connection' } }));
    }
  }

  dispose(): void { void this.close(); }

}
