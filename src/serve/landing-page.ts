// The page at `/`: what this is, its version, and links to the endpoints, as exporters have it.
// One self-contained document (no scripts, no external styles, fonts or images), so it renders
// the same behind any proxy and its Content-Security-Policy can forbid everything else. Pure.

export interface LandingPageFacts {
  version: string;
  /** The diagnosis of the latest cycle, or undefined before the first one has finished. */
  diagnosis: string | undefined;
}

const LINKS: readonly { path: string; text: string }[] = [
  { path: 'metrics', text: 'Prometheus metrics (OpenMetrics when the scraper asks for it)' },
  { path: 'status', text: 'the latest report as JSON, with its diagnosis and advice' },
  { path: 'healthz', text: '200 while the probe loop runs' },
];

/** Only inline styles: scripts, frames, images and anything fetched are refused. */
export const LANDING_PAGE_CSP = "default-src 'none'; style-src 'unsafe-inline'";

export function renderLandingPage(facts: LandingPageFacts): string {
  // Relative links: the page works under a path prefix of a reverse proxy too.
  const links = LINKS.map(
    (link) => `      <li><a href="${link.path}">/${link.path}</a>: ${escapeHtml(link.text)}</li>`,
  ).join('\n');
  const diagnosis =
    facts.diagnosis === undefined
      ? 'no probe cycle has finished yet'
      : `latest diagnosis: <code>${escapeHtml(facts.diagnosis)}</code>`;
  return `<!DOCTYPE html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>mxprobe</title>
    <style>
      body { font-family: sans-serif; max-width: 46em; margin: 2em auto; padding: 0 1em; line-height: 1.5; }
      header { border-bottom: 1px solid #ccc; }
      code { background: #f2f2f2; padding: 0 0.2em; }
    </style>
  </head>
  <body>
    <header><h1>mxprobe</h1></header>
    <p>Outbound SMTP egress probe and Prometheus exporter: can mail leave this machine on ports 25, 587 and 465?</p>
    <p>Version ${escapeHtml(facts.version)}; ${diagnosis}.</p>
    <ul>
${links}
    </ul>
    <p><code>POST /-/reload</code> re-reads the config, as SIGHUP does.</p>
  </body>
</html>
`;
}

export function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );
}
