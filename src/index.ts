/** Worker entry: HTTP through the Hono app; profile events (and their dead letters) and ledger events through the queue consumers. */
import { app } from './app';
import { bidApp, isBid } from './bid-app';
import { queueEnv } from './http/cost-debug';
import { handleDeadLetterBatch } from './queue/dead-letter-consumer';
import { handleLedgerBatch, LEDGER_QUEUE, platformLedgerEffects } from './queue/ledger-consumer';
import { handleProfileBatch } from './queue/profile-consumer';

export { CampaignLedger } from './objects/campaign-ledger';
export { CatalogAdmin } from './objects/catalog-admin';
export { DeadLetters } from './objects/dead-letters';
export { KnownUsers } from './objects/known-users';
export { UserProfile } from './objects/user-profile';

/** The dead-letter queue's name in wrangler.toml; everything else is the profile-events queue. */
const DEAD_LETTER_QUEUE = 'profile-events-dlq';

export default {
  fetch: (req, env, ctx) => (isBid(req) ? bidApp.fetch(req, env, ctx) : app.fetch(req, env, ctx)),
  queue: (batch, rawEnv, ctx) => {
    // Counts binding calls for the load test when COST_COUNTERS=on; otherwise rawEnv itself.
    const env = queueEnv(rawEnv, batch.queue);
    return batch.queue === LEDGER_QUEUE
      ? handleLedgerBatch(batch, platformLedgerEffects(env, ctx))
      : batch.queue === DEAD_LETTER_QUEUE
        ? handleDeadLetterBatch(batch, env)
        : handleProfileBatch(batch, env);
  },
} satisfies ExportedHandler<Env>;
