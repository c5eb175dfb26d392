import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { Command, CommanderError, InvalidArgumentError } from 'commander';
import type { INestApplicationContext } from '@nestjs/common';
import { ConfigError } from '@lib/config';
import {
  InvalidLadderError,
  InvalidStreamNameError,
  InvalidStreamSettingsError,
  RecordingConflictError,
  RecordingNotFoundError,
  RecordingsService,
  type RecordingView,
  KNOWN_PRESETS,
  StreamLiveError,
  type LadderChecked,
  LadderUncheckedError,
  StreamNotFoundError,
  StreamView,
  StreamWithKey,
  StreamsService,
  describeLadder,
  ladderFromOptions,
} from '@lib/streams';
import { LIFECYCLE_EVENT_TYPES } from '@lib/queue';
import {
  InvalidEndpointError,
  WebhookEndpointNotFoundError,
  WebhookEndpointsService,
  type WebhookEndpointView,
  type WebhookEndpointWithSecret,
} from '@lib/webhooks';

/**
 * `npm run cli -- streams <command>`: manage streams and their keys.
 *   streams create --name demo --presets P360p30fps16x9[,P240p30fps16x9] [--profiles '<json>'] [--json]
 *   streams list | get <id> | update-ladder <id> ... | disable <id> | enable <id> | rotate-key <id>
 *   streams create|settings ... [--record|--no-record] [--dvr-window <seconds|off>] [--recording-retention-days <days|default>]
 *   recordings list <streamId> | session <sessionId> | get <id> | delete <id> | export <id> --variant <name>
 *   streams list | get <id> | update-ladder <id> ... | update <id> [--name] [--enabled] | disable <id> | enable <id>
 *   streams rotate-key <id> | delete <id> [--force]
 *   webhooks create --url <url> --events <type,...> [--name] | list | get <id> | update <id> ... | rotate-secret <id> | delete <id>
 * Exit codes: 0 done, 1 not found or failed, 2 bad input (name, ladder, settings).
 */

type Output = { json?: boolean };

function print(value: unknown, json: boolean | undefined, text: () => string): void {
  process.stdout.write(json ? `${JSON.stringify(value, null, 2)}\n` : `${text()}\n`);
}

/** What the Livepeer API could not say about a ladder goes to stderr, never into the JSON on stdout. */
function warnUnchecked(checked: LadderChecked): void {
  if (checked.ladderCheck.warning) process.stderr.write(`warning: ${checked.ladderCheck.warning}\n`);
}

/** The one JSON object of create / rotate-key: flat, so scripts can pick fields easily. */
function keyJson(stream: StreamWithKey & Partial<LadderChecked>) {
  return {
    id: stream.id,
    name: stream.name,
    streamKey: stream.streamKey,
    playbackId: stream.playbackId,
    ladder: stream.ladder,
    enabled: stream.enabled,
    rtmpUrl: stream.publishUrls.rtmp,
    httpPushUrl: stream.publishUrls.httpPush,
    playbackUrl: stream.playbackUrl,
    createdAt: stream.createdAt,
    ...(stream.ladderCheck ? { ladderCheck: stream.ladderCheck } : {}),
  };
}

function describe(stream: StreamView): string {
  return [
    `  id           ${stream.id}`,
    `  name         ${stream.name}`,
    `  enabled      ${stream.enabled ? 'yes' : 'no'}`,
    `  playback id  ${stream.playbackId}`,
    `  ladder       ${describeLadder(stream.ladder).join(', ')}`,
    `  record       ${stream.record ? 'yes' : 'no'}`,
    `  DVR window   ${stream.dvrWindowSeconds ? `${stream.dvrWindowSeconds} s` : 'off'}`,
    `  recordings   kept ${stream.recordingRetentionDays === null ? 'the default time' : stream.recordingRetentionDays === 0 ? 'until deleted' : `${stream.recordingRetentionDays} days`}`,
    `  playback     ${stream.playbackUrl}`,
  ].join('\n');
}

