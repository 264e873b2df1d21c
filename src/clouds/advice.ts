// What to do about a blocked port 25, in the words of the platform the VM runs on. Pure: the
// detected environment in, one or two sentences per point out.

import { factsOf, type AnyCloud } from './cloud.js';
import { REGISTERED_CLOUDS, type CloudFacts } from './registry.js';

export function cloudAdvice(
  env: CloudFacts,
  clouds: readonly AnyCloud[] = REGISTERED_CLOUDS,
): string[] {
  const cloud = clouds.find((c) => c.id === env.cloud);
  if (cloud === undefined) return generalAdvice();
  return cloud.port25Advice(factsOf(env, cloud));
}

function generalAdvice(): string[] {
  return [
    'No cloud platform was detected: ask the hosting provider or the network administrator whether outbound TCP port 25 is blocked and whether it can be opened for this machine.',
    'Meanwhile, send through an authenticated SMTP relay on port 587 (STARTTLS) or 465 (TLS), which is how most providers expect servers to send mail.',
  ];
}
