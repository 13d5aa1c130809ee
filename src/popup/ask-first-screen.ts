import { askEarly } from './early-requests.ts';

// Imported first by the popup's entry, so these go out before the components' modules are
// evaluated: whichever first screen shows (onboarding, unlock or the node's status), it needs
// the wallet's status, and the everyday one the node's too.
askEarly<'wallet.status'>({ type: 'wallet.status' });
askEarly<'node.status'>({ type: 'node.status' });
