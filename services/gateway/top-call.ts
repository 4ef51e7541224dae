// Top: the host's `ps` with the client's options, keeping the rows of the container's processes
// (Docker does the same).
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { TdockerError, invalid, precondition } from '../errors/tdocker-error.js';
import type { TopRequest, TopResponse } from '../../proto/gen/tinydocker/v1/containers.js';
import type { GatewayContext } from './gateway-context.js';

const run = promisify(execFile);

export async function topCall(ctx: GatewayContext, req: TopRequest): Promise<TopResponse> {
  const v = ctx.supervisor.get(req.id);
  if (v.state !== 'running' && v.state !== 'paused') throw precondition(`container ${v.record.name} is not running`);
  const pids = new Set((await ctx.runner.cgroup(v.record.id).pids()).map(String));
  const args = req.psArgs.trim() ? req.psArgs.trim().split(/\s+/) : ['-ef'];
  let out: string;
  try {
    out = (await run('ps', args, { maxBuffer: 64 * 1024 * 1024 })).stdout;
  } catch (e) {
    throw invalid(`ps ${args.join(' ')} failed: ${(e as { stderr?: string }).stderr?.trim() || (e as Error).message}`);
  }
  const lines = out.split('\n').filter((l) => l.trim() !== '');
  const header = lines[0]?.trim().split(/\s+/) ?? [];
  const pidColumn = header.indexOf('PID');
  if (pidColumn < 0) throw new TdockerError('INVALID_ARGUMENT', `ps ${args.join(' ')} shows no PID column`);
  const processes = lines.slice(1).flatMap((line) => {
    // The last column (the command) may hold spaces: split into as many columns as the header.
    const fields = line.trim().split(/\s+/);
    const columns = [...fields.slice(0, header.length - 1), fields.slice(header.length - 1).join(' ')];
    return pids.has(columns[pidColumn] ?? '') ? [{ columns }] : [];
  });
  return { titles: header, processes };
}
