/**
 * Small DOM dialogs: toasts, a text editor for multi-line inputs, a name prompt and a confirmation.
 */

/** Shows a message for a few seconds (errors stay longer). */
export function toast(message: string, kind: 'info' | 'error' = 'info', ms = kind === 'error' ? 9000 : 3000): void {
  let box = document.getElementById('toasts');
  if (!box) {
    box = document.createElement('div');
    box.id = 'toasts';
    document.body.append(box);
  }
  const item = document.createElement('div');
  item.className = `toast ${kind}`;
  item.textContent = message;
  item.addEventListener('click', () => item.remove());
  box.append(item);
  setTimeout(() => item.remove(), ms);
}

function modal(title: string, body: HTMLElement, buttons: Array<{ label: string; primary?: boolean; value: () => unknown }>): Promise<unknown> {
  return new Promise((resolve) => {
    const back = document.createElement('div');
    back.className = 'modal-back';
    const box = document.createElement('div');
    box.className = 'modal';
    const head = document.createElement('h3');
    head.textContent = title;
    const row = document.createElement('div');
    row.className = 'modal-buttons';
    const close = (value: unknown) => {
      back.remove();
      resolve(value);
    };
    for (const b of buttons) {
      const button = document.createElement('button');
      button.textContent = b.label;
      if (b.primary) button.className = 'primary';
      button.addEventListener('click', () => close(b.value()));
      row.append(button);
    }
    back.addEventListener('keydown', (e) => {
      if (e.key === 'Escape') close(undefined);
      if (e.key === 'Enter' && (e.ctrlKey || e.metaKey || !(e.target instanceof HTMLTextAreaElement))) {
        e.preventDefault();
        close(buttons.find((b) => b.primary)?.value());
      }
      e.stopPropagation();
    });
    box.append(head, body, row);
    back.append(box);
    document.body.append(back);
    (body.querySelector('input,textarea') as HTMLElement | null)?.focus();
  });
}

/**
 * Edits a multi-line text; resolves undefined when cancelled.
 * @example const text = await editText('template', 'Based on <IMG0>');
 */
export async function editText(title: string, value: string): Promise<string | undefined> {
  const area = document.createElement('textarea');
  area.value = value;
  area.rows = 12;
  const result = await modal(title, area, [
    { label: 'Cancel', value: () => undefined },
    { label: 'OK (Ctrl+Enter)', primary: true, value: () => area.value },
  ]);
  return result as string | undefined;
}

/**
 * Asks for a name; resolves undefined when cancelled.
 * @example const name = await askName('Save as', 'my-graph');
 */
export async function askName(title: string, value: string): Promise<string | undefined> {
  const input = document.createElement('input');
  input.value = value;
  input.name = 'name';
  const result = await modal(title, input, [
    { label: 'Cancel', value: () => undefined },
    { label: 'OK', primary: true, value: () => input.value.trim() || undefined },
  ]);
  return result as string | undefined;
}

/** Asks yes or no. */
export async function confirmAction(title: string, message: string): Promise<boolean> {
  const p = document.createElement('p');
  p.textContent = message;
  return (await modal(title, p, [
    { label: 'Cancel', value: () => false },
    { label: 'OK', primary: true, value: () => true },
  ])) === true;
}
