import { useEffect, useState } from 'preact/hooks';
import type { ImportPreview } from '../shared/messages.ts';
import { sendRequest } from '../shared/send-request.ts';
import { preselectMainPath, type MainPath } from '../wallet/account-paths.ts';
import { CopyButton } from './CopyButton.tsx';
import { koiiAmount, shortAddress } from './format.ts';
import { t } from '../shared/i18n.ts';
import { mainPathName } from './main-path-name.ts';

// What an import holds, as the background described it (addresses only), with each main
// account's balance on the configured endpoint: for a recovery phrase, one candidate per
// derivation path, and the user picks theirs (the one holding KOII comes preselected).

/** undefined: still asking; null: the read failed. */
type Balance = string | null | undefined;

/** Where the staking key comes from, as _locales keys. */
const STAKING_SOURCE: Record<ImportPreview['stakingSource'], string> = {
  phrase: 'stakingFromPhrase',
  file: 'stakingFromFile',
  new: 'stakingNew',
};

function balanceText(b: Balance): string {
  return b === undefined ? t('checkingBalance') : b === null ? t('balanceUnknown') : koiiAmount(b, t);
}

const hasFunds = (b: Balance) => typeof b === 'string' && Number(b) > 0;

function Address({ address }: { address: string }) {
  return (
    <code class="addr-short" title={address}>
      {shortAddress(address)}
    </code>
  );
}

/**
 * Each candidate's balance, asked once per preview; for a phrase, the answer preselects the
 * account holding KOII (`onChoose(path, false)`, which a user's own pick outranks).
 */
function useCandidateBalances(preview: ImportPreview, onChoose: (path: MainPath, byUser: boolean) => void): { balances: Balance[]; rpcUrl: string | null } {
  const [balances, setBalances] = useState<Balance[]>(preview.candidates.map(() => undefined));
  const [rpcUrl, setRpcUrl] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    sendRequest<'wallet.balances'>({ type: 'wallet.balances', addresses: preview.candidates.map((c) => c.address) })
      .then((out) => {
        if (!live) return;
        setRpcUrl(out.rpcUrl);
        setBalances(out.balances);
        const funded = new Map<MainPath, boolean>();
        preview.candidates.forEach((c, i) => c.path && funded.set(c.path, hasFunds(out.balances[i])));
        if (preview.kind === 'mnemonic') onChoose(preselectMainPath(funded), false);
      })
      // Unknown balances never block the import.
      .catch(() => live && setBalances(preview.candidates.map(() => null)));
    return () => {
      live = false;
    };
  }, [preview]);
  return { balances, rpcUrl };
}

function StakingFact({ preview }: { preview: ImportPreview }) {
  return (
    <dl class="facts">
      <dt>{t('stakingKey')}</dt>
      <dd>
        <Address address={preview.stakingAddress} /> <CopyButton text={preview.stakingAddress} what={t('stakingKeyNoun')} />
        <span class="muted" data-testid="import-staking" data-address={preview.stakingAddress}>
          {' '}
          {t(STAKING_SOURCE[preview.stakingSource])}
        </span>
      </dd>
    </dl>
  );
}

/** A key file holds one main account: shown, nothing to choose. */
function KeyFileMain({ address, balance }: { address: string; balance: Balance }) {
  return (
    <dl class="facts">
      <dt>{t('mainAccount')}</dt>
      <dd>
        <Address address={address} /> <CopyButton text={address} what={t('mainAccountNoun')} />
        <span class="muted" data-testid="balance-0">
          {' '}
          {balanceText(balance)}
        </span>
      </dd>
    </dl>
  );
}

/** A phrase's main account, one per derivation path, to choose from. */
function Candidates({ preview, balances, chosen, onChoose }: { preview: ImportPreview; balances: Balance[]; chosen: MainPath; onChoose: (path: MainPath, byUser: boolean) => void }) {
  return (
    <fieldset class="candidates" aria-describedby="candidates-help">
      <legend>{t('mainAccount')}</legend>
      <p id="candidates-help" class="muted">
        {t('candidatesHelp')}
      </p>
      {preview.candidates.map((c, i) => {
        const path = c.path!;
        const name = mainPathName(path);
        return (
          <div class="candidate" key={path} data-testid={`candidate-${i}`} data-address={c.address}>
            <label class="choice">
              <input type="radio" name="main-path" value={path} checked={chosen === path} onChange={() => onChoose(path, true)} />
              <span>
                <strong>{name}</strong> <span class="muted">{path}</span>
                <br />
                <Address address={c.address} />{' '}
                <span class={hasFunds(balances[i]) ? 'funded' : 'muted'} data-testid={`balance-${i}`}>
                  {balanceText(balances[i])}
                </span>
              </span>
            </label>
            <CopyButton text={c.address} what={t('candidateAddressNoun', name)} />
          </div>
        );
      })}
    </fieldset>
  );
}

export function ImportAccounts({
  preview,
  chosen,
  onChoose,
}: {
  preview: ImportPreview;
  chosen: MainPath;
  /** `byUser`: the user picked it (a later balance answer must not change it). */
  onChoose: (path: MainPath, byUser: boolean) => void;
}) {
  const { balances, rpcUrl } = useCandidateBalances(preview, onChoose);
  return (
    <div class="stack">
      {preview.kind === 'keyfile' ? (
        <KeyFileMain address={preview.candidates[0]!.address} balance={balances[0]} />
      ) : (
        <Candidates preview={preview} balances={balances} chosen={chosen} onChoose={onChoose} />
      )}
      <StakingFact preview={preview} />
      <p class="muted" data-testid="balances-source">
        {rpcUrl ? t('balancesOn', rpcUrl) : t('readingBalances')}
      </p>
    </div>
  );
}
