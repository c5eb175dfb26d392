/** A page of the dashboard: the section it shows and how to (re)draw it from the API. */
export interface View {
  readonly section: string;
  render(): Promise<void>;
}

export function showSection(id: string): void {
  for (const section of Array.from(document.querySelectorAll<HTMLElement>('main > section'))) section.hidden = section.id !== id;
}
