// Regenerates proto/gen/ from the .proto sources: TypeScript (ts-proto, grpc-js services) and a
// binary FileDescriptorSet (descriptor-set.binpb, for server reflection). `npm run proto` writes
// proto/gen/; `npm run proto:check` generates into a temporary folder and fails when the checked-in
// files differ, so CI catches edited or stale generated code.
//
// Needs `protoc` (Debian: protobuf-compiler) and the ts-proto devDependency. The one well-known
// type used, google/protobuf/timestamp.proto, is kept beside the sources, so the system's copy
// (libprotobuf-dev, not always installed) is never needed.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const protoDir = dirname(fileURLToPath(import.meta.url));
const repoDir = dirname(protoDir);
const genDir = join(protoDir, 'gen');
const check = process.argv.includes('--check');

// Every option is a choice the rest of the code relies on; see the README of ts-proto for each.
const tsProtoOptions = [
  'outputServices=grpc-js',
  'esModuleInterop=true',
  'importSuffix=.js',
  'env=node',
  'useOptionals=messages',
  'forceLong=number',
  'useDate=timestamp',
  'oneof=unions',
  'removeEnumPrefix=true',
  'annotateFilesWithVersion=false',
].join(',');

const fail = (msg) => {
  console.error(`proto: ${msg}`);
  process.exit(1);
};

const listFiles = (dir, suffix) => {
  const out = [];
  const walk = (d) => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (name.endsWith(suffix)) out.push(p);
    }
  };
  if (existsSync(dir)) walk(dir);
  return out;
};

const sources = listFiles(protoDir, '.proto')
  .filter((p) => !p.startsWith(genDir + '/'))
  .map((p) => relative(protoDir, p));
if (!sources.length) fail('no .proto files');

const plugin = join(repoDir, 'node_modules', '.bin', 'protoc-gen-ts_proto');
if (!existsSync(plugin)) fail('ts-proto is not installed: run npm install');

const generate = (outDir) => {
  const r = spawnSync('protoc', [
    `--plugin=protoc-gen-ts_proto=${plugin}`,
    `--proto_path=${protoDir}`,
    `--ts_proto_out=${outDir}`,
    `--ts_proto_opt=${tsProtoOptions}`,
    `--descriptor_set_out=${join(outDir, 'descriptor-set.binpb')}`,
    '--include_imports',
    ...sources,
  ], { cwd: protoDir, stdio: ['ignore', 'inherit', 'pipe'], encoding: 'utf8' });
  if (r.error?.code === 'ENOENT') fail('protoc not found: install protobuf-compiler');
  if (r.status !== 0) {
    fail(r.stderr.trim() || `protoc exited with ${r.status}`);
  }
};

const tmp = mkdtempSync(join(tmpdir(), 'tdocker-proto-'));
const out = join(tmp, 'gen');
try {
  mkdirSync(out);
  generate(out);
  if (check) {
    const want = listFiles(out, '').map((p) => relative(out, p));
    const have = listFiles(genDir, '').map((p) => relative(genDir, p));
    const differ = [
      ...want.filter((f) => !have.includes(f)).map((f) => `missing: ${f}`),
      ...have.filter((f) => !want.includes(f)).map((f) => `not generated: ${f}`),
      ...want.filter((f) => have.includes(f) && !readFileSync(join(out, f)).equals(readFileSync(join(genDir, f))))
        .map((f) => `differs: ${f}`),
    ];
    if (differ.length) fail(`proto/gen is not what the .proto files generate; run npm run proto\n  ${differ.join('\n  ')}`);
    console.log(`proto: proto/gen is up to date (${want.length} files)`);
  } else {
    rmSync(genDir, { recursive: true, force: true });
    cpSync(out, genDir, { recursive: true });
    console.log(`proto: generated ${listFiles(genDir, '').length} files into proto/gen`);
  }
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
