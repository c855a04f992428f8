/**
 * Numbers for people, as `toLocaleString('en-US')` writes them (thousands grouped with commas, at
 * most three decimals, rounded half away from zero, "∞", "NaN"), without Intl: the page's first
 * Intl call sets up ICU's number formatting, 43–95 ms of its start-up on this project's machine,
 * and the start-up path (the settings' ranges, the lessons' limits, the totals bar) formats numbers.
 * format.test.ts holds it to toLocaleString on random and edge values.
 */
export function formatNumber(n: number): string {
  if (Number.isNaN(n)) return 'NaN';
  if (!Number.isFinite(n)) return n > 0 ? '∞' : '-∞';
  const negative = n < 0 || Object.is(n, -0);
  // ICU rounds the shortest decimal that reads back as n (1.0005, not the binary 1.000499…), half
  // away from zero: the same digits here, from toExponential's shortest form.
  const [mant, exp] = Math.abs(n).toExponential().split('e') as [string, string];
  const digits = mant.replace('.', '');
  const point = Number(exp) + 1; // digits before the decimal point
  let intPart = point > 0 ? digits.slice(0, point).padEnd(point, '0') : '0';
  let fracPart = point > 0 ? digits.slice(point) : '0'.repeat(-point) + digits;
  if (fracPart.length > 3) {
    const up = fracPart.charCodeAt(3) >= 53; // '5'…'9'
    fracPart = fracPart.slice(0, 3);
    if (up) {
      // Add one in the last kept place, carrying into the whole part.
      const all = (BigInt(intPart + fracPart) + 1n).toString().padStart(intPart.length + 3, '0');
      intPart = all.slice(0, all.length - 3);
      fracPart = all.slice(all.length - 3);
    }
  }
  const decimals = fracPart.replace(/0+$/, '');
  const grouped = intPart.replace(/^0+(?=\d)/, '').replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${negative ? '-' : ''}${grouped}${decimals ? `.${decimals}` : ''}`;
}
