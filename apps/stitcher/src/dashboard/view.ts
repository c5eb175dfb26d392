/** A page of the dashboard: its own <section> and how to (re)draw it from the API. */
export interface View {
  readonly section: HTMLElement;
  /** Draws the page from the API: when it is shown, then every `refreshMs` while it is (null: it updates itself, e.g. from events). */
  render(): Promise<void>;
  readonly refreshMs: number | null;
  /** The page is left: stop what only it needs (players, event subscriptions). */
  leave?(): void;
}

/**
 * A page's <section> in <main>, hidden until shown, with its heading. `body` is the page's own
 * static markup (never a value from the API: those are written as text by the views).
 */
export function mountSection(id: string, title: string, body: string): HTMLElement {
  const section = document.createElement('section');
  section.id = id;
  section.hidden = true;
  section.setAttribute('aria-labelledby', `${id}-title`);
  section.innerHTML = `<h2 id="${id}-title" tabindex="-1">${title}</h2>${body}`;
  document.getElementById('main')!.appendChild(section);
  return section;
}

export function showSection(shown: HTMLElement): void {
  for (const section of Array.from(document.querySelectorAll<HTMLElement>('main > section'))) section.hidden = section !== shown;
}
