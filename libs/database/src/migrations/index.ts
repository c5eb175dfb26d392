import { InitialSchema1764000000000 } from './1764000000000-initial-schema';
import { SessionRepublishProgress1764100000000 } from './1764100000000-session-republish-progress';

/** Every migration, oldest first. A new one is added here and nowhere else. */
export const MIGRATIONS = [InitialSchema1764000000000, SessionRepublishProgress1764100000000];