function describeWithKey(title: string, stream: StreamWithKey): string {
  return [
    title,
    describe(stream),
    `  stream key   ${stream.streamKey}`,
    `  RTMP         ${stream.publishUrls.rtmp}`,
    `  HTTP push    ${stream.publishUrls.httpPush}`,
    '',
    'The stream key is shown only now: keep it secret (rotate-key replaces it).',
  ].join('\n');
}

async function withApp<T>(work: (app: INestApplicationContext) => Promise<T>): Promise<T> {
  let app: INestApplicationContext | undefined;
  try {
    const { CliModule } = await import('./cli.module');
    app = await NestFactory.createApplicationContext(CliModule, { logger: false, abortOnError: false });
    return await work(app);
  } finally {
    await app?.close();
  }
}

async function withRecordings<T>(work: (recordings: RecordingsService) => Promise<T>): Promise<T> {
  let app: INestApplicationContext | undefined;
  try {
    const { CliRecordingsModule } = await import('./cli.module');
    app = await NestFactory.createApplicationContext(CliRecordingsModule, { logger: false, abortOnError: false });
    return await work(app.get(RecordingsService));
  } finally {
    await app?.close();
  }
}

function describeRecording(r: RecordingView): string {
  const seconds = r.durationMs === null ? '-' : `${(r.durationMs / 1000).toFixed(1)} s`;
  return [
    `  id           ${r.id}`,
    `  state        ${r.state}${r.failureReason ? ` (${r.failureReason})` : ''}`,
    `  started      ${new Date(r.startedAt).toISOString()}`,
    `  duration     ${seconds}`,
    `  sessions     ${r.sessionIds.join(', ')}`,
    `  variants     ${r.variants.join(', ') || '-'}`,
    `  playback     ${r.playbackUrl ?? '-'}`,
    ...r.mp4.map(
      (e) => `  mp4 ${e.variant.padEnd(8)} ${e.state} ${e.progress}%${e.url ? ` ${e.url}` : ''}${e.error ? ` (${e.error})` : ''}`,
    ),
  ].join('\n');
}

/** --record / --dvr-window / --recording-retention-days as a settings patch (checked by the streams library). */
function settingsFromOptions(o: { record?: boolean; dvrWindow?: string; recordingRetentionDays?: string }): Record<string, unknown> {
  const patch: Record<string, unknown> = {};
  if (o.record !== undefined) patch.record = o.record;
  if (o.dvrWindow !== undefined) patch.dvrWindowSeconds = o.dvrWindow === 'off' ? null : Number(o.dvrWindow);
  if (o.recordingRetentionDays !== undefined) {
    patch.recordingRetentionDays = o.recordingRetentionDays === 'default' ? null : Number(o.recordingRetentionDays);
  }
  return patch;
}

type SettingsOptions = { record?: boolean; dvrWindow?: string; recordingRetentionDays?: string };

const settingsOptions = (cmd: Command) =>
  cmd
    .option('--record', 'record each session (VOD recording)')
    .option('--no-record', 'do not record')
    .option('--dvr-window <seconds>', 'seconds the live playlists keep (DVR), or "off"')
    .option('--recording-retention-days <days>', 'days recordings are kept (0: until deleted), or "default"');
const withStreams = <T>(work: (streams: StreamsService) => Promise<T>) => withApp((app) => work(app.get(StreamsService)));
const withWebhooks = <T>(work: (endpoints: WebhookEndpointsService) => Promise<T>) =>
  withApp((app) => work(app.get(WebhookEndpointsService)));

/** `--enabled true|false` (commander reports a bad value and exits 2). */
function parseBool(value: string): boolean {
  if (value !== 'true' && value !== 'false') throw new InvalidArgumentError('must be true or false');
  return value === 'true';
}

