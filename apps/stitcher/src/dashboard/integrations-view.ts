/**
 * Integrations: what an application built on the relay manages, on one page: webhook endpoints
 * (create with the secret shown once, enable/disable, delete, the delivery log with resend),
 * API keys (create shown once, revoke, last use) and streams (rename, enable/disable, delete,
 * forced while live). Its section is built here, so the page needs only a nav link.
 */
import { ApiRequestError, type ApiClient } from './api-client.js';
import { button, byId, el, fillTable, row } from './dom.js';
import { mountSection, type View } from './view.js';

interface Endpoint {
  id: string;
  name: string;
  url: string;
  events: string[];
  enabled: boolean;
  deliveries: Record<string, number>;
}
interface Delivery {
  id: string;
  eventType: string;
  status: string;
  attempts: number;
  responseStatus: number | null;
  latencyMs: number | null;
  responseSnippet: string | null;
  error: string | null;
  createdAt: number;
}
interface ApiKey {
  id: string;
  name: string;
  scope: string;
  prefix: string;
  lastUsedAt: number | null;
}
interface ManagedStream {
  id: string;
  name: string;
  enabled: boolean;
  isActive: boolean;
  sourceSegments: number;
}

const EVENT_TYPES = [
  'stream.started',
  'stream.idle',
  'stream.transcoding-degraded',
  'stream.transcoding-recovered',
  'recording.ready',
  'recording.failed',
  'asset.export-ready',
  'asset.export-failed',
];

const when = (ms: number | null) => (ms === null ? 'never' : new Date(ms).toLocaleString());

function table(id: string, headings: string[]): HTMLTableElement {
  const t = el('table');
  t.id = id;
  const head = t.createTHead().insertRow();
  for (const h of headings) head.appendChild(el('th', h));
  t.createTBody();
  return t;
}

function input(id: string, label: string, attrs: Record<string, string> = {}): HTMLLabelElement {
  const wrap = el('label', `${label} `);
  const field = el('input');
  field.id = id;
  for (const [k, v] of Object.entries(attrs)) field.setAttribute(k, v);
  wrap.appendChild(field);
  return wrap;
}

function problems(err: unknown): string {
  if (err instanceof ApiRequestError && err.body?.errors)
    return Object.entries(err.body.errors)
      .map(([field, list]) => `${field}: ${list.join(', ')}`)
      .join('; ');
  return err instanceof Error ? err.message : String(err);
}

export class IntegrationsView implements View {
  readonly section: HTMLElement;
  readonly refreshMs = 2000;
  private selectedEndpoint: string | null = null;

  constructor(private readonly api: ApiClient) {
    this.section = mountSection('integrations-view', 'Integrations', '');
    this.build();
  }

  async render(): Promise<void> {
    const [endpoints, keys, streams] = await Promise.all([
      this.api.request<Endpoint[]>('/api/webhooks?limit=500'),
      this.api.request<ApiKey[]>('/api/keys?limit=500'),
      this.api.request<ManagedStream[]>('/api/streams?limit=500'),
    ]);
    fillTable(
      byId<HTMLTableElement>('webhooks-table'),
      endpoints.map((e) => this.endpointRow(e)),
    );
    fillTable(
      byId<HTMLTableElement>('keys-table'),
      keys.map((k) =>
        row([k.name, k.scope, `${k.prefix}...`, when(k.lastUsedAt), button('Revoke', () => void this.act(`/api/keys/${k.id}`, 'DELETE'))]),
      ),
    );
    fillTable(
      byId<HTMLTableElement>('manage-streams-table'),
      streams.map((s) => this.streamRow(s)),
    );
    await this.renderDeliveries();
  }

  /** The section's forms and tables, once (tables are refilled on every render, so typing is never lost). */
  private build(): void {
    const section = this.section;

    const hookForm = el('form');
    hookForm.id = 'webhook-form';
    const events = el('fieldset');
    events.appendChild(el('legend', 'Events'));
    for (const type of EVENT_TYPES) {
      const label = el('label', ` ${type}`);
      const box = el('input');
      box.type = 'checkbox';
      box.value = type;
      box.name = 'webhook-event';
      label.prepend(box);
      events.appendChild(label);
    }
    hookForm.append(input('webhook-url', 'URL', { required: '', maxlength: '2048', type: 'url' }), input('webhook-name', 'Name'), events);
    hookForm.appendChild(el('button', 'Add endpoint'));
    hookForm.addEventListener('submit', (e) => {
      e.preventDefault();
      void this.createEndpoint();
    });

    const keyForm = el('form');
    keyForm.id = 'key-form';
    const scope = el('select');
    scope.id = 'key-scope';
    for (const s of ['read', 'admin']) scope.appendChild(new Option(s, s));
    const scopeLabel = el('label', 'Scope ');
    scopeLabel.appendChild(scope);
    keyForm.append(input('key-name', 'Name', { required: '', maxlength: '200' }), scopeLabel, el('button', 'Create key'));
    keyForm.addEventListener('submit', (e) => {
      e.preventDefault();
      void this.createKey();
    });

    const secret = el('div', undefined, 'notice');
    secret.id = 'integrations-secret';
    secret.hidden = true;
    const error = el('p', undefined, 'error');
    error.id = 'integrations-error';
    error.setAttribute('role', 'alert');

    section.append(
      error,
      secret,
      el('h3', 'Webhook endpoints'),
      table('webhooks-table', ['Name', 'URL', 'Events', 'Enabled', 'Deliveries', '']),
      hookForm,
      el('h3', 'Delivery log'),
      table('deliveries-table', ['Event', 'Status', 'Attempts', 'HTTP', 'Latency', 'Answer / error', 'Created', '']),
      el('h3', 'API keys'),
      table('keys-table', ['Name', 'Scope', 'Key', 'Last used', '']),
      keyForm,
      el('h3', 'Manage streams'),
      table('manage-streams-table', ['Name', 'Live', 'Segments', 'Enabled', '']),
    );
  }

