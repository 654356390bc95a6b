/** Worker entry: HTTP through the Hono app, profile events through the queue consumer. */
import { app } from './app';
import { handleProfileBatch } from './queue/profile-consumer';

export { UserProfile } from './objects/user-profile';

export default {
  fetch: app.fetch,
  queue: (batch, env) => handleProfileBatch(batch, env),
} satisfies ExportedHandler<Env>;
