// The gRPC clients of one daemon, sharing one channel (one connection), made on first use so a
// command pays only for the services it calls. Loading this module loads grpc-js and the
// generated code: only commands that talk to the daemon import it.
import { readFileSync } from 'node:fs';
import { type ChannelCredentials, type ChannelInterface, type Client, type ClientOptions, credentials } from '@grpc/grpc-js';
import { ContainersClient } from '../../../proto/gen/tinydocker/v1/containers.js';
import { ImagesClient } from '../../../proto/gen/tinydocker/v1/images.js';
import { NetworksClient } from '../../../proto/gen/tinydocker/v1/networks.js';
import { SystemClient } from '../../../proto/gen/tinydocker/v1/system.js';
import { CliError } from '../cli-error.js';
import type { DaemonTarget } from './daemon-target.js';

const channelOptions: ClientOptions = {
  // A daemon is never behind an HTTP proxy; looking one up from the environment costs time.
  'grpc.enable_http_proxy': 0,
  // Channelz (grpc-js's tracing of channels and calls) is for long-lived servers; a command that
  // lives for one call pays for its bookkeeping and never reads it.
  'grpc.enable_channelz': 0,
  // `ps` and `inspect` of many containers can pass grpc-js's 4 MiB default.
  'grpc.max_receive_message_length': 256 * 1024 * 1024,
  'grpc.max_send_message_length': 256 * 1024 * 1024,
};

function readTlsFile(what: string, path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : (err as Error).message;
    throw new CliError(`TLS ${what} ${path}`, `${why} (give --tlscacert, --tlscert and --tlskey, or set TDOCKER_CERT_PATH; --insecure reaches a daemon on loopback without TLS)`);
  }
}

function credentialsOf(target: DaemonTarget): ChannelCredentials {
  if (!target.tls) return credentials.createInsecure();
  const { ca, cert, key } = target.tls;
  return credentials.createSsl(readTlsFile('CA certificate', ca), readTlsFile('key', key), readTlsFile('certificate', cert));
}

export class DaemonClient {
  readonly host: string;
  readonly #target: DaemonTarget;
  readonly #credentials: ChannelCredentials;
  #channel?: ChannelInterface;
  #containers?: ContainersClient;
  #images?: ImagesClient;
  #networks?: NetworksClient;
  #system?: SystemClient;

  constructor(target: DaemonTarget) {
    this.host = target.host;
    this.#target = target;
    this.#credentials = credentialsOf(target);
  }

  get containers(): ContainersClient {
    return (this.#containers ??= this.#make(ContainersClient));
  }

  get images(): ImagesClient {
    return (this.#images ??= this.#make(ImagesClient));
  }

  get networks(): NetworksClient {
    return (this.#networks ??= this.#make(NetworksClient));
  }

  get system(): SystemClient {
    return (this.#system ??= this.#make(SystemClient));
  }

  close(): void {
    this.#channel?.close();
  }

  #make<C extends Client>(Make: new (address: string, creds: ChannelCredentials, options?: Partial<ClientOptions>) => C): C {
    const options = this.#channel ? { ...channelOptions, channelOverride: this.#channel } : channelOptions;
    const client = new Make(this.#target.target, this.#credentials, options);
    this.#channel ??= client.getChannel();
    return client;
  }
}
