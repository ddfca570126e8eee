// Parts that are bundles of their own (esbuild.mjs builds each), loaded the first time they
// are needed: most sessions never need them, and the main bundles have budgets. Running
// from the bundles, such a part is `dist/<name>.js` beside the bundle that asks; from
// sources (the tests), it is the module or package itself, which the caller imports.

declare const __MCPH_BUNDLED__: boolean | undefined;

/** Whether this code runs from the bundles (esbuild defines __MCPH_BUNDLED__) rather than from sources. */
export const BUNDLED = typeof __MCPH_BUNDLED__ !== 'undefined' && __MCPH_BUNDLED__;

/** `dist/<file>` beside the running bundle, required now. An indirect require, so esbuild leaves it alone. */
export function requireBeside<T>(file: string): T {
  const load = require;
  return load(`./${file}`) as T;
}

/**
 * A module loaded once, on first call: the bundle `dist/<bundle>.js` beside the running one,
 * else `fromSource()` (an import the caller writes with a non-literal specifier, so esbuild
 * does not pull the module into the caller's bundle).
 */
export function lazyBundle<T>(bundle: string, fromSource: () => Promise<unknown>): () => Promise<T> {
  let loaded: Promise<T> | undefined;
  return () => loaded ??= BUNDLED ? Promise.resolve(requireBeside<T>(`${bundle}.js`)) : fromSource() as Promise<T>;
}
