/**
 * Structured, log-safe logging: an event name and a few fields we choose. Never pass request
 * bodies, user keys, IPs or ids that identify a person.
 */
type Field = string | number | boolean | undefined;

export function log(level: 'info' | 'warn' | 'error', event: string, fields: Record<string, Field> = {}): void {
  const line = JSON.stringify({ level, event, ...fields });
  if (level === 'error') console.error(line);
  else if (level === 'warn') console.warn(line);
  else console.log(line);
}
