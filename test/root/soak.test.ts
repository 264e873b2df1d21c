// The daemon over many cycles against stable and hostile loopback servers on 25, 587 and 465
// (test/helpers/soak.ts): memory and file descriptors do not grow, the stable server's verdict
// and every other never change, nothing is logged as an error and nothing reaches stderr (no
// MaxListenersExceededWarning with eight relays). `npm run soak` runs 1,000 cycles and prints
// the figures; the suite runs 250 cycles (SOAK_CYCLES) with the same assertions.
import { describe, expect, it } from 'vitest';
import {
  describeSoak,
  expectedAttempts,
  runSoak,
  soakWindows,
  STABLE,
  WARMUP_CYCLES,
} from '../helpers/soak.js';

/** At least twice the warm-up, so both windows lie after it. */
const CYCLES = Math.max(2 * WARMUP_CYCLES + 30, Number(process.env.SOAK_CYCLES ?? 250));
/**
 * RSS moves with the garbage collector by a few MB; a leak of 16 KiB a cycle between the two
 * windows of a 1,000-cycle run (600 cycles apart) would be 9 MB.
 */
const RSS_SLACK_BYTES = 8 * 1024 * 1024;

describe(`the daemon over ${CYCLES} cycles`, () => {
  it(
    'no growth in memory or descriptors, no verdict that changes, nothing on stderr',
    async () => {
      const result = await runSoak(CYCLES, Math.max(1, Math.floor(CYCLES / 100)));
      process.stdout.write(`${describeSoak(result)}\n`);

      expect(result.flapped).toEqual([]);
      expect(result.attemptsLast).toEqual(result.attemptsFirst);
      expect(result.first).toMatchObject({
        ports: { '25': 'partial', '587': 'partial', '465': 'open' },
        diagnosis: 'partial',
        error: 1,
      });
      expect(result.attemptsFirst).toEqual(expectedAttempts());
      for (const port of [25, 587, 465])
        expect(result.attemptsFirst).toContain(`${STABLE}:${port} reachable/greeting`);
      expect(result.errorLogs).toEqual([]);
      expect(result.stderr).toBe('');

      const { early, late } = soakWindows(result);
      expect(late.rssBytes - early.rssBytes).toBeLessThan(RSS_SLACK_BYTES);
      expect(late.fds).toBeLessThanOrEqual(early.fds + 2);
      expect(Math.max(...result.samples.map((s) => s.fds))).toBeLessThan(100);
    },
    60_000 + CYCLES * 1_000,
  );
});
