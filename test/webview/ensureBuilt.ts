/** Rebuilds media/webview when the bundle is missing or older than its sources, so the tests never run stale code. */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const repo = join(__dirname, '../..');

function newest(dir: string): number {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}

export function ensureWebviewBuilt(): void {
  const bundle = join(repo, 'media/webview/main.js');
  // webview/panel.css and its parts are bundled into main.css (see PANEL_STYLE_FILES).
  const css = join(repo, 'media/webview/main.css');
  const sources = Math.max(newest(join(repo, 'webview')), newest(join(repo, 'src/protocol')), newest(join(repo, 'src/core')));
  if (existsSync(bundle) && existsSync(css) && statSync(bundle).mtimeMs >= sources && statSync(css).mtimeMs >= sources) return;
  const r = spawnSync(process.execPath, [join(repo, 'scripts/build.mjs')], { cwd: repo, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`webview build failed:\n${r.stdout}\n${r.stderr}`);
}
