// The one browser bundle of every panel: the page's <body data-panel> says which to mount.
// Controls come from @vscode-elements/elements (imported one by one: the bundle has a budget).

import '@vscode-elements/elements/dist/vscode-badge/index.js';
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-checkbox/index.js';
import '@vscode-elements/elements/dist/vscode-collapsible/index.js';
import '@vscode-elements/elements/dist/vscode-label/index.js';
import '@vscode-elements/elements/dist/vscode-multi-select/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import '@vscode-elements/elements/dist/vscode-progress-ring/index.js';
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import '@vscode-elements/elements/dist/vscode-textarea/index.js';
import '@vscode-elements/elements/dist/vscode-textfield/index.js';
import './workbench.css';
import type { PanelKind } from '../protocol.ts';
import { mountElicitationPanel } from './elicitationPanel.ts';
import { mountSamplingPanel } from './samplingPanel.ts';
import { mountToolPanel } from './toolPanel.ts';
import { mountTracePanel } from './tracePanel.ts';

const app = document.getElementById('app')!;
const kind = document.body.dataset['panel'] as PanelKind;
switch (kind) {
  case 'tool': mountToolPanel(app); break;
  case 'elicitation': mountElicitationPanel(app); break;
  case 'sampling': mountSamplingPanel(app); break;
  case 'trace': mountTracePanel(app); break;
}
