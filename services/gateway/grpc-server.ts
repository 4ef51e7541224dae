// The daemon's gRPC server: every service on one listener. A unix socket (mode 0600; a stale one is
// replaced, a live one means another daemon: refused), or TCP with mutual TLS (client certificates
// required and verified against the CA); plain TCP only on loopback and only when asked for.
import { Server, ServerCredentials } from '@grpc/grpc-js';
import { chmod, mkdir, readFile, unlink } from 'node:fs/promises';
import { createConnection } from 'node:net';
import { dirname } from 'node:path';
import { TdockerError, invalid } from '../errors/tdocker-error.js';
import { HealthService } from '../../proto/gen/grpc/health/v1/health.js';
import { ContainersService } from '../../proto/gen/tinydocker/v1/containers.js';
import { ImagesService } from '../../proto/gen/tinydocker/v1/images.js';
import { SystemService } from '../../proto/gen/tinydocker/v1/system.js';
import { containersService } from './containers-service.js';
import type { GatewayContext } from './gateway-context.js';
import { HealthStatus } from './health-service.js';
import { imagesService } from './images-service.js';
import type { ListenAddress } from './listen-address.js';
import { addReflection } from './reflection-service.js';
import { NetworksService } from '../../proto/gen/tinydocker/v1/networks.js';
import { networksService } from './networks-service.js';
import { systemService } from './system-service.js';

export interface TlsFiles {
  cert: string;
  key: string;
  ca: string;
}

export interface GrpcServerOptions {
  listen: ListenAddress;
  tls?: TlsFiles;
  /** Plain TCP: only on loopback. */
  insecure?: boolean;
}

export const SERVICE_NAMES = ['tinydocker.v1.Containers', 'tinydocker.v1.Images', 'tinydocker.v1.System', 'tinydocker.v1.Networks'];

export interface RunningServer {
  server: Server;
  health: HealthStatus;
  /** What was bound: the socket path, or host:port with the port the kernel chose. */
  address: string;
  /** Stops taking calls; calls in progress are cancelled after `graceMs`. */
  close(graceMs?: number): Promise<void>;
}

async function credentials(opts: GrpcServerOptions): Promise<ServerCredentials> {
  if (opts.listen.kind === 'unix') return ServerCredentials.createInsecure();
  if (opts.tls) {
    const [ca, cert, key] = await Promise.all([readFile(opts.tls.ca), readFile(opts.tls.cert), readFile(opts.tls.key)]);
    return ServerCredentials.createSsl(ca, [{ cert_chain: cert, private_key: key }], true);
  }
  if (opts.insecure && opts.listen.loopback) return ServerCredentials.createInsecure();
  if (opts.insecure) throw invalid(`refusing to listen on ${opts.listen.host} without TLS: --insecure is only allowed on a loopback address`);
  throw invalid('refusing to listen on TCP without TLS: give --tlscert, --tlskey and --tlscacert (mutual TLS), or --insecure on a loopback address');
}

/** Whether a daemon answers on the socket; a socket file nobody listens on is stale. */
function socketLive(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createConnection(path);
    s.once('connect', () => { s.destroy(); resolve(true); });
    s.once('error', () => resolve(false));
  });
}

function bind(server: Server, address: string, creds: ServerCredentials): Promise<number> {
  return new Promise((resolve, reject) => {
    server.bindAsync(address, creds, (err, port) => (err ? reject(err) : resolve(port)));
  });
}

export async function startGrpcServer(ctx: GatewayContext, opts: GrpcServerOptions): Promise<RunningServer> {
  const creds = await credentials(opts);
  const server = new Server({ 'grpc.max_receive_message_length': 64 * 1024 * 1024 });
  const health = new HealthStatus(SERVICE_NAMES);
  server.addService(ContainersService, containersService(ctx));
  server.addService(ImagesService, imagesService(ctx));
  server.addService(SystemService, systemService(ctx));
  server.addService(NetworksService, networksService(ctx));
  server.addService(HealthService, health.service());
  await addReflection(server);

  let address: string;
  if (opts.listen.kind === 'unix') {
    const path = opts.listen.path;
    await mkdir(dirname(path), { recursive: true, mode: 0o700 });
    if (await socketLive(path)) {
      throw new TdockerError('FAILED_PRECONDITION', `another daemon is already listening on ${path}`);
    }
    await unlink(path).catch(() => {});
    // The socket is made with the umask's mode: make it private from the start, not after.
    const umask = process.umask(0o177);
    try {
      await bind(server, `unix://${path}`, creds);
    } finally {
      process.umask(umask);
    }
    await chmod(path, 0o600);
    address = path;
  } else {
    const host = opts.listen.host.includes(':') ? `[${opts.listen.host}]` : opts.listen.host;
    const port = await bind(server, `${host}:${opts.listen.port}`, creds);
    address = `${host}:${port}`;
  }
  return {
    server,
    health,
    address,
    close: (graceMs = 2000) => new Promise<void>((resolve) => {
      health.shutdown();
      const timer = setTimeout(() => { server.forceShutdown(); resolve(); }, graceMs);
      server.tryShutdown(() => { clearTimeout(timer); resolve(); });
    }),
  };
}
