// The one escaping of a host name into a NATS subject token and a KV key segment. A token cannot
// hold `.`, `*`, `>` or whitespace, and KV keys allow only [-/_=.a-zA-Z0-9]; so every byte of the
// UTF-8 name outside [A-Za-z0-9_-] becomes `=XX` (upper-case hex), `=` itself included. The result
// is reversible, stable, and readable for ordinary names: `node1.example.com` → `node1=2Eexample=2Ecom`.
import { invalid } from '../errors/tdocker-error.js';

const KEEP = /^[A-Za-z0-9_-]$/;

let lastHost = '';
let lastToken = '';

export function hostToken(host: string): string {
  if (host === lastHost) return lastToken; // a daemon has one host name: escape it once
  if (!host) throw invalid('events: the host name is empty');
  let out = '';
  for (const byte of Buffer.from(host, 'utf8')) {
    const ch = String.fromCharCode(byte);
    out += byte < 0x80 && KEEP.test(ch) ? ch : `=${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  lastHost = host;
  lastToken = out;
  return out;
}

export function hostFromToken(token: string): string {
  const bytes: number[] = [];
  for (let i = 0; i < token.length; i++) {
    if (token[i] === '=' && /^[0-9A-Fa-f]{2}$/.test(token.slice(i + 1, i + 3))) {
      bytes.push(parseInt(token.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      bytes.push(token.charCodeAt(i) & 0xff);
    }
  }
  return Buffer.from(bytes).toString('utf8');
}
