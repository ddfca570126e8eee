// The gateway's JWT validation (jwt.ts, with jose: 35 KB) is its own bundle, dist/jwt.js,
// loaded only by a gateway that is given JWT options; the static token needs none of it.

declare const __MCPH_BUNDLED__: boolean | undefined;
export type JwtModule = typeof import('./jwt.ts');
let jwtModule: Promise<JwtModule> | undefined;

/** jwt.ts, loaded once: dist/jwt.js beside the bundle, or the source module. */
export function loadJwt(): Promise<JwtModule> {
  if (typeof __MCPH_BUNDLED__ !== 'undefined' && __MCPH_BUNDLED__) {
    // An indirect require, so esbuild leaves it alone and Node resolves it beside the bundle.
    const load = require;
    jwtModule ??= Promise.resolve(load('./jwt.js') as JwtModule);
  } else {
    const source = './jwt.ts';
    jwtModule ??= import(source) as Promise<JwtModule>;
  }
  return jwtModule;
}
