// The host's input broker: roots from the RootsProvider, sampling and elicitation through
// the embedding's handlers (VS Code's dialogs, the CLI's terminal), each request's params
// validated at the edge. One per managed server (it knows who is asking), used by both
// protocol generations (src/protocol/inputBroker.ts).

import { ErrorCode, WireError, errorMessage } from '../protocol/errors.ts';
import type { InputBroker, InputContext, InputRequest } from '../protocol/inputBroker.ts';
import { parse } from '../protocol/schemas.ts';
import type { ClientCapabilities } from '../protocol/types.ts';
import type { ElicitationHandler, LogEntry, LogLevel, RootsProvider, SamplingHandler, ServerRef } from './types.ts';

export interface HostInputBrokerOptions {
  server: ServerRef;
  roots?: RootsProvider;
  sampling?: SamplingHandler;
  elicitation?: ElicitationHandler;
  log?(level: LogLevel, source: LogEntry['source'], message: string): void;
}

export class HostInputBroker implements InputBroker {
  private readonly opts: HostInputBrokerOptions;
  readonly capabilities: Pick<ClientCapabilities, 'roots' | 'sampling' | 'elicitation'>;

  constructor(opts: HostInputBrokerOptions) {
    this.opts = opts;
    const caps: Pick<ClientCapabilities, 'roots' | 'sampling' | 'elicitation'> = {};
    if (opts.roots) caps.roots = { listChanged: true };
    if (opts.sampling) caps.sampling = {};
    if (opts.elicitation) caps.elicitation = { form: {}, url: {} };
    this.capabilities = caps;
  }

  async answer(request: InputRequest, ctx: InputContext): Promise<Record<string, unknown>> {
    const { roots, sampling, elicitation, server } = this.opts;
    const params = request.params ?? {};
    const log = (message: string) => this.opts.log?.('info', 'host', message);
    switch (request.method) {
      case 'roots/list':
        if (!roots) break;
        { const routed = roots.rootsFor?.(server, ctx.signal, ctx.origins); return { roots: routed ? await routed : roots.roots() }; }
      case 'sampling/createMessage': {
        if (!sampling) break;
        const p = validParams(request.method, parse.createMessageParams, params);
        log(`sampling request (${p.messages.length} message(s), maxTokens ${p.maxTokens})${via(ctx)}`);
        return await sampling.createMessage(server, p, ctx.signal, ctx.origins) as unknown as Record<string, unknown>;
      }
      case 'elicitation/create': {
        if (!elicitation) break;
        const p = validParams(request.method, parse.elicitParams, params);
        log(`elicitation request (${p.mode ?? 'form'}): ${p.message}${via(ctx)}`);
        return await elicitation.elicit(server, p, ctx.signal, ctx.origins) as unknown as Record<string, unknown>;
      }
    }
    throw new WireError(ErrorCode.MethodNotFound, `Method not found: ${request.method}`);
  }
}

/** " (for tools/call echo)": which of our requests the server asked for it in. */
function via(ctx: InputContext): string {
  const r = ctx.relatedTo;
  return r ? ` for ${r.method}${r.name ? ` ${r.name}` : ''}` : '';
}

/** Validates a server's request params; a failure is the server's fault: -32602, not -32603. */
export function validParams<T>(method: string, parser: (raw: Record<string, unknown>) => T, params: Record<string, unknown>): T {
  try {
    return parser(params);
  } catch (err) {
    throw new WireError(ErrorCode.InvalidParams, `invalid ${method} params: ${errorMessage(err)}`);
  }
}
