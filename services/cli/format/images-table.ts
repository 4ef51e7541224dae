// `tdocker images` output from ImageSummary rows: one row per tag (REPOSITORY, TAG, IMAGE ID,
// CREATED, SIZE), "<none>" for untagged images, ids cut to 12 unless --no-trunc, sizes as
// Docker's ("5.2MB"); -q prints each image id once.
import type { ImageSummary } from '../../../proto/gen/tinydocker/v1/images.js';
import type { OutputFormat } from '../values/parse-output-format.js';
import { humanDuration } from './human-duration.js';
import { humanSize } from './human-size.js';
import { formatRows, type RowsLayout } from './rows-output.js';
import { goTimeString, isSet, timestampMs } from './timestamp-text.js';

export const imagesLayout: RowsLayout = {
  table: '{{.Repository}}\t{{.Tag}}\t{{.ID}}\t{{.CreatedSince}}\t{{.Size}}',
  headers: {
    Repository: 'REPOSITORY', Tag: 'TAG', ID: 'IMAGE ID', CreatedSince: 'CREATED', CreatedAt: 'CREATED AT',
    Size: 'SIZE', Containers: 'CONTAINERS', Digest: 'DIGEST',
  },
};

/** "registry:5000/a/b:tag" → ["registry:5000/a/b", "tag"]; a tag is after the last "/". */
export function splitRepoTag(ref: string): [string, string] {
  const colon = ref.lastIndexOf(':');
  return colon > ref.lastIndexOf('/') ? [ref.slice(0, colon), ref.slice(colon + 1)] : [ref, 'latest'];
}

const imageId = (id: string, noTrunc: boolean) => (noTrunc ? id : id.replace(/^sha256:/, '').slice(0, 12));

export function imageRows(img: ImageSummary, opts: { noTrunc: boolean; nowMs: number }): Record<string, string>[] {
  const tags = img.repoTags.length > 0 ? img.repoTags.map(splitRepoTag) : [['<none>', '<none>'] as [string, string]];
  return tags.map(([repository, tag]) => ({
    Repository: repository,
    Tag: tag,
    ID: imageId(img.id, opts.noTrunc),
    CreatedSince: isSet(img.created) ? `${humanDuration(opts.nowMs - timestampMs(img.created))} ago` : 'N/A',
    CreatedAt: goTimeString(img.created),
    Size: humanSize(img.size),
    Containers: img.containers < 0 ? 'N/A' : String(img.containers),
    Digest: '<none>',
  }));
}

export function formatImages(
  images: readonly ImageSummary[],
  opts: { quiet: boolean; noTrunc: boolean; format: OutputFormat; nowMs: number },
): string {
  if (opts.quiet) return [...new Set(images.map((i) => imageId(i.id, opts.noTrunc)))].map((id) => `${id}\n`).join('');
  return formatRows(opts.format, images.flatMap((i) => imageRows(i, opts)), imagesLayout);
}
