// The form model's public surface (see model.ts).
export * from './model.ts';
