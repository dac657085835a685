// Money as the API writes it: decimal strings ("0.02115068493150684931506849315").
// Exact arithmetic on BigInt (never binary floats), and rounding to the cent as Python's
// Decimal.quantize does (half to even), so a figure on the page is the figure the API's
// own reports print (tfquote.costdiff.format_money) to the cent.

/** A decimal {n: BigInt, scale: number} from a string or number; null for null/garbage. */
export function dec(value) {
  if (value === null || value === undefined || typeof value === 'boolean') return null;
  let text = String(value).trim();
  if (!text) return null;
  let exponent = 0;
  const exp = text.match(/^(.*)[eE]([+-]?\d+)$/);
  if (exp) {
    text = exp[1];
    exponent = Number(exp[2]);
  }
  const m = text.match(/^([+-]?)(\d*)(?:\.(\d*))?$/);
  if (!m || (m[2] === '' && (m[3] || '') === '')) return null;
  const digits = (m[2] || '0') + (m[3] || '');
  let scale = (m[3] || '').length - exponent;
  let n = BigInt(digits);
  if (m[1] === '-') n = -n;
  if (scale < 0) {
    n *= 10n ** BigInt(-scale);
    scale = 0;
  }
  return { n, scale };
}

function align(a, b) {
  const scale = Math.max(a.scale, b.scale);
  return [a.n * 10n ** BigInt(scale - a.scale), b.n * 10n ** BigInt(scale - b.scale), scale];
}

export const ZERO = { n: 0n, scale: 0 };

export function add(a, b) {
  const [x, y, scale] = align(a || ZERO, b || ZERO);
  return { n: x + y, scale };
}

export function sub(a, b) {
  const [x, y, scale] = align(a || ZERO, b || ZERO);
  return { n: x - y, scale };
}

export function cmp(a, b) {
  const [x, y] = align(a || ZERO, b || ZERO);
  return x < y ? -1 : x > y ? 1 : 0;
}

export function sum(values) {
  return values.reduce((acc, v) => (v ? add(acc, v) : acc), ZERO);
}

export function isZero(a) {
  return !a || a.n === 0n;
}

export function abs(a) {
  return a && a.n < 0n ? { n: -a.n, scale: a.scale } : a;
}

/** Round to `places` decimals, half to even (Python's default Decimal rounding). */
export function quantize(a, places) {
  if (a.scale <= places) return { n: a.n * 10n ** BigInt(places - a.scale), scale: places };
  const factor = 10n ** BigInt(a.scale - places);
  const negative = a.n < 0n;
  const magnitude = negative ? -a.n : a.n;
  let q = magnitude / factor;
  const r = magnitude % factor;
  const twice = r * 2n;
  if (twice > factor || (twice === factor && q % 2n === 1n)) q += 1n;
  return { n: negative ? -q : q, scale: places };
}

function group(digits) {
  return digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

function fixed(a, places) {
  const q = quantize(a, places);
  const negative = q.n < 0n;
  let digits = (negative ? -q.n : q.n).toString().padStart(places + 1, '0');
  const whole = digits.slice(0, digits.length - places);
  const frac = places ? digits.slice(digits.length - places) : '';
  digits = group(whole) + (places ? `.${frac}` : '');
  return { negative: negative && q.n !== 0n, text: digits };
}

/** "$1,234.50"; with sign "+$1,234.50" / "-$3.00" (as tfquote.costdiff.format_money). */
export function money(value, { sign = false } = {}) {
  const a = typeof value === 'object' && value !== null && 'n' in value ? value : dec(value);
  if (a === null) return '—';
  const { negative, text } = fixed(a, 2);
  if (negative) return `-$${text}`;
  return sign ? `+$${text}` : `$${text}`;
}

/** A quantity as the Infracost CLI prints it: grouped, at most 4 decimals. */
export function quantity(value) {
  const a = dec(value);
  if (a === null) return '';
  let { negative, text } = fixed(a, 4);
  if (text.includes('.')) text = text.replace(/0+$/, '').replace(/\.$/, '');
  return (negative ? '-' : '') + text;
}

/** A unit price as given (it may have many decimals): "$0.0104". */
export function price(value) {
  const a = dec(value);
  if (a === null) return '—';
  const negative = a.n < 0n;
  let digits = (negative ? -a.n : a.n).toString().padStart(a.scale + 1, '0');
  const whole = digits.slice(0, digits.length - a.scale);
  let frac = a.scale ? digits.slice(digits.length - a.scale) : '';
  frac = frac.replace(/0+$/, '');
  if (frac.length < 2) frac = frac.padEnd(2, '0');
  digits = `${group(whole)}.${frac}`;
  return `${negative ? '-' : ''}$${digits}`;
}

/** diff as a percentage of past, two decimals (tfquote.costdiff.percent); null if past is 0. */
export function percent(diff, past) {
  if (isZero(past)) return isZero(diff) ? '0' : null;
  // (diff * 100 / past) to 2 decimals: scale the numerator so the integer division
  // keeps 12 decimals, then round half-even.
  const [d, p] = align(diff, past);
  const extra = 12;
  const value = { n: (d * 100n * 10n ** BigInt(extra)) / p, scale: extra };
  const q = quantize(value, 2);
  const { negative, text } = fixed(q, 2);
  const trimmed = text.replace(/\.?0+$/, '') || '0';
  return (negative ? '-' : '') + trimmed.replace(/,/g, '');
}

/** A plain number for chart geometry only (never for a figure people read). */
export function toNumber(a) {
  if (!a) return 0;
  return Number(a.n) / 10 ** a.scale;
}
