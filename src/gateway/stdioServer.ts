// The gateway's stdio side: newline-delimited JSON on a readable (our stdin) and a writable
// (our stdout), for hosts that only launch commands (`mcp-host gateway --stdio`). It ends
// when the input ends. Lines are framed like the client's stdio transport (framing.ts).

import type { Readable, Writable } from 'node:stream';
import { LocalError } from '../protocol/errors.ts';
import { serializeMessage, type JsonRpcMessage } from '../protocol/jsonrpc.ts';
import { TransportBase } from '../transports/base.ts';
import { LineDecoder, parseJsonLine } from '../transports/framing.ts';
import type { Transport } from '../transports/transport.ts';

export interface StdioServerOptions {
  input: Readable;
  output: Writable;
  /** Largest message accepted from the client (default 64 MiB). */
  maxMessageBytes?: number;
}

export class StdioServerTransport extends TransportBase implements Transport {
  private readonly opts: StdioServerOptions;
  private decoder: LineDecoder | undefined;
  private readonly onData = (chunk: Buffer) => this.decoder?.push(chunk);
  private readonly onEnd = () => {
    const rest = this.decoder?.flush();
    if (rest) this.line(rest);
    this.setState({ kind: 'stopped' });
  };

  constructor(opts: StdioServerOptions) {
    super();
    this.opts = opts;
  }

  async start(): Promise<void> {
    if (this._state.kind !== 'idle') throw new LocalError('transport', 'transport already started');
    this.decoder = new LineDecoder({
      maxLineBytes: this.opts.maxMessageBytes ?? 64 * 1024 * 1024,
      onLine: l => this.line(l),
      onOversize: bytes => this.log('warning', `dropped a client message larger than the limit (${bytes} bytes read)`),
    });
    this.opts.input.on('data', this.onData);
    this.opts.input.once('end', this.onEnd);
    this.opts.input.once('close', this.onEnd);
    this.setState({ kind: 'running' });
  }

  private line(line: Buffer): void {
    const parsed = parseJsonLine(line);
    if (!parsed) return;
    if (parsed.ok) this._onDidReceiveMessage.fire(parsed.value);
    else this.log('warning', `ignored a line that is not JSON (${parsed.reason}): ${parsed.preview}`);
  }

  send(message: JsonRpcMessage): void {
    if (this._state.kind !== 'running') throw new LocalError('transport', 'the client has gone');
    this.opts.output.write(serializeMessage(message) + '\n');
  }

  async close(): Promise<void> {
    this.opts.input.off('data', this.onData);
    this.setState({ kind: 'stopped' });
  }

  dispose(): void {
    void this.close();
    this.disposeEvents();
  }
}
