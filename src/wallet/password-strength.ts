// A small password-strength estimate for the meter in the popup, and the minimum the
// background enforces. Not zxcvbn (hundreds of kB): an entropy estimate from the characters
// used, discounted for the patterns people reach for first (repeats, runs, common words).

/** Long enough that, with the common passwords refused, guessing must search (src/wallet/password-policy.ts). */
export const MIN_PASSWORD_LENGTH = 12;

interface PasswordStrength {
  /** 0 (very weak) .. 4 (strong). */
  score: 0 | 1 | 2 | 3 | 4;
  label: 'very weak' | 'weak' | 'fair' | 'good' | 'strong';
  bits: number;
}

const COMMON = ['password', 'passwort', 'qwerty', 'azerty', 'letmein', 'welcome', 'admin', 'iloveyou', 'monkey', 'dragon', 'koii', 'wallet', 'bitcoin', 'solana', '123456', 'abc123', 'secret', 'summer', 'winter', 'spring', 'autumn', 'sunshine', 'football', 'princess', 'master', 'shadow', '2023', '2024', '2025', '2026'];
const LABELS = ['very weak', 'weak', 'fair', 'good', 'strong'] as const;

function poolSize(pw: string): number {
  let pool = 0;
  if (/[a-z]/.test(pw)) pool += 26;
  if (/[A-Z]/.test(pw)) pool += 26;
  if (/\d/.test(pw)) pool += 10;
  if (/[^A-Za-z0-9]/.test(pw)) pool += 33;
  return Math.max(pool, 1);
}

/** Characters that add little: a repeat of the previous one, or the next in a run (abc, 321). */
function predictableChars(pw: string): number {
  let n = 0;
  for (let i = 1; i < pw.length; i++) {
    const d = pw.charCodeAt(i) - pw.charCodeAt(i - 1);
    if (d === 0 || d === 1 || d === -1) n++;
  }
  return n;
}

export function passwordStrength(pw: string): PasswordStrength {
  if (pw.length === 0) return { score: 0, label: LABELS[0], bits: 0 };
  const lower = pw.toLowerCase();
  let effective = pw.length - predictableChars(pw) * 0.75;
  for (const word of COMMON) {
    if (lower.includes(word)) effective -= word.length - 1;
  }
  const bits = Math.max(0, effective) * Math.log2(poolSize(pw));
  const score = (pw.length < MIN_PASSWORD_LENGTH || bits < 20 ? 0 : bits < 28 ? 1 : bits < 40 ? 2 : bits < 60 ? 3 : 4) as PasswordStrength['score'];
  return { score, label: LABELS[score], bits: Math.round(bits) };
}
