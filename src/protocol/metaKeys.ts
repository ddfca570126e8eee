// The `_meta` keys of the 2026-07-28 revision, for both directions: the client side
// (stateless.ts) writes them, the gateway's stateless side (src/gateway/stateless.ts) reads them.
// A module of its own, so the gateway's bundle takes these names without the client's generation.

export const META = {
  protocolVersion: 'io.modelcontextprotocol/protocolVersion',
  clientCapabilities: 'io.modelcontextprotocol/clientCapabilities',
  clientInfo: 'io.modelcontextprotocol/clientInfo',
  logLevel: 'io.modelcontextprotocol/logLevel',
  serverInfo: 'io.modelcontextprotocol/serverInfo',
  subscriptionId: 'io.modelcontextprotocol/subscriptionId',
} as const;
