// A unary call of a generated grpc-js client as a promise: `await unaryCall((done) =>
// daemon.containers.start({ id }, done))`. The rejection is grpc-js's ServiceError as it is;
// daemon-error.ts turns it into the CLI's line.
import type { ServiceError } from '@grpc/grpc-js';

export function unaryCall<R>(call: (done: (err: ServiceError | null, response: R) => void) => unknown): Promise<R> {
  return new Promise((resolve, reject) => {
    call((err, response) => (err ? reject(err) : resolve(response)));
  });
}
