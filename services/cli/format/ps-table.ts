// `tdocker ps` output from ContainerSummary rows: Docker's columns and words (CONTAINER ID, IMAGE,
// COMMAND, CREATED, STATUS, PORTS, NAMES), ids cut to 12 and commands to 20 characters unless
// --no-trunc, -q for ids only, and the json and template formats over the same fields.
import type { ContainerSummary } from '../../../proto/gen/tinydocker/v1/containers.js';
import { containerStatusWord } from '../proto-enums.js';
import type { OutputFormat } from '../values/parse-output-format.js';
import { createdText, statusText } from './container-status.js';
import { ellipsis } from './ellipsis.js';
import { goQuote } from './go-quote.js';
import { formatRows, type RowsLayout } from './rows-output.js';
import { goTimeString } from './timestamp-text.js';

export const psLayout: RowsLayout = {
  table: '{{.ID}}\t{{.Image}}\t{{.Command}}\t{{.RunningFor}}\t{{.Status}}\t{{.Ports}}\t{{.Names}}',
  headers: {
    ID: 'CONTAINER ID', Image: 'IMAGE', Command: 'COMMAND', CreatedAt: 'CREATED AT', RunningFor: 'CREATED',
    Status: 'STATUS', Ports: 'PORTS', Names: 'NAMES', Labels: 'LABELS', Mounts: 'MOUNTS', Networks: 'NETWORKS',
    State: 'STATE', Size: 'SIZE', LocalVolumes: 'LOCAL VOLUMES', Host: 'HOST',
  },
};

const shortId = (id: string) => id.replace(/^sha256:/, '').slice(0, 12);

/** The fields a ps row offers to templates, as Docker names them. */
export function psRow(c: ContainerSummary, opts: { noTrunc: boolean; nowMs: number }): Record<string, string> {
  const trunc = !opts.noTrunc;
  const image = trunc && c.image.startsWith('sha256:') ? shortId(c.image) : c.image;
  return {
    ID: trunc ? shortId(c.id) : c.id,
    Image: image,
    Command: goQuote(trunc ? ellipsis(c.command, 20) : c.command),
    CreatedAt: goTimeString(c.created),
    RunningFor: createdText(c.created, opts.nowMs),
    Status: statusText(c, opts.nowMs),
    Ports: '',
    Names: c.names.join(','),
    Labels: Object.entries(c.labels).map(([k, v]) => `${k}=${v}`).join(','),
    Mounts: c.mounts.map((m) => (trunc ? ellipsis(m.name || m.source, 15) : m.name || m.source)).join(','),
    Networks: c.networkMode,
    State: containerStatusWord[c.state] ?? 'unknown',
    Size: '0B',
    LocalVolumes: '0',
    Host: c.host,
  };
}

export function formatPs(
  containers: readonly ContainerSummary[],
  opts: { quiet: boolean; noTrunc: boolean; format: OutputFormat; nowMs: number },
): string {
  if (opts.quiet) return containers.map((c) => `${opts.noTrunc ? c.id : shortId(c.id)}\n`).join('');
  return formatRows(opts.format, containers.map((c) => psRow(c, opts)), psLayout);
}