function describeEndpoint(endpoint: WebhookEndpointView): string {
  return [
    `  id       ${endpoint.id}`,
    `  name     ${endpoint.name}`,
    `  url      ${endpoint.url}`,
    `  events   ${endpoint.events.join(', ')}`,
    `  enabled  ${endpoint.enabled ? 'yes' : 'no'}`,
  ].join('\n');
}

function describeWithSecret(title: string, endpoint: WebhookEndpointWithSecret): string {
  return [
    title,
    describeEndpoint(endpoint),
    `  secret   ${endpoint.secret}`,
    '',
    'The signing secret is shown only now (rotate-secret replaces it).',
  ].join('\n');
}

function webhookCommands(root: Command): void {
  const webhooks = root.command('webhooks').description('lifecycle webhook endpoints (signed deliveries of stream and recording events)');
  const events = `comma-separated event types (${LIFECYCLE_EVENT_TYPES.join(', ')})`;
  const list = (v?: string) =>
    v
      ?.split(',')
      .map((e) => e.trim())
      .filter(Boolean);

  webhooks
    .command('create')
    .description('create an endpoint; prints its signing secret (once)')
    .requiredOption('--url <url>', 'http(s) URL the events are POSTed to')
    .requiredOption('--events <types>', events)
    .option('--name <name>', 'a name for people (default: the URL host)')
    .option('--json', 'print one JSON object')
    .action(async (o: Output & { url: string; events: string; name?: string }) => {
      const created = await withWebhooks((w) => w.create({ url: o.url, events: list(o.events), name: o.name }));
      print(created, o.json, () => describeWithSecret('Webhook endpoint created.', created));
    });

  webhooks
    .command('list')
    .description('list endpoints (never their secrets)')
    .option('--json', 'print a JSON array')
    .action(async (o: Output) => {
      const rows = await withWebhooks((w) => w.list({ limit: 500, offset: 0 }));
      print(rows, o.json, () => (rows.length ? rows.map(describeEndpoint).join('\n\n') : 'no webhook endpoints yet'));
    });

  webhooks
    .command('get <id>')
    .description('show one endpoint')
    .option('--json', 'print one JSON object')
    .action(async (id: string, o: Output) => {
      const endpoint = await withWebhooks((w) => w.get(id));
      print(endpoint, o.json, () => describeEndpoint(endpoint));
    });

  webhooks
    .command('update <id>')
    .description('change the URL, events, name or enabled flag')
    .option('--url <url>', 'http(s) URL')
    .option('--events <types>', events)
    .option('--name <name>', 'a name for people')
    .option('--enabled <bool>', 'true or false', parseBool)
    .option('--json', 'print one JSON object')
    .action(async (id: string, o: Output & { url?: string; events?: string; name?: string; enabled?: boolean }) => {
      const endpoint = await withWebhooks((w) => w.update(id, { url: o.url, events: list(o.events), name: o.name, enabled: o.enabled }));
      print(endpoint, o.json, () => `Webhook endpoint updated.\n${describeEndpoint(endpoint)}`);
    });

  webhooks
    .command('rotate-secret <id>')
    .description('replace the signing secret; prints the new one (once)')
    .option('--json', 'print one JSON object')
    .action(async (id: string, o: Output) => {
      const endpoint = await withWebhooks((w) => w.rotateSecret(id));
      print(endpoint, o.json, () => describeWithSecret('Signing secret replaced.', endpoint));
    });

  webhooks
    .command('delete <id>')
    .description('delete an endpoint and its delivery log')
    .action(async (id: string) => {
      await withWebhooks((w) => w.delete(id));
      print(null, false, () => 'Webhook endpoint deleted.');
    });
}

