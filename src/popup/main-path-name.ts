import { KOII_DESKTOP_PATH, type MainPath } from '../wallet/account-paths.ts';
import { t } from '../shared/i18n.ts';

/** A derivation path's name for people ("Koii desktop node"), from _locales. */
export function mainPathName(path: MainPath): string {
  return path === KOII_DESKTOP_PATH ? t('pathKoiiDesktop') : t('pathSolanaWallets');
}
