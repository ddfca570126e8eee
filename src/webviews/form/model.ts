// The schema-to-form model of the tool panel and the elicitation form: pure TypeScript, no
// DOM and no `vscode`, so the browser bundle and the node unit tests import the same code.

export type {
  ArrayField, BooleanField, BuildOptions, Choice, ConstField, EnumField, Field, JsonField, MultiEnumField, NumberField,
  ObjectField, Path, Schema, StringField, Variant, VariantField,
} from './types.ts';
export { pathOf, pointerOf } from './types.ts';
export { buildForm } from './build.ts';
export { initialValue } from './initial.ts';
export { addItem, chooseVariant, getAt, moveItem, removeAt, schemaAt, setAt, setNull } from './edit.ts';
export { fieldText, fromJsonText, parseText, toJsonText, type ParsedText } from './text.ts';
export { problemsWithin, validate, type Problems } from './validate.ts';
