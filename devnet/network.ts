import { wallTime, type TimeSource } from './clock.ts';
import { startDemoSite, type DemoSite } from './demo-site.ts';
import { startHostileSite, type HostileSite } from './hostile-site.ts';
import { DEMO_TASK, startDevnet, type Devnet, type DevnetOptions, type DevnetTaskConfig } from './devnet.ts';
import { startPeer, type PeerFault, type SimulatedPeer } from './peers.ts';

// The whole local network: the devnet, the demo site, and simulated peers staked on the
// first task. What `npm run devnet`, `npm start` and the scenario tests run.

export interface NetworkOptions extends Omit<DevnetOptions, 'tasks'> {
  task?: DevnetTaskConfig;
  peers?: { name: string; fault?: PeerFault; stake?: bigint }[];
  /** Each peer's stake unless it names its own: twice the task's minimum by default. */
  peerStake?: bigint;
  peerPollMs?: number;
  peerPageTimeoutMs?: number;
  autoClaim?: boolean;
  demoSitePort?: number;
  useCorpus?: boolean;
  /** Also serve devnet/hostile-site.ts, for peers with the hostile-pages fault. */
  hostileSite?: boolean;
  /**
   * A public name for the demo site (`site.test`): the task then covers `http://<siteHost>`,
   * the peers index and audit its pages under that name (reaching them on 127.0.0.1), and a
   * browser reaches it by a rule that resolves the name here (Chromium's
   * --host-resolver-rules, a proxy in Firefox). What a store build needs: it never fetches a
   * private address, so a task site on 127.0.0.1 could not be audited by it at all.
   */
  siteHost?: string;
  onEvent?: (source: string, message: string) => void;
  /** The time the devnet and its peers run on: wall time by default, a stepped clock in tests. */
  time?: TimeSource;
}

export interface Network {
  time: TimeSource;
  devnet: Devnet;
  demoSite: DemoSite;
  /** The origin the task covers and the peers' records name: the demo site's, or `http://<siteHost>`. */
  siteUrl: string;
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
  const siteUrl = options.siteHost ? `http://${options.siteHost}` : demoSite.url;
  const origins = task.origins ?? [siteUrl, ...(hostileSite ? [hostileSite.url] : [])];
  // Pages of the public name are served by the demo site on this machine.
  const siteFetch: typeof fetch | undefined = options.siteHost
    ? (input, init) => {
        const url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
        return fetch(url.origin === siteUrl ? `${demoSite.url}${url.pathname}${url.search}` : url.href, init);
      }
    : undefined;
  const devnet = await startDevnet({ ...options, tasks: [{ ...task, origins }], time });
  const taskId = devnet.taskIds[0]!;
  const peers: SimulatedPeer[] = [];
  const peerList: NonNullable<NetworkOptions['peers']> = options.peers ?? DEFAULT_PEERS;
  for (const p of peerList) {
    peers.push(
      await startPeer(
        {
          name: p.name,
          ...(p.fault ? { fault: p.fault } : {}),
          devnetUrl: devnet.url,
          ...(options.ipfsApiToken !== undefined ? { ipfsApiToken: options.ipfsApiToken } : {}),
          taskId,
          demoSiteUrl: siteUrl,
          ...(siteFetch ? { fetch: siteFetch } : {}),
          ...(hostileSite ? { hostileSiteUrl: hostileSite.url } : {}),
          pages: demoSite.pages,
          stake: p.stake ?? options.peerStake ?? task.minimumStake * 2n,
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
    siteUrl,
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