  private endpointRow(e: Endpoint): HTMLTableRowElement {
    const actions = el('span');
    actions.append(
      button('Log', () => {
        this.selectedEndpoint = e.id;
        void this.renderDeliveries();
      }),
      button(e.enabled ? 'Disable' : 'Enable', () => void this.act(`/api/webhooks/${e.id}`, 'PATCH', { enabled: !e.enabled })),
      button('Delete', () => void this.act(`/api/webhooks/${e.id}`, 'DELETE')),
    );
    const counts = Object.entries(e.deliveries)
      .map(([status, n]) => `${status} ${n}`)
      .join(', ');
    return row([e.name, e.url, e.events.join(', '), e.enabled ? 'yes' : 'no', counts || 'none', actions]);
  }

  private streamRow(s: ManagedStream): HTMLTableRowElement {
    const actions = el('span');
    actions.append(
      button('Rename', () => {
        const name = prompt('New name', s.name);
        if (name) void this.act(`/api/streams/${s.id}`, 'PATCH', { name });
      }),
      button(s.enabled ? 'Disable' : 'Enable', () => void this.act(`/api/streams/${s.id}`, 'PATCH', { enabled: !s.enabled })),
      button('Delete', () => {
        const question = s.isActive
          ? `"${s.name}" is live. End the publish and delete it with all its segments and playlists?`
          : `Delete "${s.name}" with all its segments and playlists?`;
        if (confirm(question)) void this.act(`/api/streams/${s.id}${s.isActive ? '?force=true' : ''}`, 'DELETE');
      }),
    );
    return row([s.name, s.isActive ? 'live' : 'idle', s.sourceSegments, s.enabled ? 'yes' : 'no', actions]);
  }

  private async renderDeliveries(): Promise<void> {
    const id = this.selectedEndpoint;
    const rows = id ? await this.api.request<Delivery[]>(`/api/webhooks/${id}/deliveries?limit=50`).catch(() => []) : [];
    fillTable(
      byId<HTMLTableElement>('deliveries-table'),
      rows.map((d) =>
        row([
          d.eventType,
          d.status,
          d.attempts,
          d.responseStatus,
          d.latencyMs === null ? '' : `${d.latencyMs} ms`,
          d.error ?? d.responseSnippet?.slice(0, 120),
          when(d.createdAt),
          button('Resend', () => void this.act(`/api/webhooks/${id}/deliveries/${d.id}/resend`, 'POST')),
        ]),
      ),
    );
  }

  private async createEndpoint(): Promise<void> {
    const events = Array.from(document.querySelectorAll<HTMLInputElement>('input[name=webhook-event]:checked')).map((b) => b.value);
    const name = byId<HTMLInputElement>('webhook-name').value.trim();
    const created = await this.act<{ name: string; secret: string }>('/api/webhooks', 'POST', {
      url: byId<HTMLInputElement>('webhook-url').value.trim(),
      events,
      ...(name ? { name } : {}),
    });
    if (created) this.showOnce(`Endpoint "${created.name}" added. Its signing secret, shown only now:`, created.secret);
  }

  private async createKey(): Promise<void> {
    const created = await this.act<{ name: string; key: string }>('/api/keys', 'POST', {
      name: byId<HTMLInputElement>('key-name').value.trim(),
      scope: byId<HTMLSelectElement>('key-scope').value,
    });
    if (created) this.showOnce(`API key "${created.name}" created, shown only now:`, created.key);
  }

  private showOnce(message: string, secret: string): void {
    const box = byId('integrations-secret');
    const code = el('code', secret);
    code.id = 'integrations-secret-value';
    box.replaceChildren(el('p', message), code);
    box.hidden = false;
  }

  /** One change, its errors shown on the page, then a redraw. */
  private async act<T>(path: string, method: string, body?: unknown): Promise<T | undefined> {
    const error = byId('integrations-error');
    error.textContent = '';
    try {
      const answer = await this.api.request<T>(path, { method, body: body === undefined ? undefined : JSON.stringify(body) });
      await this.render();
      return answer;
    } catch (err) {
      error.textContent = problems(err);
      return undefined;
    }
  }
}
