// gRPC server reflection (grpc.reflection.v1 and v1alpha, whose messages are the same), so that
// grpcurl and similar tools can list and call the daemon's services. The answers come from
// proto/gen/descriptor-set.binpb, written by `npm run proto`. The few reflection messages are read
// and written with the protobuf wire codec; they are small and fixed by the gRPC project.
import type { Server, ServerDuplexStream } from '@grpc/grpc-js';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { BinaryReader, BinaryWriter, WireType } from '@bufbuild/protobuf/wire';

// From the source tree (services/gateway) and from the build (build/services/gateway).
const CANDIDATES = ['../../proto/gen/descriptor-set.binpb', '../../../proto/gen/descriptor-set.binpb'];

interface FileEntry {
  name: string;
  bytes: Uint8Array;
  dependencies: string[];
}

export class DescriptorIndex {
  readonly files = new Map<string, FileEntry>();
  readonly symbols = new Map<string, string>();
  readonly services: string[] = [];

  constructor(set: Uint8Array) {
    const r = new BinaryReader(set);
    while (r.pos < r.len) {
      const [field, wire] = r.tag();
      if (field === 1 && wire === WireType.LengthDelimited) this.addFile(r.bytes());
      else r.skip(wire);
    }
  }

  private addFile(bytes: Uint8Array): void {
    const r = new BinaryReader(bytes);
    let name = '';
    let pkg = '';
    const deps: string[] = [];
    const symbols: string[] = [];
    const messages: Uint8Array[] = [];
    const enums: Uint8Array[] = [];
    const services: Uint8Array[] = [];
    while (r.pos < r.len) {
      const [field, wire] = r.tag();
      if (field === 1) name = r.string();
      else if (field === 2) pkg = r.string();
      else if (field === 3) deps.push(r.string());
      else if (field === 4) messages.push(r.bytes());
      else if (field === 5) enums.push(r.bytes());
      else if (field === 6) services.push(r.bytes());
      else r.skip(wire);
    }
    const prefix = pkg ? `${pkg}.` : '';
    for (const m of messages) collectMessage(m, prefix, symbols);
    for (const e of enums) symbols.push(prefix + nameOf(e));
    for (const s of services) {
      const svc = prefix + nameOf(s);
      symbols.push(svc);
      this.services.push(svc);
      const rs = new BinaryReader(s);
      while (rs.pos < rs.len) {
        const [field, wire] = rs.tag();
        if (field === 2) symbols.push(`${svc}.${nameOf(rs.bytes())}`);
        else rs.skip(wire);
      }
    }
    this.files.set(name, { name, bytes, dependencies: deps });
    for (const s of symbols) this.symbols.set(s, name);
  }

  /** The file and every file it imports, the file first. */
  withDependencies(name: string): Uint8Array[] {
    const out: Uint8Array[] = [];
    const seen = new Set<string>();
    const visit = (n: string) => {
      const f = this.files.get(n);
      if (!f || seen.has(n)) return;
      seen.add(n);
      out.push(f.bytes);
      for (const d of f.dependencies) visit(d);
    };
    visit(name);
    return out;
  }
}

function nameOf(descriptor: Uint8Array): string {
  const r = new BinaryReader(descriptor);
  while (r.pos < r.len) {
    const [field, wire] = r.tag();
    if (field === 1) return r.string();
    r.skip(wire);
  }
  return '';
}

function collectMessage(bytes: Uint8Array, prefix: string, out: string[]): void {
  const full = prefix + nameOf(bytes);
  out.push(full);
  const r = new BinaryReader(bytes);
  while (r.pos < r.len) {
    const [field, wire] = r.tag();
    if (field === 3) collectMessage(r.bytes(), `${full}.`, out);
    else if (field === 4) out.push(`${full}.${nameOf(r.bytes())}`);
    else r.skip(wire);
  }
}

interface ReflectionRequest {
  raw: Uint8Array;
  host: string;
  kind?: 'file_by_filename' | 'file_containing_symbol' | 'file_containing_extension' | 'all_extension_numbers_of_type' | 'list_services';
  value: string;
}

