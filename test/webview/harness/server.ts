/**
 * Harness for the panel: a loopback http server that serves the built webview (media/webview) inside the same HTML
 * and CSP the extension uses (src/protocol/panelHtml.ts), plus a fake acquireVsCodeApi and VS Code theme variables.
 *   /panel?theme=dark|light|high-contrast     the panel page
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PANEL_SCRIPT_FILE, PANEL_STYLE_FILES, makeNonce, panelHtml } from '../../../src/protocol/panelHtml';

const repo = join(fileURLToPath(new URL('.', import.meta.url)), '../../..');
const ROOTS: Record<string, string> = { '/media/webview/': join(repo, 'media/webview'), '/harness/': join(repo, 'test/webview/harness') };
const TYPES: Record<string, string> = {
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.ttf': 'font/ttf',
  '.woff2': 'font/woff2',
  '.map': 'application/json',
  '.html': 'text/html',
};

export interface Harness {
  origin: string;
  url(theme?: 'dark' | 'light' | 'high-contrast'): string;
  close(): Promise<void>;
}

export async function startHarness(): Promise<Harness> {
  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    try {
      if (url.pathname === '/panel') {
        const theme = url.searchParams.get('theme') ?? 'dark';
        const origin = `http://${req.headers.host}`;
        const nonce = makeNonce();
        let html = panelHtml({
          cspSource: origin,
          nonce,
          scriptUri: `${origin}/media/webview/${PANEL_SCRIPT_FILE}`,
          styleUris: PANEL_STYLE_FILES.map((f) => `${origin}/media/webview/${f}`),
        });
        // What VS Code adds around an extension's HTML: theme class on body, theme variables, acquireVsCodeApi.
        html = html
          .replace('<body>', `<body class="vscode-${theme}" data-vscode-theme-kind="vscode-${theme}">`)
          .replace('</head>', `  <link rel="stylesheet" href="${origin}/harness/themes.css">\n  </head>`)
          .replace(`<script nonce="${nonce}"`, `<script nonce="${nonce}" src="${origin}/harness/fakeVscodeApi.js"></script>\n    <script nonce="${nonce}"`);
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
        res.end(html);
        return;
      }
      if (url.pathname === '/favicon.ico') {
        res.writeHead(204).end();
        return;
      }
      const prefix = Object.keys(ROOTS).find((p) => url.pathname.startsWith(p));
      if (!prefix) {
        res.writeHead(404).end();
        return;
      }
      const base = ROOTS[prefix];
      const file = normalize(join(base, decodeURIComponent(url.pathname.slice(prefix.length))));
      if (!file.startsWith(base + sep)) {
        res.writeHead(403).end();
        return;
      }
      const body = await readFile(file);
      res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-store' });
      res.end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;
  return {
    origin,
    url: (theme = 'dark') => `${origin}/panel?theme=${theme}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
