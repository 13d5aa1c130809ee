import { formatKoii, parseKoii } from '../core/amounts.ts';
import { DEFAULT_ENGINE_SETTINGS, type EngineSettings, type NodeEngine } from '../engine/node-engine.ts';
import type { NetworkId, SettingsPatch, SettingsView } from '../shared/messages.ts';
import { getSetting, putSetting, type NodeDb } from '../store/node-db.ts';
import { DEFAULT_RPC_URL, DEVNET_RPC_URL, IS_DEV_BUILD, MAINNET_RPC_URL, TESTNET_RPC_URL } from './build-info.ts';
import { defaultGateways, defaultUploadUrl, readIpfsSettings, resolveIpfsEndpoints, writeIpfsSettings } from './ipfs-settings.ts';
import { addedTasks, addedTasksByEndpoint, KNOWN_TASKS } from './task-catalog.ts';
import { DEFAULT_AUTOLOCK_MINUTES } from './wallet/unlocked-session.ts';
import { NOTIFICATIONS_SETTING } from './notifier.ts';

// The user's settings as the popup and options page see them. The engine's own settings
// live under 'engine' as a partial EngineSettings (bigint ROE inside); here they cross
// into KOII text and back, so no bigint ever reaches a message.

type StoredEngineSettings = Partial<EngineSettings>;

const NETWORKS: { id: Exclude<NetworkId, 'custom'>; url: string }[] = [
  ...(IS_DEV_BUILD ? [{ id: 'devnet' as const, url: DEVNET_RPC_URL }] : []),
  { id: 'testnet', url: TESTNET_RPC_URL },
  { id: 'mainnet', url: MAINNET_RPC_URL },
];

/** The networks offered, with where the node can earn on each (tasks known, tasks added). */
async function networks(db: NodeDb): Promise<SettingsView['networks']> {
  const added = await addedTasksByEndpoint(db);
  return NETWORKS.map((n) => ({ ...n, knownTasks: n.id === 'devnet' ? 'devnet' : KNOWN_TASKS[n.id].length, addedTasks: added[n.url]?.length ?? 0 }));
}

export function networkOf(rpcUrl: string): NetworkId {
  return NETWORKS.find((n) => n.url === rpcUrl)?.id ?? 'custom';
}

export async function engineSettings(db: NodeDb): Promise<EngineSettings> {
  const stored = await getSetting<StoredEngineSettings>(db, 'engine', {});
  return { ...DEFAULT_ENGINE_SETTINGS, ...stored, limits: { ...DEFAULT_ENGINE_SETTINGS.limits, ...stored.limits } };
}

/** `running`: the engine, when there is one, for what its round operations spent today. */
export async function readSettings(db: NodeDb, running?: NodeEngine): Promise<SettingsView> {
  const rpcUrl = await getSetting(db, 'rpcUrl', DEFAULT_RPC_URL);
  const engine = await engineSettings(db);
  return {
    network: networkOf(rpcUrl),
    rpcUrl,
    checkRpcUrls: await getSetting<string[]>(db, 'checkRpcUrls', []),
    networks: await networks(db),
    addedTasks: (await addedTasks(db, rpcUrl)).length,
    devBuild: IS_DEV_BUILD,
    autoLockMinutes: await getSetting(db, 'autoLockMinutes', DEFAULT_AUTOLOCK_MINUTES),
    paused: engine.paused,
    autoClaim: engine.autoClaimThreshold === null ? null : formatKoii(engine.autoClaimThreshold),
    feeBudgetPerDay: formatKoii(engine.feeBudgetPerDay),
    feeSpentToday: running ? formatKoii(await running.spentToday()) : null,
    limits: { ...engine.limits },
    onboarded: await getSetting(db, 'onboarded', false),
    ipfs: await ipfsView(db, rpcUrl),
    notifications: await getSetting(db, NOTIFICATIONS_SETTING, false),
  };
}

