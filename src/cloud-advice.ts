// What to do about a blocked port 25, in the words of the platform the VM runs on
// (CONTRACT §4). Pure: the detected environment in, one or two sentences per entry out.
//
// Azure follows the seed documents, the current troubleshooting article (December 2023) over
// the November 2017 announcement where they differ; the 2017 rules appear only as history.
// AWS and GCP are short summaries of their public documentation as of 2024.

import type { Environment } from './types.js';

export function cloudAdvice(env: Environment): string[] {
  switch (env.cloud) {
    case 'azure':
      return azureAdvice(env.azure);
    case 'aws':
      return awsAdvice(env.aws);
    case 'gcp':
      return gcpAdvice(env.gcp);
    case 'none':
      return generalAdvice();
    default: {
      const unknown: never = env.cloud;
      throw new Error(`unknown cloud ${String(unknown)}`);
    }
  }
}

function azureAdvice(facts: Environment['azure']): string[] {
  const subscription =
    facts?.subscriptionId != null
      ? `subscription ${facts.subscriptionId}`
      : 'an Azure subscription';
  const where = facts?.location != null ? ` (${facts.location})` : '';
  return [
    `This VM runs in Azure, ${subscription}${where}: Azure blocks outbound TCP port 25 from VMs for every subscription type except Enterprise Agreement (EA) and Microsoft Customer Agreement for enterprise (MCA-E).`,
    'The way Microsoft recommends: send through an authenticated SMTP relay on port 587 (Azure Communication Services Email, SendGrid or your own relay), which Azure does not restrict for any subscription type.',
    'EA and MCA-E subscriptions are not blocked on port 25; if this is one, look for an NSG, Azure Firewall or route rule, and if that is not it open a support case (Technical > Virtual Network > Cannot send email (SMTP/Port 25)).',
    'Enterprise Dev/Test subscriptions are blocked by default but can exempt themselves: in the Azure portal open the virtual network, then Diagnose and Solve, and run the "Cannot send email (SMTP-Port 25)" diagnostic.',
    'An exemption takes effect only after the VMs are stopped, deallocated and started again (a virtual network with a delegated subnet also needs a temporary subnet added and removed).',
    'All other subscription types are blocked on port 25; use the authenticated relay. Changing a subscription away from EA or MCA-E can bring the block back.',
    'History: the November 2017 announcement let pay-as-you-go subscriptions ask support to lift the block and ruled that out for MSDN, Azure Pass, Azure in Open, Education, BizSpark and Free Trial; the current documentation (December 2023) replaces those rules with the ones above.',
  ];
}

function awsAdvice(facts: Environment['aws']): string[] {
  const details = [facts?.region, facts?.accountId != null ? `account ${facts.accountId}` : null]
    .filter((part): part is string => part != null)
    .join(', ');
  return [
    `This VM runs in AWS EC2${details !== '' ? ` (${details})` : ''}: as documented by AWS (2024), EC2 throttles and blocks outbound TCP port 25 from all instances by default.`,
    'The account owner can ask AWS to lift it with the "Request to remove email sending limitations" form; AWS reviews each request.',
    'Without an exemption, send through Amazon SES or another authenticated relay on port 587 or 465, which are not restricted.',
  ];
}

function gcpAdvice(facts: Environment['gcp']): string[] {
  const details = [
    facts?.projectId != null ? `project ${facts.projectId}` : null,
    facts?.zone ?? null,
  ]
    .filter((part): part is string => part !== null)
    .join(', ');
  return [
    `This VM runs in Google Compute Engine${details !== '' ? ` (${details})` : ''}: as documented by Google Cloud (2024), outbound connections to TCP port 25 on external addresses are blocked, and Google lifts that only for some long-established projects, with no request form for the rest.`,
    'Send through an authenticated relay on port 587 or 465, which Google does not restrict: SendGrid, Mailgun, Mailjet or the Google Workspace SMTP relay.',
  ];
}

function generalAdvice(): string[] {
  return [
    'No cloud platform was detected: ask the hosting provider or the network administrator whether outbound TCP port 25 is blocked and whether it can be opened for this machine.',
    'Meanwhile, send through an authenticated SMTP relay on port 587 (STARTTLS) or 465 (TLS), which is how most providers expect servers to send mail.',
  ];
}
