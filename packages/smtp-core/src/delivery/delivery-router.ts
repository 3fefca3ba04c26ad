import type { Directory } from '@mailyard/mailstore-interface';
import type { DeliveryAgent, EnvelopeRecipient, RecipientResult } from '../envelope.js';
import type { QueueHold, QueueDeliveryAgent } from '../queue/queue-options.js';
import { isBarePostmaster } from './local-recipients.js';

export interface DeliveryRouterOptions {
  readonly directory: Directory;
  /** Mail for local domains (normally {@link localDeliveryAgent}). */
  readonly local: DeliveryAgent;
  /** Everything else (normally {@link remoteDeliveryAgent}), with its relay and hold answers. */
  readonly remote: QueueDeliveryAgent;
  /**
   * Kerio 1.10, a domain's Forwarding tab: "If recipient was not found in this domain, forward
   * the message to another host". Local domains listed here send their unknown recipients to
   * the remote agent, which needs a route for the domain (with its Online, scheduler or ETRN
   * delivery) instead of failing them with 5.1.1.
   */
  readonly forwardUnknown?: readonly string[];
}

/**
 * The queue's agent: each recipient to local delivery or to the remote route, both delivered
 * at once, the results in envelope order. The relay and hold questions go to the remote agent
 * for the recipients it would get; local mail is never held and never goes via a relay.
 */
export function deliveryRouter(options: DeliveryRouterOptions): QueueDeliveryAgent {
  const forwardUnknown = new Set((options.forwardUnknown ?? []).map((d) => d.toLowerCase()));

  const isRemote = async (address: string): Promise<boolean> => {
    if (isBarePostmaster(address)) return false; // RFC 5321 4.1.1.3: ours, whatever the domains
    const domain = address.slice(address.lastIndexOf('@') + 1).toLowerCase();
    const local = await options.directory.localDomain(domain);
    if (!local) return true;
    if (!forwardUnknown.has(local.toLowerCase()) && !forwardUnknown.has(domain)) return false;
    return (await options.directory.resolveRecipient(address)).unknown;
  };

  return {
    async viaRelay(recipient) {
      return (await isRemote(recipient)) && ((await options.remote.viaRelay?.(recipient)) ?? false);
    },
    async holdFor(recipient): Promise<QueueHold | null> {
      return (await isRemote(recipient))
        ? ((await options.remote.holdFor?.(recipient)) ?? null)
        : null;
    },
    async deliver(envelope, message, attempt) {
      const local: EnvelopeRecipient[] = [];
      const remote: EnvelopeRecipient[] = [];
      const results = new Map<string, RecipientResult>();
      for (const recipient of envelope.recipients) {
        try {
          ((await isRemote(recipient.address)) ? remote : local).push(recipient);
        } catch (error) {
          results.set(recipient.address, {
            recipient: recipient.address,
            status: 'deferred',
            code: 451,
            enhancedCode: '4.3.0',
            diagnostic: `451 4.3.0 directory unavailable: ${error instanceof Error ? error.message : String(error)}`,
          });
        }
      }
      const [fromLocal, fromRemote] = await Promise.all([
        local.length > 0
          ? options.local.deliver({ ...envelope, recipients: local }, message, attempt)
          : [],
        remote.length > 0
          ? options.remote.deliver({ ...envelope, recipients: remote }, message, attempt)
          : [],
      ]);
      for (const result of [...fromLocal, ...fromRemote]) results.set(result.recipient, result);
      return envelope.recipients.flatMap((r) => results.get(r.address) ?? []);
    },
  };
}
