import { ProtocolError } from "../errors.js";

/** Ends every text-framed message: ASCII record separator 0x1E. */
export const RECORD_SEPARATOR = "\x1e";

/** Quotes a value for an error message: its JSON, cut to 60 characters. */
export const quote = (value: unknown): string => (JSON.stringify(value) + "").slice(0, 60);

/**
 * Parses one record (without its separator) as a JSON object; `what` names it in errors.
 * @throws ProtocolError when the record is not a JSON object (bad JSON, or JSON of another kind);
 * for bad JSON the parser's error is the `cause`.
 */
export function parseRecord(record: string, what: string): Record<string, unknown> {
  let parsed: unknown;
  let options: { cause: unknown } | undefined;
  try {
    parsed = JSON.parse(record);
  } catch (cause) {
    options = { cause };
  }
  if (!parsed || typeof parsed != "object" || Array.isArray(parsed)) {
    throw new ProtocolError(`${what} is not a JSON object: ${quote(record)}`, options);
  }
  return parsed as Record<string, unknown>;
}
