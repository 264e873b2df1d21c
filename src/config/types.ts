import type { CanarySpec } from '../types.js';
import type { CloudDetectionConfig } from '../clouds/detect.js';
import type { FamilyChoice, IdentitySettings, RelaySpec, TargetSpec } from '../types.js';

export type { CloudDetectionConfig } from '../clouds/detect.js';

/** An address to serve HTTP on, parsed once, with where it was given (for error messages). */
export interface ListenAddress {
  /** undefined: every interface, IPv4 and IPv6. */
  host: string | undefined;
  port: number;
  /** As the user wrote it, e.g. ":9725". */
  text: string;
  /** Who set it: "--listen", or "FILE:LINE: listen". */
  origin: string;
}

/** Egress identity and reputation (CONTRACT §10). */
export interface ReputationConfig {
  /** DNSBL zones to look every egress address up in; [] turns DNSBL lookups off. */
  dnsbl: string[];
  /** The public addresses this machine sends from, when the user knows them. */
  egressAddresses: string[];
}

/** The effective configuration after defaults, the config file and flags are merged. */
export interface ProbeConfig {
  intervalMs: number;
  /**
   * The daemon's first cycle starts at a random moment within this long (0: at once), so that
   * a fleet started together does not probe in step.
   */
  splayMs: number;
  /** The floor under intervalMs; lowered only by --min-interval for tests and the lab. */
  minIntervalMs: number;
  listen: ListenAddress;
  connectTimeoutMs: number;
  greetingTimeoutMs: number;
  dnsServers: string[];
  family: FamilyChoice;
  /** How many attempts may be in flight at once to one target. */
  concurrency: number;
  /** How many sockets a pass may hold open at once, all destinations together. */
  maxSockets: number;
  /** Minimum gap between the starts of two attempts to the same address. */
  hostSpacingMs: number;
  /** Whether POST /-/reload is served (Prometheus's --web.enable-lifecycle); off by default. */
  enableLifecycle: boolean;
  targets: TargetSpec[];
  relays: RelaySpec[];
  cloud: CloudDetectionConfig;
  reputation: ReputationConfig;
  /** Sender identity (CONTRACT §11); unset: not checked. */
  identity?: IdentitySettings;
  metrics: MetricsConfig;
  /** Delivery canaries (CONTRACT §12); empty: none. */
  canaries: CanarySpec[];
}

/** What the daemon's /metrics carries beside mxprobe's own series. */
export interface MetricsConfig {
  /** Node.js and process metrics (about 80–95 series): worth dropping on a fleet. */
  runtime: boolean;
}

/** Client-certificate policies of the exporter-toolkit web config (Go's tls.ClientAuthType). */
export const CLIENT_AUTH_TYPES = [
  'NoClientCert',
  'RequestClientCert',
  'RequireAnyClientCert',
  'VerifyClientCertIfGiven',
  'RequireAndVerifyClientCert',
] as const;
export type ClientAuthType = (typeof CLIENT_AUTH_TYPES)[number];

export const TLS_VERSIONS = ['TLS10', 'TLS11', 'TLS12', 'TLS13'] as const;
export type TlsVersionName = (typeof TLS_VERSIONS)[number];

/** `tls_server_config` with its files read: what the TLS listener is built from. */
export interface WebTls {
  cert: Buffer;
  key: Buffer;
  /** CAs that client certificates are verified against. */
  clientCa: Buffer | undefined;
  clientAuth: ClientAuthType;
  minVersion: TlsVersionName;
  maxVersion: TlsVersionName;
}

/** The web config (`--web.config.file`, exporter-toolkit format), checked and loaded. */
export interface WebConfig {
  /** The file it came from, for log lines. */
  source: string;
  /** undefined: plain HTTP. */
  tls: WebTls | undefined;
  /** User name → bcrypt hash; empty: no basic authentication. */
  basicAuthUsers: ReadonlyMap<string, string>;
  /** Extra response headers (http_server_config.headers). */
  headers: Readonly<Record<string, string>>;
}
