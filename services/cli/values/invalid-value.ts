// Thrown by the value parsers with only the reason ("invalid size: '12q'"); the flag reader adds
// which flag and which command, so every parser stays usable on its own.

export class InvalidValue extends Error {
  override name = 'InvalidValue';
}
