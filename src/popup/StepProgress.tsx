import { useEffect } from 'preact/hooks';
import { t } from '../shared/i18n.ts';

// Where a new user is on the onboarding path, and where focus goes when a step changes.

/**
 * A new step replaced the button that led to it, so focus fell back to the page: put it on
 * the step's heading, so keyboard and screen-reader users land where the new step begins.
 * `step` is any text that changes when the step does.
 */
export function useFocusOnStep(step: string): void {
  useEffect(() => {
    if (document.activeElement && document.activeElement !== document.body) return;
    const heading = document.querySelector<HTMLElement>('main h2');
    if (!heading) return;
    heading.tabIndex = -1;
    heading.focus();
  }, [step]);
}

/** The five steps, `at` the one showing (0 wallet … 4 task). */
export function Steps({ at }: { at: number }) {
  const names = [t('stepWallet'), t('stepBackup'), t('stepNetwork'), t('stepSites'), t('stepTask')];
  return (
    <ol class="steps" aria-label={t('stepOf', String(at + 1), String(names.length))}>
      {names.map((n, i) => (
        <li key={n} class={i === at ? 'now' : i < at ? 'done' : ''} aria-current={i === at ? 'step' : undefined}>
          {n}
        </li>
      ))}
    </ol>
  );
}
