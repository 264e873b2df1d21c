import { defineConfig } from 'vitest/config';

// Four projects: the fast tests (pure units and loopback integration) run in parallel; the
// root project needs root or system packages; the namespace lab needs root and one lab at a
// time, so its files run one after another; the system project needs root to boot systemd in a
// container and install the Debian package there.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts', 'test/integration/**/*.test.ts'],
          testTimeout: 30_000,
        },
      },
      {
        // Loopback tests that need root (ports below 1024) or Debian packages (prometheus).
        test: {
          name: 'root',
          include: ['test/root/**/*.test.ts'],
          testTimeout: 60_000,
        },
      },
      {
        test: {
          name: 'lab',
          include: ['test/lab/**/*.test.ts'],
          // One lab for every file: up before the first, down after the last (and on Ctrl-C).
          globalSetup: ['test/lab/global-setup.ts'],
          fileParallelism: false,
          testTimeout: 300_000,
          hookTimeout: 120_000,
        },
      },
      {
        test: {
          name: 'system',
          include: ['test/system/**/*.test.ts'],
          // Builds release/ (npm run package) when it is missing or older than its sources.
          globalSetup: ['test/system/global-setup.ts'],
          fileParallelism: false,
          testTimeout: 120_000,
          hookTimeout: 180_000,
        },
      },
    ],
  },
});
