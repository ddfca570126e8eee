// A collapsible JSON tree (structuredContent, a JSON text block, a trace message) drawn
// from the tree model: only expanded nodes are built, so a 10 MB value costs what is open.

import { html, nothing, type TemplateResult } from 'lit';
import { children, pointerOf, valueAt, type TreeNode } from '../result/jsonTree.ts';

export class JsonTreeView {
  private value: unknown;
  private readonly expanded = new Set<string>(['']);
  /** How many children of a node are shown (the model pages them). */
  private readonly shown = new Map<string, number>();
  private readonly requestRender: () => void;
  readonly label: string;

  constructor(value: unknown, label: string, requestRender: () => void) {
    this.value = value;
    this.label = label;
    this.requestRender = requestRender;
    // The first level of a small value is open at once.
    for (const n of children(value, [], { limit: 50 }).nodes) if (n.expandable && n.childCount <= 8) this.expanded.add(n.pointer);
  }

  setValue(value: unknown): void {
    this.value = value;
  }

  expandAll(on: boolean): void {
    this.expanded.clear();
    this.expanded.add('');
    if (on) {
      // Bounded: at most a few hundred nodes open at once.
      const walk = (v: unknown, path: (string | number)[], budget: { n: number }) => {
        for (const n of children(v, path, { limit: 100 }).nodes) {
          if (!n.expandable || budget.n-- <= 0) continue;
          this.expanded.add(n.pointer);
          walk(valueAt(v, [n.key!]), n.path, budget);
        }
      };
      walk(this.value, [], { n: 300 });
    }
    this.requestRender();
  }

  template(): TemplateResult {
    return html`<div class="json-tree" role="tree" aria-label=${this.label}>${this.level([], 0)}</div>`;
  }

  private level(path: (string | number)[], depth: number): TemplateResult {
    const pointer = pointerOf(path);
    const limit = this.shown.get(pointer) ?? 200;
    // children() takes the value at `path`, and names the nodes by their whole path.
    const { nodes, more } = children(valueAt(this.value, path), path, { limit });
    return html`${nodes.map(n => this.node(n, depth))}${more > 0 ? html`<div class="tree-row" style=${`--depth:${depth}`}>
      <button class="link" @click=${() => { this.shown.set(pointer, limit + 200); this.requestRender(); }}>Show ${Math.min(more, 200)} more of ${more}</button></div>` : nothing}`;
  }

  private node(n: TreeNode, depth: number): TemplateResult {
    const open = n.expandable && this.expanded.has(n.pointer);
    const key = n.key === undefined ? nothing : html`<span class="tree-key">${typeof n.key === 'number' ? n.key : JSON.stringify(n.key)}: </span>`;
    const toggle = () => {
      if (open) this.expanded.delete(n.pointer); else this.expanded.add(n.pointer);
      this.requestRender();
    };
    return html`<div class="tree-row" role="treeitem" style=${`--depth:${depth}`} aria-expanded=${n.expandable ? String(open) : nothing}>
      ${n.expandable
        ? html`<button class="twisty" aria-label=${`${open ? 'Collapse' : 'Expand'} ${n.key ?? 'value'}`} @click=${toggle}>${open ? '▾' : '▸'}</button>`
        : html`<span class="twisty-space"></span>`}${key}<span class=${`tree-value ${n.kind}`}>${n.preview}</span>
    </div>${open ? html`<div role="group">${this.level(n.path, depth + 1)}</div>` : nothing}`;
  }
}
