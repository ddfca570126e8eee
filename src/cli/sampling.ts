// Sampling from a terminal. Without a model provider the request is declined (the
// server hears "user rejected", the user reads why on stderr). A provider is any command
// (--sampling-command): it reads the request params as JSON on stdin and prints a
// CreateMessageResult as JSON, or plain text that becomes the assistant's text.

import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { ErrorCode, LocalError, WireError, errorMessage, parseMessage, type CreateMessageResult } from '../core.ts';

export interface SamplingContext {
  server: string;
  command: string[] | undefined;
  write: (text: string) => void;
  verbose: boolean;
}

const MAX_OUTPUT = 16 * 1024 * 1024;

export function createSamplingHandler(ctx: SamplingContext): (params: Record<string, unknown>, signal: AbortSignal) => Promise<CreateMessageResult> {
  return async (params, signal) => {
    try {
      parseMessage.createMessageParams(params);
    } catch (err) {
      throw new WireError(ErrorCode.InvalidParams, `invalid sampling/createMessage params: ${errorMessage(err)}`);
    }
    if (!ctx.command) {
      ctx.write(`mcp-host: declined a sampling request from "${ctx.server}" (no model provider; pass --sampling-command CMD)\n`);
      throw new WireError(ErrorCode.UserRejected, 'The user declined the sampling request: mcp-host has no model provider configured');
    }
    if (ctx.verbose) ctx.write(`mcp-host: sampling request from "${ctx.server}" → ${ctx.command.join(' ')}\n`);
    const out = await run(ctx.command, JSON.stringify(params), signal);
    return toResult(out, path.basename(ctx.command[0]!));
  };
}

function run(command: string[], input: string, signal: AbortSignal): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command[0]!, command.slice(1), { stdio: ['pipe', 'pipe', 'pipe'], signal, windowsHide: true });
    const stdout: Buffer[] = [];
    let size = 0;
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_OUTPUT) child.kill();
      else stdout.push(c);
    });
    child.stderr.on('data', (c: Buffer) => { stderr = (stderr + c.toString('utf8')).slice(-2000); });
    child.stdin.on('error', () => { /* it exited without reading; reported by 'close' */ });
    child.stdin.end(input);
    child.on('error', err => {
      if (signal.aborted) reject(signal.reason instanceof Error ? signal.reason : new LocalError('cancelled', 'cancelled'));
      else reject(new WireError(ErrorCode.InternalError, `the sampling command ${command[0]} could not run: ${err.message}`));
    });
    child.on('close', (code, sig) => {
      if (signal.aborted) return; // 'error' reported it
      if (code === 0) { resolve(Buffer.concat(stdout).toString('utf8')); return; }
      const last = stderr.trim().split('\n').pop();
      reject(new WireError(ErrorCode.InternalError, `the sampling command failed (${sig ? `killed by ${sig}` : `exit code ${code}`})${last ? `: ${last}` : ''}`));
    });
  });
}

function toResult(out: string, model: string): CreateMessageResult {
  const text = out.trim();
  if (text.startsWith('{')) {
    let value: unknown;
    try { value = JSON.parse(text); } catch { value = undefined; }
    const r = value as Partial<CreateMessageResult> | undefined;
    if (r && typeof r === 'object' && r.content !== undefined) {
      return { ...r, role: r.role ?? 'assistant', content: r.content, model: typeof r.model === 'string' ? r.model : model, stopReason: r.stopReason ?? 'endTurn' } as CreateMessageResult;
    }
  }
  return { role: 'assistant', content: { type: 'text', text: out.replace(/\r?\n$/, '') }, model, stopReason: 'endTurn' };
}
