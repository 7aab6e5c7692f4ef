import { ProtocolError } from "../errors.js";

/** Throws the one error type the MessagePack code raises. (One shared thrower keeps the bundle small.) */
export function fail(message: string): never {
  throw new ProtocolError(message);
}
