import { DEV_LIVEPEER_API_KEY } from '@lib/config';
import { SyntheticSegment, generateTestSegments } from '@lib/media';
import { RunningApp, spawnApp, startLivepeerLocal as startShared, type LivepeerLocal as SharedLivepeerLocal } from '@lib/testing';
import Dicer from 'dicer';
import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

/**
 * Test helpers for livepeer-local: start the built processes on free ports (run
 * `node scripts/build.mjs` first), talk to their admin endpoints, make media.
 */

export const API_KEY = DEV_LIVEPEER_API_KEY;

/** Settings every test process gets: free ports, quiet logs. */
function baseEnv(extra: Record<string, string | number>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'info' };
  for (const key of Object.keys(env)) if (key.startsWith('LIVEPEER_LOCAL_')) delete env[key];
  return {
    ...env,
    LIVEPEER_LOCAL_PORT: '0',
    LIVEPEER_LOCAL_BROADCASTER_PORT: '0',
    ...Object.fromEntries(Object.entries(extra).map(([k, v]) => [k, String(v)])),
  };
}

export interface LivepeerLocal extends SharedLivepeerLocal {
  stop(): Promise<void>;
}

/** `node dist/apps/livepeer-local/src/main.js`: the API and its broadcaster children. */
export async function startLivepeerLocal(env: Record<string, string | number> = {}): Promise<LivepeerLocal> {
  const lp = await startShared(baseEnv(env));
  return { ...lp, stop: () => lp.app.proc.stop(10_000) };
}

/** One broadcaster on its own (`broadcaster.main.js`), e.g. with another webhook. */
export async function startBroadcaster(env: Record<string, string | number> = {}, args: string[] = []): Promise<RunningApp> {
  return spawnApp('livepeer-local', baseEnv({ LIVEPEER_LOCAL_HOOK_URL: 'off', ...env }), {
    entry: 'broadcaster.main',
    label: 'broadcaster',
    args,
  });
}

// Fault injection and push counts are shared with the worker and end-to-end tests.
export { clearFaults, pushCounts, setFaults, broadcasterStatus as status, type PushCounts } from '@lib/testing';

/** A throwaway folder with keyframe-aligned 2 s segments of a 640x360 test pattern. */
export async function makeSegments(seconds = 4): Promise<{ segments: SyntheticSegment[]; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(tmpdir(), 'livepeer-local-'));
  const segments = await generateTestSegments({ dir, seconds, width: 640, height: 360, fps: 30, segmentSeconds: 2 });
  return { segments, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

export interface ParsedPart {
  headers: Record<string, string>;
  body: Buffer;
}

/** Reads a multipart body with dicer, an implementation independent from the one under test. */
export function parseWithDicer(body: Buffer, boundary: string): Promise<ParsedPart[]> {
  return new Promise((resolve, reject) => {
    const parts: ParsedPart[] = [];
    const dicer = new Dicer({ boundary });
    dicer.on('part', (part) => {
      const parsed: ParsedPart = { headers: {}, body: Buffer.alloc(0) };
      const chunks: Buffer[] = [];
      part.on('header', (header) => {
        for (const [name, values] of Object.entries(header)) parsed.headers[name.toLowerCase()] = values[0];
      });
      part.on('data', (chunk) => chunks.push(chunk));
      part.on('end', () => {
        parsed.body = Buffer.concat(chunks);
        parts.push(parsed);
      });
      part.on('error', reject);
    });
    dicer.on('finish', () => resolve(parts));
    dicer.on('error', reject);
    dicer.end(body);
  });
}

export interface HookServer {
  url: string;
  calls: { url: string }[];
  /** what the next calls answer */
  answer: (body: { url: string }) => { status: number; body?: unknown };
  close(): Promise<void>;
}

/** A stand-in for "another Livepeer API": records auth webhook calls and answers as told. */
export async function startHookServer(): Promise<HookServer> {
  const hook: HookServer = {
    url: '',
    calls: [],
    answer: () => ({ status: 404 }),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString() || '{}') as { url: string };
      hook.calls.push(body);
      const { status, body: answer } = hook.answer(body);
      res.writeHead(status, { 'Content-Type': 'application/json' }).end(answer === undefined ? '' : JSON.stringify(answer));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  hook.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/stream/hook`;
  return hook;
}

export async function text(url: string, init?: RequestInit): Promise<{ status: number; body: string; headers: Headers }> {
  const response = await fetch(url, init);
  return { status: response.status, body: await response.text(), headers: response.headers };
}
