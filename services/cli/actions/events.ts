// tdocker events: the fleet's container events, one line each as Docker prints them
// (`2026-12-04T21:00:00.123456789Z container start <id> (image=busybox, name=web, host=h1)`),
// or the CloudEvent JSON with --format json; follows until --until or Ctrl-C.
import type { Event } from '../../../proto/gen/tinydocker/v1/system.js';
import type { EventsCommand } from '../args/commands/events.js';
import type { Action } from '../cli-context.js';
import { compileTemplate } from '../format/go-template.js';

export function eventLine(e: Event): string {
  const attrs: [string, string][] = [];
  for (const [k, v] of Object.entries(e.attributes)) attrs.push([k, v]);
  if (e.exitCode !== undefined && (e.action === 'die' || e.action === 'oom')) attrs.push(['exitCode', String(e.exitCode)]);
  attrs.push(['image', e.image], ['name', e.containerName]);
  if (e.signal !== undefined && e.action === 'die') attrs.push(['signal', String(e.signal)]);
  // Docker's attributes in its order (by key), then the host the event came from.
  attrs.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  attrs.push(['host', e.host]);
  return `${e.time} container ${e.action} ${e.containerId} (${attrs.map(([k, v]) => `${k}=${v}`).join(', ')})`;
}

/** The fields a --format template sees, named as Docker's events message. */
function templateData(e: Event): Record<string, unknown> {
  return {
    Type: 'container', Action: e.action, Status: e.action, ID: e.containerId, id: e.containerId, From: e.image,
    Actor: { ID: e.containerId, Attributes: { ...e.attributes, name: e.containerName, image: e.image, host: e.host } },
    Host: e.host, Time: Math.floor(Date.parse(e.time) / 1000), TimeNano: e.time, Seq: e.seq,
  };
}

export const events: Action<EventsCommand> = async (cmd, cli) => {
  const daemon = await cli.daemon();
  const call = daemon.system.events(cmd.request);
  const render = cmd.format.kind === 'template' ? compileTemplate(cmd.format.template) : undefined;
  const stop = () => call.cancel();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    await new Promise<void>((resolve, reject) => {
      call.on('data', (e: Event) => {
        const line = cmd.format.kind === 'json' ? e.cloudEvent : render ? render(templateData(e)) : eventLine(e);
        if (!cli.stdout.write(`${line}\n`)) {
          call.pause();
          cli.stdout.once('drain', () => call.resume());
        }
      });
      call.on('error', (err: { code?: number }) => (err.code === 1 /* CANCELLED: Ctrl-C */ ? resolve() : reject(err)));
      call.on('end', resolve);
    });
  } catch (err) {
    throw cli.fail(err, 'events');
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
  return 0;
};
