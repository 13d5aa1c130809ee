import { render } from 'preact';
import { t } from '../shared/i18n.ts';
import { PopupApp } from './PopupApp.tsx';

// The tab's title from _locales too (the HTML's own is the fallback before this runs).
document.title = t('extName');

render(<PopupApp />, document.getElementById('app')!);
