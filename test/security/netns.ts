/**
 * A network namespace joined to this one by a veth pair, so a test can call a
 * server over a real socket from a non-loopback source address. Needs root
 * and iproute2; `createNetns` answers null (with the reason) where namespaces
 * cannot be made, and the test says it is skipped.
 */
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';

export interface NsResponse {
  status: number;
  headers: Record<string, string | string[]>;
  body: string;
}

export interface NsRequest {
  method?: string;
  path: string;
  headers?: Record<string, string>;
  body?: string;
}

export interface Netns {
  /** the address of this side (the server listens here) */
  hostAddr: string;
  /** the source address of requests from inside the namespace */
  clientAddr: string;
  /** a client inside the namespace, sending to `server` (host:port) */
  client(server: string): NsClient;
  close(): void;
}

export interface NsClient {
  send(r: NsRequest): Promise<NsResponse>;
  close(): Promise<void>;
}

function ip(args: string[]): { ok: boolean; err: string } {
  const r = spawnSync('ip', args, { encoding: 'utf8' });
  return { ok: r.status === 0, err: (r.stderr || r.error?.message || '').trim() };
}

export function createNetns(): { ns: Netns } | { skip: string } {
  if (process.getuid?.() !== 0) return { skip: 'network namespaces need root' };
  const id = `${process.pid % 100000}`;
  const name = `tio${id}`;
  const hostIf = `tioh${id}`;
  const nsIf = `tion${id}`;
  // A /30 of its own per process: parallel test files never share one.
  const octet = (process.pid % 250) + 1;
  const hostAddr = `10.213.${octet}.1`;
  const clientAddr = `10.213.${octet}.2`;
  const cleanup = () => {
    ip(['link', 'del', hostIf]);
    ip(['netns', 'del', name]);
  };
  cleanup();
  const steps: string[][] = [
    ['netns', 'add', name],
    ['link', 'add', hostIf, 'type', 'veth', 'peer', 'name', nsIf],
    ['link', 'set', nsIf, 'netns', name],
    ['addr', 'add', `${hostAddr}/30`, 'dev', hostIf],
    ['link', 'set', hostIf, 'up'],
    ['-n', name, 'addr', 'add', `${clientAddr}/30`, 'dev', nsIf],
    ['-n', name, 'link', 'set', nsIf, 'up'],
    ['-n', name, 'link', 'set', 'lo', 'up'],
  ];
  for (const s of steps) {
    const r = ip(s);
    if (!r.ok) {
      cleanup();
      return { skip: `cannot create a network namespace (ip ${s.join(' ')}: ${r.err})` };
    }
  }
  const script = fileURLToPath(new URL('./netns-client.mjs', import.meta.url));
  return {
    ns: {
      hostAddr,
      clientAddr,
      client(server) {
        const child: ChildProcessWithoutNullStreams = spawn('ip', ['netns', 'exec', name, process.execPath, script, server], { stdio: ['pipe', 'pipe', 'pipe'] });
        const waiting = new Map<number, (r: NsResponse) => void>();
        let next = 0;
        createInterface({ input: child.stdout }).on('line', (line) => {
          const r = JSON.parse(line) as NsResponse & { id: number };
          waiting.get(r.id)?.(r);
          waiting.delete(r.id);
        });
        return {
          send: (r) =>
            new Promise<NsResponse>((resolve) => {
              const reqId = next++;
              waiting.set(reqId, resolve);
              child.stdin.write(`${JSON.stringify({ id: reqId, method: r.method ?? 'GET', path: r.path, headers: r.headers, body: r.body })}\n`);
            }),
          close: async () => {
            child.stdin.end();
            if (child.exitCode === null) await once(child, 'exit');
          },
        };
      },
      close: cleanup,
    },
  };
}
