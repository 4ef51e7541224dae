// --name and rename's NEW_NAME: [a-zA-Z0-9][a-zA-Z0-9_.-]+ as Docker's, a leading "/" dropped.
import { InvalidValue } from './invalid-value.js';

export function parseContainerName(value: string): string {
  const name = value.startsWith('/') ? value.slice(1) : value;
  if (!/^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/.test(name)) {
    throw new InvalidValue(`invalid container name '${value}': only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed, 2 characters or more`);
  }
  return name;
}
