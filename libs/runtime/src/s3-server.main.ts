import { launcherConfig, s3Config } from '@lib/config';
import { startEmbeddedS3 } from './s3-server';

/**
 * Runs the embedded S3 server as its own process:
 *   node dist/libs/runtime/src/s3-server.main.js --port 9000 --dir data/s3 [--host 127.0.0.1]
 * It accepts only requests signed with S3_ACCESS_KEY / S3_SECRET_KEY, and binds to
 * S3_BIND_HOST unless --host says otherwise.
 * Prints the same "listening" JSON line as the apps so launchers can wait for it.
 */
async function main() {
  const arg = (name: string, fallback: string) => {
    const i = process.argv.indexOf(`--${name}`);
    return i > 0 ? process.argv[i + 1] : fallback;
  };
  const port = Number(arg('port', process.env.S3_PORT ?? '9000'));
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    process.stderr.write(`s3: --port must be 0..65535, got ${port}\n`);
    process.exit(2);
  }
  let settings: { host: string; accessKey: string; secretKey: string };
  try {
    const { accessKey, secretKey } = s3Config.load(process.env);
    settings = { host: launcherConfig.load(process.env).s3BindHost, accessKey, secretKey };
  } catch (err) {
    process.stderr.write(`s3: ${(err as Error).message}\n`);
    process.exit(2);
  }
  const s3 = await startEmbeddedS3({
    port,
    directory: arg('dir', 'data/s3'),
    host: arg('host', settings.host),
    credentials: { accessKey: settings.accessKey, secretKey: settings.secretKey },
  });
  process.stdout.write(JSON.stringify({ event: 'listening', app: 's3', listener: 'http', port: s3.port }) + '\n');
  // Every acknowledged PUT is already on disk (see makeWritesDurable), so a stop need not
  // wait long for clients' kept-alive connections: close, and exit within 2 s regardless.
  const stop = () => {
    setTimeout(() => process.exit(0), 2000).unref();
    void s3.close().then(() => process.exit(0));
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((err) => {
  process.stderr.write(`s3: ${err.stack ?? err}\n`);
  process.exit(1);
});
