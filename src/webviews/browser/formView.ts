// A form drawn from the form model (src/webviews/form): one control per field, with
// @vscode-elements controls, inline problems, and an "Edit as JSON" view of the same
// value. The value is the state; every edit goes through the model's pure functions.

import { html, nothing, type TemplateResult } from 'lit';
import { live } from 'lit/directives/live.js';
import {
  addItem, buildForm, chooseVariant, fieldText, fromJsonText, initialValue, moveItem, parseText, removeAt, setAt, setNull,
  toJsonText, validate, type Field, type Problems, type Schema,
} from '../form/index.ts';
import { markdownToHtml } from './markdown.ts';
import { unsafeHTML } from 'lit/directives/unsafe-html.js';

export interface FormOptions {
  /** Prefix of element ids, so two forms on a page cannot collide. */
  idPrefix: string;
  /** Called after every change, with the new value. */
  onChange: (value: unknown) => void;
  /** Redraw the page (the form does not own the page). */
  requestRender: () => void;
  /** The JSON view must hold an object (tool arguments, elicitation content). */
  expect?: 'object';
  /**
   * Descriptions as plain text, not Markdown: a form the server opens on its own
   * (elicitation) gets no links to follow (the spec's description is plain text there).
   */
  plainDescriptions?: boolean;
}

const idOf = (prefix: string, pointer: string) => `${prefix}${pointer.replace(/[^A-Za-z0-9_-]/g, c => `_${c.charCodeAt(0).toString(16)}`)}`;

export class FormView {
  readonly schema: Schema;
  private value: unknown;
  private readonly options: FormOptions;
  /**
   * What each text input holds as typed, by pointer: a redraw writes back exactly that, so
   * the caret stays and "1." is not turned into "1" mid-typing. `error` while it does not
   * parse (a half-typed number). Cleared when the value is replaced from outside.
   */
  private readonly texts = new Map<string, { text: string; error?: string }>();
  /** Fields the user has been in: their problems show; the rest wait for a Run. */
  private readonly touched = new Set<string>();
  private showAll = false;
  private problems: Problems;
  jsonView = false;
  private jsonText: string | undefined;
  private jsonError: string | undefined;
  /** The variant the user chose, by pointer: a value that fits several keeps the chosen one. */
  private readonly variantHints = new Map<string, number>();

  constructor(schema: Schema, value: unknown, options: FormOptions) {
    this.schema = schema;
    this.options = options;
    this.value = value === undefined ? initialValue(schema) : value;
    this.problems = validate(schema, this.value);
  }

  get current(): unknown { return this.value; }
  get problemCount(): number {
    let unparsed = 0;
    for (const t of this.texts.values()) if (t.error) unparsed++;
    return this.problems.count + unparsed + (this.jsonError ? 1 : 0);
  }

  /** Replaces the value (a history entry, a restored state). */
  setValue(value: unknown): void {
    this.value = value === undefined ? initialValue(this.schema) : value;
    this.texts.clear();
    this.jsonText = undefined;
    this.jsonError = undefined;
    this.problems = validate(this.schema, this.value);
  }

  /** From now on every problem shows, touched or not (the user tried to submit). */
  revealProblems(): void {
    this.showAll = true;
  }

  setJsonView(on: boolean): void {
    this.jsonView = on;
    this.jsonText = undefined;
    this.jsonError = undefined;
    this.texts.clear();
  }

  private change(value: unknown, pointer?: string): void {
    this.value = value;
    if (pointer !== undefined) this.touched.add(pointer);
    this.problems = validate(this.schema, this.value);
    this.options.onChange(this.value);
    this.options.requestRender();
  }

  private edit(fn: (value: unknown) => unknown, pointer: string, focus?: string): void {
    // A control that goes away (Add X, a removed item) must not leave focus on nothing:
    // after the redraw it moves to what the edit made (or to its field).
    if (focus !== undefined) {
      this.focusAfter = focus;
      // A structural edit moves values between pointers: what was typed at them is stale.
      for (const key of [...this.texts.keys()]) if (key === pointer || key.startsWith(`${pointer}/`)) this.texts.delete(key);
    }
    this.change(fn(this.value), pointer);
  }

  private focusAfter: string | undefined;

  /** Call after every render: moves focus where the last structural edit asked. */
  afterRender(root: ParentNode): void {
    const pointer = this.focusAfter;
    if (pointer === undefined) return;
    this.focusAfter = undefined;
    const field = root.querySelector(`[data-pointer="${CSS.escape(pointer)}"]`);
    const target = field?.querySelector<HTMLElement>('vscode-textfield, vscode-textarea, vscode-single-select, vscode-multi-select, vscode-checkbox, vscode-button, code[tabindex]');
    if (!target) return;
    // A control drawn just now renders its own parts a moment later (lit's update cycle).
    const ready = (target as HTMLElement & { updateComplete?: Promise<unknown> }).updateComplete;
    if (ready) void ready.then(() => target.focus());
    else target.focus();
  }

