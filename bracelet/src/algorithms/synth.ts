/**
 * Synthesised sensor signals with known answers, from simple physical models (never from a dataset):
 * the unit tests' inputs and the simulated bracelet's raw streams.
 *
 * Accelerometer: the sensor measures specific force f = a − g (in g): at rest, 1 g opposite to
 * gravity, whatever the wrist's orientation; in free fall, 0.
 */
import { SeededRandom } from '../random.ts';

type Vec = [number, number, number];

const norm = (v: Vec): Vec => {
  const n = Math.hypot(v[0], v[1], v[2]);
  return [v[0] / n, v[1] / n, v[2] / n];
};

/** Spherical interpolation between unit vectors (the wrist rotating at constant angular speed). */
function slerp(a: Vec, b: Vec, f: number): Vec {
  const dot = Math.max(-1, Math.min(1, a[0] * b[0] + a[1] * b[1] + a[2] * b[2]));
  const th = Math.acos(dot);
  if (th < 1e-6) return a;
  const s = Math.sin(th);
  const wa = Math.sin((1 - f) * th) / s, wb = Math.sin(f * th) / s;
  return [wa * a[0] + wb * b[0], wa * a[1] + wb * b[1], wa * a[2] + wb * b[2]];
}

export interface FallModel {
  readonly rateHz?: number;
  readonly seed?: number;
  /** Seconds standing (arm swinging gently) before the fall. */
  readonly beforeS?: number;
  /** Seconds lying after the impact. */
  readonly afterS?: number;
  /** Peak specific force at impact, g. */
  readonly impactG?: number;
  /** Clip every axis at this range, g (a ±4 g sensor). */
  readonly clipG?: number;
}

/**
 * A forward fall from standing, as a wrist sensor sees it:
 * - standing, arm hanging: 1 g along the forearm (sensor −x), 1 Hz sway of ±0.05 g, 0.01 g noise;
 * - loss of balance, 0.7 s: the body pivots about the feet (inverted pendulum); the wrist's specific
 *   force drops towards 0.3 g (near free fall, h = ½·g·t² ≈ 0.9 m at 0.45 s) while the forearm
 *   rotates by 90° (arm thrown forward to break the fall);
 * - impact: a 60 ms half-sine of `impactG` along the new vertical (the floor pushes the hand up),
 *   then a 6 Hz damped rebound (tissue and floor compliance, decay 50 ms);
 * - lying still: 1 g along the sensor's +z (palm down on the floor), breathing ±0.01 g, noise.
 * The impact is at `beforeS + 0.7` s.
 */
export function synthFall(model: FallModel = {}): Float32Array {
  const rate = model.rateHz ?? 100;
  const r = new SeededRandom(model.seed ?? 7);
  const before = model.beforeS ?? 4, after = model.afterS ?? 8, impact = model.impactG ?? 6;
  const fallS = 0.7;
  const up0: Vec = [-1, 0.05, 0.1];
  const up1: Vec = [0.1, 0.15, 1];
  const u0 = norm(up0), u1 = norm(up1);
  const n = Math.round((before + fallS + after) * rate);
  const out = new Float32Array(n * 3);
  for (let i = 0; i < n; i++) {
    const t = i / rate;
    let v: Vec;
    if (t < before) {
      const sway = 0.05 * Math.sin(2 * Math.PI * t);
      v = [u0[0] * (1 + sway), u0[1] + sway, u0[2]];
    } else if (t < before + fallS) {
      const f = (t - before) / fallS;
      const mag = 1 - 0.7 * Math.sin(Math.PI * Math.min(1, f * 1.2)) ** 0.5;
      const u = slerp(u0, u1, f);
      v = [u[0] * mag, u[1] * mag, u[2] * mag];
    } else {
      const dt = t - before - fallS;
      let mag = 1 + 0.01 * Math.sin(2 * Math.PI * 0.25 * dt);
      if (dt < 0.06) mag += (impact - 1) * Math.sin((Math.PI * dt) / 0.06);
      else mag += 0.8 * Math.exp(-(dt - 0.06) / 0.05) * Math.sin(2 * Math.PI * 6 * (dt - 0.06));
      v = [u1[0] * mag, u1[1] * mag, u1[2] * mag];
      if (dt < 0.3) v[0] += 0.5 * Math.exp(-dt / 0.08); // the hand slides forward on the floor
    }
    for (let a = 0; a < 3; a++) {
      let value = v[a]! + 0.01 * r.gaussian();
      if (model.clipG !== undefined) value = Math.max(-model.clipG, Math.min(model.clipG, value));
      out[i * 3 + a] = value;
    }
  }
  return out;
}

