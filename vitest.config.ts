import { defineConfig } from 'vitest/config';

// Five projects, each named for what its tests need: `pure` (logic and the files it reads, no
// network, no child process) and `loopback` (the built mxprobe and servers on 127.0.0.1/::1)
// run in parallel and need nothing more; `root` needs root (ports below 1024) or Debian packages
// (prometheus); `lab` needs root and one lab at a time, so its files run one after another;
// `system` needs root to boot systemd in a container and install the Debian package there.
// Pure tests mirror the rooms of src/ and lab/: test/unit/<room>/.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'pure',
          include: ['test/unit/**/*.test.ts'],
          testTimeout: 30_000,
        },
      },
      {
        test: {
          name: 'loopback',
          include: ['test/loopback/**/*.test.ts'],
          testTimeout: 30_000,
        },
      },
      {
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