  template(): TemplateResult {
    if (this.jsonView) return this.jsonTemplate();
    const root = buildForm(this.schema, this.value, { variantHints: this.variantHints });
    if (root.kind === 'object') {
      return root.fields.length || root.extra.length
        ? html`<div class="form">${root.fields.map(f => this.field(f))}${root.extra.map(f => this.field(f))}</div>`
        : html`<p class="muted">This takes no arguments.</p>`;
    }
    return html`<div class="form">${this.field(root)}</div>`;
  }

  private jsonTemplate(): TemplateResult {
    const text = this.jsonText ?? toJsonText(this.value);
    const id = `${this.options.idPrefix}json`;
    return html`<div class="json-editor">
      <vscode-label for=${id}>Arguments as JSON</vscode-label>
      <vscode-textarea id=${id} class="code" monospace rows="12" resize="vertical" .value=${live(text)}
        ?invalid=${!!this.jsonError} aria-describedby=${`${id}-error`}
        @input=${(e: Event) => this.onJsonInput((e.target as HTMLTextAreaElement).value)}></vscode-textarea>
      <div id=${`${id}-error`} class="error" role="alert">${this.jsonError ?? this.problemSummary()}</div>
    </div>`;
  }

  private problemSummary(): string {
    if (!this.problems.count) return '';
    const first = [...this.problems.byPointer].slice(0, 3).map(([p, m]) => `${p || '/'}: ${m[0]}`);
    return first.join(' · ');
  }

  private onJsonInput(text: string): void {
    this.jsonText = text;
    const parsed = fromJsonText(text, this.options.expect);
    if ('error' in parsed) {
      this.jsonError = parsed.error;
      this.options.requestRender();
      return;
    }
    this.jsonError = undefined;
    this.change(parsed.value);
  }

  private messages(f: Field): string[] {
    const own = this.texts.get(f.pointer);
    if (own?.error) return [own.error];
    if (!this.showAll && !this.touched.has(f.pointer)) return [];
    return this.problems.byPointer.get(f.pointer) ?? [];
  }

  private field(f: Field): TemplateResult {
    const id = idOf(this.options.idPrefix, f.pointer);
    const errors = this.messages(f);
    const errorId = `${id}-error`;
    const describe = f.description ? `${id}-help` : undefined;
    const label = html`<vscode-label for=${id} ?required=${f.required}>${f.label}</vscode-label>`;
    const help = !f.description ? nothing
      : this.options.plainDescriptions ? html`<div id=${`${id}-help`} class="help">${f.description}</div>`
      : html`<div id=${`${id}-help`} class="help">${unsafeHTML(markdownToHtml(f.description))}</div>`;
    const error = html`<div id=${errorId} class="error" role=${errors.length ? 'alert' : nothing}>${errors.join(' ')}</div>`;
    const described = [describe, errorId].filter(Boolean).join(' ');
    const nullToggle = f.nullable ? html`<vscode-checkbox class="null-toggle" label="null" .checked=${live(f.isNull)}
        @change=${(e: Event) => this.edit(v => setNull(this.schema, v, f.path, (e.target as HTMLInputElement).checked), f.pointer, f.pointer)}></vscode-checkbox>` : nothing;
    if (f.isNull) {
      return html`<div class="field" data-pointer=${f.pointer}>${label}${nullToggle}<div class="muted" id=${id} tabindex="-1">null</div>${help}${error}</div>`;
    }
    const control = this.control(f, id, described, errors.length > 0);
    const wide = f.kind === 'object' || f.kind === 'array' || f.kind === 'variant';
    return html`<div class=${wide ? 'field group' : 'field'} data-pointer=${f.pointer} data-kind=${f.kind}>
      <div class="field-head">${label}${f.deprecated ? html`<vscode-badge>deprecated</vscode-badge>` : nothing}${nullToggle}${this.removeButton(f)}</div>
      ${help}${control}${error}
    </div>`;
  }

  /** An optional value that is present can be taken out again (objects and arrays, mostly). */
  private removeButton(f: Field): TemplateResult | typeof nothing {
    if (f.required || !f.present || f.name === undefined) return nothing;
    if (f.kind !== 'object' && f.kind !== 'array' && f.kind !== 'variant' && f.kind !== 'json') return nothing;
    return html`<vscode-button secondary class="small" title=${`Leave ${f.label} out`} aria-label=${`Leave ${f.label} out`}
      @click=${() => this.edit(v => removeAt(v, f.path), f.pointer, f.pointer)}>Leave out</vscode-button>`;
  }

