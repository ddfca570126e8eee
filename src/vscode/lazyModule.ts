// A part of the extension that is its own bundle, loaded the first time it is needed
// (src/base/bundled.ts). From sources (the tests) `source` is imported here, so its path is
// relative to this folder (src/vscode).

import { lazyBundle } from '../base/bundled.ts';

export function lazyModule<T>(bundle: string, source: string): () => Promise<T> {
  return lazyBundle<T>(bundle, () => import(source));
}
