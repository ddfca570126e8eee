// Base64 media: its size without decoding it, and whether a webview may show it inline.
// A data URL is a concatenation (V8 keeps it as a rope over the original string until
// something flattens it), built once per block.

import { baseMime } from './text.ts';

/** Shown inline as <img>. Not SVG: it can carry scripts and links. */
const INLINE_IMAGES: Record<string, string> = {
  'image/png': 'image/png',
  'image/jpeg': 'image/jpeg',
  'image/jpg': 'image/jpeg', // not registered, but servers send it
  'image/pjpeg': 'image/jpeg',
  'image/gif': 'image/gif',
  'image/webp': 'image/webp',
};

/** Played inline as <audio> (what VS Code's Electron decodes). */
const INLINE_AUDIO: Record<string, string> = {
  'audio/wav': 'audio/wav',
  'audio/wave': 'audio/wav',
  'audio/x-wav': 'audio/wav',
  'audio/vnd.wave': 'audio/wav',
  'audio/mpeg': 'audio/mpeg',
  'audio/mp3': 'audio/mpeg',
  'audio/ogg': 'audio/ogg',
  'audio/webm': 'audio/webm',
  'audio/mp4': 'audio/mp4',
};

const STRICT_BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const ALPHABET_ONLY = /^[A-Za-z0-9+/]*$/;
/** Longer data is checked at its start and end only (a full scan of 20 MB takes ~50 ms; a corrupt middle shows as a broken image anyway). */
const FULL_CHECK_CHARS = 1024 * 1024;
const SAMPLE_CHARS = 64 * 1024;

/**
 * Decoded size of base64 `data`, from its length (line breaks and spaces skipped); -1 when
 * it is not base64. No copy; one scan at most.
 */
export function base64Size(data: string): number {
  if (data.length > FULL_CHECK_CHARS) {
    if (data.length % 4 === 0 && ALPHABET_ONLY.test(data.slice(0, SAMPLE_CHARS)) && STRICT_BASE64.test(data.slice(-SAMPLE_CHARS))) return decodedLength(data.length, padding(data));
  } else if (STRICT_BASE64.test(data) && data.length % 4 !== 1) {
    return decodedLength(data.length, padding(data));
  }
  // Wrapped lines (MIME style) or garbage: count the alphabet, refuse anything else.
  let chars = 0;
  let pad = 0;
  for (let i = 0; i < data.length; i++) {
    const c = data.charCodeAt(i);
    if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) continue;
    if (c === 0x3d) { pad++; continue; }
    if (pad > 0) return -1; // '=' only at the end
    const ok = (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39) || c === 0x2b || c === 0x2f;
    if (!ok) return -1;
    chars++;
  }
  if (pad > 2 || (chars + pad) % 4 === 1) return -1;
  return decodedLength(chars + pad, pad);
}

function padding(data: string): number {
  return data.endsWith('==') ? 2 : data.endsWith('=') ? 1 : 0;
}

function decodedLength(len: number, pad: number): number {
  return Math.floor((len * 3) / 4) - pad;
}

export type MediaKind = 'image' | 'audio';

/** The data URL for `data` when `mimeType` may be shown inline; otherwise why not, as a sentence. */
export function inlineMedia(kind: MediaKind, mimeType: string, data: string, size: number): { dataUrl: string } | { notInline: string } {
  const mime = baseMime(mimeType);
  if (size < 0) return { notInline: `The ${kind} data is not valid base64, so it cannot be shown.` };
  if (size === 0) return { notInline: `The ${kind} is empty.` };
  if (kind === 'image' && mime === 'image/svg+xml') return { notInline: 'SVG images can carry scripts, so they are not shown inline; open the result as a document to see it.' };
  const as = (kind === 'image' ? INLINE_IMAGES : INLINE_AUDIO)[mime];
  if (!as) {
    const what = mime ? `${kind === 'image' ? 'Images' : 'Audio'} of type ${mime}` : (kind === 'image' ? 'An image without a MIME type' : 'Audio without a MIME type');
    return { notInline: `${what} cannot be ${kind === 'image' ? 'shown' : 'played'} inline; open the result as a document to see it.` };
  }
  return { dataUrl: `data:${as};base64,${data}` };
}

/** The kind of inline media a MIME type is, for embedded resource blobs. */
export function mediaKindOf(mimeType: string | undefined): MediaKind | undefined {
  if (!mimeType) return undefined;
  const mime = baseMime(mimeType);
  if (mime.startsWith('image/')) return 'image';
  if (mime.startsWith('audio/')) return 'audio';
  return undefined;
}
