// How a command's flags and arguments are declared. One table per command (commands/*.ts) drives
// parsing, validation of the argument count, and the --help text, so they cannot disagree.

import { ordinal } from './ordinal-order.js';

export type FlagKind = 'bool' | 'string' | 'list';

export interface FlagSpec {
  /** Long name without the dashes ("memory"). */
  name: string;
  /** One-letter shorthand ("m"). */
  short?: string;
  /** Other long names Docker accepts ("net" for "network", "time" for "timeout"); not shown. */
  aliases?: readonly string[];
  kind: FlagKind;
  /** Word shown after the flag in --help ("string", "bytes", "list", "int", "decimal"). */
  type?: string;
  description: string;
  /** Shown as (default "x") in --help; for bool flags "true" makes the flag default on. */
  default?: string;
}

/** How many positional arguments a command takes; max omitted means no limit. */
export interface ArgCount {
  min: number;
  max?: number;
}

/** Flags in --help order (by long name), for tables assembled from shared parts. */
export const sortedFlags = (flags: readonly FlagSpec[]): FlagSpec[] =>
  [...flags].sort((a, b) => ordinal(a.name, b.name));