function program(): Command {
  const root = new Command('cli').description('livepeer-relay command line').exitOverride();
  const streams = root.command('streams').description('create and manage streams and their keys');
  const ladderOptions = (cmd: Command) =>
    cmd
      .option('--presets <names>', `comma-separated Livepeer presets (${KNOWN_PRESETS.join(', ')})`)
      .option('--profiles <json>', 'custom profiles as JSON: [{"name","width","height","bitrate","fps"}]');

  settingsOptions(
    ladderOptions(
      streams
        .command('create')
        .description('create a stream; prints its key (once), playback id and publish URLs')
        .requiredOption('--name <name>', 'a name for people'),
    ),
  )
    .option('--json', 'print one JSON object')
    .action(async (o: Output & SettingsOptions & { name: string; presets?: string; profiles?: string }) => {
      const ladder = ladderFromOptions(o);
      const created = await withStreams((s) => s.create({ name: o.name, ladder, settings: settingsFromOptions(o) }));
      warnUnchecked(created);
      print(keyJson(created), o.json, () => describeWithKey(`Stream "${created.name}" created.`, created));
    });

  streams
    .command('list')
    .description('list streams (never their keys)')
    .option('--json', 'print a JSON array')
    .action(async (o: Output) => {
      const list = await withStreams((s) => s.list());
      print(list, o.json, () => (list.length ? list.map(describe).join('\n\n') : 'no streams yet'));
    });

  streams
    .command('get <id>')
    .description('show one stream')
    .option('--json', 'print one JSON object')
    .action(async (id: string, o: Output) => {
      const stream = await withStreams((s) => s.get(id));
      print(stream, o.json, () => describe(stream));
    });

  ladderOptions(streams.command('update-ladder <id>').description('replace the ladder (applies from the next publish)'))
    .option('--json', 'print one JSON object')
    .action(async (id: string, o: Output & { presets?: string; profiles?: string }) => {
      const ladder = ladderFromOptions(o);
      const stream = await withStreams((s) => s.updateLadder(id, ladder));
      warnUnchecked(stream);
      print(stream, o.json, () => `Ladder updated (applies from the next publish).\n${describe(stream)}`);
    });

  settingsOptions(streams.command('settings <id>').description('change recording and DVR settings (from the next session)'))
    .option('--json', 'print one JSON object')
    .action(async (id: string, o: Output & SettingsOptions) => {
      const stream = await withStreams((s) => s.updateSettings(id, settingsFromOptions(o)));
      print(stream, o.json, () => `Settings updated (apply from the next session).\n${describe(stream)}`);
    });

  streams
    .command('disable <id>')
    .description('refuse publishes of the stream and end a live one')
    .option('--json', 'print one JSON object')
    .action(async (id: string, o: Output) => {
      const stream = await withStreams((s) => s.disable(id));
      print(stream, o.json, () =>
        [
          `Stream disabled.`,
          describe(stream),
          stream.announced ? '' : "Note: Redis did not take the event; a live publish ends at ingest's next check (seconds).",
        ].join('\n'),
      );
    });

  streams
    .command('enable <id>')
    .description('accept publishes of the stream again')
    .option('--json', 'print one JSON object')
    .action(async (id: string, o: Output) => {
      const stream = await withStreams((s) => s.enable(id));
      print(stream, o.json, () => `Stream enabled.\n${describe(stream)}`);
    });

  streams
    .command('rotate-key <id>')
    .description('replace the stream key; the old key stops working for new publishes')
    .option('--json', 'print one JSON object')
    .action(async (id: string, o: Output) => {
      const stream = await withStreams((s) => s.rotateKey(id));
      print(keyJson(stream), o.json, () => describeWithKey('Stream key replaced.', stream));
    });

  const recordings = root.command('recordings').description('recordings of recorded streams and their MP4 exports');
  const listing = (list: RecordingView[], json?: boolean) =>
    print(list, json, () => (list.length ? list.map(describeRecording).join('\n\n') : 'no recordings'));
  recordings
    .command('list <streamId>')
    .description("a stream's recordings, newest first")
    .option('--json', 'print a JSON array')
    .action(async (streamId: string, o: Output) => listing(await withRecordings((r) => r.ofStream(streamId)), o.json));
  recordings
    .command('session <sessionId>')
    .description('the recording a session belongs to')
    .option('--json', 'print a JSON array')
    .action(async (sessionId: string, o: Output) => listing(await withRecordings((r) => r.ofSession(sessionId)), o.json));
  recordings
    .command('get <id>')
    .description('one recording, with its MP4 exports')
    .option('--json', 'print one JSON object')
    .action(async (id: string, o: Output) => {
      const recording = await withRecordings((r) => r.get(id));
      print(recording, o.json, () => describeRecording(recording));
    });
  recordings
    .command('delete <id>')
    .description('delete a recording and every object of it')
    .option('--json', 'print one JSON object')
    .action(async (id: string, o: Output) => {
      const recording = await withRecordings((r) => r.delete(id));
      print(recording, o.json, () => `Recording deleted.\n${describeRecording(recording)}`);
    });
  recordings
    .command('export <id>')
    .description('queue an MP4 export of one variant (a worker makes it; see get for progress)')
    .requiredOption('--variant <name>', 'the variant: source or a rendition name')
    .option('--json', 'print one JSON object')
    .action(async (id: string, o: Output & { variant: string }) => {
      const recording = await withRecordings((r) => r.requestExport(id, o.variant));
      print(recording, o.json, () => `MP4 export queued.\n${describeRecording(recording)}`);
    });

  streams
    .command('update <id>')
    .description('change the name and/or enabled flag (the ladder: update-ladder)')
    .option('--name <name>', 'a name for people')
    .option('--enabled <bool>', 'true or false (false ends a live publish)', parseBool)
    .option('--json', 'print one JSON object')
    .action(async (id: string, o: Output & { name?: string; enabled?: boolean }) => {
      const stream = await withStreams((s) => s.update(id, { name: o.name, enabled: o.enabled }));
      print(stream, o.json, () => `Stream updated.\n${describe(stream)}`);
    });

  streams
    .command('delete <id>')
    .description('delete the stream, its sessions, ledger and objects; refused while live unless --force')
    .option('--force', 'end a live publish first, then delete')
    .option('--json', 'print one JSON object')
    .action(async (id: string, o: Output & { force?: boolean }) => {
      const deleted = await withStreams((s) => s.delete(id, { force: o.force === true }));
      print(deleted, o.json, () => `Stream deleted: ${deleted.sessions} sessions and ${deleted.objects} objects removed.`);
    });

  webhookCommands(root);
  return root;
}

