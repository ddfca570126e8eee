// Who a call to a managed server is made for. The gateway passes one with each call it makes
// for a client (CallOptions.origin); the server's sampling, elicitation and roots requests
// while the call runs come back with it (RequestOrigins), so the gateway answers them from
// that client and no other.

import type { GatewayClient } from './gateway.ts';

/** One client's call (a class: nothing else passed as an origin, the host's own, is taken for one). */
export class CallOrigin {
  readonly client: GatewayClient;
  /** The client's own request id (its event stream, over HTTP). */
  readonly requestId: string | number;
  constructor(client: GatewayClient, requestId: string | number) {
    this.client = client;
    this.requestId = requestId;
  }
}
