import { render } from 'preact';
import { t } from '../shared/i18n.ts';
import { OptionsApp } from './OptionsApp.tsx';

// The tab's title from _locales too (the HTML's own is the fallback before this runs).
document.title = t('extName');

render(<OptionsApp />, document.getElementById('app')!);