async function ipfsView(db: NodeDb, rpcUrl: string): Promise<SettingsView['ipfs']> {
  const stored = await readIpfsSettings(db);
  const used = resolveIpfsEndpoints(stored, rpcUrl, null);
  return {
    gateways: [...used.gateways],
    gatewaysDefault: stored.gateways === null,
    defaultGateways: defaultGateways(rpcUrl),
    uploadUrl: used.upload?.url ?? null,
    uploadDefault: stored.uploadUrl === null,
    defaultUploadUrl: defaultUploadUrl(rpcUrl),
    tokenSet: await getSetting(db, 'uploadTokenSet', false),
  };
}

/** Applies a validated patch; returns what changed, for the log. */
export async function updateSettings(db: NodeDb, patch: SettingsPatch): Promise<string[]> {
  const changed: string[] = [];
  if (patch.rpcUrl !== undefined) {
    await putSetting(db, 'rpcUrl', patch.rpcUrl);
    changed.push(`K2 endpoint ${patch.rpcUrl}`);
  }
  if (patch.checkRpcUrls !== undefined) {
    await putSetting(db, 'checkRpcUrls', patch.checkRpcUrls);
    changed.push(patch.checkRpcUrls.length === 0 ? 'no second K2 endpoint: votes and lists rest on one endpoint' : `second K2 endpoints ${patch.checkRpcUrls.join(', ')}`);
  }
  if (patch.autoLockMinutes !== undefined) {
    await putSetting(db, 'autoLockMinutes', patch.autoLockMinutes);
    changed.push(patch.autoLockMinutes === 0 ? 'auto-lock only when the browser closes' : `auto-lock after ${patch.autoLockMinutes} min`);
  }
  if (patch.onboarded !== undefined) await putSetting(db, 'onboarded', patch.onboarded);
  if (patch.notifications !== undefined) {
    await putSetting(db, NOTIFICATIONS_SETTING, patch.notifications);
    changed.push(patch.notifications ? 'notifications on' : 'notifications off');
  }
  if (patch.ipfsGateways !== undefined) {
    await writeIpfsSettings(db, { gateways: patch.ipfsGateways });
    changed.push(patch.ipfsGateways === null ? "IPFS gateways: the network's default" : `IPFS gateways: ${patch.ipfsGateways.join(', ')}`);
  }
  if (patch.ipfsUploadUrl !== undefined) {
    await writeIpfsSettings(db, { uploadUrl: patch.ipfsUploadUrl });
    changed.push(patch.ipfsUploadUrl === null ? "IPFS upload service: the network's default" : `IPFS upload service: ${patch.ipfsUploadUrl}`);
  }
  const engine: StoredEngineSettings = { ...(await getSetting<StoredEngineSettings>(db, 'engine', {})) };
  let engineChanged = false;
  if (patch.paused !== undefined) {
    engine.paused = patch.paused;
    engineChanged = true;
    changed.push(patch.paused ? 'node paused' : 'node resumed');
  }
  if (patch.autoClaim !== undefined) {
    engine.autoClaimThreshold = patch.autoClaim === null ? null : parseKoii(patch.autoClaim);
    engineChanged = true;
    changed.push(patch.autoClaim === null ? 'claims only by hand' : `auto-claim from ${patch.autoClaim} KOII`);
  }
  if (patch.feeBudgetPerDay !== undefined) {
    engine.feeBudgetPerDay = parseKoii(patch.feeBudgetPerDay);
    engineChanged = true;
    changed.push(`fee budget ${patch.feeBudgetPerDay} KOII a day`);
  }
  if (patch.limits !== undefined) {
    const current = (await engineSettings(db)).limits;
    engine.limits = { ...current, ...patch.limits };
    engineChanged = true;
    changed.push(`limits ${engine.limits.pagesPerHour} pages/h, ${Math.round(engine.limits.bytesPerRound / 1024)} KiB and ${engine.limits.cpuMsPerRound} ms CPU a round`);
  }
  if (engineChanged) await putSetting(db, 'engine', engine);
  return changed;
}
