import { useEffect, useState } from 'preact/hooks';
import { t } from '../shared/i18n.ts';

/**
 * Copies `text` (an address, a CID) to the clipboard. The confirmation shows on the button
 * and is announced by a polite live region, so a screen reader hears that it worked.
 * `what` names the thing copied in words ("main account address").
 */
export function CopyButton({ text, what }: { text: string; what: string }) {
  const [state, setState] = useState<'idle' | 'copied' | 'failed'>('idle');
  useEffect(() => {
    if (state === 'idle') return;
    const timer = setTimeout(() => setState('idle'), 2000);
    return () => clearTimeout(timer);
  }, [state]);
  const copy = () =>
    void navigator.clipboard.writeText(text).then(
      () => setState('copied'),
      () => setState('failed'),
    );
  return (
    <>
      <button type="button" class="link copy" aria-label={t('copyLabel', what)} onClick={copy} data-testid="copy">
        {state === 'copied' ? t('copied') : state === 'failed' ? t('copyFailed') : t('copy')}
      </button>
      <span class="sr-only" role="status" aria-live="polite">
        {state === 'copied' ? t('copiedAnnounce', what) : state === 'failed' ? t('copyFailed') : ''}
      </span>
    </>
  );
}
