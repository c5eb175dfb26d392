/**
 * Confirmation of a destructive action in a modal <dialog>: the browser keeps focus inside it,
 * Escape cancels, and focus returns to the button that opened it.
 */
import { el } from './dom.js';

let dialog: HTMLDialogElement | undefined;

function dialogElement(): HTMLDialogElement {
  if (dialog) return dialog;
  dialog = el('dialog');
  dialog.id = 'confirm-dialog';
  dialog.setAttribute('aria-labelledby', 'confirm-title');
  dialog.setAttribute('aria-describedby', 'confirm-message');
  const form = el('form');
  form.method = 'dialog';
  const title = el('h2', 'Are you sure?');
  title.id = 'confirm-title';
  const message = el('p');
  message.id = 'confirm-message';
  const cancel = el('button', 'Cancel');
  cancel.value = 'cancel';
  cancel.id = 'confirm-cancel';
  const ok = el('button', 'Confirm', 'danger');
  ok.value = 'confirm';
  ok.id = 'confirm-ok';
  const buttons = el('div', null, 'buttons');
  buttons.append(cancel, ok);
  form.append(title, message, buttons);
  dialog.appendChild(form);
  document.body.appendChild(dialog);
  return dialog;
}

/** Resolves true when the operator confirms `message` with the `action` button. */
export function confirmAction(message: string, action: string): Promise<boolean> {
  const d = dialogElement();
  const opener = document.activeElement as HTMLElement | null;
  d.querySelector('#confirm-message')!.textContent = message;
  d.querySelector('#confirm-ok')!.textContent = action;
  d.returnValue = '';
  d.showModal();
  (d.querySelector('#confirm-cancel') as HTMLButtonElement).focus(); // the safe choice has the focus
  return new Promise((resolve) => {
    d.addEventListener(
      'close',
      () => {
        opener?.focus();
        resolve(d.returnValue === 'confirm');
      },
      { once: true },
    );
  });
}
