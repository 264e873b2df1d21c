// Microsoft Azure. Advice follows the seed documents: the current troubleshooting article
// (December 2023) over the November 2017 announcement where they differ; the 2017 rules
// appear only as history.

import { defineCloud, inParentheses, relayWay, type PortPolicy } from './cloud.js';
import { getJson, safeUrl, stringField, field } from './metadata.js';

export interface AzureFacts {
  subscriptionId: string | null;
  location: string | null;
  vmId: string | null;
  azEnvironment?: string | null;
  /** The public IP addresses of the VM's network interfaces (absent when there are none). */
  publicIpAddresses?: string[];
}

/** Azure sets this chassis asset tag on every VM (Hyper-V's "Virtual Machine" tag). */
export const AZURE_ASSET_TAG = '7783-7084-3265-9085-8269-3286-77';

/** Pinned so the response shape does not change under us. */
export const AZURE_IMDS_API_VERSION = '2021-02-01';

/** Troubleshoot outbound SMTP connectivity problems in Azure (December 2023). */
export const AZURE_POLICY: PortPolicy = {
  blockedPorts: [25],
  who: 'every subscription type except Enterprise Agreement (EA) and Microsoft Customer Agreement for enterprise (MCA-E)',
  exemption:
    'Enterprise Dev/Test subscriptions can exempt themselves in the Azure portal (virtual network, Diagnose and Solve, "Cannot send email (SMTP-Port 25)"); the VMs must then be stopped, deallocated and started again. Other types send through an authenticated relay on port 587.',
  source:
    'https://learn.microsoft.com/en-us/azure/virtual-network/troubleshoot-outbound-smtp-connectivity',
};

export const azure = defineCloud({
  id: 'azure',
  name: 'Azure',
  dmiSignature: new RegExp(`microsoft|${AZURE_ASSET_TAG}`, 'i'),
  defaultMetadataUrl: 'http://169.254.169.254/metadata/instance',

  /** Azure IMDS: GET {url}?api-version=…, header `Metadata: true`. */
  async queryMetadata(baseUrl, ctx): Promise<AzureFacts | null> {
    const url = safeUrl(baseUrl);
    if (url === null) return null;
    url.searchParams.set('api-version', AZURE_IMDS_API_VERSION);
    const body = await getJson(url, { Metadata: 'true' }, ctx);
    const compute = field(body, 'compute');
    if (compute === undefined) return null;
    const facts: AzureFacts = {
      subscriptionId: stringField(compute, 'subscriptionId'),
      location: stringField(compute, 'location'),
      vmId: stringField(compute, 'vmId'),
      azEnvironment: stringField(compute, 'azEnvironment'),
    };
    const publicIps = publicIpAddressesOf(field(body, 'network'));
    if (publicIps.length > 0) facts.publicIpAddresses = publicIps;
    return facts.vmId !== null || facts.subscriptionId !== null ? facts : null;
  },

  factsFromDmi(dmi): AzureFacts | null {
    return dmi.chassis_asset_tag.trim() === AZURE_ASSET_TAG
      ? { subscriptionId: null, location: null, vmId: null }
      : null;
  },

  portPolicy: AZURE_POLICY,

  port25Advice(facts, relayPorts = [587]) {
    const subscription =
      facts?.subscriptionId != null
        ? `subscription ${facts.subscriptionId}`
        : 'an Azure subscription';
    return [
      `This VM runs in Azure, ${subscription}${inParentheses([facts?.location])}: Azure blocks outbound TCP port 25 from VMs for every subscription type except Enterprise Agreement (EA) and Microsoft Customer Agreement for enterprise (MCA-E).`,
      `The way Microsoft recommends: ${relayWay(relayPorts)} (Azure Communication Services Email, SendGrid or your own relay); Azure restricts no submission port for any subscription type.`,
      'EA and MCA-E subscriptions are not blocked on port 25; if this is one, look for an NSG, Azure Firewall or route rule, and if that is not it open a support case (Technical > Virtual Network > Cannot send email (SMTP/Port 25)).',
      'Enterprise Dev/Test subscriptions are blocked by default but can exempt themselves: in the Azure portal open the virtual network, then Diagnose and Solve, and run the "Cannot send email (SMTP-Port 25)" diagnostic.',
      'An exemption takes effect only after the VMs are stopped, deallocated and started again (a virtual network with a delegated subnet also needs a temporary subnet added and removed).',
      'All other subscription types are blocked on port 25; use the authenticated relay. Changing a subscription away from EA or MCA-E can bring the block back.',
      'History: the November 2017 announcement let pay-as-you-go subscriptions ask support to lift the block and ruled that out for MSDN, Azure Pass, Azure in Open, Education, BizSpark and Free Trial; the current documentation (December 2023) replaces those rules with the ones above.',
    ];
  },

  identifierFields: ['subscriptionId', 'vmId'],
  publicAddresses: (facts) => facts?.publicIpAddresses ?? [],

  ptrAdvice:
    "On Azure the PTR record is the public IP address resource's reverse FQDN: give a name of yours an A record for the address first (or use the IP's DNS name label), then set it with `az network public-ip update --resource-group GROUP --name IP-NAME --reverse-fqdn mail.example.com.`.",

  metricLabelNames: ['region'],
  metricLabels: (facts) => (facts?.location ? { region: facts.location } : {}),
});

/** `network.interface[].ipv4.ipAddress[].publicIpAddress` (and ipv6), non-empty ones. */
function publicIpAddressesOf(network: unknown): string[] {
  const interfaces = field(network, 'interface');
  if (!Array.isArray(interfaces)) return [];
  return interfaces.flatMap((nic: unknown) =>
    ['ipv4', 'ipv6'].flatMap((family) => {
      const addresses = field(field(nic, family), 'ipAddress');
      if (!Array.isArray(addresses)) return [];
      return addresses.flatMap((entry: unknown) => stringField(entry, 'publicIpAddress') ?? []);
    }),
  );
}
