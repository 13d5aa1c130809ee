import type { Figure } from '../lib/row.ts';
import { audit } from './audit.ts';
import { bundleSize } from './bundle-size.ts';
import { distribution } from './distribution.ts';
import { ed25519Verify } from './ed25519.ts';
import { idbSize } from './idb-size.ts';
import { k2Crowd } from './k2-crowd.ts';
import { k2Requests } from './k2-requests.ts';
import { proofStorage } from './proof-storage.ts';
import { pageIndex } from './page-index.ts';
import { popupPaint } from './popup-paint.ts';
import { workerMemory } from './worker-memory.ts';

/** In the order the table lists them. */
export const FIGURES: Figure[] = [bundleSize, popupPaint, pageIndex, audit, ed25519Verify, distribution, k2Requests, k2Crowd, proofStorage, workerMemory, idbSize];
