/**
 * Captures the panel screenshots kept in media/screenshots/: generated MCTS trees of 30, 300 and 10,000 nodes in the
 * light, dark and high-contrast themes, at 631×860 (the panel VS Code opens beside the editor in a 1400×900 window),
 * 800×860 and 1440×900, as a new trace opens (the reading view: best path and alternatives as text), plus the 300-node
 * tree in reading mode and the 10k tree expanded and fitted (the colour scale as boxes and bars). Through the same
 * harness as the tests:
 *   npx tsx test/webview/captureScreenshots.ts [filter]     # filter: a substring of the file name, e.g. 300-dark
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { generateTrace } from '../fixtures/generateTrace';
import { startHarness } from './harness/server';
import { ensureWebviewBuilt } from './ensureBuilt';
import { launchChromium, openPanel } from './panelPage';
import type { PanelPage } from './panelPage';

const SIZES = [
  ['30', 30],
  ['300', 300],
  ['10k', 10_000],
] as const;
const THEMES = ['light', 'dark', 'high-contrast'] as const;
const VIEWPORTS = [
  ['631', 631, 860],
  ['800', 800, 860],
  ['1440', 1440, 900],
] as const;

/** Characters of node text drawn on each best-path card (the probe's cardText), '-' for a card not drawn as text. */
function pathText(p: PanelPage, path: readonly string[]): Promise<string> {
  return p.probe(`${JSON.stringify(path)}.map((id) => { const t = p.cardText(id); return t ? t.text.length + (t.cut ? '…' : '') : '-'; }).join(' ')`);
}

async function settle(p: PanelPage): Promise<void> {
  await p.page.evaluate('document.fonts.ready.then(() => undefined)');
  await p.page.mouse.move(1, 1);
  await p.nextFrame();
  await p.page.waitForTimeout(250);
  await p.nextFrame();
}

async function main(): Promise<void> {
  const filter = process.argv[2] ?? '';
  ensureWebviewBuilt();
  const out = join(__dirname, '../../media/screenshots');
  mkdirSync(out, { recursive: true });
  const harness = await startHarness();
  const browser = await launchChromium();
  try {
    for (const [label, nodes] of SIZES) {
      // Seed 242 gives a 30-node tree with pruned and failed branches, so every encoding shows.
      const trace = generateTrace({ nodes, seed: nodes === 30 ? 242 : 3 });
      const byId = new Map(trace.nodes.map((n) => [n.id, n]));
      const path: string[] = [];
      for (let n = byId.get(trace.result?.bestNodeId ?? ''); n; n = n.parentId === null ? undefined : byId.get(n.parentId)) path.unshift(n.id);
      for (const theme of THEMES) {
        for (const [vw, width, height] of VIEWPORTS) {
          const name = `panel-${label}-${theme}-${vw}`;
          const reading = label === '300' && vw === '800';
          const overview = label === '10k' && vw === '1440';
          const extra = reading ? `${name}-reading` : overview ? `${name}-overview` : '';
          if (filter && !name.includes(filter) && !(extra && extra.includes(filter))) continue;
          const p = await openPanel(browser, harness, { theme, width, height });
          await p.load(trace);
          await settle(p);
          const problems = await p.problems();
          if (problems.length) throw new Error(`panel reported problems: ${problems.join('; ')}`);
          if (!filter || name.includes(filter)) {
            await p.page.screenshot({ path: join(out, `${name}.png`) });
            console.log(`wrote ${name}.png`, JSON.stringify(await p.probe('({ lod: p.lastRender.lod, text: p.lastRender.textDraws, minPx: p.lastRender.minTextPx, k: p.camera.k, visible: p.visibleCount })')), `best path chars: ${await pathText(p, path)}`);
          }
          if (reading) {
            // Reading mode on the best node's path.
            await p.page.locator('#tree').focus();
            await p.page.keyboard.press('b');
            await p.page.keyboard.press('m');
            await settle(p);
            await p.page.screenshot({ path: join(out, `${name}-reading.png`) });
            console.log(`wrote ${name}-reading.png`);
          }
          if (overview) {
            await p.page.locator('#tool-expand-all').click();
            await p.page.locator('#tree').focus();
            await p.page.keyboard.press('0');
            await settle(p);
            await p.page.screenshot({ path: join(out, `${name}-overview.png`) });
            console.log(`wrote ${name}-overview.png`, JSON.stringify(await p.probe('({ lod: p.lastRender.lod, text: p.lastRender.textDraws })')));
          }
          await p.page.close();
        }
      }
    }
  } finally {
    await browser.close();
    await harness.close();
  }
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
