// hubwire/msgpack: the MessagePack hub protocol, kept out of the core entry.
export { MessagePackHubProtocol } from "./messagePackHubProtocol.js";
export type { MessagePackOptions } from "./options.js";
export type { ExtData, ExtensionCodecLike } from "./extensions.js";