/** Time of the impact of {@link synthFall}, seconds. */
export const synthFallImpactS = (model: FallModel = {}): number => (model.beforeS ?? 4) + 0.7;

export interface WalkModel {
  readonly rateHz?: number;
  readonly seed?: number;
  readonly steps: number;
  /** Steps per minute. */
  readonly cadenceSpm: number;
  /** Peak of the heel-strike transient seen at the wrist, g above 1 g. */
  readonly strikeG?: number;
  /** Seconds of standing before and after. */
  readonly padS?: number;
}

/**
 * Walking as a wrist sees it: gravity along the hanging forearm, arm swing at half the step rate
 * (±0.15 g at most, half the strike: one swing per stride), and per step a heel-strike transient (a 100 ms half-sine of
 * `strikeG`) — the transient is what a step counter counts. Exactly `steps` strikes.
 */
export function synthWalk(model: WalkModel): Float32Array {
  const rate = model.rateHz ?? 100;
  const r = new SeededRandom(model.seed ?? 3);
  const pad = model.padS ?? 3;
  const period = 60 / model.cadenceSpm;
  const strike = model.strikeG ?? 0.35;
  const swing = Math.min(0.15, 0.5 * strike); // a shuffling gait swings its arms little
  const n = Math.round((2 * pad + model.steps * period) * rate);
  const out = new Float32Array(n * 3);
  for (let i = 0; i < n; i++) {
    const t = i / rate;
    const w = t - pad;
    let x = -1, y = 0.05, z = 0.1;
    if (w >= 0 && w < model.steps * period) {
      const phase = (w % period) / period;
      // The swing is a pendulum: its tangential acceleration is across the forearm (y, z).
      y += swing * Math.sin((Math.PI * w) / period);
      z += swing * 0.5 * Math.cos((Math.PI * w) / period);
      if (phase < 0.1 / period) x -= strike * Math.sin((Math.PI * phase * period) / 0.1);
    }
    out[i * 3] = x + 0.01 * r.gaussian();
    out[i * 3 + 1] = y + 0.01 * r.gaussian();
    out[i * 3 + 2] = z + 0.01 * r.gaussian();
  }
  return out;
}

/** Clapping: `claps` impacts of `impactG` every 0.5 s, hands held up (forearm vertical, +x up). */
export function synthClapping(claps: number, impactG = 5, rateHz = 100): Float32Array {
  const r = new SeededRandom(11);
  const n = Math.round((3 + claps * 0.5 + 4) * rateHz);
  const out = new Float32Array(n * 3);
  for (let i = 0; i < n; i++) {
    const t = i / rateHz;
    const raised = t > 2 && t < 3 + claps * 0.5 + 0.5;
    const x = raised ? 0.2 : -1, z = raised ? 0.98 : 0.1;
    let y = 0.05;
    const k = Math.floor((t - 3) / 0.5);
    const dt = t - 3 - k * 0.5;
    if (k >= 0 && k < claps && dt < 0.05) y += (impactG - 1) * Math.sin((Math.PI * dt) / 0.05);
    out[i * 3] = x + 0.01 * r.gaussian();
    out[i * 3 + 1] = y + 0.01 * r.gaussian();
    out[i * 3 + 2] = z + 0.01 * r.gaussian();
  }
  return out;
}
