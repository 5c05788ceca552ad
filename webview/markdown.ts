/**
 * Node text → safe HTML, with the renderer (markdown-it + KaTeX, see markdownRender.ts) loaded as a separate script
 * chunk on first use or right after the first frame (preloadMarkdown). The rendered HTML is parsed in an inert
 * <template> and filtered before it is shown; KaTeX's styles, renamed by the renderer because our CSP has no
 * 'unsafe-inline', are applied through CSSOM.
 */
type Renderer = typeof import('./markdownRender');

let renderer: Renderer | undefined;
let loading: Promise<void> | undefined;
/** Elements showing plain text until the renderer is in, with the text they were given (a newer call wins). */
const pending = new Map<HTMLElement, string>();

function loadRenderer(): Promise<void> {
  loading ??= import('./markdownRender').then(
    (mod) => {
      renderer = mod;
      for (const [el, text] of [...pending]) if (el.isConnected) setMarkdown(el, text);
      pending.clear();
    },
    (err: unknown) => {
      loading = undefined; // shown as plain text; the next call tries again
      console.error('markdown renderer failed to load', err);
    },
  );
  return loading;
}

/** Starts loading the renderer (the page calls it once the first frame is painted); resolves when it is in. */
export function preloadMarkdown(): Promise<void> {
  return renderer ? Promise.resolve() : loadRenderer();
}

/** Whether setMarkdown renders now (tests and the probe read it). */
export function markdownReady(): boolean {
  return renderer !== undefined;
}

const ALLOWED_TAGS = new Set([
  'P', 'BR', 'STRONG', 'EM', 'S', 'CODE', 'PRE', 'BLOCKQUOTE', 'UL', 'OL', 'LI', 'H1', 'H2', 'H3', 'H4', 'H5', 'H6', 'HR', 'A',
  'TABLE', 'THEAD', 'TBODY', 'TR', 'TH', 'TD', 'DIV', 'SPAN',
]);

/**
 * Puts rendered markdown into `el`. Parsed in an inert <template> first and filtered (defence in depth: only the tags
 * markdown-it and KaTeX emit, no event-handler attributes), then KaTeX's styles are applied through CSSOM.
 */
export function setMarkdown(el: HTMLElement, text: string): void {
  if (!renderer) {
    // Until the renderer's chunk is in (tens of ms after the first frame), the text itself, then rendered in place.
    // Before the first frame (the overview's problem text comes with the load) the chunk is not asked for: its
    // download and compile would compete with that frame; the page preloads it once the frame is painted.
    el.textContent = text;
    pending.set(el, text);
    if (performance.getEntriesByName('metacot:first-paint').length > 0) void loadRenderer();
    return;
  }
  pending.delete(el);
  const { renderMarkdown, KATEX_STYLE_ATTR } = renderer;
  const tpl = document.createElement('template');
  tpl.innerHTML = renderMarkdown(text);
  const walker = document.createTreeWalker(tpl.content, NodeFilter.SHOW_ELEMENT);
  const remove: Element[] = [];
  for (let n = walker.nextNode() as Element | null; n; n = walker.nextNode() as Element | null) {
    const inMath = n.namespaceURI === 'http://www.w3.org/1998/Math/MathML' || n.closest('.katex') !== null;
    if (!inMath && !ALLOWED_TAGS.has(n.tagName)) {
      remove.push(n);
      continue;
    }
    for (const attr of [...n.attributes]) {
      const name = attr.name.toLowerCase();
      if (name.startsWith('on') || name === 'style' || name === 'srcdoc' || (name === 'href' && !/^(https?:|mailto:)/i.test(attr.value))) n.removeAttribute(attr.name);
    }
  }
  for (const n of remove) n.replaceWith(document.createTextNode(n.textContent ?? ''));
  for (const n of tpl.content.querySelectorAll<HTMLElement>(`[${KATEX_STYLE_ATTR}]`)) {
    n.style.cssText = n.getAttribute(KATEX_STYLE_ATTR) ?? '';
    n.removeAttribute(KATEX_STYLE_ATTR);
  }
  el.replaceChildren(tpl.content);
}
