// The extension's side of the workbench (src/vscode/panels/): loaded on first use, with
// the serializers registered at activation so panels come back after a reload, and the
// setting that chooses panels or quick inputs.

import * as vscode from 'vscode';
import { lazyModule } from './lazyModule.ts';
import type { HostServices } from './services.ts';

type WorkbenchModule = typeof import('./panels/workbench.ts');
export type Workbench = import('./panels/workbench.ts').Workbench;

const loadModule = lazyModule<WorkbenchModule>('workbench', './panels/workbench.ts');

/** Whether forms open as panels (the default) or as a chain of quick inputs. */
export function usePanels(): boolean {
  return vscode.workspace.getConfiguration('mcpHost').get<string>('forms', 'panel') !== 'quickInput';
}

export class WorkbenchLoader implements vscode.Disposable {
  private workbench: Promise<Workbench> | undefined;
  private readonly services: () => HostServices;
  private readonly context: vscode.ExtensionContext;
  private disposed = false;

  constructor(context: vscode.ExtensionContext, services: () => HostServices) {
    this.context = context;
    this.services = services;
  }

  get(): Promise<Workbench> {
    this.workbench ??= loadModule().then(m => {
      const wb = m.createWorkbench(this.services(), this.context);
      if (this.disposed) wb.dispose();
      return wb;
    });
    return this.workbench;
  }

  /** Panels the window had before a reload come back through these. */
  registerSerializers(): vscode.Disposable[] {
    return [
      vscode.window.registerWebviewPanelSerializer('mcpHost.tool', {
        deserializeWebviewPanel: async (panel, state) => (await this.get()).restoreTool(panel, state as never),
      }),
      vscode.window.registerWebviewPanelSerializer('mcpHost.trace', {
        deserializeWebviewPanel: async (panel, state) => (await this.get()).restoreTrace(panel, state as never),
      }),
    ];
  }

  dispose(): void {
    this.disposed = true;
    void this.workbench?.then(wb => wb.dispose(), () => undefined);
  }
}
