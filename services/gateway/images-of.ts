// The daemon's image store, or UNAVAILABLE when this daemon runs without one.
import { TdockerError } from '../errors/tdocker-error.js';
import type { GatewayContext } from './gateway-context.js';

export function imagesOf(ctx: GatewayContext): NonNullable<GatewayContext['images']> {
  if (!ctx.images) throw new TdockerError('UNAVAILABLE', 'the image store is not available in this daemon');
  return ctx.images;
}
