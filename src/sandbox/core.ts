import type { SandboxClock } from './clock.ts';
import type { EventLog } from './events.ts';
import type { SandboxState } from './state.ts';

/** What every sandbox operation needs: time, the objects, and the event stream. */
export interface SandboxCore {
  readonly clock: SandboxClock;
  readonly state: SandboxState;
  readonly events: EventLog;
  /** Base URL for hosted pages, e.g. `http://127.0.0.1:12111`. */
  publicUrl(): string;
}
