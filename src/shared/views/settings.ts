// The settings as the popup shows them, and the changes it may ask for.

export type NetworkId = 'devnet' | 'testnet' | 'mainnet' | 'custom';

export interface LimitsView {
  pagesPerHour: number;
  bytesPerRound: number;
  cpuMsPerRound: number;
}

export interface SettingsView {
  network: NetworkId;
  rpcUrl: string;
  /** More endpoints of the same network: failover, and a second opinion on what drives a vote or a list. */
  checkRpcUrls: string[];
  /**
   * The networks offered, and where the node can earn on each: `knownTasks` page-index tasks
   * this release knows there (the devnet's are listed by the devnet itself), `addedTasks` the
   * ones the user added by id for that endpoint.
   */
  networks: { id: Exclude<NetworkId, 'custom'>; url: string; knownTasks: number | 'devnet'; addedTasks: number }[];
  /** Tasks the user added by id for the configured endpoint. */
  addedTasks: number;
  devBuild: boolean;
  autoLockMinutes: number;
  paused: boolean;
  /** KOII; null = claim only by hand. */
  autoClaim: string | null;
  /** KOII of fees the node may spend on round operations per day without asking. */
  feeBudgetPerDay: string;
  /** KOII the node's round operations spent in the current day, when the node runs. */
  feeSpentToday: string | null;
  limits: LimitsView;
  onboarded: boolean;
  ipfs: IpfsSettingsView;
  /** Browser notifications of a slash, low funds and a wallet locked after a restart (opt-in). */
  notifications: boolean;
}

/** Where proofs are read from and uploaded to (the token itself never leaves the background). */
interface IpfsSettingsView {
  /** The gateways the node asks, in order. */
  gateways: string[];
  /** True when they are the network's default (no choice of the user's). */
  gatewaysDefault: boolean;
  defaultGateways: string[];
  /** Kubo RPC API base the node uploads to; null: none (the node cannot submit). */
  uploadUrl: string | null;
  uploadDefault: boolean;
  defaultUploadUrl: string | null;
  /** Whether an upload token is kept in the vault. */
  tokenSet: boolean;
}

export interface SettingsPatch {
  rpcUrl?: string;
  checkRpcUrls?: string[];
  autoLockMinutes?: number;
  paused?: boolean;
  autoClaim?: string | null;
  feeBudgetPerDay?: string;
  limits?: Partial<LimitsView>;
  onboarded?: boolean;
  /** Gateways in order; null: the network's default. */
  ipfsGateways?: string[] | null;
  /** The upload service's base URL; null: the network's default. */
  ipfsUploadUrl?: string | null;
  notifications?: boolean;
}

