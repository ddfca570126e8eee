// The sampling log: every sampling request a server made, what was decided, by which
// model and with how many tokens. Kept in memory with a bound; shown as a document that
// stays current while open. Message text is never kept (it may be private).

import * as vscode from 'vscode';
import type { DocumentStore } from './documents.ts';
import { openDocument } from './documents.ts';

export type SamplingDecision = 'approved' | 'allowed by setting' | 'denied' | 'cancelled' | 'failed';

export interface SamplingRecord {
  at: number;
  serverName: string;
  decision: SamplingDecision;
  model?: string;
  inputTokens?: number;
  outputTokens?: number;
  messages: number;
  maxTokens: number;
  requestEdited?: boolean;
  completionEdited?: boolean;
  error?: string;
}

const MAX_RECORDS = 500;

export class SamplingLog implements vscode.Disposable {
  private readonly records: SamplingRecord[] = [];
  private document: vscode.Uri | undefined;
  private readonly docs: () => DocumentStore;

  constructor(docs: () => DocumentStore) {
    this.docs = docs;
  }

  get entries(): readonly SamplingRecord[] { return this.records; }

  add(record: SamplingRecord): void {
    this.records.push(record);
    if (this.records.length > MAX_RECORDS) this.records.splice(0, this.records.length - MAX_RECORDS);
    if (this.document && !this.docs().update(this.document, this.markdown())) this.document = undefined;
  }

  markdown(): string {
    const lines = ['# MCP Host: Sampling Log', '', `${this.records.length} request${this.records.length === 1 ? '' : 's'} this session (the last ${MAX_RECORDS} are kept).`, ''];
    if (!this.records.length) return lines.join('\n');
    lines.push('| When | Server | Decision | Model | Tokens in | Tokens out | Messages | Max tokens | Edited |', '|---|---|---|---|---:|---:|---:|---:|---|');
    const cell = (v: unknown) => v === undefined ? '' : String(v).replace(/\|/g, '\\|').replace(/\n/g, ' ');
    for (const r of [...this.records].reverse()) {
      const edited = [r.requestEdited ? 'request' : '', r.completionEdited ? 'completion' : ''].filter(Boolean).join(', ');
      lines.push(`| ${new Date(r.at).toLocaleString()} | ${cell(r.serverName)} | ${cell(r.decision)}${r.error ? `: ${cell(r.error)}` : ''} | ${cell(r.model)} | ${cell(r.inputTokens)} | ${cell(r.outputTokens)} | ${r.messages} | ${r.maxTokens} | ${edited} |`);
    }
    return lines.join('\n');
  }

  async show(): Promise<void> {
    if (!this.document || !this.docs().update(this.document, this.markdown())) this.document = this.docs().add('Sampling Log.md', this.markdown());
    await openDocument(this.document);
  }

  dispose(): void {
    this.records.length = 0;
  }
}
