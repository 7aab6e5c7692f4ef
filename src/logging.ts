import { InvalidArgumentError } from "./errors.js";

/** Severity of a log line; the numbers match the official client's. */
export enum LogLevel {
  /** The most detailed lines, including message content when `logMessageContent` is on. */
  Trace = 0,
  /** Details useful while debugging. */
  Debug = 1,
  /** The normal flow: connected, reconnecting, stopped. */
  Information = 2,
  /** Something unexpected that was recovered from. */
  Warning = 3,
  /** A failure of the current operation. */
  Error = 4,
  /** A failure that ends the connection. */
  Critical = 5,
  /** Logs nothing. */
  None = 6,
}

/** Where log lines go. Implement it to route hubwire's logs into your own logger. */
export interface ILogger {
  /** Called for each log line at or above the configured level. */
  log(logLevel: LogLevel, message: string): void;
}

/** A logger that drops everything. */
export class NullLogger implements ILogger {
  /** The shared instance. */
  static instance: ILogger = new NullLogger();

  log(_logLevel: LogLevel, _message: string): void {}
}

/** Writes lines at or above `minimumLevel` to the console, with a timestamp. */
export class ConsoleLogger implements ILogger {
  constructor(private readonly minimumLevel: LogLevel) {}

  log(logLevel: LogLevel, message: string): void {
    if (logLevel < this.minimumLevel || logLevel === LogLevel.None) {
      return;
    }
    const line = `[${new Date().toISOString()}] ${LogLevel[logLevel]}: ${message}`;
    if (logLevel >= LogLevel.Error) {
      console.error(line);
    } else if (logLevel === LogLevel.Warning) {
      console.warn(line);
    } else if (logLevel === LogLevel.Information) {
      console.info(line);
    } else {
      console.log(line);
    }
  }
}

const LEVEL_NAMES: Record<string, LogLevel> = {
  trace: LogLevel.Trace,
  debug: LogLevel.Debug,
  info: LogLevel.Information,
  information: LogLevel.Information,
  warn: LogLevel.Warning,
  warning: LogLevel.Warning,
  error: LogLevel.Error,
  critical: LogLevel.Critical,
  none: LogLevel.None,
};

/** Parses a level name as the official builder accepts them ("debug", "warn", "information", …). */
export function parseLogLevel(name: string): LogLevel {
  const level = LEVEL_NAMES[name.toLowerCase()];
  if (level === undefined) {
    throw new InvalidArgumentError(`Unknown log level '${name}'. Use one of: ${Object.keys(LEVEL_NAMES).join(", ")}.`);
  }
  return level;
}

/** Accepts a level, a level name or a logger, as `configureLogging` does. */
export function createLogger(logging: ILogger | LogLevel | string | undefined): ILogger {
  if (logging === undefined) {
    return new ConsoleLogger(LogLevel.Information);
  }
  if (typeof logging === "string") {
    return new ConsoleLogger(parseLogLevel(logging));
  }
  if (typeof logging === "number") {
    return new ConsoleLogger(logging);
  }
  return logging;
}

/** Removes access tokens from a URL before it is logged or put in an error message. */
export function redactUrl(url: string): string {
  return url.replace(/([?&]access_token=)[^&#]*/gi, "$1***");
}

/** Shows message content when `logMessageContent` is on, otherwise only its size. */
export function describeData(data: string | ArrayBuffer, logMessageContent: boolean): string {
  if (typeof data === "string") {
    return logMessageContent ? `'${data}'` : `String data of length ${data.length}`;
  }
  if (!logMessageContent) {
    return `Binary data of length ${data.byteLength}`;
  }
  const bytes = new Uint8Array(data);
  let hex = "";
  for (let i = 0; i < bytes.length; i++) {
    hex += (i > 0 ? " " : "") + (bytes[i] as number).toString(16).padStart(2, "0");
  }
  return `'${hex}'`;
}
