/**
 * Shared by the webview tests, the screenshot script and the benchmark: start Debian's Chromium through
 * playwright-core, open the harness panel, and talk to it like the extension host would.
 */
import { after, afterEach, before } from 'node:test';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';
import type { Browser, Page } from 'playwright-core';
import type { Trace } from '../../src/core/trace/schema';
import type { HostMessageInput } from '../../src/protocol/hostMessages';
import { loadMessageFor } from '../../src/protocol/hostMessages';
import type { PanelMethod, PanelRequestMessage, ReplyMessage } from '../../src/protocol/panelRequests';
import type { WebviewMessage } from '../../src/protocol/webviewMessages';
import { startHarness } from './harness/server';
import type { Harness } from './harness/server';
import { ensureWebviewBuilt } from './ensureBuilt';

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
  /** Requests posted since the last `clearPosted`, of one method when given. */
  requests<M extends PanelMethod>(method?: M): Promise<Extract<PanelRequestMessage, { method: M }>[]>;
  /** How the fake host answers `method` from now on (default: a valid result; see harness/fakeVscodeApi.js). */
  replyWith(method: PanelMethod, reply: Pick<Extract<ReplyMessage, { ok: false }>, 'ok' | 'error'> | null): Promise<void>;
  /** CSP violations, page errors and console errors seen so far. */
  problems(): Promise<string[]>;
  nextFrame(): Promise<void>;
  probe<T>(fn: string): Promise<T>;
}

/** How `openPanel` opens the page: theme, viewport (default 1280×800), or a page the caller made (e.g. with routes). */
export interface OpenOptions {
  theme?: 'dark' | 'light' | 'high-contrast';
  width?: number;
  height?: number;
  page?: Page;
}

export async function openPanel(browser: Browser, harness: Harness, o: OpenOptions = {}): Promise<PanelPage> {
  const page = o.page ?? (await browser.newPage({ viewport: { width: o.width ?? 1280, height: o.height ?? 800 } }));
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console: ${m.text()}`);
  });
  // In-page code is passed as strings: the root tsconfig has no DOM types, and tsx's name helpers do not exist there.
  await page.addInitScript(`
    window.__csp = [];
    document.addEventListener('securitypolicyviolation', (e) =>
      window.__csp.push(e.violatedDirective + ' blocked ' + (e.blockedURI || '(inline)') + ' at ' + e.sourceFile + ':' + e.lineNumber));
  `);
  await page.goto(harness.url(o.theme ?? 'dark'));
  // Predicates are functions: a string predicate that has to poll is compiled with eval, which the page's CSP forbids.
  await page.waitForFunction(() => (globalThis as unknown as { __posted?: { type: string }[] }).__posted?.some((m) => m.type === 'ready'));
  const panel: PanelPage = {
    page,
    send: async (message) => {
      await page.evaluate(`window.__hostSend(${JSON.stringify(message)})`);
    },
    load: async (trace, selectNodeId) => {
      // A JSON string crosses the CDP boundary far faster than Playwright's object serialization (17 s vs 1 s at 10k nodes).
      await page.evaluate(`window.__hostSend(JSON.parse(${JSON.stringify(JSON.stringify(loadMessageFor(trace, selectNodeId)))}))`);
      await page.waitForFunction(
        ({ n, id }) => {
          const probe = (globalThis as unknown as { __metacotPanel?: { nodeCount: number; traceId: string } }).__metacotPanel;
          return probe !== undefined && probe.nodeCount === n && probe.traceId === id;
        },
        { n: trace.nodes.length, id: trace.id },
        { timeout: 120_000, polling: 50 },
      );
      await panel.nextFrame();
    },
    posted: () => page.evaluate(`window.__posted`) as Promise<WebviewMessage[]>,
    postedOfType: async (type) => (await panel.posted()).filter((m) => m.type === type) as never,
    clearPosted: () => page.evaluate(`void (window.__posted.length = 0)`) as Promise<void>,
    requests: async (method) => (await panel.postedOfType('request')).filter((m) => method === undefined || m.method === method) as never,
    replyWith: async (method, reply) => {
      await page.evaluate(`window.__replyWith[${JSON.stringify(method)}] = ${JSON.stringify(reply ?? undefined) ?? 'undefined'}`);
    },
    problems: async () => [...errors, ...((await page.evaluate(`window.__csp`)) as string[])],
    nextFrame: () => page.evaluate(`window.__metacotPanel.nextFrame()`) as Promise<void>,
    probe: (fn) => page.evaluate(`(() => { const p = window.__metacotPanel; return (${fn}); })()`),
  };
  return panel;
}

export interface PanelSuite {
  /** Opens a panel with the file's defaults overridden by `o`; the page is checked and closed after the test. */
  open(o?: OpenOptions): Promise<PanelPage>;
  browser(): Browser;
  harness(): Harness;
}

/**
 * The hooks every webview test file shares; call it at the file's top level. Before: build the webview when stale,
 * start the harness and Chromium. After each test: every page opened through `open` is closed and must have left no
 * CSP violation, page error or console error (minus those matching `ignoreProblems`). After: Chromium and the
 * harness are closed.
 */
export function panelSuite(defaults: OpenOptions = {}, check: { ignoreProblems?: RegExp } = {}): PanelSuite {
  let browser: Browser | undefined;
  let harness: Harness | undefined;
  const opened: PanelPage[] = [];
  before(async () => {
    ensureWebviewBuilt();
    harness = await startHarness();
    browser = await launchChromium();
  });
  afterEach(async () => {
    for (const p of opened.splice(0)) {
      const problems = (await p.problems()).filter((x) => !check.ignoreProblems?.test(x));
      await p.page.close();
      assert.deepEqual(problems, [], 'CSP violations / page errors / console errors');
    }
  });
  after(async () => {
    await browser?.close();
    await harness?.close();
  });
  const suite: PanelSuite = {
    open: async (o = {}) => {
      const p = await openPanel(suite.browser(), suite.harness(), { ...defaults, ...o });
      opened.push(p);
      return p;
    },
    browser: () => browser ?? assert.fail('panelSuite: the browser starts in the before hook'),
    harness: () => harness ?? assert.fail('panelSuite: the harness starts in the before hook'),
  };
  return suite;
}
