// Network helpers for the daemon tests: the Networks client, a static UDP echo payload (busybox
// has no UDP server applet), and the host-side leftovers of one daemon root (its bridges, veths,
// namespace files, listeners).
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { credentials } from '@grpc/grpc-js';
import { NetworksClient, type NetworkInspect } from '../../proto/gen/tinydocker/v1/networks.js';
import { DeviceNames } from '../../services/network/device-names.js';
import { unary, type DaemonHarness } from './daemon-harness.js';

export function networksClient(h: DaemonHarness): NetworksClient {
  return new NetworksClient(`unix://${h.socket}`, credentials.createInsecure());
}

export const net = {
  create: (c: NetworksClient, name: string, subnet = '') =>
    unary<{ id: string }>((cb) => c.create({ name, driver: '', subnet, gateway: '', labels: {} }, cb)).then((r) => r.id),
  inspect: (c: NetworksClient, ref: string) => unary<NetworkInspect>((cb) => c.inspect({ ref }, cb)),
  list: (c: NetworksClient) => unary<{ networks: NetworkInspect[] }>((cb) => c.list({}, cb)).then((r) => r.networks),
  remove: (c: NetworksClient, ref: string) => unary((cb) => c.remove({ ref }, cb)),
};

const UDP_ECHO = `
#include <netinet/in.h>
#include <sys/socket.h>
#include <stdlib.h>
int main(int argc, char **argv) {
  int s = socket(AF_INET, SOCK_DGRAM, 0);
  struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(atoi(argv[1])) };
  if (bind(s, (struct sockaddr *)&a, sizeof a) < 0) return 1;
  char buf[512]; struct sockaddr_in from; socklen_t fl;
  for (;;) {
    fl = sizeof from;
    long n = recvfrom(s, buf + 5, sizeof buf - 5, 0, (struct sockaddr *)&from, &fl);
    if (n < 0) return 1;
    buf[0] = 'e'; buf[1] = 'c'; buf[2] = 'h'; buf[3] = 'o'; buf[4] = ' ';
    sendto(s, buf, n + 5, 0, (struct sockaddr *)&from, fl);
  }
}
`;

/** A static `udp-echo PORT` binary in `dir`: it answers each datagram with "echo " + datagram. */
export function buildUdpEcho(dir: string): string {
  const src = join(dir, 'udp-echo.c');
  const bin = join(dir, 'udp-echo');
  writeFileSync(src, UDP_ECHO);
  execFileSync('gcc', ['-static', '-O1', '-o', bin, src]);
  return bin;
}

/** Devices, namespace files and mounts of this daemon root still on the host. */
export function networkLeftovers(root: string, runRoot: string): string[] {
  const names = new DeviceNames(root);
  const links = execFileSync('ip', ['-o', 'link', 'show'], { encoding: 'utf8' }).split('\n')
    .map((l) => l.split(': ')[1]?.split('@')[0] ?? '')
    .filter((n) => n.startsWith(names.bridgePrefix) || n.startsWith(names.vethPrefix));
  const nsDir = join(runRoot, 'netns');
  const ns = existsSync(nsDir) ? readdirSync(nsDir).map((f) => `netns file ${f}`) : [];
  return [...links.map((l) => `link ${l}`), ...ns];
}

/** Whether anything listens on the port (TCP or UDP) on the host. */
export function listening(port: number): boolean {
  const out = execFileSync('ss', ['-Hltun'], { encoding: 'utf8' });
  return out.split('\n').some((l) => new RegExp(`:${port}\\s`).test(l));
}
