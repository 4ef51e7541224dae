// A call's end as gRPC puts it in HTTP/2 headers: grpc-status and grpc-message in the trailers,
// or in the response headers of a trailers-only response (a call that failed before any
// message). The failure takes the shape of grpc-js's ServiceError that daemon-error.ts reads
// (code, details, metadata), so the CLI says the same whichever client made the call.
import type { CallFailure } from './daemon-error.js';

/** HTTP/2 headers as node:http2 gives them (`:status` a number). */
export type Headers = Readonly<Record<string, string | string[] | number | undefined>>;

export const OK = 0;
export const CANCELLED = 1;
export const UNKNOWN = 2;
export const INTERNAL = 13;
export const UNAVAILABLE = 14;

export interface CallStatus {
  code: number;
  details: string;
  metadata: NonNullable<CallFailure['metadata']>;
}

export class GrpcCallError extends Error implements CallFailure {
  override name = 'GrpcCallError';
  readonly code: number;
  readonly details: string;
  readonly metadata: CallStatus['metadata'];

  constructor(status: CallStatus) {
    super(`${status.code} ${status.details}`);
    this.code = status.code;
    this.details = status.details;
    this.metadata = status.metadata;
  }
}

function metadataOf(headers: Headers): CallStatus['metadata'] {
  return {
    get(key: string) {
      const v = headers[key.toLowerCase()];
      return v === undefined ? [] : Array.isArray(v) ? v : [String(v)];
    },
  };
}

const noMetadata = metadataOf({});

export function statusOfFailure(code: number, details: string): CallStatus {
  return { code, details, metadata: noMetadata };
}

/** grpc-message is percent-encoded (only bytes outside printable ASCII, and '%'). */
function decodeMessage(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

/** The gRPC code an HTTP status stands for when a response is not gRPC at all (gRPC's mapping). */
function codeOfHttpStatus(status: number): number {
  switch (status) {
    case 400: return INTERNAL;
    case 401: return 16;
    case 403: return 7;
    case 404: return 12;
    case 429: case 502: case 503: case 504: return UNAVAILABLE;
    default: return UNKNOWN;
  }
}

/** The status these headers (trailers, or trailers-only response headers) carry; undefined if none. */
export function statusOfHeaders(headers: Headers): CallStatus | undefined {
  const raw = headers['grpc-status'];
  if (raw === undefined) return undefined;
  const code = Number(Array.isArray(raw) ? raw[0] : raw);
  const message = headers['grpc-message'];
  const details = decodeMessage(typeof message === 'string' ? message : Array.isArray(message) ? message.join(',') : '');
  return { code: Number.isInteger(code) && code >= 0 ? code : UNKNOWN, details, metadata: metadataOf(headers) };
}

/** Why response headers do not open a gRPC response; undefined if they do. */
export function refusalOfResponse(headers: Headers): CallStatus | undefined {
  const http = Number(headers[':status']);
  if (http !== 200) return statusOfFailure(codeOfHttpStatus(http), `Received HTTP status code ${http}`);
  const type = headers['content-type'];
  if (typeof type !== 'string' || !type.startsWith('application/grpc')) return statusOfFailure(UNKNOWN, `Received a response of content-type ${String(type)}, not gRPC`);
  return undefined;
}
