/**
 * Captures the panel screenshots kept in media/screenshots/ (a 30-node and a 10k-node MCTS tree, dark and light),
 * through the same harness as the tests:   npx tsx test/webview/captureScreenshots.ts
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { generateTrace } from '../fixtures/generateTrace';
import { startHarness } from './harness/server';
import { ensureWebviewBuilt } from './ensureBuilt';
import { launchChromium, openPanel } from './panelPage';

async function main(): Promise<void> {
  ensureWebviewBuilt();
  const out = join(__dirname, '../../media/screenshots');
  mkdirSync(out, { recursive: true });
  const harness = await startHarness();
  const browser = await launchChromium();
  try {
    for (const [label, nodes] of [['30', 30], ['10k', 10_000]] as const) {
      // Seed 242 gives a 30-node tree with pruned and failed branches, so every encoding shows.
      const trace = generateTrace({ nodes, seed: nodes === 30 ? 242 : 3 });
      const best = trace.result?.bestNodeId;
      // Select the best answer's parent in the small tree (its UCT terms fill the detail pane), the best node in the big one.
      const select = nodes === 30 ? trace.nodes.find((n) => n.id === best)?.parentId ?? undefined : best;
      for (const theme of ['dark', 'light'] as const) {
        const p = await openPanel(browser, harness, { theme, width: 1440, height: 900 });
        await p.load(trace, select);
        await p.page.evaluate('document.fonts.ready.then(() => undefined)');
        await p.page.mouse.move(1, 1);
        await p.nextFrame();
        await p.page.waitForTimeout(250);
        await p.nextFrame();
        const problems = await p.problems();
        if (problems.length) throw new Error(`panel reported problems: ${problems.join('; ')}`);
        const file = join(out, `panel-${label}-${theme}.png`);
        await p.page.screenshot({ path: file });
        console.log(`wrote ${file}`);
        await p.page.close();
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
