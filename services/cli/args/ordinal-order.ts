// Code-point order for names the CLI sorts (flags, commands: lowercase ASCII). Not localeCompare:
// its first call builds an ICU collator, ~6 ms of a command's start-up.
export const ordinal = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
