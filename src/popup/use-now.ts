import { useEffect, useState } from 'preact/hooks';

/** The time, read again every `everyMs` while the component is shown (countdowns, timelines). */
export function useNow(everyMs: number): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(timer);
  }, [everyMs]);
  return now;
}
