/**
 * Shared by the webview tests, the screenshot script and the benchmark: start Debian's Chromium through
 * playwright-core, open the harness panel, and talk to it like the extension host would.
 */
import { chromium } from 'playwright-core';
import type { Browser, Page } from 'playwright-core';
import type { Trace } from '../../src/core/trace/schema';
import type { HostMessageInput } from '../../src/protocol/hostMessages';
import { loadMessageFor } from '../../src/protocol/hostMessages';
import type { WebviewMessage } from '../../src/protocol/webviewMessages';
import type { Harness } from './harness/server';

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS, headless: true });
}

export interface PanelPage {
  page: Page;
  /** Host → webview message (validated by the page on arrival). */
  send(message: HostMessageInput): Promise<void>;
  /** Sends the load message the host would pick for this trace size, and waits until it is drawn. */
  load(trace: Trace, selectNodeId?: string): Promise<void>;
  posted(): Promise<WebviewMessage[]>;
  /** Messages of one type posted since the last `clearPosted`. */
  postedOfType<T extends WebviewMessage['type']>(type: T): Promise<Extract<WebviewMessage, { type: T }>[]>;
  clearPosted(): Promise<void>;
  /** CSP violations, page errors and console errors seen so far. */
  problems(): Promise<string[]>;
  nextFrame(): Promise<void>;
  probe<T>(fn: string): Promise<T>;
}

export async function openPanel(
  browser: Browser,
  harness: Harness,
  o: { theme?: 'dark' | 'light' | 'high-contrast'; width?: number; height?: number; page?: Page } = {},
): Promise<PanelPage> {
  const page = o.page ?? (await browser.newPage({ viewport: { width: o.width ?? 1280, height: o.height ?? 800 } }));
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console: ${m.text()}`);
  });
  await page.addInitScript(() => {
    const w = window as unknown as { __csp: string[] };
    w.__csp = [];
    document.addEventListener('securitypolicyviolation', (e) => w.__csp.push(`${e.violatedDirective} blocked ${e.blockedURI || '(inline)'} at ${e.sourceFile}:${e.lineNumber}`));
  });
  await page.goto(harness.url(o.theme ?? 'dark'));
  await page.waitForFunction(() => (window as unknown as { __posted: { type: string }[] }).__posted?.some((m) => m.type === 'ready'));
  const panel: PanelPage = {
    page,
    send: async (message) => {
      await page.evaluate((m) => (window as unknown as { __hostSend(m: unknown): void }).__hostSend(m), message as unknown);
    },
    load: async (trace, selectNodeId) => {
      // A JSON string crosses the CDP boundary far faster than Playwright's object serialization (17 s vs 1 s at 10k nodes).
      await page.evaluate((json) => (window as unknown as { __hostSend(m: unknown): void }).__hostSend(JSON.parse(json)), JSON.stringify(loadMessageFor(trace, selectNodeId)));
      await page.waitForFunction(
        ({ id, n }) => {
          const p = (window as unknown as { __metacotPanel?: { nodeCount: number; traceId: string } }).__metacotPanel;
          return p !== undefined && p.nodeCount === n && p.traceId === id;
        },
        { id: trace.id, n: trace.nodes.length },
        { timeout: 120_000 },
      );
      await panel.nextFrame();
    },
    posted: () => page.evaluate(() => (window as unknown as { __posted: WebviewMessage[] }).__posted),
    postedOfType: async (type) => (await panel.posted()).filter((m) => m.type === type) as never,
    clearPosted: () => page.evaluate(() => void ((window as unknown as { __posted: unknown[] }).__posted.length = 0)),
    problems: async () => [...errors, ...(await page.evaluate(() => (window as unknown as { __csp: string[] }).__csp))],
    nextFrame: () => page.evaluate(() => (window as unknown as { __metacotPanel: { nextFrame(): Promise<void> } }).__metacotPanel.nextFrame()),
    probe: (fn) => page.evaluate(`(() => { const p = window.__metacotPanel; return (${fn}); })()`),
  };
  return panel;
}
