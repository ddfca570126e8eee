// Markdown from a server (a tool's description, a text result) as HTML that cannot carry
// markup of its own: raw HTML is shown as text, links only to http(s) and mailto, no
// images from anywhere (the CSP would block them anyway). marked parses; lit inserts.

import { Marked, type Tokens } from 'marked';

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, c => `&#${c.charCodeAt(0)};`);

function safeHref(href: string): string | undefined {
  try {
    const url = new URL(href);
    return url.protocol === 'https:' || url.protocol === 'http:' || url.protocol === 'mailto:' ? url.href : undefined;
  } catch {
    return undefined;
  }
}

const marked = new Marked({
  gfm: true,
  breaks: false,
  async: false,
  renderer: {
    html(token: Tokens.HTML | Tokens.Tag) { return escapeHtml(token.text); },
    link(token: Tokens.Link) {
      const text = this.parser.parseInline(token.tokens);
      const href = safeHref(token.href);
      if (!href) return text;
      const title = token.title ? ` title="${escapeHtml(token.title)}"` : '';
      return `<a href="${escapeHtml(href)}"${title}>${text}</a>`;
    },
    image(token: Tokens.Image) { return escapeHtml(token.text ? `[image: ${token.text}]` : '[image]'); },
  },
});

/** HTML for `text`; safe to insert with lit's unsafeHTML. */
export function markdownToHtml(text: string): string {
  return marked.parse(text, { async: false }) as string;
}
