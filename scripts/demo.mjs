#!/usr/bin/env node
// `npm run demo` (after `npm start`), or `npm start -- --demo`: creates a stream
// through the admin API, publishes a synthetic test pattern to it over RTMP with
// ffmpeg, and prints the dashboard and playback URLs. Ctrl-C stops publishing.
//
//   --stitcher URL   admin API / dashboard (default http://127.0.0.1:$STITCHER_HTTP_PORT or 8080)
//   --rtmp URL       RTMP base (default rtmp://127.0.0.1:$INGEST_RTMP_PORT or 1935/live)
//   --token TOKEN    admin token (default $ADMIN_TOKEN or the development token)
//   --presets LIST   ladder (default P240p30fps16x9,P144p30fps16x9)
//   --seconds N      publish for N seconds (default: until Ctrl-C)
import { spawn } from 'node:child_process';

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
};
const stitcher = arg('stitcher', `http://127.0.0.1:${process.env.STITCHER_HTTP_PORT || 8080}`).replace(/\/+$/, '');
const rtmpBase = arg('rtmp', `rtmp://127.0.0.1:${process.env.INGEST_RTMP_PORT || 1935}/live`).replace(/\/+$/, '');
const token = arg('token', process.env.ADMIN_TOKEN || 'relay-admin-dev-token');
const presets = arg('presets', 'P240p30fps16x9,P144p30fps16x9').split(',');
const seconds = Number(arg('seconds', '0'));
if (!Number.isFinite(seconds) || seconds < 0) {
  console.error('--seconds must be a number >= 0');
  process.exit(2);
}

async function createStream() {
  let res;
  try {
    res = await fetch(`${stitcher}/api/streams`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: `demo-${new Date().toISOString().slice(11, 19)}`, ladder: { presets } }),
    });
  } catch (err) {
    console.error(`demo: the stitcher does not answer at ${stitcher} (${err.cause?.code ?? err.message}). Is \`npm start\` running?`);
    process.exit(1);
  }
  if (res.status !== 201) {
    console.error(`demo: creating the stream failed: HTTP ${res.status} ${await res.text()}`);
    process.exit(1);
  }
  return res.json();
}

const stream = await createStream();
const duration = seconds > 0 ? ['-t', String(seconds)] : [];
// Encoded live like an encoder would: 640x360, 30 fps, 2 s GOP, AAC audio; small enough for two cores.
const ffmpeg = spawn(
  'ffmpeg',
  [
    '-nostdin',
    '-hide_banner',
    '-loglevel',
    'error',
    '-re',
    '-f',
    'lavfi',
    '-i',
    'testsrc2=size=640x360:rate=30',
    '-f',
    'lavfi',
    '-i',
    'sine=frequency=440:sample_rate=44100',
    ...duration,
    '-c:v',
    'libx264',
    '-preset',
    'veryfast',
    '-tune',
    'zerolatency',
    '-threads',
    '1',
    '-pix_fmt',
    'yuv420p',
    '-g',
    '60',
    '-keyint_min',
    '60',
    '-sc_threshold',
    '0',
    '-b:v',
    '1000k',
    '-c:a',
    'aac',
    '-b:a',
    '96k',
    '-f',
    'flv',
    `${rtmpBase}/${stream.streamKey}`,
  ],
  { stdio: ['ignore', 'inherit', 'inherit'] },
);
console.log(`
Demo stream "${stream.name}" is publishing a test pattern (ladder: ${presets.join(', ')}).

  Dashboard  ${stitcher}/  (sign in with the admin token, open the stream "${stream.name}")
  Playback   ${stitcher}/hls/${stream.playbackId}/index.m3u8
  Try        ffplay ${stitcher}/hls/${stream.playbackId}/index.m3u8

The first segments appear after about 10 s. Ctrl-C stops publishing.
`);
process.on('SIGINT', () => ffmpeg.kill('SIGINT'));
process.on('SIGTERM', () => ffmpeg.kill('SIGTERM'));
ffmpeg.on('exit', (code, signal) => {
  console.log(`demo: publisher stopped (${signal ?? `exit ${code}`})`);
  process.exit(code && !signal ? 1 : 0);
});
