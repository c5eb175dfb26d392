import { Injectable } from '@nestjs/common';
import { randomBytes, randomUUID } from 'node:crypto';
import { WebhookEndpointRepository, type WebhookEndpointEntity } from '@lib/database';
import { LIFECYCLE_EVENT_TYPES, type LifecycleEventType } from '@lib/queue';
import { InvalidEndpointError, checkEndpointUrl } from './endpoint-url';

export class WebhookEndpointNotFoundError extends Error {
  constructor(readonly endpointId: string) {
    super(`no webhook endpoint with id ${endpointId}`);
    this.name = 'WebhookEndpointNotFoundError';
  }
}

/** An endpoint as shown: never its secret. */
export interface WebhookEndpointView {
  id: string;
  name: string;
  url: string;
  events: LifecycleEventType[];
  enabled: boolean;
  createdAt: number;
  updatedAt: number;
}

/** What creation and secret rotation return: the only time the secret is visible. */
export interface WebhookEndpointWithSecret extends WebhookEndpointView {
  secret: string;
}

export interface EndpointInput {
  name?: string;
  url?: string;
  events?: string[];
  enabled?: boolean;
}

const NAME_MAX = 200;

function checkEvents(events: unknown): LifecycleEventType[] {
  if (!Array.isArray(events) || events.length === 0) throw new InvalidEndpointError('events', 'must list at least one event type');
  const unknown = events.filter((e) => !(LIFECYCLE_EVENT_TYPES as readonly unknown[]).includes(e));
  if (unknown.length)
    throw new InvalidEndpointError('events', `unknown event types: ${unknown.join(', ')} (known: ${LIFECYCLE_EVENT_TYPES.join(', ')})`);
  return [...new Set(events as LifecycleEventType[])];
}

function checkName(name: unknown, fallback: string): string {
  if (name === undefined) return fallback;
  if (typeof name !== 'string' || !name.trim()) throw new InvalidEndpointError('name', 'must not be empty');
  if (name.trim().length > NAME_MAX) throw new InvalidEndpointError('name', `must be at most ${NAME_MAX} characters`);
  return name.trim();
}

/** `whsec_` + 32 random bytes: the HMAC key of the endpoint's signatures. */
function generateSecret(): string {
  return `whsec_${randomBytes(32).toString('base64url')}`;
}

/** Webhook endpoints for the admin API and the CLI: checked input, secrets shown once. */
@Injectable()
export class WebhookEndpointsService {
  constructor(private readonly endpoints: WebhookEndpointRepository) {}

  async create(input: EndpointInput): Promise<WebhookEndpointWithSecret> {
    if (input.url === undefined) throw new InvalidEndpointError('url', 'is required');
    const url = checkEndpointUrl(input.url);
    const now = Date.now();
    const entity: WebhookEndpointEntity = {
      id: randomUUID(),
      name: checkName(input.name, new URL(url).host),
      url,
      events: checkEvents(input.events),
      secret: generateSecret(),
      enabled: input.enabled ?? true,
      createdAt: now,
      updatedAt: now,
    };
    await this.endpoints.insert(entity);
    return { ...view(entity), secret: entity.secret };
  }

  async list(page: { limit: number; offset: number }): Promise<WebhookEndpointView[]> {
    return (await this.endpoints.list(page)).map(view);
  }

  async get(id: string): Promise<WebhookEndpointView> {
    return view(await this.entity(id));
  }

  /** Changes only the fields given; every one is checked before anything is written. */
  async update(id: string, input: EndpointInput): Promise<WebhookEndpointView> {
    const row = await this.entity(id);
    const next = {
      name: checkName(input.name, row.name),
      url: input.url === undefined ? row.url : checkEndpointUrl(input.url),
      events: input.events === undefined ? row.events : checkEvents(input.events),
      enabled: input.enabled ?? row.enabled,
    };
    Object.assign(row, next, { updatedAt: Date.now() });
    await this.endpoints.save(row);
    return view(row);
  }

  /** A new secret (shown once); deliveries from now on are signed with it. */
  async rotateSecret(id: string): Promise<WebhookEndpointWithSecret> {
    const row = await this.entity(id);
    row.secret = generateSecret();
    row.updatedAt = Date.now();
    await this.endpoints.save(row);
    return { ...view(row), secret: row.secret };
  }

  async delete(id: string): Promise<void> {
    if (!(await this.endpoints.delete(id))) throw new WebhookEndpointNotFoundError(id);
  }

  private async entity(id: string): Promise<WebhookEndpointEntity> {
    const row = await this.endpoints.get(id);
    if (!row) throw new WebhookEndpointNotFoundError(id);
    return row;
  }
}

function view(row: WebhookEndpointEntity): WebhookEndpointView {
  return {
    id: row.id,
    name: row.name,
    url: row.url,
    events: row.events as LifecycleEventType[],
    enabled: row.enabled,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}
