// The daemon's footprint with a probe set the shape of the shipped default, on loopback
// (bench/footprint.ts): its own memory stays small and flat over hundreds of cycles, every cycle
// gives the same answer. Under node by default; MXPROBE_EXECUTABLE names a single executable to
// measure instead (scripts/check-deploy-release.sh passes release/'s). `npm run bench` runs the
// same measurement over 1,000 cycles.
import { describe, expect, it } from 'vitest';
import { footprintReport, measureFootprint, spread } from '../../bench/footprint.js';
import { BIN } from '../helpers/daemon-process.js';

const CYCLES = Number(process.env.FOOTPRINT_CYCLES ?? 300);
const executable = process.env.MXPROBE_EXECUTABLE;
const command = executable === undefined ? [process.execPath, BIN] : [executable];
/**
 * The daemon's own memory (anonymous RSS): 19–23 MiB measured with these settings, 70–100 MiB
 * without them (a young generation grown to 32 MB and a cycle's garbage left until the old
 * generation filled up).
 */
const ANON_LIMIT_KIB = 32 * 1024;
/**
 * Everything, Node.js's mapped code and data included: 57–66 MiB as the executable over 1,000
 * cycles, depending on how much of its file the kernel maps in from the page cache.
 */
const RSS_LIMIT_KIB = (executable === undefined ? 80 : 72) * 1024;

describe(`the daemon with the shipped default's shape, ${CYCLES} cycles`, () => {
  it(
    'holds its memory: small, flat, and the same answer every cycle',
    async () => {
      const result = await measureFootprint(command, CYCLES);
      process.stdout.write(`${footprintReport(result)}\n`);

      expect(result.attemptsPerCycle).toBeGreaterThan(10);
      expect(result.firstSummary).toMatchObject({
        attempts: result.attemptsPerCycle,
        reachable: result.attemptsPerCycle,
        diagnosis: 'ok',
      });
      expect(result.differentCycles).toBe(0);
      expect(result.stderr).toBe('');
      expect(result.samples.length).toBeGreaterThan(CYCLES / 20);
      const anon = spread(result.samples.map((s) => s.anonKiB));
      const rss = spread(result.samples.map((s) => s.rssKiB));
      expect(anon.max).toBeLessThan(ANON_LIMIT_KIB);
      expect(rss.max).toBeLessThan(RSS_LIMIT_KIB);
      // Flat: the last tenth of the run holds no more than the middle of it, give or take 4 MiB.
      const late = result.samples.filter((s) => s.cycle > CYCLES * 0.9);
      const middle = result.samples.filter(
        (s) => s.cycle > CYCLES * 0.4 && s.cycle <= CYCLES * 0.6,
      );
      expect(late.length).toBeGreaterThan(0);
      expect(middle.length).toBeGreaterThan(0);
      expect(spread(late.map((s) => s.anonKiB)).median).toBeLessThan(
        spread(middle.map((s) => s.anonKiB)).median + 4 * 1024,
      );
    },
    120_000 + CYCLES * 1_500,
  );
});
