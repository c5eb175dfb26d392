/** Small DOM helpers. Every value from the API is written as text, never as HTML. */

export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const node = document.getElementById(id);
  if (!node) throw new Error(`dashboard: no element #${id}`);
  return node as T;
}

export function el<K extends keyof HTMLElementTagNameMap>(tag: K, text?: unknown, className?: string): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (text !== undefined && text !== null) node.textContent = String(text);
  if (className) node.className = className;
  return node;
}

export type Cell = Node | string | number | null | undefined;

export function row(cells: readonly Cell[]): HTMLTableRowElement {
  const tr = document.createElement('tr');
  for (const cell of cells) {
    const td = document.createElement('td');
    if (cell instanceof Node) td.appendChild(cell);
    else td.textContent = cell === undefined || cell === null ? '' : String(cell);
    tr.appendChild(td);
  }
  return tr;
}

export function fillTable(table: HTMLTableElement, rows: readonly Node[]): void {
  table.tBodies[0].replaceChildren(...rows);
}

export function button(label: string, onClick: () => void): HTMLButtonElement {
  const node = el('button', label);
  node.type = 'button';
  node.addEventListener('click', onClick);
  return node;
}

export function link(label: string, href: string, className?: string): HTMLAnchorElement {
  const node = el('a', label, className);
  node.href = href;
  return node;
}

/** The text of `node` (a span made once per card or row) without touching the DOM when it did not change. */
export function setText(node: HTMLElement, text: string): void {
  if (node.textContent !== text) node.textContent = text;
}
