// The quick-input forms (forms.ts: a chain of inputs per field) are dist/forms.js, loaded
// on first use: with the panels as the default they are the less used path.

import { lazyModule } from './lazyModule.ts';

export const loadForms = lazyModule<typeof import('./forms.ts')>('forms', './forms.ts');
