import type { ProofStoreClient } from '../task-plugin.ts';
import { createGatewayReader, type GatewayReaderOptions } from './gateway-reader.ts';
import { createKuboUploader, NoUploadServiceError, type KuboUploaderOptions, type UploadService } from './kubo-uploader.ts';

// The node's proof store is IPFS itself: bundles go up through an upload service (Kubo's RPC
// `add`) and are read back, the node's own and its peers', from gateways tried in order.
// Which of either is a setting (src/background/ipfs-settings.ts).

export interface IpfsEndpoints {
  /** Trustless gateways, asked in this order. */
  gateways: readonly string[];
  /** Where bundles are uploaded; null when none is set (the node cannot submit then). */
  upload: UploadService | null;
}

export function createIpfsProofStore(endpoints: IpfsEndpoints, opts: { reader?: GatewayReaderOptions; uploader?: KuboUploaderOptions } = {}): ProofStoreClient {
  const reader = createGatewayReader(endpoints.gateways, opts.reader);
  const uploader = endpoints.upload ? createKuboUploader(endpoints.upload, opts.uploader) : null;
  return {
    put(bytes) {
      if (!uploader) return Promise.reject(new NoUploadServiceError('no IPFS upload service is set: choose one in the settings to submit proofs'));
      return uploader.put(bytes);
    },
    get: (cid, maxBytes) => reader.get(cid, maxBytes),
  };
}
