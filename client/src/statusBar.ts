/** The status bar item: papers indexed, a spinner while indexing; click shows the sources. */
import * as vscode from 'vscode';
import type { StatusResult } from '../../server/src/protocol';

export class StatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('relatedWork.status', vscode.StatusBarAlignment.Right, 100);

  constructor(visible: boolean) {
    this.item.name = 'Related Work';
    this.item.command = 'relatedWork.showStatus';
    this.starting();
    this.setVisible(visible);
  }

  setVisible(visible: boolean): void {
    if (visible) this.item.show(); else this.item.hide();
  }

  starting(): void {
    this.item.text = '$(sync~spin) Related Work';
    this.item.tooltip = 'Related Work: starting the language server';
    this.item.accessibilityInformation = { label: 'Related Work: starting' };
  }

  stopped(): void {
    this.item.text = '$(error) Related Work';
    this.item.tooltip = 'Related Work: the language server stopped. Click for details.';
    this.item.accessibilityInformation = { label: 'Related Work: server stopped' };
  }

  update(status: StatusResult, message?: string): void {
    const papers = status.papers.toLocaleString('en-US');
    const errors = status.sources.reduce((n, s) => n + s.errors, 0);
    if (status.ready) {
      this.item.text = `$(book) ${papers} papers${errors ? ` $(warning) ${errors}` : ''}`;
      this.item.accessibilityInformation = { label: `Related Work: ${papers} papers indexed` };
    } else {
      this.item.text = `$(sync~spin) ${papers} papers`;
      this.item.accessibilityInformation = { label: `Related Work: indexing, ${papers} papers so far` };
    }
    const lines = status.sources.map(s => `${s.path}: ${s.papers} papers${s.errors ? `, ${s.errors} errors` : ''}`);
    if (status.restricted) {
      // Restricted Mode (an untrusted workspace): say what is not read and that nothing is written.
      this.item.text = `$(shield) ${this.item.text}`;
      lines.push(
        'Restricted Mode: this workspace is not trusted. Corpus files outside the workspace folders are not read'
          + (status.restricted.skipped.length ? ` (not read: ${status.restricted.skipped.join(', ')})` : '')
          + '; nothing is written (no index cache, no entries added to bibliography files). Trust the workspace to lift this.',
      );
    }
    this.item.tooltip = [`Related Work${message ? ` — ${message}` : ''}`, ...lines].join('\n');
  }

  dispose(): void { this.item.dispose(); }
}
