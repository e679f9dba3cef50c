import { InboxMessageEntity } from '../inbox/inbox-message.entity';
import { OutboxMessageEntity } from '../outbox/outbox-message.entity';
import { CreateOutboxAndInbox1763900000000 } from './migrations/1763900000000-create-outbox-and-inbox';
import { OutboxDeletesPublishedRows1796300000000 } from './migrations/1796300000000-outbox-deletes-published-rows';
import { LeanOutboxAndInboxIndexes1796400000000 } from './migrations/1796400000000-lean-outbox-and-inbox-indexes';
import { OutboxParked1796520000000 } from './migrations/1796520000000-outbox-parked';

/** Add these to every service's DataSource: each service owns its own outbox and inbox tables. */
export const messagingEntities = [OutboxMessageEntity, InboxMessageEntity];
export const messagingMigrations = [
  CreateOutboxAndInbox1763900000000,
  OutboxDeletesPublishedRows1796300000000,
  LeanOutboxAndInboxIndexes1796400000000,
  OutboxParked1796520000000,
];
