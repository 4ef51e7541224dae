// grpc.health.v1.Health (the standard protocol): "" is the daemon as a whole, and each service
// it serves by its full name. Watch sends the current status, then each change.
import type { ServerWritableStream } from '@grpc/grpc-js';
import { EventEmitter } from 'node:events';
import { TdockerError } from '../errors/tdocker-error.js';
import {
  HealthCheckResponse_ServingStatus as Serving,
  type HealthCheckRequest, type HealthCheckResponse, type HealthServer,
} from '../../proto/gen/grpc/health/v1/health.js';
import { unaryCall } from './unary-call.js';

export class HealthStatus {
  private readonly statuses = new Map<string, Serving>();
  private readonly changes = new EventEmitter();

  constructor(services: string[]) {
    this.changes.setMaxListeners(0);
    for (const s of ['', ...services]) this.statuses.set(s, Serving.SERVING);
  }

  set(service: string, status: Serving): void {
    this.statuses.set(service, status);
    this.changes.emit('change', service, status);
  }

  /** Every service stops serving (a graceful shutdown). */
  shutdown(): void {
    for (const s of this.statuses.keys()) this.set(s, Serving.NOT_SERVING);
  }

  service(): HealthServer {
    return {
      check: unaryCall(async (req: HealthCheckRequest) => {
        const status = this.statuses.get(req.service);
        if (status === undefined) throw new TdockerError('NOT_FOUND', `unknown service "${req.service}"`);
        return { status };
      }),
      watch: (call: ServerWritableStream<HealthCheckRequest, HealthCheckResponse>) => {
        const name = call.request.service;
        call.write({ status: this.statuses.get(name) ?? Serving.SERVICE_UNKNOWN });
        const onChange = (service: string, status: Serving) => {
          if (service === name) call.write({ status });
        };
        this.changes.on('change', onChange);
        call.on('cancelled', () => {
          this.changes.off('change', onChange);
          call.end();
        });
      },
    };
  }
}
