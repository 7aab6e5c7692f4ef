/** Ends every text-framed message: ASCII record separator 0x1E. */
export const RECORD_SEPARATOR = "\x1e";

/** Quotes a value for an error message: its JSON, cut to 60 characters. */
export const quote = (value: unknown): string => String(JSON.stringify(value)).slice(0, 60);
