// The popup's words come from _locales, as the background's badge and notifications do.
export { t } from '../shared/i18n.ts';
