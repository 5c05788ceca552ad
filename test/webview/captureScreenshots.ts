/**
 * Captures the panel screenshots kept in media/screenshots/: generated MCTS trees of 30, 300 and 10,000 nodes in the
 * light, dark and high-contrast themes, at 631×860 (the panel VS Code opens beside the editor in a 1400×900 window),
 * 800×860 and 1440×900, as a new trace opens (the reading view: best path and alternatives as text), plus the 300-node
 * tree in reading mode and the 10k tree expanded and fitted (the colour scale as boxes and bars), and a path with its
 * step importance measured (detail pane and card marks). Through the same
 * harness as the tests:
 *   npx tsx test/webview/captureScreenshots.ts [filter]     # filter: a substring of the file name, e.g. 300-dark
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TraceSchema, type Trace } from '../../src/core/trace/schema';
import { TraceTree } from '../../src/core/trace/tree';
import { InProcessGenerator } from '../../src/core/search/inProcessGenerator';
import { countdownChecker } from '../../src/core/verify/checker';
import { measureStepImportance } from '../../src/core/analyse/stepImportance';
import { withImportance } from '../../src/core/analyse/stepImportanceSchema';
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
    // Step importance: the beam fixture's best path measured (scripted continuations, as in importance.test.ts), its
    // middle step selected, so the detail pane shows the formula, the answers and the chart, the cards their marks.
    const measured = await importanceTrace();
    for (const theme of THEMES) {
      for (const [vw, width, height] of VIEWPORTS.filter(([v]) => v !== '800')) {
        const name = `panel-importance-${theme}-${vw}`;
        if (filter && !name.includes(filter)) continue;
        const p = await openPanel(browser, harness, { theme, width, height });
        await p.load(measured);
        await settle(p);
        const pt = await p.probe<{ x: number; y: number } | null>(`p.nodeClientPoint("n5")`);
        if (!pt) throw new Error('n5 is not laid out');
        await p.page.mouse.click(pt.x, pt.y);
        await p.page.locator('#importance').waitFor();
        await settle(p);
        await p.page.screenshot({ path: join(out, `${name}.png`) });
        console.log(`wrote ${name}.png`);
        await p.page.close();
      }
    }
  } finally {
    await browser.close();
    await harness.close();
  }
}

async function importanceTrace(): Promise<Trace> {
  const right = 'Answer: (5 * 3) + 7 + 2 = 24';
  const wrong = 'Answer: 5 + 7 = 12';
  const script: Record<number, string[]> = { 0: [right, wrong, wrong, wrong], 1: [right, right, wrong, wrong], 2: [right, right, right, right] };
  const trace = TraceSchema.parse(JSON.parse(readFileSync(join(__dirname, '../fixtures/traces/countdown-beam.metacot.json'), 'utf8')));
  const generator = new InProcessGenerator((req, i) => script[req.steps.length]![i]!);
  const r = await measureStepImportance({ tree: TraceTree.from(trace), nodeId: 'n9', generator, checker: countdownChecker(), k: 4 });
  trace.analyses = withImportance(undefined, r);
  return TraceSchema.parse(trace);
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
