import PinoPretty, { prettyFactory } from 'pino-pretty';

/** LOG_FORMAT once "auto" is decided: what a process writes to its stdout. */
export type ResolvedLogFormat = 'json' | 'pretty';

/**
 * auto means pretty on a terminal and JSON otherwise (a pipe, a file, a log
 * collector). A process started by `npm start` writes into a pipe, so the launcher
 * decides for it (it owns the terminal) and formats what it echoes.
 */
export function resolveLogFormat(format: 'auto' | ResolvedLogFormat, isTerminal = Boolean(process.stdout.isTTY)): ResolvedLogFormat {
  if (format !== 'auto') return format;
  return isTerminal ? 'pretty' : 'json';
}

/**
 * The message of an entry. Through Nest's logger interface, `logger.log(fields, text)`
 * stores the text as `context` (Nest's name for the logging class) and no `msg`;
 * Nest's own lines have both (`[RouterExplorer] Mapped {/health, GET}`).
 */
function message(log: Record<string, unknown>, messageKey: string): string {
  const text = log[messageKey];
  const context = log.context;
  if (text !== undefined && context !== undefined) return `[${String(context)}] ${String(text)}`;
  return String(text ?? context ?? '');
}

/**
 * One line per entry: `[12:00:01.234] INFO (ingest): message {"event":"listening",...}`.
 * The app name is shown as pino's name; pid and hostname only add noise on one machine.
 */
function prettyOptions(colorize: boolean) {
  return {
    colorize,
    singleLine: true,
    translateTime: 'SYS:HH:MM:ss.l',
    ignore: 'pid,hostname,app,context',
    messageFormat: message,
  };
}

/** The destination an app's logger writes pretty lines to: stdout, synchronously, so nothing is lost on exit. */
export function prettyLogStream(colorize = Boolean(process.stdout.isTTY), destination: number | NodeJS.WritableStream = 1) {
  return PinoPretty({ ...prettyOptions(colorize), sync: true, destination });
}

/** `[broadcaster-0] {...}`: a child's line already prefixed by the process that echoed it (livepeer-local's broadcasters). */
const PREFIXED_JSON = /^((?:\[[^\]]+\] )*)(\{.*\})$/;

/**
 * Turns one JSON log line of a child process into its pretty form, keeping any
 * `[name] ` prefixes in front of it; any other line (ffmpeg, redis-server, a stack
 * trace, a JSON object that is no pino entry) is returned as it is.
 */
export function prettyLogLine(colorize = Boolean(process.stdout.isTTY)): (line: string) => string {
  const format = prettyFactory(prettyOptions(colorize));
  return (line) => {
    const match = PREFIXED_JSON.exec(line);
    if (!match) return line;
    try {
      const entry = JSON.parse(match[2]);
      if (typeof entry?.level !== 'number') return line;
      return match[1] + format(entry).replace(/\n$/, '');
    } catch {
      return line;
    }
  };
}
