/**
 * Confidence intervals of the evaluation: Wilson score interval for proportions, exact (Garwood)
 * Poisson interval for event counts, through the regularised incomplete gamma function (Numerical
 * Recipes §6.2: series below a + 1, continued fraction above) inverted by bisection.
 */

const Z95 = 1.959963984540054;

/** Wilson score interval of `k` successes out of `n`, 95 %. */
export function wilson(k: number, n: number, z = Z95): { p: number; low: number; high: number } {
  if (n === 0) return { p: Number.NaN, low: 0, high: 1 };
  const p = k / n;
  const z2 = z * z;
  const centre = (p + z2 / (2 * n)) / (1 + z2 / n);
  const half = (z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / (1 + z2 / n);
  return { p, low: Math.max(0, centre - half), high: Math.min(1, centre + half) };
}

function logGamma(x: number): number {
  const c = [76.18009172947146, -86.50532032941678, 24.01409824083091, -1.231739572450155, 0.0012086509738662, -0.000005395239384953];
  let y = x;
  const tmp = x + 5.5 - (x + 0.5) * Math.log(x + 5.5);
  let ser = 1.000000000190015;
  for (const ci of c) ser += ci / ++y;
  return -tmp + Math.log((2.5066282746310002 * ser) / x);
}

/** Regularised lower incomplete gamma P(a, x). */
export function gammaP(a: number, x: number): number {
  if (x <= 0) return 0;
  if (x < a + 1) {
    let sum = 1 / a, term = sum, ap = a;
    for (let i = 0; i < 1000; i++) {
      term *= x / ++ap;
      sum += term;
      if (Math.abs(term) < Math.abs(sum) * 1e-15) break;
    }
    return sum * Math.exp(-x + a * Math.log(x) - logGamma(a));
  }
  let b = x + 1 - a, c = 1e300, d = 1 / b, h = d;
  for (let i = 1; i < 1000; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b; if (Math.abs(d) < 1e-300) d = 1e-300;
    c = b + an / c; if (Math.abs(c) < 1e-300) c = 1e-300;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < 1e-15) break;
  }
  return 1 - Math.exp(-x + a * Math.log(x) - logGamma(a)) * h;
}

/** x such that P(a, x) = q. */
function gammaQuantile(a: number, q: number): number {
  let lo = 0, hi = Math.max(10, a * 4 + 40);
  for (let i = 0; i < 200; i++) {
    const mid = (lo + hi) / 2;
    if (gammaP(a, mid) < q) lo = mid; else hi = mid;
  }
  return (lo + hi) / 2;
}

/** Exact 95 % interval of a Poisson count `k` observed over `exposure` (e.g. hours): a rate per unit. */
export function poissonRate(k: number, exposure: number): { rate: number; low: number; high: number } {
  const low = k === 0 ? 0 : gammaQuantile(k, 0.025);
  const high = gammaQuantile(k + 1, 0.975);
  return { rate: k / exposure, low: low / exposure, high: high / exposure };
}
