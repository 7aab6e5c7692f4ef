import { afterEach, describe, expect, it, vi } from "vitest";
import { InvalidArgumentError } from "../../src/errors.js";
import { ConsoleLogger, createLogger, describeData, LogLevel, NullLogger, redactUrl } from "../../src/logging.js";

afterEach(() => {
  vi.restoreAllMocks();
});

function spyConsole() {
  return {
    error: vi.spyOn(console, "error").mockImplementation(() => undefined),
    warn: vi.spyOn(console, "warn").mockImplementation(() => undefined),
    info: vi.spyOn(console, "info").mockImplementation(() => undefined),
    log: vi.spyOn(console, "log").mockImplementation(() => undefined),
  };
}

describe("LogLevel", () => {
  it("has the official client's numbers", () => {
    expect([LogLevel.Trace, LogLevel.Debug, LogLevel.Information, LogLevel.Warning, LogLevel.Error, LogLevel.Critical, LogLevel.None]).toEqual([0, 1, 2, 3, 4, 5, 6]);
  });
});

describe("ConsoleLogger", () => {
  it("writes lines at or above its level to the matching console method, with the level name", () => {
    const console_ = spyConsole();
    const logger = new ConsoleLogger(LogLevel.Information);
    logger.log(LogLevel.Debug, "hidden");
    logger.log(LogLevel.Information, "info line");
    logger.log(LogLevel.Warning, "warn line");
    logger.log(LogLevel.Error, "error line");
    logger.log(LogLevel.Critical, "critical line");
    expect(console_.log).not.toHaveBeenCalled();
    expect(console_.info.mock.calls.map((c) => String(c[0]))).toEqual([expect.stringMatching(/Information: info line$/)]);
    expect(console_.warn.mock.calls.map((c) => String(c[0]))).toEqual([expect.stringMatching(/Warning: warn line$/)]);
    expect(console_.error.mock.calls.map((c) => String(c[0]))).toEqual([
      expect.stringMatching(/Error: error line$/),
      expect.stringMatching(/Critical: critical line$/),
    ]);
  });

  it("writes nothing at level None", () => {
    const console_ = spyConsole();
    const logger = new ConsoleLogger(LogLevel.None);
    logger.log(LogLevel.Critical, "x");
    expect(console_.error).not.toHaveBeenCalled();
  });
});

describe("NullLogger", () => {
  it("drops everything", () => {
    const console_ = spyConsole();
    NullLogger.instance.log(LogLevel.Critical, "x");
    expect(Object.values(console_).every((spy) => spy.mock.calls.length === 0)).toBe(true);
  });
});

/** The level of the console logger createLogger makes for `name`: the lowest level it writes. */
function levelOf(name: string): LogLevel {
  const console_ = spyConsole();
  const logger = createLogger(name);
  expect(logger).toBeInstanceOf(ConsoleLogger);
  for (let level = LogLevel.Trace; level < LogLevel.None; level++) logger.log(level, "probe");
  const written = Object.values(console_).reduce((count, spy) => count + spy.mock.calls.length, 0);
  vi.restoreAllMocks();
  return LogLevel.None - written;
}

describe("createLogger with a level name", () => {
  it.each([
    ["trace", LogLevel.Trace],
    ["Debug", LogLevel.Debug],
    ["info", LogLevel.Information],
    ["information", LogLevel.Information],
    ["warn", LogLevel.Warning],
    ["WARNING", LogLevel.Warning],
    ["error", LogLevel.Error],
    ["critical", LogLevel.Critical],
    ["none", LogLevel.None],
  ])("reads %s", (name, level) => {
    expect(levelOf(name)).toBe(level);
  });

  it("rejects an unknown name with InvalidArgumentError, naming it", () => {
    expect(() => createLogger("verbose")).toThrow(InvalidArgumentError);
    expect(() => createLogger("verbose")).toThrow(/Unknown log level 'verbose'/);
    expect(() => createLogger("")).toThrow(InvalidArgumentError);
  });
});

describe("createLogger", () => {
  it("passes every line to a given ILogger, and keeps what it throws from the caller", () => {
    const lines: [LogLevel, string][] = [];
    const custom = {
      log: (level: LogLevel, message: string) => {
        lines.push([level, message]);
        throw new Error("logger bug");
      },
    };
    const logger = createLogger(custom);
    expect(() => logger.log(LogLevel.Warning, "careful")).not.toThrow();
    expect(lines).toEqual([[LogLevel.Warning, "careful"]]);
  });

  it("gives the NullLogger for null, as the official client (withUrl(url, { logger: null }) must not crash)", () => {
    expect(createLogger(null as unknown as LogLevel)).toBe(NullLogger.instance);
  });

  it("makes a console logger at the given level, or at Information by default", () => {
    const console_ = spyConsole();
    createLogger(LogLevel.Warning).log(LogLevel.Information, "hidden");
    createLogger().log(LogLevel.Debug, "hidden too");
    createLogger().log(LogLevel.Information, "shown");
    expect(console_.info.mock.calls.map((c) => String(c[0]))).toEqual([expect.stringMatching(/Information: shown$/)]);
    expect(console_.log).not.toHaveBeenCalled();
  });
});

describe("redactUrl", () => {
  it("hides access_token values wherever they are in the query", () => {
    expect(redactUrl("wss://h/hub?id=abc&access_token=eyJ.secret.sig")).toBe("wss://h/hub?id=abc&access_token=***");
    expect(redactUrl("https://h/hub?access_token=secret&id=1")).toBe("https://h/hub?access_token=***&id=1");
    expect(redactUrl("https://h/hub?ACCESS_TOKEN=secret")).toBe("https://h/hub?ACCESS_TOKEN=***");
  });

  it("leaves URLs without a token alone", () => {
    expect(redactUrl("https://h/hub?id=1&my_access_token_count=3")).toBe("https://h/hub?id=1&my_access_token_count=3");
  });
});

describe("describeData", () => {
  it("shows content only when logMessageContent is on", () => {
    expect(describeData("abc", false)).toBe("String data of length 3");
    expect(describeData("abc", true)).toBe("'abc'");
    const bytes = new Uint8Array([0x01, 0xab, 0xff]).buffer;
    expect(describeData(bytes, false)).toBe("Binary data of length 3");
    expect(describeData(bytes, true)).toBe("'1 ab ff'");
  });
});
