// `npm run devnet`: a local K2 with the demo task, simulated peers and the demo site.
//   --port=8899 --site-port=8900 --slot-ms=400 --fund=<address> --peers=alice,bob,mallory:bad-proof
import { parseArgs } from 'node:util';
import { ROE_PER_KOII } from './devnet.ts';
import { DEFAULT_PEERS, startNetwork } from './network.ts';
import type { PeerFault } from './peers.ts';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '8899' },
    'site-port': { type: 'string', default: '8900' },
    'slot-ms': { type: 'string', default: '400' },
    fund: { type: 'string', multiple: true, default: [] },
    peers: { type: 'string' },
    quiet: { type: 'boolean', default: false },
  },
});

const peers = values.peers
  ? values.peers.split(',').filter(Boolean).map((p) => {
      const [name, fault] = p.split(':');
      return { name: name!, ...(fault ? { fault: fault as PeerFault } : {}) };
    })
  : DEFAULT_PEERS;

let slotOf = () => 0;
const net = await startNetwork({
  port: Number(values.port),
  demoSitePort: Number(values['site-port']),
  slotMs: Number(values['slot-ms']),
  peers,
  onEvent: (peer, message) => {
    if (!values.quiet) console.log(`[slot ${slotOf()}] ${peer}: ${message}`);
  },
});
slotOf = () => net.devnet.clock.slot();
for (const address of values.fund ?? []) net.devnet.ledger.mint(address, 1_000n * ROE_PER_KOII);

console.log(`K2 devnet:   ${net.devnet.url}   (JSON-RPC)`);
console.log(`IPFS node:   ${net.devnet.url}/ipfs/<cid>   (trustless gateway) · POST ${net.devnet.url}/api/v0/add   (Kubo RPC upload)`);
net.devnet.proofStore.onEvent = (e) => {
  if (!values.quiet && e.kind === 'add') console.log(`[slot ${slotOf()}] ipfs: added ${e.cid} (${e.bytes} bytes)`);
};
console.log(`Demo site:   ${net.demoSite.url}   (${net.demoSite.pages.length} pages)`);
console.log(`Task:        ${net.taskId}`);
console.log(`Peers:       ${net.peers.map((p) => `${p.name}${p.fault ? ` (${p.fault})` : ''}`).join(', ')}`);
if ((values.fund ?? []).length === 0) {
  console.log(`Fund an address: curl -s ${net.devnet.url} -H 'content-type: application/json' \\`);
  console.log(`  -d '{"jsonrpc":"2.0","id":1,"method":"requestAirdrop","params":["<ADDRESS>", 100000000000]}'`);
}
const stop = async () => {
  await net.stop();
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
