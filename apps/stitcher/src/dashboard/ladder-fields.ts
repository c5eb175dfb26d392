/**
 * The ladder part of a form (preset boxes and custom profiles), shared by "New stream" and
 * "Edit ladder", and the way both forms show field errors: every line in the form's alert, and
 * each named field marked invalid.
 */
import type { Ladder, Preset } from './api-types.js';
import { el } from './dom.js';
import { fieldErrorLines } from './format.js';
import type { FieldErrors } from './form-checks.js';

/** The fieldset's markup; `prefix` keeps the ids of two forms apart. */
export function ladderFieldset(prefix: string): string {
  return `<fieldset>
      <legend>Ladder</legend>
      <div id="${prefix}-presets" class="presets" role="group" aria-label="Presets"></div>
      <label for="${prefix}-profiles">Custom profiles (JSON array, optional)</label>
      <textarea id="${prefix}-profiles" rows="3" aria-describedby="${prefix}-errors"
        placeholder='[{"name":"240p","width":426,"height":240,"bitrate":400000,"fps":0}]'></textarea>
    </fieldset>`;
}

export function fillPresets(container: HTMLElement, presets: Preset[], checked: string[] = []): void {
  container.replaceChildren(
    ...presets.map((preset) => {
      const label = el('label', null, 'preset');
      const box = el('input');
      box.type = 'checkbox';
      box.value = preset.name;
      box.checked = checked.includes(preset.name);
      label.append(box, ` ${preset.name}`);
      return label;
    }),
  );
}

export function checkedPresets(container: HTMLElement): string[] {
  return Array.from(container.querySelectorAll<HTMLInputElement>('input:checked')).map((box) => box.value);
}

export function profilesText(ladder: Ladder): string {
  return ladder.profiles?.length ? JSON.stringify(ladder.profiles) : '';
}

/**
 * Shows `errors` (the API's `errors` of a 400, or the same checks made here): the lines in
 * `alert`, and `aria-invalid` on the input of each field named (`fields`: field prefix -> input).
 */
export function showFieldErrors(alert: HTMLElement, errors: FieldErrors, fields: Record<string, HTMLElement>, other: string[] = []): void {
  const lines = [...fieldErrorLines(errors), ...other];
  alert.replaceChildren(...lines.map((line) => el('div', line)));
  for (const [prefix, input] of Object.entries(fields)) {
    const invalid = Object.keys(errors).some(
      (field) => field === prefix || field.startsWith(`${prefix}.`) || field.startsWith(`${prefix}[`),
    );
    if (invalid) input.setAttribute('aria-invalid', 'true');
    else input.removeAttribute('aria-invalid');
  }
  const first = Object.entries(fields).find(([, input]) => input.getAttribute('aria-invalid') === 'true');
  first?.[1].focus();
}
