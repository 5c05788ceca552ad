// Entry of the search panel webview (bundled to media/webview/main.js).
import './zodConfig';
import { HostBridge } from './hostBridge';
import { PanelApp } from './panelApp';
import { registerToolkit } from './toolkit';
// The stylesheet (and its parts) is bundled by esbuild into media/webview/main.css.
import './panel.css';

registerToolkit();
const mount = document.getElementById('app') ?? document.body.appendChild(document.createElement('div'));
mount.classList.add('app');
new PanelApp(new HostBridge(), mount);
