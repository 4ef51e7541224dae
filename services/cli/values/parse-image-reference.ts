// Image references the CLI passes on: "name[:tag]" (name components lowercase, separated by "/",
// an optional registry host[:port] first), "name@sha256:<hex>", or an image id or id prefix.
// Only the form is checked here; whether the image exists is the daemon's to say.
import { InvalidValue } from './invalid-value.js';

const component = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
const host = '(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*(?::\\d+)?/)?';
const reference = new RegExp(`^${host}${component}(?:/${component})*(?::[\\w][\\w.-]{0,127})?(?:@sha256:[a-f0-9]{64})?$`);
const imageId = /^(?:sha256:)?[a-f0-9]{1,64}$/;

export function parseImageReference(value: string): string {
  if (value === '') throw new InvalidValue('invalid reference format: empty');
  if (imageId.test(value) || reference.test(value)) return value;
  const name = value.split(/[:@]/)[0] ?? '';
  if (name !== name.toLowerCase() && reference.test(value.replace(name, name.toLowerCase()))) {
    throw new InvalidValue('invalid reference format: repository name must be lowercase');
  }
  throw new InvalidValue('invalid reference format');
}
