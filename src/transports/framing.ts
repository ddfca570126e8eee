// Newline-delimited JSON framing. Chunks may split anywhere (inside a multi-byte
// character too): we only decode complete lines, so UTF-8 is never cut. A line is
// assembled from its chunks once, at its end — never a Buffer.concat per chunk — so a
// 100 MB message costs one copy, not one per 64 KB chunk.

export interface LineDecoderOptions {
  /** Called with each complete line (without the newline; a trailing CR is kept). */
  onLine(line: Buffer): void;
  /** A line longer than this is dropped (and reported) instead of buffered without bound. */
  maxLineBytes: number;
  onOversize(bytesSoFar: number): void;
}

export class LineDecoder {
  private chunks: Buffer[] = [];
  private size = 0;
  /** True while skipping the rest of an oversize line. */
  private discarding = false;
  private readonly opts: LineDecoderOptions;

  constructor(opts: LineDecoderOptions) {
    this.opts = opts;
  }

  get bufferedBytes(): number { return this.size; }

  push(chunk: Buffer): void {
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf(10, start);
      if (nl === -1) {
        if (start < chunk.length && !this.discarding) {
          const rest = start === 0 ? chunk : chunk.subarray(start);
          this.size += rest.length;
          if (this.size > this.opts.maxLineBytes) {
            const seen = this.size;
            this.reset();
            this.discarding = true;
            this.opts.onOversize(seen);
          } else {
            this.chunks.push(rest);
          }
        }
        return;
      }
      const piece = chunk.subarray(start, nl);
      start = nl + 1;
      if (this.discarding) { this.discarding = false; continue; }
      let line: Buffer;
      if (this.chunks.length === 0) {
        line = piece;
      } else {
        this.chunks.push(piece);
        line = Buffer.concat(this.chunks, this.size + piece.length);
        this.reset();
      }
      if (line.length > this.opts.maxLineBytes) { this.opts.onOversize(line.length); continue; }
      this.opts.onLine(line);
    }
  }

  /** What is left without a newline at the end of the stream. */
  flush(): Buffer | undefined {
    if (this.discarding || this.chunks.length === 0) { this.reset(); return undefined; }
    const rest = Buffer.concat(this.chunks, this.size);
    this.reset();
    return rest;
  }

  private reset(): void {
    this.chunks = [];
    this.size = 0;
  }
}

export type ParsedLine = { ok: true; value: unknown } | { ok: false; reason: string; preview: string } | undefined;

/** Parses one line as JSON; undefined for a blank line. */
export function parseJsonLine(line: Buffer): ParsedLine {
  let end = line.length;
  if (end > 0 && line[end - 1] === 13) end--; // CRLF
  let begin = 0;
  // A UTF-8 byte-order mark, as some Windows runtimes write at the start of a stream.
  if (end >= 3 && line[0] === 0xef && line[1] === 0xbb && line[2] === 0xbf) begin = 3;
  while (begin < end && (line[begin] === 32 || line[begin] === 9)) begin++;
  if (begin === end) return undefined;
  let text: string;
  try {
    text = line.toString('utf8', begin, end);
  } catch (err) {
    // Longer than V8's longest string: report it, never throw out of the stream's 'data' handler.
    return { ok: false, reason: (err as Error).message, preview: `(${end - begin} bytes)` };
  }
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (err) {
    return { ok: false, reason: (err as Error).message, preview: preview(text) };
  }
}

function preview(text: string): string {
  const t = text.length > 200 ? `${text.slice(0, 200)}… (${text.length} chars)` : text;
  // Keep control characters (ANSI colours) from reaching a log as escapes.
  return t.replace(/[\x00-\x08\x0b-\x1f\x7f]/g, c => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

/** Keeps the last lines of a text stream (stderr) within a byte budget. */
export class TailBuffer {
  private lines: string[] = [];
  private bytes = 0;
  private readonly maxLines: number;
  private readonly maxBytes: number;
  constructor(maxLines = 20, maxBytes = 4096) {
    this.maxLines = maxLines;
    this.maxBytes = maxBytes;
  }
  push(line: string): void {
    this.lines.push(line);
    this.bytes += line.length;
    while (this.lines.length > this.maxLines || (this.bytes > this.maxBytes && this.lines.length > 1)) {
      this.bytes -= this.lines.shift()!.length;
    }
  }
  toString(): string { return this.lines.join('\n'); }
}
