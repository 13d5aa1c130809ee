import { BUILD_TARGET } from '../build-info.ts';

// How soon an alarm may fire. Chrome fires a packed extension's alarms at most every 30 s
// (a shorter `when` fires at 30 s); Firefox has no such floor. A wake sooner than this is a
// timer inside the running worker or event page (both live at least ~30 s after their last
// event), and the alarm is the safety net for when the browser stopped it meanwhile.
export const ALARM_MIN_MS = BUILD_TARGET === 'chrome' ? 30_000 : 1_000;
