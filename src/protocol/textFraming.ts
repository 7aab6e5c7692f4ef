import { ProtocolError } from "../errors.js";

/** Ends every text-framed message: ASCII record separator 0x1E. */
export const RECORD_SEPARATOR = "\x1e";

/** Frames one text message. */
export function writeRecord(text: string): string {
  return text + RECORD_SEPARATOR;
}

/**
 * Splits a payload into its records.
 * @throws ProtocolError when the payload does not end with a record separator.
 */
export function splitRecords(payload: string): string[] {
  if (payload.length === 0) {
    return [];
  }
  if (payload[payload.length - 1] !== RECORD_SEPARATOR) {
    throw new ProtocolError(
      `Message is incomplete: a text payload must end with the record separator 0x1E (got ${payload.length} characters ending in ${JSON.stringify(payload.slice(-20))}).`,
    );
  }
  const records = payload.split(RECORD_SEPARATOR);
  records.pop();
  return records;
}
