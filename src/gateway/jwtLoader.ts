// The gateway's JWT validation (jwt.ts, with jose: 35 KB) is its own bundle, dist/jwt.js,
// loaded only by a gateway that is given JWT options; the static token needs none of it.

import { lazyBundle } from '../base/bundled.ts';

export type JwtModule = typeof import('./jwt.ts');

/** jwt.ts, loaded once: dist/jwt.js beside the bundle, or the source module. */
export const loadJwt = lazyBundle<JwtModule>('jwt', () => { const source = './jwt.ts'; return import(source); });
