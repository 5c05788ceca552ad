// Entry of the Experiment view's page (bundled to media/webview/experiment.js, its CSS to experiment.css).
import '../zodConfig';
import { registerToolkit } from '../toolkit';
import { ExperimentBridge } from './experimentBridge';
import { ExperimentApp } from './experimentApp';
import './experiment.css';

registerToolkit();
const mount = document.getElementById('experiment') ?? document.body.appendChild(document.createElement('main'));
new ExperimentApp(new ExperimentBridge(), mount);
