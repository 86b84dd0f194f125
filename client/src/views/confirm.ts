// Modal confirmations of the migrate commands go through here. VS Code refuses to show modal
// dialogs while extension tests run, so the integration tests answer them through the extension's
// exports; that hook works only in ExtensionMode.Test.
import * as vscode from 'vscode';

export interface Confirmation {
  level: 'warning' | 'error';
  message: string;
  detail: string;
  button: string;
}

let answer: ((c: Confirmation) => Promise<boolean>) | undefined;

/** True when the user pressed `button` in the modal dialog. */
export async function confirm(c: Confirmation): Promise<boolean> {
  if (answer) return answer(c);
  const show = c.level === 'error' ? vscode.window.showErrorMessage : vscode.window.showWarningMessage;
  return (await show(c.message, { modal: true, detail: c.detail }, c.button)) === c.button;
}

export function answerConfirmations(mode: vscode.ExtensionMode, fn: ((c: Confirmation) => Promise<boolean>) | undefined): void {
  if (mode !== vscode.ExtensionMode.Test) throw new Error('confirmations are answered by the user');
  answer = fn;
}
