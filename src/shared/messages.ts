// The protocol between the extension's contexts and its background, under the one name every
// context imports: the answers' types (views/), the request table and its checks (protocol/).

export type * from './views/node.ts';
export type * from './views/wallet.ts';
export type * from './views/settings.ts';
export type * from './views/data.ts';
export { MessageValidationError, normalizeOrigin, parseEndpoint, parseServiceUrl } from './protocol/fields.ts';
export { AUTO_LOCK_CHOICES, LIMIT_RANGES, MAX_IPFS_GATEWAYS } from './protocol/settings-rows.ts';
export { mayAsk, parseRequest, READ_ONLY_REQUESTS, type Request, type RequestMap, type RequestType } from './protocol/table.ts';
export { parseEnvelope, RemoteError, toWireError, UPDATES_PORT, type Envelope } from './protocol/envelope.ts';
