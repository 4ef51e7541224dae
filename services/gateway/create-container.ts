// Create: a request to a container definition (image, layers, network defaults) and a new
// container in the supervisor. Shared by Create, Run and Attach with options.create.
import { invalid } from '../errors/tdocker-error.js';
import type { CreateContainerRequest, CreateContainerResponse } from '../../proto/gen/tinydocker/v1/containers.js';
import { containerDefinition } from './container-definition.js';
import type { GatewayContext } from './gateway-context.js';
import { imagesOf } from './images-of.js';

export async function createContainer(ctx: GatewayContext, req: CreateContainerRequest): Promise<CreateContainerResponse> {
  if (!req.config?.image) throw invalid('no image given');
  const images = imagesOf(ctx);
  const image = await images.get(req.config.image);
  const def = containerDefinition(req, image, images.layerDirs(image), ctx.networkDefaults);
  // An unknown network is NOT_FOUND before anything is made.
  if (def.spec.net && ctx.network && def.spec.net.network !== 'bridge') ctx.network.get(def.spec.net.network);
  const v = await ctx.supervisor.create(def);
  return { id: v.record.id, warnings: [] };
}

/** Start after a create: a container that cannot start is removed when it asked for --rm (as Run does). */
export async function startCreated(ctx: GatewayContext, id: string, autoRemove: boolean): Promise<void> {
  try {
    await ctx.supervisor.start(id);
  } catch (err) {
    if (autoRemove) await ctx.supervisor.remove(id, { force: true }).catch(() => {});
    throw err;
  }
}