function decodeRequest(buf: Uint8Array): ReflectionRequest {
  const req: ReflectionRequest = { raw: buf, host: '', value: '' };
  const kinds = { 3: 'file_by_filename', 4: 'file_containing_symbol', 5: 'file_containing_extension', 6: 'all_extension_numbers_of_type', 7: 'list_services' } as const;
  const r = new BinaryReader(buf);
  while (r.pos < r.len) {
    const [field, wire] = r.tag();
    if (field === 1) req.host = r.string();
    else if (field >= 3 && field <= 7) {
      req.kind = kinds[field as 3 | 4 | 5 | 6 | 7];
      if (field === 5) {
        // ExtensionRequest { containing_type = 1 }: no extensions here, the type name is enough.
        const sub = new BinaryReader(r.bytes());
        while (sub.pos < sub.len) {
          const [f, w] = sub.tag();
          if (f === 1) req.value = sub.string(); else sub.skip(w);
        }
      } else req.value = r.string();
    } else r.skip(wire);
  }
  return req;
}

function answer(index: DescriptorIndex, req: ReflectionRequest): Uint8Array {
  const w = new BinaryWriter();
  w.tag(1, WireType.LengthDelimited).string(req.host);
  w.tag(2, WireType.LengthDelimited).bytes(req.raw);
  const error = (code: number, message: string) => {
    w.tag(7, WireType.LengthDelimited).fork().tag(1, WireType.Varint).int32(code).tag(2, WireType.LengthDelimited).string(message).join();
  };
  const files = (list: Uint8Array[]) => {
    w.tag(4, WireType.LengthDelimited).fork();
    for (const f of list) w.tag(1, WireType.LengthDelimited).bytes(f);
    w.join();
  };
  switch (req.kind) {
    case 'list_services':
      w.tag(6, WireType.LengthDelimited).fork();
      for (const s of index.services) w.tag(1, WireType.LengthDelimited).fork().tag(1, WireType.LengthDelimited).string(s).join();
      w.join();
      break;
    case 'file_by_filename':
      if (index.files.has(req.value)) files(index.withDependencies(req.value));
      else error(5, `file not found: ${req.value}`);
      break;
    case 'file_containing_symbol': {
      const file = index.symbols.get(req.value.replace(/^\./, ''));
      if (file) files(index.withDependencies(file));
      else error(5, `symbol not found: ${req.value}`);
      break;
    }
    case 'all_extension_numbers_of_type':
      if (index.symbols.has(req.value)) {
        w.tag(5, WireType.LengthDelimited).fork().tag(1, WireType.LengthDelimited).string(req.value).join();
      } else error(5, `type not found: ${req.value}`);
      break;
    case 'file_containing_extension':
      error(5, 'no extensions are defined');
      break;
    default:
      error(12, 'unknown reflection request');
  }
  return w.finish();
}

async function loadIndex(): Promise<DescriptorIndex | undefined> {
  for (const rel of CANDIDATES) {
    const data = await readFile(fileURLToPath(new URL(rel, import.meta.url))).catch(() => undefined);
    if (data) return new DescriptorIndex(data);
  }
  return undefined;
}

const identity = (b: Buffer) => b;

/** Adds reflection v1 and v1alpha when the descriptor set is there; returns whether it did. */
export async function addReflection(server: Server): Promise<boolean> {
  const index = await loadIndex();
  if (!index) return false;
  for (const pkg of ['grpc.reflection.v1', 'grpc.reflection.v1alpha']) {
    index.services.push(`${pkg}.ServerReflection`);
    server.addService({
      serverReflectionInfo: {
        path: `/${pkg}.ServerReflection/ServerReflectionInfo`,
        requestStream: true,
        responseStream: true,
        requestSerialize: identity,
        requestDeserialize: identity,
        responseSerialize: identity,
        responseDeserialize: identity,
        originalName: 'serverReflectionInfo',
      },
    }, {
      serverReflectionInfo: (call: ServerDuplexStream<Buffer, Buffer>) => {
        call.on('data', (buf: Buffer) => call.write(Buffer.from(answer(index, decodeRequest(buf)))));
        call.on('end', () => call.end());
      },
    });
  }
  return true;
}