function exitCodeOf(err: unknown): number {
  if (
    err instanceof InvalidLadderError ||
    err instanceof InvalidStreamNameError ||
    err instanceof InvalidEndpointError ||
    err instanceof InvalidStreamSettingsError ||
    err instanceof RecordingConflictError ||
    err instanceof ConfigError
  )
    return 2;
  return 1;
}

export async function main(argv = process.argv): Promise<number> {
  try {
    await program().parseAsync(argv);
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2;
    if (err instanceof InvalidLadderError) {
      const who = err.refusedBy
        ? `the Livepeer API at ${err.refusedBy} refused the ladder`
        : 'the ladder is not valid for the Livepeer API';
      process.stderr.write(`error: ${who}:\n${err.problems.map((p) => `  - ${p}`).join('\n')}\n`);
    } else if (err instanceof InvalidEndpointError) process.stderr.write(`error: ${err.field} ${err.message}\n`);
    else if (
      err instanceof LadderUncheckedError ||
      err instanceof StreamNotFoundError ||
      err instanceof StreamLiveError ||
      err instanceof WebhookEndpointNotFoundError ||
      err instanceof InvalidStreamNameError ||
      err instanceof ConfigError ||
      err instanceof InvalidStreamSettingsError ||
      err instanceof RecordingNotFoundError ||
      err instanceof RecordingConflictError
    ) {
      process.stderr.write(`error: ${err.message}\n`);
    } else process.stderr.write(`error: ${(err as Error)?.message ?? String(err)}\n`);
    return exitCodeOf(err);
  }
}

if (require.main === module) {
  void main().then((code) => process.exit(code));
}
