// Containers.Attach over node:http2 (h2-call.ts), for a daemon on a unix socket.
import { AttachRequest, ContainersService, IoFrame } from '../../../proto/gen/tinydocker/v1/containers.js';
import { H2Call } from './h2-call.js';

export function attachOverHttp2(socketPath: string): H2Call<AttachRequest, IoFrame> {
  return new H2Call(socketPath, ContainersService.attach.path, AttachRequest, IoFrame);
}
