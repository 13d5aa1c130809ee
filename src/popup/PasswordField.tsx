import { passwordStrength } from '../wallet/password-strength.ts';
import { t } from '../shared/i18n.ts';

/** The strength meter's words, by score (0 very weak … 4 strong), as _locales keys. */
const STRENGTH_KEYS = ['strengthVeryWeak', 'strengthWeak', 'strengthFair', 'strengthGood', 'strengthStrong'] as const;

/** A password input; with `meter`, a strength meter that screen readers hear as text too. */
export function PasswordField(props: { id: string; label: string; value: string; onInput: (v: string) => void; meter?: boolean; autoFocus?: boolean; autocomplete?: string }) {
  const strength = passwordStrength(props.value);
  return (
    <div class="field">
      <label for={props.id}>{props.label}</label>
      <input
        id={props.id}
        type="password"
        value={props.value}
        autoFocus={props.autoFocus}
        autocomplete={props.autocomplete ?? 'current-password'}
        aria-describedby={props.meter ? `${props.id}-strength` : undefined}
        onInput={(e) => props.onInput((e.target as HTMLInputElement).value)}
      />
      {props.meter && (
        <div class="meter-row">
          <meter min={0} max={4} low={2} high={3} optimum={4} value={strength.score} aria-hidden="true" class={`meter s${strength.score}`} />
          <span id={`${props.id}-strength`} class="muted" data-testid="password-strength">
            {t('strength', t(STRENGTH_KEYS[strength.score] ?? 'strengthVeryWeak'))}
          </span>
        </div>
      )}
    </div>
  );
}
