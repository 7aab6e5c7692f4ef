import { ProtocolError } from "../errors.js";

/** Ends every text-framed message: ASCII record separator 0x1E. */
export const RECORD_SEPARATOR = "\x1e";

/** Quotes a value for an error message: its JSON, cut to 60 characters. */
export const quote = (value: unknown): string => String(JSON.stringify(value)).slice(0, 60);

/**
 * Parses one record (without its separator) as a JSON object; `what` names it in errors.
 * @throws ProtocolError for bad JSON (with the parser's error as `cause`) or JSON that is not an object.
 */
export function parseRecord(record: string, what: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(record);
  } catch (cause) {
    throw new ProtocolError(`${what} is not valid JSON: ${quote(record)}`, { cause });
  }
  if (!parsed || typeof parsed != "object" || Array.isArray(parsed)) {
    throw new ProtocolError(`${what} must be a JSON object, got ${quote(record)}`);
  }
  return parsed as Record<string, unknown>;
}
