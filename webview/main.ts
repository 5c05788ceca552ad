// Entry of the search panel webview (bundled to media/webview/main.js, an ES module; see scripts/build.mjs).
import './zodConfig';
import { HostBridge } from './hostBridge';
import { PanelApp } from './panelApp';
import { registerToolkit } from './toolkit';
import { preloadMarkdown } from './markdown';
// The stylesheet (and its parts) is bundled by esbuild into media/webview/main.css.
import './panel.css';

registerToolkit();
const mount = document.getElementById('app') ?? document.body.appendChild(document.createElement('div'));
mount.classList.add('app');
new PanelApp(new HostBridge(), mount);
// The markdown renderer's chunk comes in once the first frame is painted (the panel marks it), so it never delays that
// frame and is there before anyone reads a node; a page that paints nothing (an error) loads it after a few seconds.
const preload = () => void preloadMarkdown();
const paint = new PerformanceObserver((list) => {
  if (!list.getEntriesByName('metacot:first-paint').length) return;
  paint.disconnect();
  setTimeout(preload, 0);
});
paint.observe({ type: 'mark', buffered: true });
setTimeout(preload, 3000);
