// --change / -c of commit and import: one Dockerfile instruction of those an image config holds.
import { InvalidValue } from './invalid-value.js';

const changeInstructions = ['CMD', 'ENTRYPOINT', 'ENV', 'EXPOSE', 'LABEL', 'STOPSIGNAL', 'USER', 'VOLUME', 'WORKDIR'];

export function parseChange(v: string): string {
  const word = v.trimStart().split(/\s/, 1)[0]!.toUpperCase();
  if (!changeInstructions.includes(word)) {
    throw new InvalidValue(`${word || 'empty'} is not a valid change command (want one of ${changeInstructions.join(', ')})`);
  }
  return v.trim();
}
