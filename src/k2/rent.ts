// Rent exemption as K2 computes it (Solana's rent rules, which K2 keeps): an account of `size`
// bytes is exempt with (size + 128 bytes of account overhead) × 3,480 lamports per byte-year ×
// 2 years. The node asks K2 (getMinimumBalanceForRentExemption) and accepts the answer only up
// to this formula: an endpoint that names more would make the node pay it into an account it
// cannot empty. Less is harmless (the chain itself refuses an account short of its minimum).

const ACCOUNT_OVERHEAD_BYTES = 128n;
const LAMPORTS_PER_BYTE_YEAR = 3_480n;
const EXEMPTION_YEARS = 2n;

export class RentOutOfBoundsError extends Error {
  override name = 'RentOutOfBoundsError';
}

/** The rent-exempt minimum by the formula, in ROE. */
export function rentExemptionByFormula(size: number | bigint): bigint {
  return (BigInt(size) + ACCOUNT_OVERHEAD_BYTES) * LAMPORTS_PER_BYTE_YEAR * EXEMPTION_YEARS;
}

/** The endpoint's answer for `size` bytes, if the formula bounds it; otherwise refused. */
export function boundedRent(asked: bigint, size: number | bigint): bigint {
  const most = rentExemptionByFormula(size);
  if (asked > most) throw new RentOutOfBoundsError(`the K2 endpoint asks ${asked} ROE of rent for ${size} bytes; the rent formula gives ${most}: refused`);
  return asked;
}
