// The quick-input forms (forms.ts: a chain of inputs per field) are dist/forms.js, loaded
// on first use: with the panels as the default they are the less used path, and the
// extension bundle has a budget. From sources, the module itself.

type FormsModule = typeof import('./forms.ts');

declare const __MCPH_BUNDLED__: boolean | undefined;
let forms: Promise<FormsModule> | undefined;

export function loadForms(): Promise<FormsModule> {
  if (typeof __MCPH_BUNDLED__ !== 'undefined' && __MCPH_BUNDLED__) {
    // An indirect require, so esbuild leaves it alone and Node resolves it beside the bundle.
    const load = require;
    forms ??= Promise.resolve(load('./forms.js') as FormsModule);
  } else {
    const source = './forms.ts';
    forms ??= import(source) as Promise<FormsModule>;
  }
  return forms;
}
