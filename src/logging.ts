import { enumObject, type LogLevel as LogLevelEnum } from "./protocol/enums.js";
import { InvalidArgumentError } from "./errors.js";
import { isText, payloadLength } from "./protocol/payload.js";

/** Severity of a log line; the numbers match the official client's. */
export type LogLevel = LogLevelEnum;
/** The type of each member, as for an enum: `LogLevel.Trace`. */
export declare namespace LogLevel {
  type Trace = LogLevelEnum.Trace;
  type Debug = LogLevelEnum.Debug;
  type Information = LogLevelEnum.Information;
  type Warning = LogLevelEnum.Warning;
  type Error = LogLevelEnum.Error;
  type Critical = LogLevelEnum.Critical;
  type None = LogLevelEnum.None;
}
/** Severity of a log line; the numbers match the official client's. */
export const LogLevel: typeof LogLevelEnum = /* @__PURE__ */ enumObject("Trace Debug Information Warning Error Critical None", (index) => index);

/** Where log lines go. Implement it to route hubwire's logs into your own logger. */
export interface ILogger {
  /** Called for each log line at or above the configured level. */
  log(logLevel: LogLevel, message: string): void;
}

/** A logger that drops everything. */
export class NullLogger implements ILogger {
  /** The shared instance. */
  declare static instance: ILogger;

  log(): void {}
}
// Set after the class rather than as a static field: no define helper in the bundle.
NullLogger.instance = new NullLogger();

/**
 * Writes lines at or above `minimumLevel` to the console, with a timestamp:
 * `[2024-01-01T00:00:00.000Z] Information: message`. Error and Critical go to
 * console.error, Warning to console.warn, Information to console.info, the rest to console.log.
 */
export class ConsoleLogger implements ILogger {
  declare private readonly _minLevel: LogLevel;

  constructor(minimumLogLevel: LogLevel) {
    this._minLevel = minimumLogLevel;
  }

  log(logLevel: LogLevel, message: string): void {
    if (logLevel >= this._minLevel && logLevel < 6 /* None */) {
      console[(["log", "log", "info", "warn"] as ("log" | "info" | "warn")[])[logLevel] || "error"](`[${new Date().toISOString()}] ${LogLevel[logLevel]}: ${message}`);
    }
  }
}

/**
 * Accepts a level, a level name or a logger, as `configureLogging` does. Default: the console at Information.
 * Level names are the official builder's ("trace", "debug", "info"/"information", "warn"/"warning",
 * "error", "critical", "none"), in any case.
 * @throws InvalidArgumentError for an unknown level name.
 */
export const createLogger = (logging: ILogger | LogLevel | string = 2 /* Information */): ILogger => {
  if (typeof logging == "object") {
    // null: no logging, as the official client. A logger that throws must not break the code that
    // logs (a socket's event handler, a promise's settling); its error has nowhere else to go.
    const custom = logging;
    return custom
      ? {
          log(level, message) {
            try {
              custom.log(level, message);
            } catch {}
          },
        }
      : NullLogger.instance;
  }
  if (isText(logging)) {
    // By level number; "information" and "warning" are read as "info" and "warn".
    const level = ["trace", "debug", "info", "warn", "error", "critical", "none"].indexOf(logging.toLowerCase().replace(/^(info)rmation$|^(warn)ing$/, "$1$2"));
    if (level < 0) {
      throw new InvalidArgumentError(`Unknown log level '${logging}'`);
    }
    logging = level;
  }
  return new ConsoleLogger(logging);
};

/** Removes access tokens from a URL before it is logged or put in an error message. */
export const redactUrl = (url: string): string => url.replace(/([?&]access_token=)[^&#]*/gi, "$1***");

/** Shows message content when `logMessageContent` is on (bytes in hex, unpadded: "1 ab ff"), otherwise only its size. */
export const describeData = (data: string | ArrayBuffer, logMessageContent: boolean): string =>
  logMessageContent
    ? `'${isText(data) ? data : Array.from(new Uint8Array(data), (byte) => byte.toString(16)).join(" ")}'`
    : `${isText(data) ? "String" : "Binary"} data of length ${payloadLength(data)}`;