  private textControl(f: Field, id: string, described: string, invalid: boolean, type: string, extra: Record<string, unknown> = {}): TemplateResult {
    const pending = this.texts.get(f.pointer);
    const text = pending?.text ?? fieldText(f);
    const onInput = (e: Event) => {
      const raw = (e.target as HTMLInputElement).value;
      const parsed = parseText(f, raw);
      if ('error' in parsed) {
        this.texts.set(f.pointer, { text: raw, error: parsed.error });
        this.touched.add(f.pointer);
        this.options.requestRender();
        return;
      }
      this.texts.set(f.pointer, { text: raw });
      this.edit(v => 'omit' in parsed ? removeAt(v, f.path) : setAt(v, f.path, parsed.value), f.pointer);
    };
    const placeholder = f.defaultValue !== undefined ? `default: ${JSON.stringify(f.defaultValue)}` : f.required ? '' : 'optional';
    if (f.kind === 'string' && f.multiline) {
      return html`<vscode-textarea id=${id} rows="4" resize="vertical" .value=${live(text)} ?invalid=${invalid} ?readonly=${f.readOnly}
        placeholder=${placeholder} aria-describedby=${described} @input=${onInput}></vscode-textarea>`;
    }
    return html`<vscode-textfield id=${id} type=${type} .value=${live(text)} ?invalid=${invalid} ?readonly=${f.readOnly}
      placeholder=${placeholder} aria-describedby=${described}
      min=${extra['min'] ?? nothing} max=${extra['max'] ?? nothing} step=${extra['step'] ?? nothing}
      @input=${onInput}></vscode-textfield>`;
  }

  private control(f: Field, id: string, described: string, invalid: boolean): TemplateResult {
    switch (f.kind) {
      case 'string':
        return this.textControl(f, id, described, invalid, f.inputType);
      case 'number':
      case 'integer':
        return this.textControl(f, id, described, invalid, 'number', {
          min: f.minimum ?? f.exclusiveMinimum, max: f.maximum ?? f.exclusiveMaximum, step: f.step ?? (f.kind === 'integer' ? 1 : 'any'),
        });
      case 'boolean':
        return html`<vscode-checkbox id=${id} label=${f.value === undefined ? 'not set' : String(f.value)} .checked=${live(f.value === true)}
          aria-describedby=${described} ?invalid=${invalid}
          @change=${(e: Event) => this.edit(v => setAt(v, f.path, (e.target as HTMLInputElement).checked), f.pointer)}></vscode-checkbox>`;
      case 'enum': {
        const index = f.choices.findIndex(c => Object.is(c.value, f.value) || JSON.stringify(c.value) === JSON.stringify(f.value));
        return html`<vscode-single-select id=${id} .value=${live(String(index))} aria-describedby=${described} ?invalid=${invalid}
          @change=${(e: Event) => {
            const i = Number((e.target as HTMLSelectElement).value);
            this.edit(v => i < 0 ? removeAt(v, f.path) : setAt(v, f.path, f.choices[i]!.value), f.pointer);
          }}>
          ${f.required && index >= 0 ? nothing : html`<vscode-option value="-1">${f.required ? 'Choose…' : '(not set)'}</vscode-option>`}
          ${f.choices.map((c, i) => html`<vscode-option value=${String(i)} description=${c.description ?? nothing}>${c.label}</vscode-option>`)}
        </vscode-single-select>`;
      }
      case 'multiEnum': {
        const selected = f.choices.map((c, i) => f.value.some(v => JSON.stringify(v) === JSON.stringify(c.value)) ? String(i) : undefined).filter((x): x is string => x !== undefined);
        return html`<vscode-multi-select id=${id} .value=${live(selected)} aria-describedby=${described} ?invalid=${invalid}
          @change=${(e: Event) => {
            const picked = ((e.target as unknown as { value: string[] }).value).map(Number).sort((a, b) => a - b);
            this.edit(v => setAt(v, f.path, picked.map(i => f.choices[i]!.value)), f.pointer);
          }}>
          ${f.choices.map((c, i) => html`<vscode-option value=${String(i)}>${c.label}</vscode-option>`)}
        </vscode-multi-select>`;
      }
      case 'const':
        return html`<code id=${id} class="const" tabindex="0" aria-describedby=${described}>${JSON.stringify(f.value)}</code>`;
      case 'object':
        if (!f.present) return this.absent(f, id);
        return html`<fieldset class="object" id=${id} aria-describedby=${described}>
          <legend class="visually-hidden">${f.label}</legend>
          ${f.fields.map(c => this.field(c))}${f.extra.map(c => this.field(c))}
          ${f.fields.length || f.extra.length ? nothing : html`<p class="muted">An empty object.</p>`}
        </fieldset>`;
      case 'array':
        if (!f.present) return this.absent(f, id);
        return html`<div class="array" id=${id} role="list" aria-describedby=${described}>
          ${f.items.map((item, i) => html`<div class="array-item" role="listitem">
            <div class="item-body">${this.field(item)}</div>
            <div class="item-actions">
              <vscode-button secondary class="small" aria-label=${`Move ${item.label} up`} title="Move up" ?disabled=${i === 0 || f.tuple}
                @click=${() => this.edit(v => moveItem(v, f.path, i, i - 1), f.pointer, `${f.pointer}/${i - 1}`)}>↑</vscode-button>
              <vscode-button secondary class="small" aria-label=${`Move ${item.label} down`} title="Move down" ?disabled=${i === f.items.length - 1 || f.tuple}
                @click=${() => this.edit(v => moveItem(v, f.path, i, i + 1), f.pointer, `${f.pointer}/${i + 1}`)}>↓</vscode-button>
              <vscode-button secondary class="small" aria-label=${`Remove ${item.label}`} title="Remove" ?disabled=${!f.canRemove}
                @click=${() => this.edit(v => removeAt(v, [...f.path, i]), f.pointer, f.pointer)}>✕</vscode-button>
            </div>
          </div>`)}
          ${f.items.length ? nothing : html`<p class="muted">No items.</p>`}
          <vscode-button secondary class="add" ?disabled=${!f.canAdd} @click=${() => this.edit(v => addItem(this.schema, v, f.path), f.pointer, `${f.pointer}/${f.items.length}`)}>Add item</vscode-button>
        </div>`;
      case 'variant':
        return html`<div class="variant">
          <vscode-single-select id=${id} aria-label=${`${f.label}: which kind`} .value=${live(String(f.selected))} aria-describedby=${described}
            @change=${(e: Event) => {
              const i = Number((e.target as HTMLSelectElement).value);
              if (i < 0) return;
              this.variantHints.set(f.pointer, i);
              this.edit(v => chooseVariant(this.schema, v, f.path, i), f.pointer, f.pointer);
            }}>
            ${f.selected < 0 ? html`<vscode-option value="-1">Choose a kind…</vscode-option>` : nothing}
            ${f.variants.map((v, i) => html`<vscode-option value=${String(i)}>${v.label}</vscode-option>`)}
          </vscode-single-select>
          ${f.field ? html`<div class="variant-body">${this.variantBody(f.field)}</div>` : nothing}
        </div>`;
      case 'json':
        return this.jsonField(f, id, described, invalid);
    }
  }

