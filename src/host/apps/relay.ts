// A transport whose other end is a function: what the connection sends goes to `post`,
// what the embedder hands to `deliver` arrives as a received message. The MCP App bridge
// runs our JSON-RPC connection over it, with the webview page relaying to the app frame.

import { LocalError } from '../../protocol/errors.ts';
import type { JsonRpcMessage } from '../../protocol/jsonrpc.ts';
import { TransportBase } from '../../transports/base.ts';
import type { Transport } from '../../transports/transport.ts';

export class RelayTransport extends TransportBase implements Transport {
  private readonly post: (message: JsonRpcMessage) => void;

  constructor(post: (message: JsonRpcMessage) => void) {
    super();
    this.post = post;
  }

  async start(): Promise<void> {
    if (this._state.kind !== 'idle') throw new LocalError('transport', 'transport already started');
    this.setState({ kind: 'running' });
  }

  send(message: JsonRpcMessage): void {
    if (this._state.kind !== 'running') throw new LocalError('transport', 'the app is not running');
    this.post(message);
  }

  /** A message from the other side (parsed, unvalidated: the connection checks it). */
  deliver(message: unknown): void {
    if (this._state.kind === 'running') this._onDidReceiveMessage.fire(message);
  }

  async close(): Promise<void> {
    this.setState({ kind: 'stopped' });
  }

  dispose(): void {
    void this.close();
    this.disposeEvents();
  }
}
