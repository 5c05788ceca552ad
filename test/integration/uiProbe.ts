// A tiny webview panel the harness opens while the runner's UI tests drive the workbench, so the Playwright
// webview helpers (find a panel's iframe by its title, read its DOM, click) are exercised on a known page
// before the real Meta-CoT panel exists. It uses the same kind of nonce CSP as the extension's own panel.
// Messages the page posts are appended to `probeFile` (JSON lines) and acknowledged back to the page.
import * as fs from 'node:fs';
import * as vscode from 'vscode';

export const PROBE_TITLE = 'Harness Probe';
export const PROBE_VIEW_TYPE = 'metacotHarness.probe';

function nonce(): string {
  const chars = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  let s = '';
  for (let i = 0; i < 32; i++) s += chars[Math.floor(Math.random() * chars.length)];
  return s;
}

function html(webview: vscode.Webview, n: string): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src ${webview.cspSource} 'nonce-${n}'; script-src 'nonce-${n}';">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>${PROBE_TITLE}</title>
<style nonce="${n}">body { font-family: var(--vscode-font-family); color: var(--vscode-foreground); } button { padding: 4px 12px; }</style>
</head>
<body>
<h1 id="probe-title">${PROBE_TITLE}</h1>
<p id="probe-status">ready</p>
<button id="probe-button" type="button">Send ping</button>
<script nonce="${n}">
  const vscode = acquireVsCodeApi();
  let clicks = 0;
  document.getElementById('probe-button').addEventListener('click', () => {
    clicks += 1;
    vscode.postMessage({ type: 'ping', clicks });
  });
  window.addEventListener('message', (event) => {
    if (event.data && event.data.type === 'ack') {
      document.getElementById('probe-status').textContent = 'acknowledged ' + event.data.clicks;
    }
  });
</script>
</body>
</html>`;
}

export async function openUiProbe(probeFile: string): Promise<vscode.Disposable> {
  const panel = vscode.window.createWebviewPanel(PROBE_VIEW_TYPE, PROBE_TITLE, vscode.ViewColumn.One, {
    enableScripts: true,
    localResourceRoots: [],
  });
  panel.webview.html = html(panel.webview, nonce());
  const sub = panel.webview.onDidReceiveMessage((msg: unknown) => {
    fs.appendFileSync(probeFile, `${JSON.stringify(msg)}\n`);
    const clicks = (msg as { clicks?: number } | null)?.clicks ?? 0;
    void panel.webview.postMessage({ type: 'ack', clicks });
  });
  return new vscode.Disposable(() => {
    sub.dispose();
    panel.dispose();
  });
}
