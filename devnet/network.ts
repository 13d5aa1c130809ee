import { wallTime, type TimeSource } from './clock.ts';
import { startDemoSite, type DemoSite } from './demo-site.ts';
import { startHostileSite, type HostileSite } from './hostile-site.ts';
import { DEMO_TASK, startDevnet, type Devnet, type DevnetOptions, type DevnetTaskConfig } from './devnet.ts';
import { startPeer, type PeerFault, type SimulatedPeer } from './peers.ts';

// The whole local network: the devnet, the demo site, and simulated peers staked on the
// first task. What `npm run devnet`, `npm start` and the scenario tests run.

export interface NetworkOptions extends Omit<DevnetOptions, 'tasks'> {
  task?: DevnetTaskConfig;
  peers?: { name: string; fault?: PeerFault }[];
  peerStake?: bigint;
  peerPollMs?: number;
  peerPageTimeoutMs?: number;
  autoClaim?: boolean;
  demoSitePort?: number;
  useCorpus?: boolean;
  /** Also serve devnet/hostile-site.ts, for peers with the hostile-pages fault. */
  hostileSite?: boolean;
  onEvent?: (source: string, message: string) => void;
  /** The time the devnet and its peers run on: wall time by default, a stepped clock in tests. */
  time?: TimeSource;
}

export interface Network {
  time: TimeSource;
  devnet: Devnet;
  demoSite: DemoSite;
  hostileSite: HostileSite | null;
  peers: SimulatedPeer[];
  taskId: string;
  stop(): Promise<void>;
}

export const DEFAULT_PEERS: { name: string; fault?: PeerFault }[] = [
  { name: 'alice' },
  { name: 'bob' },
  { name: 'carol' },
  { name: 'mallory', fault: 'bad-proof' },
];

export async function startNetwork(options: NetworkOptions = {}): Promise<Network> {
  const task = options.task ?? DEMO_TASK;
  const time = options.time ?? wallTime;
  // The sites first: the task's metadata declares their origins (docs/page-index-task.md). A
  // hostile site is one of them, so that peers' records there are judged by their pages.
  const demoSite = await startDemoSite({ ...(options.demoSitePort !== undefined ? { port: options.demoSitePort } : {}), useCorpus: options.useCorpus ?? true });
  const hostileSite = options.hostileSite ? await startHostileSite() : null;
  const origins = task.origins ?? [demoSite.url, ...(hostileSite ? [hostileSite.url] : [])];
  const devnet = await startDevnet({ ...options, tasks: [{ ...task, origins }], time });
  const taskId = devnet.taskIds[0]!;
  const peers: SimulatedPeer[] = [];
  for (const p of options.peers ?? DEFAULT_PEERS) {
    peers.push(
      await startPeer(
        {
          name: p.name,
          ...(p.fault ? { fault: p.fault } : {}),
          devnetUrl: devnet.url,
          ...(options.ipfsApiToken !== undefined ? { ipfsApiToken: options.ipfsApiToken } : {}),
          taskId,
          demoSiteUrl: demoSite.url,
          ...(hostileSite ? { hostileSiteUrl: hostileSite.url } : {}),
          pages: demoSite.pages,
          stake: options.peerStake ?? task.minimumStake * 2n,
          time,
          pollMs: options.peerPollMs ?? Math.max(20, (options.slotMs ?? 400) * 2),
          ...(options.peerPageTimeoutMs !== undefined ? { pageTimeoutMs: options.peerPageTimeoutMs } : {}),
          ...(options.seed ? { seed: options.seed } : {}),
          ...(options.autoClaim !== undefined ? { autoClaim: options.autoClaim } : {}),
          ...(options.onEvent ? { onEvent: options.onEvent } : {}),
        },
        (address, roe) => devnet.ledger.mint(address, roe),
      ),
    );
  }
  return {
    time,
    devnet,
    demoSite,
    hostileSite,
    peers,
    taskId,
    async stop() {
      await Promise.all(peers.map((p) => p.stop()));
      await demoSite.close();
      await hostileSite?.close();
      await devnet.close();
    },
  };
}
