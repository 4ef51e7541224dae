// A client of the OCI distribution (Docker registry v2) API, enough to pull: manifests and
// blobs, with bearer-token and basic authentication negotiated from the registry's 401
// challenge, as Docker does. Plain HTTP only for insecure registries.

import type { IncomingMessage } from 'node:http';
import { get as httpsGet } from 'node:https';
import { TdockerError } from '../errors/tdocker-error.js';
import { pumpOf, type ChunkPump } from './chunk-pump.js';
import { http1Get, type Http1Response } from './http1-get.js';
import { digestOf } from './image-config.js';
import { MEDIA } from './oci-types.js';

export interface RegistryAuth {
  username: string;
  password: string;
}

export interface RegistryClientOptions {
  /** Talk plain HTTP (loopback registries and those named insecure). */
  insecure?: boolean;
  auth?: RegistryAuth;
  /** Aborts every request and the body streams in flight (a cancelled pull). */
  signal?: AbortSignal;
}

/** node:http's response in http1Get's shape: the body lent chunk by chunk. */
function incoming(res: IncomingMessage): Http1Response {
  return {
    status: res.statusCode ?? 0,
    headers: Object.fromEntries(Object.entries(res.headers).flatMap(([k, v]) => (v === undefined ? [] : [[k, Array.isArray(v) ? v.join(', ') : v]]))),
    pump: pumpOf(res).pump,
    async text(max = 4096) {
      let body = '';
      for await (const c of res) if (body.length < max) body += String(c);
      return body.slice(0, max);
    },
    close: () => res.destroy(),
  };
}

export const MANIFEST_ACCEPT = [MEDIA.ociIndex, MEDIA.ociManifest, MEDIA.dockerManifestList, MEDIA.dockerManifest].join(', ');

function challenge(header: string | null): { scheme: string; params: Record<string, string> } | undefined {
  if (!header) return undefined;
  const m = /^\s*(\w+)\s*(.*)$/.exec(header);
  if (!m) return undefined;
  const params: Record<string, string> = {};
  for (const p of m[2]!.matchAll(/(\w+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]+))/g)) params[p[1]!.toLowerCase()] = p[2] ?? p[3] ?? '';
  return { scheme: m[1]!.toLowerCase(), params };
}

export class RegistryClient {
  private readonly base: string;
  private authorization: string | undefined;

  constructor(readonly registry: string, private readonly opts: RegistryClientOptions = {}) {
    this.base = `${opts.insecure ? 'http' : 'https'}://${registry}`;
  }

  /** A manifest or index by tag or digest: its bytes, media type and digest (checked). */
  async manifest(repository: string, reference: string): Promise<{ bytes: Buffer; mediaType: string; digest: string }> {
    const res = await this.get(repository, `/v2/${repository}/manifests/${reference}`, { accept: MANIFEST_ACCEPT });
    const bytes = Buffer.from(await res.arrayBuffer());
    const digest = digestOf(bytes);
    const claimed = reference.startsWith('sha256:') ? reference : res.headers.get('docker-content-digest');
    if (claimed && claimed !== digest) throw new TdockerError('INVALID_ARGUMENT', `${this.registry}/${repository}: manifest digest mismatch (expected ${claimed}, got ${digest})`);
    let mediaType = res.headers.get('content-type')?.split(';')[0]?.trim() ?? '';
    try {
      mediaType = (JSON.parse(bytes.toString('utf8')) as { mediaType?: string }).mediaType ?? mediaType;
    } catch {
      throw new TdockerError('INVALID_ARGUMENT', `${this.registry}/${repository}:${reference}: manifest is not JSON`);
    }
    return { bytes, mediaType, digest };
  }

  /**
   * A blob, its chunks lent to the caller (redirects followed); the caller checks its digest.
   * Plain HTTP goes through http1Get (one reused read buffer), HTTPS through node:https
   * rather than fetch: a web stream's per-chunk cost was a fifth of a pull's main-thread time.
   */
  async blob(repository: string, digest: string): Promise<ChunkPump> {
    const path = `/v2/${repository}/blobs/${digest}`;
    for (let attempt = 0; ; attempt++) {
      let url = new URL(`${this.base}${path}`);
      let authorization = this.authorization;
      for (let hops = 0; ; hops++) {
        const res = await this.open(url, authorization);
        const status = res.status;
        const location = res.headers.location;
        if (status >= 300 && status < 400 && location && hops < 10) {
          res.close();
          const next = new URL(location, url);
          // Credentials are for the registry, never for the storage it redirects to.
          if (next.origin !== url.origin) authorization = undefined;
          url = next;
          continue;
        }
        if (status === 401 && attempt === 0 && hops === 0) {
          res.close();
          await this.authenticate(repository, res.headers['www-authenticate'] ?? null);
          break;
        }
        if (status >= 200 && status < 300) return res;
        this.refuse(path, status, await res.text(4096).catch(() => ''));
      }
    }
  }

