/**
 * The conformance kit: every promise of the `MailStore` contract as a check. An adapter's test
 * suite calls {@link describeMailStoreConformance} with a factory; the checks run under vitest.
 *
 * ```ts
 * import { describeMailStoreConformance } from '@mailyard/mailstore-conformance';
 * describeMailStoreConformance('MyStore', ({ policy, clock, onQuotaWarning }) =>
 *   new MyStore({ policy, clock, onQuotaWarning }),
 * );
 * ```
 */
import { afterEach, beforeEach, describe } from 'vitest';
import { aclChecks } from './acl-checks.js';
import { cleanOutChecks } from './clean-out-checks.js';
import { concurrencyChecks } from './concurrency-checks.js';
import { durabilityChecks } from './durability-checks.js';
import { feedChecks } from './feed-checks.js';
import { flagChecks } from './flag-checks.js';
import {
  type ConformanceOptions,
  type Fixture,
  type MailStoreFactory,
  makeFixture,
} from './harness.js';
import { mailboxChecks } from './mailbox-checks.js';
import { messageChecks } from './message-checks.js';
import { quotaChecks } from './quota-checks.js';
import { retentionChecks } from './retention-checks.js';
import { transientFailureChecks } from './transient-failure-checks.js';

export type {
  ConformanceContext,
  ConformanceOptions,
  MailStoreFactory,
  RestoreReads,
} from './harness.js';
export { ManualClock, ManualPolicy } from './harness.js';
export { FailingReads } from './failing-reads.js';

export function describeMailStoreConformance(
  name: string,
  factory: MailStoreFactory,
  options: ConformanceOptions = {},
): void {
  describe(`MailStore conformance: ${name}`, () => {
    let current: Fixture | undefined;
    const fixture = () => current!;
    beforeEach(async () => {
      current = await makeFixture(factory, options);
    });
    afterEach(async () => {
      await current?.store.close();
    });
    describe('mailboxes', () => mailboxChecks(fixture));
    describe('messages', () => messageChecks(fixture));
    describe('flags and mod-sequences', () => flagChecks(fixture));
    describe('change feed', () => feedChecks(fixture));
    describe('quota', () => quotaChecks(fixture));
    describe('ACLs and namespaces', () => aclChecks(fixture));
    describe('deleted-items retention', () => retentionChecks(fixture));
    describe('clean-out', () => cleanOutChecks(fixture));
    describe('concurrency', () => concurrencyChecks(fixture));
    if (options.reopen) describe('durability', () => durabilityChecks(fixture));
    if (options.reopen && options.failReads)
      describe('storage that fails for a while', () => transientFailureChecks(fixture));
  });
}
