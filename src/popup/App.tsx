import { SitesEditor } from './SitesEditor.tsx';
import { StatusView } from './StatusView.tsx';
import { t } from './i18n.ts';
import { useNodeStatus } from './use-node-status.ts';

export function App() {
  const { status, error } = useNodeStatus();
  return (
    <>
      <header>
        <h1>{t('extName')}</h1>
        {status && (
          <span class="muted" data-testid="version">
            v{status.version}
          </span>
        )}
      </header>
      {error && (
        <p role="alert" class="error">
          {error}
        </p>
      )}
      {!status && !error && <p class="muted">{t('loading')}</p>}
      {status && (
        <>
          <StatusView status={status} />
          <SitesEditor sites={status.sites} />
        </>
      )}
    </>
  );
}
