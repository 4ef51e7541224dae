// `tdocker images` filters, as Docker's: reference (a glob on name or name:tag; only the matching
// tags are kept), label (key or key=value), dangling=true|false, before and since (an image).
// Each key's values are alternatives; different keys must all hold.
import { invalid } from '../errors/tdocker-error.js';
import type { ImageRecord } from './image-source.js';

export interface FilterPair {
  key: string;
  value: string;
}

const globRe = (glob: string) =>
  new RegExp(`^${glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]')}$`);

/** A tag's familiar form ("busybox:latest" for "docker.io/library/busybox:latest"). */
const familiar = (tag: string) => tag.replace(/^docker\.io\/(library\/)?/, '');

function referenceMatches(pattern: string, tag: string): boolean {
  const t = familiar(tag);
  const colon = t.lastIndexOf(':');
  const name = colon > t.lastIndexOf('/') ? t.slice(0, colon) : t;
  const re = globRe(familiar(pattern));
  return re.test(t) || (!pattern.includes(':') && re.test(name));
}

export async function filterImages(
  images: ImageRecord[],
  filters: readonly FilterPair[],
  get: (ref: string) => Promise<ImageRecord>,
): Promise<ImageRecord[]> {
  const by = new Map<string, string[]>();
  for (const f of filters) {
    if (!['reference', 'label', 'dangling', 'before', 'since'].includes(f.key)) throw invalid(`invalid filter '${f.key}'`);
    by.set(f.key, [...(by.get(f.key) ?? []), f.value]);
  }
  let out = images;
  const dangling = by.get('dangling');
  if (dangling) {
    const want = new Set(dangling.map((v) => {
      if (!['true', 'false', '1', '0'].includes(v.toLowerCase())) throw invalid(`invalid filter 'dangling=${v}'`);
      return v === 'true' || v === '1';
    }));
    out = out.filter((i) => want.has(i.repoTags.length === 0));
  }
  const labels = by.get('label');
  if (labels) {
    out = out.filter((i) => labels.every((l) => {
      const eq = l.indexOf('=');
      const labelsOf = i.config.Labels ?? {};
      return eq === -1 ? Object.hasOwn(labelsOf, l) : labelsOf[l.slice(0, eq)] === l.slice(eq + 1);
    }));
  }
  for (const key of ['before', 'since'] as const) {
    for (const ref of by.get(key) ?? []) {
      const pivot = await get(ref);
      out = out.filter((i) => (key === 'before' ? i.created < pivot.created : i.created > pivot.created));
    }
  }
  const refs = by.get('reference');
  if (refs) {
    out = out.flatMap((i) => {
      const tags = i.repoTags.filter((t) => refs.some((p) => referenceMatches(p, t)));
      return tags.length ? [{ ...i, repoTags: tags }] : [];
    });
  }
  return out;
}
