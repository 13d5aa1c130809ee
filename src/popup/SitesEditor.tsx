import browser from 'webextension-polyfill';
import { useState } from 'preact/hooks';
import { normalizeOrigin } from '../shared/messages.ts';
import { sendRequest } from '../shared/send-request.ts';
import { hostPatternOf } from './host-pattern.ts';
import { t } from '../shared/i18n.ts';
import { StatusNote } from './StatusNote.tsx';

function SiteList({ sites, onRemove }: { sites: string[]; onRemove: (origin: string) => void }) {
  return (
    <ul class="sites" data-testid="sites">
      {sites.length === 0 && <li class="muted">{t('noSites')}</li>}
      {sites.map((s) => (
        <li key={s}>
          <span>{s}</span>
          <button type="button" class="link" onClick={() => onRemove(s)} aria-label={t('removeSite', s)}>
            {t('remove')}
          </button>
        </li>
      ))}
    </ul>
  );
}

/** Opting a site in asks the browser for that site's permission at that moment, and only then. */
export function SitesEditor({ sites }: { sites: string[] }) {
  const [draft, setDraft] = useState('');
  const [message, setMessage] = useState<string | null>(null);

  const add = async (e: Event) => {
    e.preventDefault();
    let origin: string;
    try {
      origin = normalizeOrigin(draft);
    } catch (err) {
      setMessage(err instanceof Error ? err.message : String(err));
      return;
    }
    // Must run in the click's user gesture, before any other await.
    const granted = await browser.permissions.request({ origins: [hostPatternOf(origin)] });
    if (!granted) {
      setMessage(t('siteDenied', origin));
      return;
    }
    try {
      await sendRequest<'sites.add'>({ type: 'sites.add', origin });
      setDraft('');
      setMessage(t('siteAdded', origin));
    } catch (err) {
      setMessage(err instanceof Error ? err.message : String(err));
    }
  };

  const remove = async (origin: string) => {
    await sendRequest<'sites.remove'>({ type: 'sites.remove', origin });
    setMessage(t('siteRemoved', origin));
  };

  return (
    <section aria-labelledby="sites-heading">
      <h2 id="sites-heading">{t('sitesHeading')}</h2>
      <SiteList sites={sites} onRemove={remove} />
      <p class="notice" data-testid="proofs-public">
        {t('proofsArePublic')}
      </p>
      <form onSubmit={add} class="row">
        <label for="site-input" class="sr-only">
          {t('siteInputLabel')}
        </label>
        <input
          id="site-input"
          type="text"
          inputMode="url"
          placeholder={t('siteInputPlaceholder')}
          value={draft}
          onInput={(e) => setDraft((e.target as HTMLInputElement).value)}
        />
        <button type="submit">{t('addSite')}</button>
      </form>
      <StatusNote message={message} />
    </section>
  );
}
