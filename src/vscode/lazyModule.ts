// A part of the extension that is its own bundle, loaded the first time it is needed:
// most sessions never need it, and dist/extension.js has a budget (esbuild.mjs builds each).
// In the bundle it is `dist/<bundle>.js` beside dist/extension.js; from sources (the tests),
// the module itself. Paths are relative to this folder (src/vscode).

declare const __MCPH_BUNDLED__: boolean | undefined;

export function lazyModule<T>(bundle: string, source: string): () => Promise<T> {
  let loaded: Promise<T> | undefined;
  return () => {
    if (typeof __MCPH_BUNDLED__ !== 'undefined' && __MCPH_BUNDLED__) {
      // An indirect require, so esbuild leaves it alone and Node resolves it beside the bundle.
      const load = require;
      loaded ??= Promise.resolve(load(`./${bundle}.js`) as T);
    } else {
      loaded ??= import(source) as Promise<T>;
    }
    return loaded;
  };
}