  private async open(url: URL, authorization: string | undefined): Promise<Http1Response> {
    const headers: Record<string, string> = authorization ? { authorization } : {};
    if (url.protocol === 'https:') return this.request(url, headers);
    // Its failures name the host (the registry, or the storage it redirected to).
    return http1Get(url, headers, this.opts.signal);
  }

  private request(url: URL, headers: Record<string, string>): Promise<Http1Response> {
    const signal = this.opts.signal;
    signal?.throwIfAborted();
    return new Promise((resolve, reject) => {
      // Aborted by hand rather than with the `signal` option, and without an error: a socket
      // destroyed with one re-emits it where no listener is left. The reader of the body then
      // sees a premature close, and the caller knows from its signal why.
      const abort = () => req.destroy();
      const req = httpsGet(url, { headers }, (res) => {
        // The reader sees a failure through its iteration; one after it stopped reading must
        // not become an uncaught error.
        res.on('error', () => {});
        res.once('close', () => signal?.removeEventListener('abort', abort));
        resolve(incoming(res));
      });
      signal?.addEventListener('abort', abort, { once: true });
      req.on('error', (err) => {
        signal?.removeEventListener('abort', abort);
        if (signal?.aborted) reject(signal.reason);
        else reject(new TdockerError('UNAVAILABLE', `cannot reach registry ${this.registry}: ${err.message}`, { cause: err }));
      });
    });
  }

  async blobBytes(repository: string, digest: string): Promise<Buffer> {
    const res = await this.get(repository, `/v2/${repository}/blobs/${digest}`, {});
    const bytes = Buffer.from(await res.arrayBuffer());
    if (digestOf(bytes) !== digest) throw new TdockerError('INVALID_ARGUMENT', `${this.registry}/${repository}: blob ${digest} does not match its digest`);
    return bytes;
  }

  private async get(repository: string, path: string, headers: Record<string, string>): Promise<Response> {
    for (let attempt = 0; ; attempt++) {
      const h: Record<string, string> = { ...headers };
      if (this.authorization) h.authorization = this.authorization;
      let res: Response;
      try {
        res = await fetch(`${this.base}${path}`, { headers: h, redirect: 'follow', signal: this.opts.signal });
      } catch (err) {
        this.opts.signal?.throwIfAborted();
        throw new TdockerError('UNAVAILABLE', `cannot reach registry ${this.registry}: ${(err as Error).cause ? String((err as { cause: unknown }).cause) : (err as Error).message}`, { cause: err });
      }
      if (res.status === 401 && attempt === 0) {
        await res.arrayBuffer().catch(() => undefined);
        await this.authenticate(repository, res.headers.get('www-authenticate'));
        continue;
      }
      if (res.ok) return res;
      this.refuse(path, res.status, await res.text().catch(() => ''));
    }
  }

  private refuse(path: string, status: number, body: string): never {
    const what = `${this.registry}${path}`;
    if (status === 401 || status === 403) throw new TdockerError('FAILED_PRECONDITION', `${what}: access denied (${status})${this.opts.auth ? '' : ': the registry needs credentials'}`);
    if (status === 404) throw new TdockerError('NOT_FOUND', `${what}: not found${/MANIFEST_UNKNOWN|NAME_UNKNOWN/.test(body) ? ' (manifest unknown)' : ''}`);
    throw new TdockerError('UNAVAILABLE', `${what}: HTTP ${status} ${body.slice(0, 200)}`);
  }

  private async authenticate(repository: string, header: string | null): Promise<void> {
    const c = challenge(header);
    const basic = this.opts.auth ? `Basic ${Buffer.from(`${this.opts.auth.username}:${this.opts.auth.password}`).toString('base64')}` : undefined;
    if (c?.scheme === 'basic') {
      if (!basic) throw new TdockerError('FAILED_PRECONDITION', `registry ${this.registry} needs a username and password`);
      this.authorization = basic;
      return;
    }
    if (c?.scheme !== 'bearer' || !c.params.realm) throw new TdockerError('FAILED_PRECONDITION', `registry ${this.registry}: unsupported authentication challenge '${header ?? ''}'`);
    const url = new URL(c.params.realm);
    if (c.params.service) url.searchParams.set('service', c.params.service);
    url.searchParams.set('scope', c.params.scope ?? `repository:${repository}:pull`);
    let res: Response;
    try {
      res = await fetch(url, { headers: basic ? { authorization: basic } : {}, signal: this.opts.signal });
    } catch (err) {
      throw new TdockerError('UNAVAILABLE', `cannot reach the token service of ${this.registry} (${url.origin}): ${(err as Error).message}`, { cause: err });
    }
    if (!res.ok) throw new TdockerError('FAILED_PRECONDITION', `registry ${this.registry}: token request refused (${res.status})`);
    const doc = (await res.json().catch(() => ({}))) as { token?: string; access_token?: string };
    const token = doc.token ?? doc.access_token;
    if (!token) throw new TdockerError('FAILED_PRECONDITION', `registry ${this.registry}: the token service returned no token`);
    this.authorization = `Bearer ${token}`;
  }
}
