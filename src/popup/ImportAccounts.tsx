import { useEffect, useState } from 'preact/hooks';
import type { ImportPreview } from '../shared/messages.ts';
import { sendRequest } from '../shared/send-request.ts';
import { MAIN_PATH_NAMES, preselectMainPath, type MainPath } from '../wallet/account-paths.ts';
import { shortAddress } from './format.ts';

// What an import holds, as the background described it (addresses only), with each main
// account's balance on the configured endpoint: for a recovery phrase, one candidate per
// derivation path, and the user picks theirs (the one holding KOII comes preselected).

/** undefined: still asking; null: the read failed. */
type Balance = string | null | undefined;

const STAKING_SOURCE: Record<ImportPreview['stakingSource'], string> = {
  phrase: 'derived from your recovery phrase',
  file: 'from your staking key file',
  new: 'a new key, made for this wallet',
};

function balanceText(b: Balance): string {
  return b === undefined ? 'checking balance…' : b === null ? 'balance unknown' : `${b} KOII`;
}

const hasFunds = (b: Balance) => typeof b === 'string' && Number(b) > 0;

function CopyButton({ address, what }: { address: string; what: string }) {
  const [done, setDone] = useState<string | null>(null);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(address);
      setDone('Copied');
    } catch {
      setDone('Copy failed');
    }
    setTimeout(() => setDone(null), 1500);
  };
  return (
    <button type="button" class="link copy" aria-label={`Copy the ${what} address`} onClick={() => void copy()}>
      {done ?? 'Copy'}
    </button>
  );
}

function Address({ address }: { address: string }) {
  return (
    <code class="addr-short" title={address}>
      {shortAddress(address)}
    </code>
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

  const source = (
    <p class="muted" data-testid="balances-source">
      {rpcUrl ? `Balances on ${rpcUrl}.` : 'Reading balances…'}
    </p>
  );
  const staking = (
    <dl class="facts">
      <dt>Staking key</dt>
      <dd>
        <Address address={preview.stakingAddress} /> <CopyButton address={preview.stakingAddress} what="staking key" />
        <span class="muted" data-testid="import-staking" data-address={preview.stakingAddress}>
          {' '}
          {STAKING_SOURCE[preview.stakingSource]}
        </span>
      </dd>
    </dl>
  );

  if (preview.kind === 'keyfile') {
    const main = preview.candidates[0]!;
    return (
      <div class="stack">
        <dl class="facts">
          <dt>Main account</dt>
          <dd>
            <Address address={main.address} /> <CopyButton address={main.address} what="main account" />
            <span class="muted" data-testid="balance-0">
              {' '}
              {balanceText(balances[0])}
            </span>
          </dd>
        </dl>
        {staking}
        {source}
      </div>
    );
  }

  return (
    <div class="stack">
      <fieldset class="candidates" aria-describedby="candidates-help">
        <legend>Main account</legend>
        <p id="candidates-help" class="muted">
          Wallets derive a phrase's main account in two ways. Pick the one you use; the one that holds KOII comes selected.
        </p>
        {preview.candidates.map((c, i) => {
          const path = c.path!;
          const name = MAIN_PATH_NAMES[path];
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
              <CopyButton address={c.address} what={`${name} account`} />
            </div>
          );
        })}
      </fieldset>
      {staking}
      {source}
    </div>
  );
}
