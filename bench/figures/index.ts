import type { Figure } from '../lib/row.ts';
import { audit } from './audit.ts';
import { bundleSize } from './bundle-size.ts';
import { ed25519Verify } from './ed25519.ts';
import { pageIndex } from './page-index.ts';

/** In the order the table lists them. */
export const FIGURES: Figure[] = [bundleSize, pageIndex, audit, ed25519Verify];
