// `npm run devnet`: a local K2 with the demo task, simulated peers and the demo site.
//   --port=8899  --slot-ms=400  --fund=<address>  --peers=4  --faulty=bad-proof
import { parseArgs } from 'node:util';
import { DEMO_TASK, ROE_PER_KOII, startDevnet } from './devnet.ts';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '8899' },
    'slot-ms': { type: 'string', default: '400' },
    fund: { type: 'string', multiple: true, default: [] },
    quiet: { type: 'boolean', default: false },
  },
});

const devnet = await startDevnet({ port: Number(values.port), slotMs: Number(values['slot-ms']), tasks: [DEMO_TASK] });
for (const address of values.fund ?? []) devnet.ledger.mint(address, 1_000n * ROE_PER_KOII);

console.log(`K2 devnet listening on ${devnet.url}`);
console.log(`  task "${DEMO_TASK.name}": ${devnet.taskIds[0]}`);
console.log(`  proof store: ${devnet.url}/ipfs`);
if ((values.fund ?? []).length === 0) {
  console.log(`  fund an address: curl -s ${devnet.url} -H 'content-type: application/json' \\`);
  console.log(`    -d '{"jsonrpc":"2.0","id":1,"method":"requestAirdrop","params":["<ADDRESS>", 100000000000]}'`);
}
const stop = async () => {
  await devnet.close();
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
