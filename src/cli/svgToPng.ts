/**
 * An SVG drawn by Chromium (the browser the UI tiers use) and saved as a PNG: the experiment plots, `metacot
 * importance --plot FILE.png` and the benchmarks. No browser: it throws saying so (callers keep the SVG).
 */
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';

export async function svgToPng(svg: string, file: string): Promise<void> {
  const exe = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
  if (!existsSync(exe)) throw new Error(`no browser at ${exe} (set CHROMIUM_PATH) to draw it; the SVG is there`);
  // Named at run time so the bundle leaves it out: a dev dependency, absent where the CLI is installed (no PNG there).
  const driver = 'playwright-core';
  const { chromium } = (await import(driver)) as typeof import('playwright-core');
  const browser = await chromium.launch({ executablePath: exe, args: ['--no-sandbox'] });
  try {
    const w = Number(/width="(\d+)"/.exec(svg)![1]);
    const h = Number(/height="(\d+)"/.exec(svg)![1]);
    const page = await browser.newPage({ viewport: { width: w, height: h } });
    await page.setContent(`<html><body style="margin:0">${svg}</body></html>`);
    await writeFile(file, await page.screenshot({ clip: { x: 0, y: 0, width: w, height: h } }));
  } finally {
    await browser.close();
  }
}
