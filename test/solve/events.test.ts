import { describe, expect, it } from 'vitest';
import { solve } from '../../src/solve/index.js';
import type { EventSpec, MethodName } from '../../src/solve/index.js';
import { harmonic, lotkaVolterra } from '../fixtures/problems.js';

const OWN_AND_ODEX: MethodName[] = ['dopri5', 'dop853', 'odex'];
const tight = { rtol: 1e-12, atol: 1e-12 };

describe.each(OWN_AND_ODEX)('events with %s', (method) => {
  it('locates the first zero of cos t at π/2 to 1e-10, with its state', () => {
    const ev: EventSpec = { name: 'zero', g: (_t, y) => y[0] };
    const sol = solve(harmonic.f, [0, 2], harmonic.y0, { method, ...tight, events: [ev] });
    expect(sol.status).toBe('success');
    expect(sol.events).toHaveLength(1);
    const hit = sol.events[0];
    expect(hit.name).toBe('zero');
    expect(Math.abs(hit.t - Math.PI / 2)).toBeLessThan(1e-10);
    expect(hit.direction).toBe(-1);
    expect(Math.abs(hit.y[0])).toBeLessThan(1e-10);
    expect(Math.abs(hit.y[1] + 1)).toBeLessThan(1e-10);
  });

  it('filters by direction: only upward crossings of cos t (3π/2, 7π/2)', () => {
    const ev: EventSpec = { name: 'up', g: (_t, y) => y[0], direction: 1 };
    const sol = solve(harmonic.f, [0, 12], harmonic.y0, { method, ...tight, events: [ev] });
    expect(sol.events.map((e) => e.direction)).toEqual([1, 1]);
    expect(Math.abs(sol.events[0].t - 1.5 * Math.PI)).toBeLessThan(1e-10);
    expect(Math.abs(sol.events[1].t - 3.5 * Math.PI)).toBeLessThan(1e-10);
  });

  it('a terminal event stops the run with status event, the state there, and a truncated save grid', () => {
    const evs: EventSpec[] = [
      { name: 'sin-zero', g: (_t, y) => y[1] }, // −sin t: exactly 0 at t0, must not fire there
      { name: 'stop', g: (_t, y) => y[0] + 0.5, direction: -1, terminal: true }, // cos t = −1/2 at 2π/3
    ];
    const sol = solve(harmonic.f, [0, 10], harmonic.y0, { method, ...tight, events: evs, saveAt: [0, 1, 2, 3, 4] });
    expect(sol.status).toBe('event');
    expect(sol.message).toMatch(/^Stopped at t=2\.094395\d* by terminal event 'stop'\.$/);
    expect(Math.abs(sol.tEnd - (2 * Math.PI) / 3)).toBeLessThan(1e-10);
    expect(Math.abs(sol.yEnd[0] + 0.5)).toBeLessThan(1e-10);
    expect(sol.events.map((e) => e.name)).toEqual(['stop']);
    expect(Array.from(sol.t)).toEqual([0, 1, 2]);
  });

  it('an event that is exactly zero at t0 fires at its first real crossing, not at t0', () => {
    const ev: EventSpec = { name: 'sin-zero', g: (_t, y) => y[1] };
    const sol = solve(harmonic.f, [0, 4], harmonic.y0, { method, ...tight, events: [ev] });
    expect(sol.events).toHaveLength(1);
    expect(Math.abs(sol.events[0].t - Math.PI)).toBeLessThan(1e-10);
    expect(sol.events[0].direction).toBe(1);
  });
});

describe('event times agree between methods', () => {
  it('dopri5 and dop853 agree to 1e-8 relative on Lotka–Volterra crossings', () => {
    const ev: EventSpec = { name: 'prey=2', g: (_t, y) => y[0] - 2 };
    const run = (method: MethodName) =>
      solve(lotkaVolterra.f, lotkaVolterra.span, lotkaVolterra.y0, { method, ...tight, events: [ev] }).events;
    const a = run('dopri5');
    const b = run('dop853');
    expect(a.length).toBeGreaterThanOrEqual(4);
    expect(b.map((e) => e.direction)).toEqual(a.map((e) => e.direction));
    a.forEach((e, i) => expect(Math.abs(e.t - b[i].t) / e.t).toBeLessThan(1e-8));
  });
});
