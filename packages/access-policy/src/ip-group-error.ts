import type { IpGroupItem } from './ip-address-group.js';

/** A group definition that cannot be compiled: names the group and the item, by position. */
export class IpGroupError extends Error {
  override readonly name = 'IpGroupError';

  constructor(
    readonly group: string,
    /** Position of the offending item in the group's list. */
    readonly itemIndex: number,
    readonly item: IpGroupItem,
    readonly reason: string,
  ) {
    super(
      `IP address group "${group}", item ${String(itemIndex)} (${describeItem(item)}): ${reason}`,
    );
  }
}

function describeItem(item: IpGroupItem): string {
  switch (item.kind) {
    case 'host':
      return `host ${String(item.address)}`;
    case 'range':
      return `range ${String(item.from)}-${String(item.to)}`;
    case 'network':
      return `network ${String(item.address)}/${String(item.mask)}`;
    case 'group':
      return `group ${String(item.name)}`;
    default:
      return `unknown kind ${JSON.stringify((item as { kind?: unknown }).kind)}`;
  }
}
