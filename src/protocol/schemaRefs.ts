// Local `$ref`s of a JSON Schema (2020-12 tool schemas use `$defs`): resolved within the
// schema itself for whoever needs to read a property's shape (a form). A reference to
// anything outside the document — a network URI above all — is never followed (the spec
// forbids dereferencing those); the schema sent to the server is never changed.

type Schema = Record<string, unknown>;

/** The JSON pointer `ref` (`#/$defs/address`) inside `root`, if it points there. */
function pointer(root: Schema, ref: string): Schema | undefined {
  if (!ref.startsWith('#')) return undefined;
  const parts = ref.slice(1).split('/').filter(Boolean).map(p => decodeURIComponent(p).replace(/~1/g, '/').replace(/~0/g, '~'));
  let at: unknown = root;
  for (const p of parts) {
    if (!at || typeof at !== 'object') return undefined;
    at = (at as Record<string, unknown>)[p];
  }
  return at && typeof at === 'object' && !Array.isArray(at) ? at as Schema : undefined;
}

/**
 * `schema` with its local `$ref` replaced by what it points to (the referring schema's
 * own keywords win, as in 2020-12), followed through chains up to a bound; anchors
 * (`$anchor`) are looked up in `$defs`. Anything else is returned as it is.
 */
export function resolveLocalRef(root: Schema, schema: Schema): Schema {
  let current = schema;
  for (let hops = 0; hops < 16; hops++) {
    const ref = current.$ref;
    if (typeof ref !== 'string') return current;
    let target = pointer(root, ref);
    if (!target && /^#[A-Za-z_][\w.-]*$/.test(ref)) {
      const name = ref.slice(1);
      const defs = { ...(root.$defs as Record<string, Schema> | undefined), ...(root.definitions as Record<string, Schema> | undefined) };
      target = Object.values(defs).find(d => d && typeof d === 'object' && d.$anchor === name);
    }
    if (!target) return current; // outside the document: left alone, never fetched
    const { $ref: _ignored, ...own } = current;
    current = { ...target, ...own };
  }
  return current;
}