  /** The chosen variant's own controls, without a second label. */
  private variantBody(f: Field): TemplateResult {
    // The variant's own const (its discriminator) is what the select above already says.
    if (f.kind === 'object') return html`${f.fields.filter(c => c.kind !== 'const').map(c => this.field(c))}${f.extra.map(c => this.field(c))}`;
    return this.field(f);
  }

  private absent(f: Field, id: string): TemplateResult {
    const create = (v: unknown) => {
      if (f.kind !== 'array') return setAt(v, f.path, initialValue(f.schema, this.schema));
      // A person who adds a list wants its first item (and as many as it needs at least).
      let out = setAt(v, f.path, []);
      for (let i = 0; i < Math.max(1, f.minItems ?? 0); i++) out = addItem(this.schema, out, f.path);
      return out;
    };
    return html`<vscode-button id=${id} secondary @click=${() => this.edit(create, f.pointer, f.pointer)}>
      Add ${f.label}</vscode-button>`;
  }

  private jsonField(f: Field & { kind: 'json' }, id: string, described: string, invalid: boolean): TemplateResult {
    const pending = this.texts.get(f.pointer);
    const text = pending?.text ?? (f.present && f.value !== undefined ? JSON.stringify(f.value, null, 2) : '');
    return html`<vscode-textarea id=${id} class="code" monospace rows="3" resize="vertical" .value=${live(text)} ?invalid=${invalid}
      placeholder=${`JSON (${f.reason})`} aria-describedby=${described}
      @input=${(e: Event) => {
        const raw = (e.target as HTMLTextAreaElement).value;
        if (raw.trim() === '') { this.texts.set(f.pointer, { text: raw }); this.edit(v => removeAt(v, f.path), f.pointer); return; }
        const parsed = fromJsonText(raw);
        if ('error' in parsed) { this.texts.set(f.pointer, { text: raw, error: parsed.error }); this.options.requestRender(); return; }
        this.texts.set(f.pointer, { text: raw });
        this.edit(v => setAt(v, f.path, parsed.value), f.pointer);
      }}></vscode-textarea>`;
  }
}
