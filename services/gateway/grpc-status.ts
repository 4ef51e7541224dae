// The one place errors become gRPC statuses (containerd's errdefs, DESIGN.md "Errors"). A failure
// about the payload carries Docker's exit code (126, 127) in the `tdocker-exit-code` trailer.
import { Metadata, status, type ServiceError } from '@grpc/grpc-js';
import { TdockerError, type ErrorCode } from '../errors/tdocker-error.js';

const CODES: Record<ErrorCode, status> = {
  INVALID_ARGUMENT: status.INVALID_ARGUMENT,
  NOT_FOUND: status.NOT_FOUND,
  ALREADY_EXISTS: status.ALREADY_EXISTS,
  FAILED_PRECONDITION: status.FAILED_PRECONDITION,
  RESOURCE_EXHAUSTED: status.RESOURCE_EXHAUSTED,
  UNAVAILABLE: status.UNAVAILABLE,
  INTERNAL: status.INTERNAL,
};

export const EXIT_CODE_TRAILER = 'tdocker-exit-code';

export function toServiceError(err: unknown): Partial<ServiceError> {
  const e = TdockerError.from(err);
  const metadata = new Metadata();
  if (e.exitCode !== undefined) metadata.set(EXIT_CODE_TRAILER, String(e.exitCode));
  return { code: CODES[e.code] ?? status.INTERNAL, details: e.message, message: e.message, metadata };
}
