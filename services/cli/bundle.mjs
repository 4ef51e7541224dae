// Builds the CLI's bundle (run by `npm run build:cli`, after tsc) into build/services/cli/:
// tdocker.cjs, cli-entry.ts with everything it imports (the generated code) but grpc-js in one
// file; tdocker-grpc.cjs, grpc-js, a second script run on first use (and its .cache, see below);
// tdocker.cjs.cache, V8's code cache for it, made after a warm-up (code-cache-warm-up.ts) so that
// a command starts without parsing and compiling the bundle; tdocker.cjs.inputs, the sources it
// was made from (bin.cjs uses it only while none is newer); and bin.cjs, the bin that runs it.
//
// The bundle is an IIFE wrapped in a function taking `require` (for Node's built-in modules) and
// the URL `import.meta.url` stands for, so that it runs through vm.Script, which takes a cache.
import { build } from 'esbuild';
import { chmodSync, copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Script } from 'node:vm';

const root = new URL('../../', import.meta.url);

// grpc-js requires zlib (message compression) and dns (dns: targets) when it loads, and a CLI
// that talks to a unix socket uncompressed uses neither: they are loaded on first use instead,
// which saves their start-up cost on every command. Only property reads at call time work
// through this (grpc-js's `require('zlib').x`); an ES import of such a module would see no
// exports, since esbuild copies them when the importer loads.
const lazyBuiltins = {
  name: 'lazy-builtins',
  setup(b) {
    b.onResolve({ filter: /^(?:node:)?(?:zlib|dns)$/ }, (args) => {
      const name = `node:${args.path.replace(/^node:/, '')}`;
      // The proxy's own require is the real module.
      return args.namespace === 'lazy-builtin' ? { path: name, external: true } : { path: name, namespace: 'lazy-builtin' };
    });
    b.onLoad({ filter: /.*/, namespace: 'lazy-builtin' }, (args) => ({
      contents: `let m; module.exports = new Proxy({}, { get: (_, k) => (m ??= require('${args.path}'))[k] });`,
      loader: 'js',
    }));
  },
};
// The generated code makes its grpc-js client classes when it loads, which would load grpc-js for
// every command that only needs its message codecs (`run` attached to a daemon on a unix socket
// talks HTTP/2 itself, see client/h2-call.ts). Its import of grpc-js is served by this stand-in,
// whose client classes load grpc-js and make the real class when first constructed.
const lazyGrpcForGenerated = {
  name: 'lazy-grpc-for-generated',
  setup(b) {
    b.onResolve({ filter: /^@grpc\/grpc-js$/ }, (args) => {
      if (!/[\\/]proto[\\/]gen[\\/]/.test(args.importer)) return undefined;
      return { path: '@grpc/grpc-js', namespace: 'lazy-grpc', pluginData: { resolveDir: args.resolveDir } };
    });
    b.onLoad({ filter: /.*/, namespace: 'lazy-grpc' }, (args) => ({
      contents: `let real;
const load = () => (real ??= require('@grpc/grpc-js'));
exports.makeGenericClientConstructor = (...spec) => {
  let Made;
  return function LazyClient(...args) {
    Made ??= load().makeGenericClientConstructor(...spec);
    return new Made(...args);
  };
};`,
      loader: 'js',
      resolveDir: args.pluginData.resolveDir,
    }));
  },
};
// grpc-js is a second script beside the bundle with its own code cache (tdocker-grpc.cjs and its
// .cache), run on first use: V8 reads a code cache whole, so grpc-js's compiled code in the
// bundle's cache cost every command its deserialization, also those that never load it (`run`
// attached to a unix socket). Every import of grpc-js in the bundle is this loader.
const grpcOut = new URL('build/services/cli/tdocker-grpc.cjs', root);
const grpcScriptKey = 'tdocker.grpcScript';
const splitGrpc = {
  name: 'split-grpc',
  setup(b) {
    b.onResolve({ filter: /^@grpc\/grpc-js$/ }, () => ({ path: 'grpc-js', namespace: 'split-grpc' }));
    b.onLoad({ filter: /.*/, namespace: 'split-grpc' }, () => ({
      contents: `const { readFileSync } = require('node:fs');
const { Script } = require('node:vm');
const file = require('node:url').fileURLToPath(new URL('tdocker-grpc.cjs', __importMetaUrl));
let cachedData;
try {
  cachedData = readFileSync(file + '.cache');
} catch {}
const script = new Script(readFileSync(file, 'utf8'), { filename: file, ...(cachedData ? { cachedData } : {}) });
globalThis[Symbol.for('${grpcScriptKey}')] = script;
module.exports = script.runInThisContext()(require);`,
      loader: 'js',
    }));
  },
};
rmSync(new URL('build/services/cli/tdocker-grpc.cjs.cache', root), { force: true });
await build({
  stdin: { contents: "module.exports = require('@grpc/grpc-js');", resolveDir: fileURLToPath(root), loader: 'js' },
  outfile: grpcOut.pathname,
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'iife',
  globalName: 'tdockerGrpc',
  minify: true,
  legalComments: 'none',
  external: ['@grpc/proto-loader'],
  banner: { js: '(function (require) {' },
  footer: { js: 'return tdockerGrpc; })' },
  plugins: [lazyBuiltins],
  logLevel: 'warning',
});

const out = new URL('build/services/cli/tdocker.cjs', root);

const { metafile } = await build({
  entryPoints: [new URL('services/cli/cli-entry.ts', root).pathname],
  outfile: out.pathname,
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'iife',
  globalName: 'tdockerCli',
  minify: true,
  legalComments: 'none',
  // grpc-js loads it only to serve channelz and ORCA, which a client never does.
  external: ['@grpc/proto-loader'],
  define: { 'import.meta.url': '__importMetaUrl' },
  banner: { js: '(function (require, __importMetaUrl) {' },
  footer: { js: 'return tdockerCli; })' },
  plugins: [lazyBuiltins, lazyGrpcForGenerated, splitGrpc],
  logLevel: 'warning',
  metafile: true,
});

const source = readFileSync(out, 'utf8');
const script = new Script(source, { filename: out.pathname });
const entry = script.runInThisContext()(createRequire(out), out.href);
const scratch = mkdtempSync(join(tmpdir(), 'tdocker-bundle-'));
try {
  await entry.warm(scratch);
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
writeFileSync(new URL('build/services/cli/tdocker.cjs.cache', root), script.createCachedData());
const grpcScript = globalThis[Symbol.for(grpcScriptKey)];
if (!grpcScript) throw new Error('the warm-up never loaded grpc-js: its code cache would be empty');
writeFileSync(new URL('build/services/cli/tdocker-grpc.cjs.cache', root), grpcScript.createCachedData());

// The sources of ours that went in (paths from the root); packages change only with npm ci,
// which a build follows anyway.
const rootPath = fileURLToPath(root);
const inputs = Object.keys(metafile.inputs)
  .filter((p) => !p.includes('node_modules/') && !p.includes(':'))
  .map((p) => relative(rootPath, join(process.cwd(), p)));
inputs.push('services/cli/bin.cjs');
writeFileSync(new URL('build/services/cli/tdocker.cjs.inputs', root), `${JSON.stringify(inputs)}\n`);
const bin = new URL('build/services/cli/bin.cjs', root);
copyFileSync(new URL('services/cli/bin.cjs', root), bin);
chmodSync(bin, 0o755);
