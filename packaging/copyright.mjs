// /usr/share/doc/mxprobe/copyright: mxprobe's licence, then everything else the executable
// contains: the npm packages in the bundle (read from esbuild's metafile) and the Node.js runtime.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * Debian ships the Apache License 2.0 in /usr/share/common-licenses; a copyright file refers to
 * it instead of quoting its terms (Policy 12.5). Node.js and some npm packages quote them.
 */
const APACHE_2_TERMS =
  /^([ \t]*)Apache License\s+Version 2\.0, January 2004[\s\S]*?END OF TERMS AND CONDITIONS[ \t]*$/gm;

function referToCommonLicenses(text) {
  return text
    .replace(/\r/g, '')
    .replace(
      APACHE_2_TERMS,
      (_, indent) =>
        `${indent}Apache License, Version 2.0: on Debian systems, its complete text is in\n` +
        `${indent}/usr/share/common-licenses/Apache-2.0.`,
    );
}

/** The npm packages whose files make up the bundle, by their directory under node_modules. */
function bundledPackages(metafile) {
  const inputs = Object.keys(JSON.parse(readFileSync(metafile, 'utf8')).inputs);
  const dirs = new Set();
  for (const input of inputs) {
    const match = /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(input);
    if (match?.[1]) dirs.add(match[1]);
  }
  return [...dirs].sort().map((dir) => {
    const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    const files = readdirSync(dir);
    const read = (pattern) => {
      const name = files.find((f) => pattern.test(f));
      return name ? readFileSync(join(dir, name), 'utf8').trim() : undefined;
    };
    // A dual-licensed package ships one file per licence (LICENSE.MIT, LICENSE.EUPL-1.2): all.
    const licenseFiles = files
      .filter((f) => /^(licen[cs]e|copying)([.-][\w.-]+)?$/i.test(f))
      .sort();
    const licenseText =
      licenseFiles.length <= 1
        ? read(/^(licen[cs]e|copying)([.-][\w.-]+)?$/i)
        : licenseFiles
            .map((name) => `${name}:\n\n${readFileSync(join(dir, name), 'utf8').trim()}`)
            .join('\n\n');
    return {
      name: manifest.name,
      version: manifest.version,
      license: String(manifest.license),
      licenseText,
      notice: read(/^notice(\.(md|txt))?$/i),
    };
  });
}

/** The Node.js licence (with the libraries it contains) as its installation ships it. */
function nodeLicense() {
  const prefix = dirname(dirname(process.execPath));
  const candidates = [
    join(prefix, 'share', 'doc', 'nodejs', 'LICENSE'), // Debian and NodeSource packages
    join(prefix, 'share', 'doc', 'node', 'LICENSE'),
    join(prefix, 'LICENSE'), // the nodejs.org tarballs
  ];
  const found = candidates.find((file) => existsSync(file));
  return found
    ? readFileSync(found, 'utf8').trim()
    : `The LICENSE file of the Node.js ${process.version} sources: ${process.release.sourceUrl}`;
}

function indent(text) {
  return text
    .split('\n')
    .map((line) => (line.trim() === '' ? ' .' : ` ${line}`))
    .join('\n');
}

/**
 * @param {{ metafile: string }} options
 * @returns {string}
 */
export function copyrightFile({ metafile }) {
  const sections = [
    [
      'mxprobe',
      '',
      'License: MIT',
      indent(readFileSync('LICENSE', 'utf8').trim()),
      '',
      'The executable /usr/bin/mxprobe is a Node.js single executable application: it also',
      'contains the following npm packages and the Node.js runtime, under their own licences.',
    ].join('\n'),
  ];
  for (const pkg of bundledPackages(metafile)) {
    if (!pkg.licenseText) {
      throw new Error(`${pkg.name} ships no licence file: cannot write the copyright file`);
    }
    const lines = [`${pkg.name} ${pkg.version}`, '', `License: ${pkg.license}`];
    lines.push(indent(referToCommonLicenses(pkg.licenseText)));
    if (pkg.notice) lines.push(' .', indent(referToCommonLicenses(pkg.notice)));
    sections.push(lines.join('\n'));
  }
  sections.push(
    [
      `Node.js ${process.version}`,
      '',
      'License: MIT and others (below)',
      indent(referToCommonLicenses(nodeLicense())),
    ].join('\n'),
  );
  return `${sections.join('\n\n')}\n`;
}
