// The panel page with its script and first styles carried inside (what the extension serves): a <base> for the
// relative URLs, nonce'd inline <style> and module <script>, the CSP unchanged (nonce-only, no unsafe-inline / eval);
// a script that could end its element early is loaded from its file instead.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { inlinableScript, panelCsp, panelHtml } from '../../src/protocol/panelHtml';

const base = { cspSource: 'https://x.vscode-cdn.net', nonce: 'N0nce', scriptUri: 'https://x/media/webview/main.js', styleUris: [] as string[] };

describe('panelHtml inline', () => {
  it('carries the script and styles in the page, under a <base> for their relative URLs', () => {
    const html = panelHtml({ ...base, inline: { baseUri: 'https://x/media/webview/', script: 'import("./chunks/a.js");', styles: ['.a{color:red}', '.b{}'] } });
    assert.match(html, /<base href="https:\/\/x\/media\/webview\/">/);
    assert.ok(html.indexOf('<base') < html.indexOf('<style'), 'the base comes before anything with a URL');
    assert.equal(html.match(/<style nonce="N0nce">/g)?.length, 2);
    assert.match(html, /<script nonce="N0nce" type="module">import\("\.\/chunks\/a\.js"\);<\/script>/);
    assert.doesNotMatch(html, /main\.js/, 'no script is fetched');
    const csp = panelCsp(base.cspSource, base.nonce);
    assert.ok(html.includes(csp.replace(/'/g, '&#39;')) || html.includes(csp), 'the same CSP');
    assert.doesNotMatch(csp, /unsafe-(inline|eval)/);
  });

  it('loads the script from its file when it could close its element early, and without inline styles when one could', () => {
    for (const script of ['const s = "</script><img src=x onerror=alert(1)>";', 'x = "<SCRIPT>";']) {
      assert.equal(inlinableScript(script), false);
      const html = panelHtml({ ...base, inline: { baseUri: 'https://x/', script, styles: [] } });
      assert.match(html, /<script nonce="N0nce" type="module" src="https:\/\/x\/media\/webview\/main\.js"><\/script>/);
      assert.doesNotMatch(html, /onerror/);
    }
    const html = panelHtml({ ...base, inline: { baseUri: 'https://x/', script: 'ok()', styles: ['a{}</style><script>alert(1)</script>'] } });
    assert.doesNotMatch(html, /alert/);
    assert.match(html, /src="https:\/\/x\/media\/webview\/main\.js"/);
  });

  it('without inline content it links the files as before', () => {
    const html = panelHtml({ ...base, styleUris: ['https://x/a.css'] });
    assert.match(html, /<link rel="stylesheet" href="https:\/\/x\/a\.css" nonce="N0nce">/);
    assert.doesNotMatch(html, /<base /);
    assert.match(html, /<script nonce="N0nce" type="module" src="https:\/\/x\/media\/webview\/main\.js"><\/script>/);
  });
});
