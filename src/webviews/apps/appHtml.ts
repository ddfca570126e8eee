// Prepares an MCP App's HTML for its srcdoc frame (pure string work, no DOM).
//
// The frame inherits the webview page's nonce policy, so every app <script> must carry the page's
// app nonce, and the app's own CSP <meta> must come first in <head> (a meta CSP applies only to what
// the parser meets after it, and only inside <head>).
//
// The rules, as a small subset of the HTML tokenizer (WHATWG "Tokenization"), not regexes:
// - Comments `<!-- … -->` are left alone; they end at the first `-->` or `--!>`, or at once for
//   `<!-->` and `<!--->`, as in a browser. Exception: a conditional comment `<!--[if …]> … -->` has
//   its inside scanned as markup, so its scripts get the nonce too (inert in a browser, harmless).
// - `<!…>`, `<?…>` and `</` + non-letter are bogus comments up to the first `>` (doctype included).
// - A start tag is `<` + ASCII letter; its attributes are read with their quoting, so a `>` inside a
//   quoted value does not end it. The tag name is compared case-insensitively.
// - `<script …>` gets ` nonce="…"` right after its name and loses any nonce it had. Its text is raw
//   script data, up to `</script` followed by whitespace, `/` or `>`, including the tokenizer's escaped
//   states: after `<!--`, a `<script` makes the next `</script>` not end it (until `-->`), exactly
//   as a browser parses it. So `"<script>"` in JS text is never rewritten, and a literal `</script>`
//   in a JS string ends the element, as it does in the browser.
// - The text of style, xmp, iframe, noembed, noframes, noscript, title and textarea is raw up to its
//   own end tag; after `<plaintext>` nothing is markup.
// - Not handled: foreign content. `<svg><script>` and `<math>` scripts get the nonce, but inside
//   <svg>/<math> a title or style is not raw text for a browser, and here it is, so a script inside
//   one (`<svg><title><script>`) misses the nonce. That fails safe: the browser blocks it.
// - A tag left open at the end of input stops the scan: it is not markup for a browser either.
// Checked against parse5 (scratch, not a dependency): both real apps and 200,000 random documents
// built from the fragments these rules name gave the same scripts, each with exactly our nonce and
// its text and other attributes unchanged, and the CSP first in <head>; the only differences were
// the foreign-content case above and scripts in a never-closed conditional comment (inert).
// Where the CSP goes: right after the first `<head…>` if nothing but a doctype, `<html…>`, comments
// and whitespace came before it; else right after `<html…>` inside a new `<head></head>`; else after
// the doctype (or at the start) inside a new `<html><head></head>`. An app's own CSP <meta> stays:
// browsers enforce every policy, so it can only narrow ours.

/** `scripts`: how many <script> start tags got the nonce (inert ones in conditional comments included). */
export interface PreparedHtml { html: string; scripts: number }

