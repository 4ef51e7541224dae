// -e / --env entries: "KEY=value" as it is; a bare "KEY" takes the value from the CLI's own
// environment when set there, and is passed on bare otherwise (Docker's ValidateEnv).
import { InvalidValue } from './invalid-value.js';

export type EnvLookup = (key: string) => string | undefined;

export function parseEnv(value: string, lookup: EnvLookup): string {
  const eq = value.indexOf('=');
  const key = eq < 0 ? value : value.slice(0, eq);
  if (key === '') throw new InvalidValue(`invalid environment variable: ${value}`);
  if (eq >= 0) return value;
  const v = lookup(key);
  return v === undefined ? key : `${key}=${v}`;
}
