/**
 * The markdown renderer itself (markdown-it with math through KaTeX), loaded on demand by markdown.ts as its own
 * script chunk: the two libraries are most of a megabyte the panel's first frame does not need. Node text is untrusted
 * model output: markdown-it runs with `html: false` (tags become text), images are disabled (no network fetches, no
 * onerror), links are limited to http(s)/mailto, and math goes through KaTeX with `trust: false`.
 */
import MarkdownIt from 'markdown-it';
import type StateInline from 'markdown-it/lib/rules_inline/state_inline.mjs';
import type StateBlock from 'markdown-it/lib/rules_block/state_block.mjs';
import katex from 'katex';

/** KaTeX's inline `style` attributes are renamed to this (our CSP has no 'unsafe-inline'); setMarkdown applies them. */
export const KATEX_STYLE_ATTR = 'data-katex-style';

function renderMath(tex: string, displayMode: boolean): string {
  const html = katex.renderToString(tex, {
    displayMode,
    throwOnError: false,
    trust: false,
    strict: 'ignore',
    output: 'htmlAndMathml',
    maxSize: 20,
    maxExpand: 500,
  });
  // KaTeX escapes attribute values, so `style="` only ever starts one of its own attributes.
  return html.replace(/ style="/g, ` ${KATEX_STYLE_ATTR}="`);
}

/** `$…$` and `\(…\)` inline math. A `$` followed by a space or a digit-only run like "$5 and $6" is left as text. */
function mathInline(state: StateInline, silent: boolean): boolean {
  const src = state.src;
  const start = state.pos;
  let open: string;
  let close: string;
  if (src.startsWith('\\(', start)) {
    open = '\\(';
    close = '\\)';
  } else if (src[start] === '$' && src[start + 1] !== '$') {
    open = '$';
    close = '$';
    if (/\s/.test(src[start + 1] ?? ' ')) return false;
  } else return false;
  let end = src.indexOf(close, start + open.length);
  while (end > 0 && src[end - 1] === '\\') end = src.indexOf(close, end + 1);
  if (end < 0) return false;
  const tex = src.slice(start + open.length, end);
  if (!tex.trim() || (open === '$' && /\s/.test(tex[tex.length - 1]))) return false;
  if (open === '$' && /^\d/.test(src[end + 1] ?? '')) return false; // "$5 and $6" is money, not math
  if (!silent) {
    const token = state.push('math_inline', 'math', 0);
    token.content = tex;
  }
  state.pos = end + close.length;
  return true;
}

/** `$$…$$` and `\[…\]` display math, possibly over several lines. */
function mathBlock(state: StateBlock, startLine: number, endLine: number, silent: boolean): boolean {
  const lineStart = state.bMarks[startLine] + state.tShift[startLine];
  const first = state.src.slice(lineStart, state.eMarks[startLine]);
  const open = first.startsWith('$$') ? '$$' : first.startsWith('\\[') ? '\\[' : null;
  if (!open) return false;
  const close = open === '$$' ? '$$' : '\\]';
  let content = first.slice(2);
  let line = startLine;
  let found = content.trimEnd().endsWith(close);
  if (found) content = content.trimEnd().slice(0, -2);
  while (!found) {
    line++;
    if (line >= endLine) return false;
    const text = state.src.slice(state.bMarks[line] + state.tShift[line], state.eMarks[line]);
    if (text.trimEnd().endsWith(close)) {
      content += '\n' + text.trimEnd().slice(0, -2);
      found = true;
    } else content += '\n' + text;
  }
  if (silent) return true;
  const token = state.push('math_block', 'math', 0);
  token.block = true;
  token.content = content;
  token.map = [startLine, line + 1];
  state.line = line + 1;
  return true;
}

function createRenderer(): MarkdownIt {
  const md = new MarkdownIt({ html: false, linkify: false, typographer: false, breaks: true });
  md.disable(['image']);
  md.validateLink = (url: string) => /^(https?:|mailto:)/i.test(url.trim());
  md.inline.ruler.after('escape', 'math_inline', mathInline);
  md.block.ruler.after('blockquote', 'math_block', mathBlock, { alt: ['paragraph', 'reference', 'blockquote', 'list'] });
  md.renderer.rules.math_inline = (tokens, idx) => renderMath(tokens[idx].content, false);
  md.renderer.rules.math_block = (tokens, idx) => `<div class="math-block">${renderMath(tokens[idx].content, true)}</div>\n`;
  const defaultLink = md.renderer.rules.link_open ?? ((tokens, idx, options, _env, self) => self.renderToken(tokens, idx, options));
  md.renderer.rules.link_open = (tokens, idx, options, env, self) => {
    tokens[idx].attrSet('rel', 'noopener noreferrer');
    return defaultLink(tokens, idx, options, env, self);
  };
  return md;
}

let renderer: MarkdownIt | undefined;

/** Markdown with math to an HTML string (safe to assign to innerHTML; see the module comment). */
export function renderMarkdown(text: string): string {
  renderer ??= createRenderer();
  return renderer.render(text);
}