const NONCE = /^[A-Za-z0-9+/_-]{16,}={0,2}$/;
const RAW = new Set(['style', 'xmp', 'iframe', 'noembed', 'noframes', 'noscript', 'title', 'textarea']);
const isWs = (c: string | undefined) => c === ' ' || c === '\t' || c === '\n' || c === '\f' || c === '\r';
const isAlpha = (c: string | undefined) => c !== undefined && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'));
const escapeAttr = (v: string) => v.replace(/&/g, '&amp;').replace(/"/g, '&quot;');

interface Attr { name: string; start: number; end: number }
interface Tag { name: string; nameEnd: number; end: number; attrs: Attr[] }

/** `<` + `name` (or `</name`) followed by a tag delimiter, case-insensitively, at p. */
function tagAt(s: string, p: number, prefix: string, name: string): boolean {
  const q = p + prefix.length;
  return s.startsWith(prefix, p) && s.slice(q, q + name.length).toLowerCase() === name && (isWs(s[q + name.length]) || s[q + name.length] === '/' || s[q + name.length] === '>');
}

/** Reads a tag whose name starts at `from`; undefined when it is not closed before `to`. */
function readTag(s: string, from: number, to: number): Tag | undefined {
  let i = from;
  while (i < to && !isWs(s[i]) && s[i] !== '/' && s[i] !== '>') i++;
  const tag: Tag = { name: s.slice(from, i).toLowerCase(), nameEnd: i, end: -1, attrs: [] };
  for (;;) {
    while (i < to && (isWs(s[i]) || s[i] === '/')) i++;
    if (i >= to) return undefined;
    if (s[i] === '>') { tag.end = i + 1; return tag; }
    const start = i++;
    while (i < to && !isWs(s[i]) && s[i] !== '/' && s[i] !== '>' && s[i] !== '=') i++;
    const nameEnd = i;
    while (i < to && isWs(s[i])) i++;
    let end = nameEnd;
    if (s[i] === '=') {
      i++;
      while (i < to && isWs(s[i])) i++;
      const q = s[i];
      if (q === '"' || q === "'") {
        const close = s.indexOf(q, i + 1);
        if (close < 0 || close >= to) return undefined;
        i = end = close + 1;
      } else {
        while (i < to && !isWs(s[i]) && s[i] !== '>') i++;
        end = i;
      }
    }
    tag.attrs.push({ name: s.slice(start, nameEnd).toLowerCase(), start, end });
  }
}

/** Index of the `<` of the `</script` that ends script data starting at `i`, or `to`. */
function scriptEnd(s: string, i: number, to: number): number {
  let state: 'data' | 'escaped' | 'double' = 'data';
  while (i < to) {
    const lt = s.indexOf('<', i);
    const p = lt < 0 || lt >= to ? to : lt;
    if (state !== 'data') {
      const dashes = s.indexOf('-->', i);
      if (dashes >= 0 && dashes < p) { state = 'data'; i = dashes + 3; continue; }
    }
    if (p >= to) return to;
    if (state === 'data') {
      if (tagAt(s, p, '</', 'script')) return p;
      if (s.startsWith('<!--', p)) { state = 'escaped'; i = p + 2; continue; } // `<!-->` ends at once
    } else if (state === 'escaped') {
      if (tagAt(s, p, '</', 'script')) return p;
      if (tagAt(s, p, '<', 'script')) { state = 'double'; i = p + 8; continue; }
    } else if (tagAt(s, p, '</', 'script')) { state = 'escaped'; i = p + 9; continue; }
    i = p + 1;
  }
  return to;
}

/** Index just after the end of the comment opened at `lt` (`<!--`), and where its text ends. */
function commentEnd(s: string, lt: number, to: number): { textEnd: number; end: number } {
  if (s[lt + 4] === '>') return { textEnd: lt + 4, end: lt + 5 };
  if (s.startsWith('->', lt + 4)) return { textEnd: lt + 4, end: lt + 6 };
  const a = s.indexOf('-->', lt + 4), b = s.indexOf('--!>', lt + 4);
  const hit = [a, b].filter(x => x >= 0 && x < to).sort((x, y) => x - y)[0];
  if (hit === undefined) return { textEnd: to, end: to };
  return { textEnd: hit, end: hit + (hit === b ? 4 : 3) };
}

interface Scan { out: string[]; copied: number; scripts: number; nonce: string; insert: { pos: number; kind: 'none' | 'doctype' | 'html' | 'head' }; frozen: boolean; outLen: number }

/** Where input index `p` (at or after the last copied index) lands in the output. */
const outPos = (st: Scan, p: number) => st.outLen + (p - st.copied);
function emit(st: Scan, ...parts: string[]): void {
  for (const part of parts) { st.out.push(part); st.outLen += part.length; }
}

function scan(s: string, from: number, to: number, st: Scan, top: boolean): void {
  let i = from;
  const freeze = () => { if (top) st.frozen = true; };
  while (i < to) {
    const lt = s.indexOf('<', i);
    if (lt < 0 || lt >= to) { if (/\S/.test(s.slice(i, to))) freeze(); return; }
    if (/\S/.test(s.slice(i, lt))) freeze();
    const c = s[lt + 1];
    if (s.startsWith('<!--', lt)) {
      const { textEnd, end } = commentEnd(s, lt, to);
      const open = s.startsWith('<!--[if', lt) ? s.indexOf(']>', lt) : -1;
      if (open >= 0 && open + 2 <= textEnd) scan(s, open + 2, textEnd, st, false);
      i = end;
    } else if (isAlpha(c)) {
      const tag = readTag(s, lt + 1, to);
      if (!tag) return;
      i = tag.end;
      if (top && !st.frozen && (tag.name === 'html' || tag.name === 'head')) {
        st.insert = { pos: outPos(st, tag.end), kind: tag.name };
        if (tag.name === 'head') st.frozen = true;
      } else freeze();
      if (tag.name === 'script') {
        emit(st, s.slice(st.copied, tag.nameEnd), ` nonce="${st.nonce}"`);
        let at = tag.nameEnd;
        for (const a of tag.attrs) if (a.name === 'nonce') { emit(st, s.slice(at, a.start)); at = a.end; }
        emit(st, s.slice(at, tag.end));
        st.copied = tag.end;
        st.scripts++;
        i = scriptEnd(s, tag.end, to);
      } else if (RAW.has(tag.name)) {
        let p = tag.end;
        while ((p = s.indexOf('</', p)) >= 0 && p < to && !tagAt(s, p, '</', tag.name)) p += 2;
        i = p < 0 || p >= to ? to : p;
      } else if (tag.name === 'plaintext') return;
    } else if (c === '/' && isAlpha(s[lt + 2])) {
      const tag = readTag(s, lt + 2, to);
      if (!tag) return;
      freeze();
      i = tag.end;
    } else if (c === '!' || c === '?' || c === '/') {
      const gt = s.indexOf('>', lt);
      i = gt < 0 || gt >= to ? to : gt + 1;
      if (top && !st.frozen && /^<!doctype/i.test(s.slice(lt, lt + 9))) st.insert = { pos: outPos(st, i), kind: 'doctype' };
    } else {
      freeze();
      i = lt + 1;
    }
  }
}

/** The app's HTML with our CSP <meta> first in <head> and our nonce on every <script>. */
export function prepareAppHtml(html: string, opts: { nonce: string; csp: string; preamble?: string }): PreparedHtml {
  if (!NONCE.test(opts.nonce)) throw new Error('prepareAppHtml: the nonce must be at least 16 base64 characters.');
  const st: Scan = { out: [], copied: 0, scripts: 0, nonce: opts.nonce, insert: { pos: 0, kind: 'none' }, frozen: false, outLen: 0 };
  scan(html, 0, html.length, st, true);
  st.out.push(html.slice(st.copied));
  const rewritten = st.out.join('');
  // The preamble (our own script, run before any of the app's) goes right after the policy.
  if (opts.preamble !== undefined && /<\/script/i.test(opts.preamble)) throw new Error('prepareAppHtml: the preamble must not contain "</script".');
  const preamble = opts.preamble === undefined ? '' : `<script nonce="${opts.nonce}">${opts.preamble}</script>`;
  const meta = `<meta http-equiv="Content-Security-Policy" content="${escapeAttr(opts.csp)}">${preamble}`;
  const { pos, kind } = st.insert;
  const head = kind === 'head' ? meta : kind === 'html' ? `<head>${meta}</head>` : `<html><head>${meta}</head>`;
  return { html: rewritten.slice(0, pos) + head + rewritten.slice(pos), scripts: st.scripts };
}
