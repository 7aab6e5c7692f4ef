import { LogLevel, type ILogger } from "../../../src/logging.js";

/** An ILogger that keeps every line, for assertions on what was (not) logged. */
export class CapturingLogger implements ILogger {
  readonly entries: { level: LogLevel; message: string }[] = [];

  log(level: LogLevel, message: string): void {
    this.entries.push({ level, message });
  }

  /** Every message, as text. */
  get messages(): string[] {
    return this.entries.map((e) => e.message);
  }

  /** Messages at `level` or above. */
  atLeast(level: LogLevel): string[] {
    return this.entries.filter((e) => e.level >= level).map((e) => e.message);
  }
}
