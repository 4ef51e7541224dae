// Names and ids of the containers of this host: names are unique, and a container is found by its
// full id, its name (with or without the leading "/"), or a unique prefix of its id.
import { TdockerError, invalid, notFound } from '../errors/tdocker-error.js';

const NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;

/** Docker's rule for a container name; returns it without the leading "/". */
export function checkName(name: string): string {
  const n = name.startsWith('/') ? name.slice(1) : name;
  if (!NAME.test(n)) throw invalid(`invalid container name "${name}": only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed, at least two characters`);
  return n;
}

export class ContainerNames {
  private readonly byName = new Map<string, string>();
  private readonly ids = new Set<string>();

  get size(): number {
    return this.ids.size;
  }

  has(id: string): boolean {
    return this.ids.has(id);
  }

  nameTaken(name: string): boolean {
    return this.byName.has(name);
  }

  /** Reserves the name for the id; ALREADY_EXISTS when another container has it. */
  add(id: string, name: string): void {
    const owner = this.byName.get(name);
    if (owner !== undefined && owner !== id) {
      throw new TdockerError('ALREADY_EXISTS', `the container name "/${name}" is already in use by container ${owner.slice(0, 12)}: remove or rename that container first`);
    }
    this.byName.set(name, id);
    this.ids.add(id);
  }

  rename(id: string, from: string, to: string): void {
    this.add(id, to);
    if (from !== to) this.byName.delete(from);
  }

  delete(id: string, name: string): void {
    if (this.byName.get(name) === id) this.byName.delete(name);
    this.ids.delete(id);
  }

  /** The id a reference means: full id, name, or unique id prefix, in that order (Docker's). */
  resolve(ref: string): string {
    if (ref === '') throw invalid('no container given');
    if (this.ids.has(ref)) return ref;
    const byName = this.byName.get(ref.startsWith('/') ? ref.slice(1) : ref);
    if (byName !== undefined) return byName;
    if (/^[0-9a-f]+$/.test(ref)) {
      let found: string | undefined;
      let count = 0;
      for (const id of this.ids) {
        if (id.startsWith(ref)) {
          found = id;
          count++;
        }
      }
      if (count === 1) return found!;
      if (count > 1) throw invalid(`container id prefix "${ref}" is ambiguous: ${count} containers match, give more characters`);
    }
    throw notFound(`no such container: ${ref}`);
  }
}
